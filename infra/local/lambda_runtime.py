"""Lambda, in process: moto's Lambda invokes the real handler (``functions/<id>/handler.py``).

Every invocation path of moto ends in ``LambdaFunction._invoke_lambda`` (Step Functions tasks, S3
notifications, EventBridge targets, ``lambda:Invoke``); the patch sends it to ``LambdaRuntime``.

A handler module is imported lazily, at its first invocation, from its file, into its own module
namespace (``incasso_fn_<id>``). Every invocation runs in a sandbox of its own (``sandbox``): it sees
exactly its own function's environment in ``os.environ``, settings read from it, and logger keys of
its own, so that ``get_settings()`` reads what AWS would give it even while other handlers run.
An exception comes back in AWS's shape (``errorMessage``, ``errorType``, ``stackTrace``) with
``errored``, so that Step Functions' Retry and Catch match on the exception's class name.

Which handlers run at the same time (docs/reliability.md, "Concurrency of the local stack"): those
invoked on behalf of a request (the HTTP front's API and portal calls, an S3 notification of an
upload, a test's ``LocalStack.invoke``) run in parallel, with each other and with the clock's work,
as concurrent Lambdas do on AWS. The clock's own work (the Task invocations of executions, in the
clock's tracked threads, and the deliveries of scheduled rules and schedules an advance fires) runs
one handler at a time under the clock's ``handler_lock``, as before, so that a simulated day's work
stays reproducible. Every AWS call is atomic either way (the clock's ``api_lock``): a conditional
write or a transaction never interleaves with another call, so two handlers racing on one claim
behave as on DynamoDB, where exactly one conditional write wins.

``interceptor`` (set by ``infra.local.faults`` while faults are injected) wraps every handler call:
it may run the handler, run it again with a copy of the event, or raise ``SandboxError`` — a failure of
the sandbox rather than of the code (``Sandbox.Timedout``), reported under its own ``errorType``.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import os
import sys
import threading
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local import sandbox
from infra.local.scheduler import SimulatedClock

LOG = logging.getLogger(__name__)
_INVOCATION_LOG_SIZE = 20_000


@dataclass(frozen=True)
class FunctionCode:
    """Where a deployed function's handler lives."""

    id: str
    name: str
    arn: str
    code_dir: Path
    handler: str = "handler.handler"  # <module file stem>.<function>
    memory_mb: int = 256
    timeout_s: int = 30

    @property
    def module_name(self) -> str:
        return f"incasso_fn_{self.id}"

    @property
    def handler_path(self) -> Path:
        return self.code_dir / f"{self.handler.rsplit('.', 1)[0]}.py"


@dataclass(frozen=True)
class Invocation:
    """One handler call, as recorded by the runtime (simulated time)."""

    function_id: str
    request_id: str
    at: dt.datetime
    event: Any
    errored: bool
    result: Any  # the handler's return value, or AWS's error shape when errored

    @property
    def error_type(self) -> str | None:
        return self.result.get("errorType") if self.errored and isinstance(self.result, dict) else None


class LambdaContext:
    """The context object a Python handler receives."""

    def __init__(self, code: FunctionCode, request_id: str) -> None:
        self.function_name = code.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = code.arn
        self.memory_limit_in_mb = code.memory_mb
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{code.name}"
        self.log_stream_name = f"local/{request_id}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + code.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class SandboxError(Exception):
    """The runtime, not the handler, failed the invocation (a timeout, a lost answer): ``error_type``
    is what AWS reports, e.g. ``Sandbox.Timedout``."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


# (function id, event, run(event=the event) -> the handler's result) -> the invocation's result
Interceptor = Callable[[str, Any, Callable[..., Any]], Any]


class HandlerImportError(Exception):
    """The handler file or function cannot be loaded (AWS: Runtime.ImportModuleError)."""


def error_shape(exc: BaseException, request_id: str, error_type: str | None = None) -> dict[str, Any]:
    """AWS's Python runtime error payload."""
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }


class LambdaRuntime:
    def __init__(self, clock: SimulatedClock, functions: Iterable[FunctionCode], region: str) -> None:
        self._clock = clock
        self._region = region
        self._by_name = {code.name: code for code in functions}
        self._modules: dict[str, Callable[..., Any]] = {}
        self._import_lock = threading.RLock()  # a handler module is imported once, by one thread
        self._managed_keys: set[str] = set()  # every variable any function sets: hidden from the others
        self._counts_lock = threading.Lock()
        self.invocations: deque[Invocation] = deque(maxlen=_INVOCATION_LOG_SIZE)
        self.counts: Counter[str] = Counter()
        self.interceptor: Interceptor | None = None

    # -- the entry point of the moto patch ----------------------------------------------------------

    def invoke(self, function_name: str, environment: dict[str, str], event: Any) -> tuple[str, bool, str]:
        """Run the handler of ``function_name``; returns moto's ``(payload_json, errored, logs)``."""
        request_id = str(uuid.uuid4())
        code = self._by_name.get(function_name)
        if code is None:
            exc = LookupError(f"function {function_name!r} was not deployed by the local stack: no handler is known")
            return json.dumps(error_shape(exc, request_id, "Runtime.LocalFunctionUnknown")), True, ""
        if isinstance(event, (str, bytes)):
            event = json.loads(event or "{}")
        else:
            event = json.loads(json.dumps(event))  # the handler gets its own copy, as from the wire
        clock = self._clock
        with clock.in_flight():
            api_depth = clock.api_lock.suspend()  # others may call AWS while this handler runs
            try:
                # The clock's work runs one handler at a time; a request's handler waits for none.
                with clock.handler_lock if clock.doing_clock_work() else _NO_LOCK:
                    was_inside = clock.mark_handler(True)
                    try:
                        payload, errored = self._run(code, environment, event, request_id)
                    finally:
                        clock.mark_handler(was_inside)
            finally:
                clock.api_lock.resume(api_depth)
        return payload, errored, ""

    def _run(self, code: FunctionCode, environment: dict[str, str], event: Any, request_id: str) -> tuple[str, bool]:
        env = {str(key): str(value) for key, value in environment.items()}
        env.update(AWS_REGION=self._region, AWS_DEFAULT_REGION=self._region)
        with self._counts_lock:
            self._managed_keys.update(env)
            hidden = set(self._managed_keys)
        with sandbox.entered(code.id, env, hidden):
            try:
                handler = self._handler(code)
                context = LambdaContext(code, request_id)
                if self.interceptor is None:
                    result = handler(event, context)
                else:
                    result = self.interceptor(code.id, event, lambda payload=event: handler(payload, context))
                try:
                    payload = json.dumps(result)
                except (TypeError, ValueError) as exc:
                    raise _MarshalError(f"Unable to marshal response: {exc}") from exc
                errored = False
            except HandlerImportError as exc:
                result = error_shape(exc, request_id, "Runtime.ImportModuleError")
                payload, errored = json.dumps(result), True
            except _MarshalError as exc:
                result = error_shape(exc, request_id, "Runtime.MarshalError")
                payload, errored = json.dumps(result), True
            except SandboxError as exc:
                result = error_shape(exc, request_id, exc.error_type)
                payload, errored = json.dumps(result), True
            except Exception as exc:  # the handler failed: AWS's error shape, matched by Retry/Catch
                result = error_shape(exc, request_id)
                payload, errored = json.dumps(result), True
                LOG.info("local lambda %s raised %s: %s", code.id, type(exc).__name__, exc)
        with self._counts_lock:
            self.counts[code.id] += 1
        self.invocations.append(
            Invocation(code.id, request_id, self._clock.now(), event, errored, result)
        )
        return payload, errored

    # -- handlers -----------------------------------------------------------------------------------

    def _handler(self, code: FunctionCode) -> Callable[..., Any]:
        handler = self._modules.get(code.name)
        if handler is not None:
            return handler
        with self._import_lock:
            return self._import_handler(code)

    def _import_handler(self, code: FunctionCode) -> Callable[..., Any]:
        handler = self._modules.get(code.name)
        if handler is not None:
            return handler  # another thread imported it meanwhile
        path = code.handler_path
        if not path.is_file():
            raise HandlerImportError(
                f"Unable to import module '{code.handler.rsplit('.', 1)[0]}': {path} does not exist "
                f"(function {code.id!r})"
            )
        spec = importlib.util.spec_from_file_location(code.module_name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        previous = sys.modules.get(code.module_name)
        sys.modules[code.module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            _restore_module(code.module_name, previous)
            raise HandlerImportError(f"Unable to import module {str(path)!r}: {type(exc).__name__}: {exc}") from exc
        function_name = code.handler.rsplit(".", 1)[1]
        handler = getattr(module, function_name, None)
        if not callable(handler):
            raise HandlerImportError(f"Handler {function_name!r} missing in {path} (function {code.id!r})")
        self._modules[code.name] = handler
        return handler

    def forget_modules(self) -> None:
        for code in self._by_name.values():
            if code.name in self._modules:
                sys.modules.pop(code.module_name, None)
        self._modules.clear()


class _MarshalError(Exception):
    pass


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_NO_LOCK = _NoLock()


def _restore_module(name: str, previous: ModuleType | None) -> None:
    if previous is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = previous
