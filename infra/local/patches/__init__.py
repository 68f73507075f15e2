"""Every moto internal the local stack patches, declared once (``PATCH_POINTS`` in ``points``) and
installed together (``install``); one module per concern: ``lambda_events``, ``waits``, ``threads``,
``speedups``, and ``patcher`` for what they share.

moto is pinned exactly (5.2.5); ``tests/integration/local/test_patch_points.py`` checks that each
point below still exists with the signature the patch expects, so that an upgrade fails loudly.

What is patched, and why:

- Lambda runs the real handler in process (``LambdaFunction._invoke_lambda``).
- Time: Wait states, retry intervals and timeouts block on the simulated clock; TimestampPath and the
  interpreter's timestamps read it; EventBridge event times read it.
- Quiescence: the interpreter's threads and events become the clock's ``TrackedThread`` and
  ``SimEvent``; executions are counted as they start and finish.
- EventBridge rules deliver to Lambda and Step Functions targets; S3 events get AWS's full shape.
- Every AWS call holds the clock's API lock (atomic, as in AWS).
- Express machines (``express``): the definition checked as AWS checks an Express one; a start is never
  deduplicated by its name (StartExecution is not idempotent for Express).
- Every invocation runs in a sandbox of its own (``infra.local.sandbox``): ``os.environ`` shows a
  handler's thread its own function's environment, and the Powertools logger keeps keys per invocation.
- No leaked threads: moto's global list of every thread it ever started is replaced by one that keeps
  nothing.
- Speed-ups (switchable): one boto3 client per service for the interpreter instead of one per Task,
  cached JSONPath parsers, the parsed definition cached per state machine, and no extra thread per
  Task or per program when no timeout asks for one; moto's routing kept per URL and its handler
  method lists per class; botocore's User-Agent kept per client, the SigV4 header written without
  its (unchecked) signature; DynamoDB answers and queries as in ``fast_dynamodb``.

moto 5.2.5 and botocore (the release ``constraints.txt`` pins) are checked by the same test.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

from infra.local.patches.express import _install_express
from infra.local.patches.lambda_events import _install_lambda_and_events
from infra.local.patches.patcher import LocalRuntime, Patcher
from infra.local.patches.points import BATCH_SERVICE, PATCH_POINTS, SERVICE_FACTORY, PatchPoint
from infra.local.patches.speedups import _install_fast_dynamodb, _install_speedups
from infra.local.patches.threads import _install_api_lock, _install_threads
from infra.local.patches.waits import _install_time
__all__ = ["PATCH_POINTS", "LocalRuntime", "PatchPoint", "defer_batch_integration", "install"]

_installed: Patcher | None = None
_install_lock = threading.Lock()


def install(runtime: LocalRuntime) -> Callable[[], None]:
    """Apply every patch for ``runtime``; returns the function that takes them all back."""
    global _installed
    with _install_lock:
        if _installed is not None:
            raise RuntimeError("a local stack is already open in this process; close it first")
        defer_batch_integration()
        patcher = Patcher()
        try:
            # Each invocation in a sandbox of its own (environment, settings, log keys): handlers may
            # run at the same time.
            from infra.local import sandbox

            patcher.on_undo(sandbox.uninstall)
            sandbox.install()
            _install_lambda_and_events(patcher, runtime)
            _install_time(patcher, runtime)
            _install_threads(patcher, runtime)
            _install_api_lock(patcher, runtime)
            _install_express(patcher)  # Express machines: their definition checked, their names not deduplicated
            # Every claim change is a DynamoDB transaction; stock moto copies the table per item.
            from infra.local import moto_transactions

            moto_transactions.install()
            if runtime.speedups:
                _install_speedups(patcher, runtime)
                _install_fast_dynamodb(patcher)
        except BaseException:
            patcher.undo()
            raise
        _installed = patcher

    def uninstall() -> None:
        global _installed
        with _install_lock:
            patcher.undo()
            _installed = None

    return uninstall


def defer_batch_integration() -> None:
    """Import moto's AWS Batch task integration only when a state machine uses it.

    The interpreter imports every task integration up front; Batch's pulls in moto's EC2, whose region
    data costs about a second on the first deployment in a process. Until the interpreter parses a
    ``batch`` task, its module is a stand-in whose class builds the real one on first use.
    """
    if BATCH_SERVICE in sys.modules or SERVICE_FACTORY in sys.modules:
        return
    stand_in = types.ModuleType(BATCH_SERVICE, "moto's Batch task integration, imported on first use")

    def real_module() -> types.ModuleType:
        if sys.modules.get(BATCH_SERVICE) is stand_in:
            del sys.modules[BATCH_SERVICE]
        return importlib.import_module(BATCH_SERVICE)

    class StateTaskServiceBatch:
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return real_module().StateTaskServiceBatch(*args, **kwargs)

    def forward(name: str) -> Any:
        if name.startswith("__"):  # the import system probes __path__ and the like
            raise AttributeError(name)
        return getattr(real_module(), name)

    stand_in.StateTaskServiceBatch = StateTaskServiceBatch  # type: ignore[attr-defined]
    stand_in.__getattr__ = forward  # type: ignore[method-assign]
    sys.modules[BATCH_SERVICE] = stand_in
