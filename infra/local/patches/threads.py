"""Quiescence and threads: the interpreter's threads and events become the clock's tracked ones, executions
are counted as they start and finish, moto's global thread list keeps nothing, and every AWS call holds
the clock's API lock (atomic, as in AWS).
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

from moto.core.exceptions import AWSError

from infra.local.scheduler import ClockShutdown, SimEvent
from infra.local.patches.patcher import LocalRuntime, Patcher
from infra.local.patches.points import (
    EVENT_CLASS_MODULES,
    EXECUTION,
    EXECUTION_WORKER,
    SERVER_APP,
    SFN_UTILS,
    STUBBER,
    THREADING_MODULES,
    THREAD_CLASS_MODULES,
    TMP_THREADS_MODULES,
)
from infra.local.patches.speedups import _routed_process_request

LOG = logging.getLogger(__name__)


_THREADS_PER_EXECUTION = 4


class ExecutionLimitExceeded(AWSError):
    """Step Functions' own error, raised before the local stack would run out of threads."""

    TYPE = "ExecutionLimitExceeded"
    STATUS = 400


class _KeepNothing(list):
    """Stands in for moto's global list of every thread it started: keeps none of them."""

    def append(self, item: Any) -> None:
        pass


def _install_threads(patcher: Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock
    tracked_thread = clock.thread_class()

    class _Threading:
        """``threading`` as the interpreter sees it: its threads and events are the clock's."""

        Thread = tracked_thread

        @staticmethod
        def Event() -> SimEvent:  # noqa: N802 - stands in for threading.Event
            return SimEvent(clock)

        def __getattr__(self, name: str) -> Any:
            return getattr(threading, name)

    shim = _Threading()
    for name in THREADING_MODULES:
        patcher.set(name, "threading", shim)
    for name in THREAD_CLASS_MODULES:
        patcher.set(name, "Thread", tracked_thread)
    for name in EVENT_CLASS_MODULES:
        patcher.set(name, "Event", shim.Event)
    importlib.import_module(SFN_UTILS).TMP_THREADS.clear()
    keep_nothing = _KeepNothing()
    for name in TMP_THREADS_MODULES:
        patcher.set(name, "TMP_THREADS", keep_nothing)

    worker_class = importlib.import_module(EXECUTION_WORKER).ExecutionWorker
    original_start = worker_class.start
    original_logic = worker_class._execution_logic

    def start(self: Any) -> None:
        # refused while fewer threads are left than one more execution may need (execution, program,
        # task, token waiter), so running executions keep room for their tasks
        if clock.tracked_threads + _THREADS_PER_EXECUTION >= clock.thread_capacity:
            raise ExecutionLimitExceeded(
                f"The local stack runs at most {clock.thread_capacity} threads for executions and "
                f"{clock.tracked_threads} are in use ({clock.running_executions} running executions); "
                "let some finish or set INCASSO_LOCAL_MAX_THREADS."
            )
        self._incasso_counted = True
        self._incasso_finished = False
        clock.execution_started()
        try:
            original_start(self)
        except BaseException:
            _finish(self)
            raise

    def _finish(worker: Any) -> None:
        if getattr(worker, "_incasso_counted", False) and not worker._incasso_finished:
            worker._incasso_finished = True
            clock.execution_finished()

    def _execution_logic(self: Any) -> None:
        try:
            original_logic(self)
        except ClockShutdown:
            raise
        except Exception as exc:  # stock moto would leave the execution RUNNING forever
            LOG.exception("execution failed inside the interpreter")
            execution = getattr(self._execution_communication, "execution", None)
            if execution is not None and execution.exec_status is not None and execution.status == "RUNNING":
                from moto.stepfunctions.parser.api import ExecutionStatus

                execution.exec_status = ExecutionStatus.FAILED
                execution.error = "States.Runtime"
                execution.cause = f"{type(exc).__name__}({exc})"
                execution.stop_date = clock.now()
        finally:
            _finish(self)

    patcher.set(EXECUTION_WORKER, "ExecutionWorker.start", start)
    patcher.set(EXECUTION_WORKER, "ExecutionWorker._execution_logic", _execution_logic)

    original_terminated = importlib.import_module(EXECUTION).BaseExecutionWorkerCommunication.terminated

    def terminated(self: Any) -> None:
        original_terminated(self)
        _finish(self.execution.exec_worker)

    patcher.set(EXECUTION, "BaseExecutionWorkerCommunication.terminated", terminated)


def _install_api_lock(patcher: Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock
    api_lock = clock.api_lock
    stubber_class = importlib.import_module(STUBBER).BotocoreStubber
    original_process = stubber_class.process_request
    original_stub_call = stubber_class.__call__

    process = _routed_process_request(original_process) if runtime.speedups else original_process

    def process_request(self: Any, request: Any) -> Any:
        with api_lock:
            return process(self, request)

    def stub_call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        loopback = runtime.loopback
        if loopback is not None and clock.in_handler() and request.url.startswith(loopback.endpoint):
            return loopback.serve(request)
        return original_stub_call(self, event_name, request, **kwargs)

    patcher.set(STUBBER, "BotocoreStubber.process_request", process_request)
    patcher.set(STUBBER, "BotocoreStubber.__call__", stub_call)

    app_class = importlib.import_module(SERVER_APP).DomainDispatcherApplication
    original_call = app_class.__call__

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:  # noqa: N807
        with api_lock:
            return original_call(self, environ, start_response)

    patcher.set(SERVER_APP, "DomainDispatcherApplication.__call__", __call__)
