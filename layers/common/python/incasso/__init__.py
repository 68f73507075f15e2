"""incasso: the Dutch debt-collection trajectory as a serverless engine.

Layers: ``law`` and ``domain`` are pure (no AWS); ``services`` decide what happens to a claim;
``adapters`` talk to AWS; ``local`` runs the same system on moto with a simulated clock.
"""

__version__ = "0.1.0"
