"""Time: Wait states, retry intervals and timeouts block on the simulated clock; TimestampPath and the
interpreter's timestamps read it; EventBridge event times read it.
"""

from __future__ import annotations

import importlib
import threading
import time
from typing import Any

from infra.local.scheduler import SimEvent, sim_datetime_module
from infra.local.patches.patcher import LocalRuntime, Patcher
from infra.local.patches.points import DATETIME_MODULES, RETRIER, TIMESTAMP, WAIT_FUNCTION, _ASL


def _install_time(patcher: Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock
    current = threading.local()

    def _wait_interval(self: Any, env: Any, wait_seconds: float) -> None:
        if wait_seconds <= 0:
            return
        deadline = clock.deadline_after(wait_seconds)
        interrupt = env.program_state_event
        while env.is_running():
            if deadline is None:
                interrupt.wait()
                continue
            remaining = (deadline - clock.now()).total_seconds()
            if remaining <= 0:
                return
            if isinstance(interrupt, SimEvent):
                interrupt.wait(remaining)
            else:
                clock.sleep(remaining)

    patcher.set(WAIT_FUNCTION, "WaitFunction._wait_interval", _wait_interval)

    failure = importlib.import_module(f"{_ASL}.component.common.error_name.failure_event")

    def _get_wait_seconds(self: Any, env: Any) -> float:
        self.string.eval(env=env)
        timestamp_str = env.stack.pop()
        timestamp = self._from_timestamp_string(timestamp=timestamp_str)
        if timestamp is None:
            raise failure.FailureEventException(self._create_failure_event(env, timestamp_str))
        return (timestamp - clock.now().replace(tzinfo=None)).total_seconds()

    patcher.set(TIMESTAMP, "Timestamp._get_wait_seconds", _get_wait_seconds)

    class _SimTime:
        """``time`` for the retrier: ``sleep`` passes simulated seconds and ends if the execution stops."""

        def sleep(self, seconds: float) -> None:
            env = getattr(current, "env", None)
            interrupt = getattr(env, "program_state_event", None)
            clock.sleep(seconds, interrupt if isinstance(interrupt, SimEvent) else None)

        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

    patcher.set(RETRIER, "time", _SimTime())
    original_retrier_eval = importlib.import_module(RETRIER).RetrierDecl._eval_body

    def _eval_body(self: Any, env: Any) -> None:
        previous, current.env = getattr(current, "env", None), env
        try:
            original_retrier_eval(self, env)
        finally:
            current.env = previous

    patcher.set(RETRIER, "RetrierDecl._eval_body", _eval_body)

    module = sim_datetime_module(clock.now)
    for name in DATETIME_MODULES:
        patcher.set(name, "datetime", module)
