"""The local stack: the topology on moto, in process or behind a local endpoint, on a simulated clock.

``deploy()``/``LocalStack`` (``stack.py``) build it in this process; ``start_server()`` (``server.py``)
serves it over HTTP; ``SimulatedClock`` (``clock.py``) is the time both run on.
"""

from infra.local.clock import SimulatedClock
from infra.local.deployer import DeployError
from infra.local.server import LocalServer, start_server
from infra.local.stack import HandlerError, LocalStack, deploy

__all__ = ["DeployError", "HandlerError", "LocalServer", "LocalStack", "SimulatedClock", "deploy", "start_server"]
