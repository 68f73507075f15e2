"""The local stack: the topology on moto, in process or behind a local endpoint, on a simulated clock.

``deploy()``/``LocalStack`` (``stack.py``) build it in this process; ``start_server()`` (``server.py``)
serves it over HTTP; ``SimulatedClock`` (``scheduler.py``: the simulated time and the scheduler of
everything that waits on it) is the time both run on.
"""

from infra.local.deployer import DeployError
from infra.local.scheduler import SimulatedClock
from infra.local.server import LocalServer, start_server
from infra.local.stack import HandlerError, LocalStack, deploy

__all__ = ["DeployError", "HandlerError", "LocalServer", "LocalStack", "SimulatedClock", "deploy", "start_server"]
