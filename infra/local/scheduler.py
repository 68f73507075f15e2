"""The scheduler of the local stack: its simulated clock, and every sleeper and schedule waiting on it.

One "now" for the whole process. Handlers read it through ``incasso.clock`` (it is installed with
``set_clock``); moto's Step Functions interpreter blocks on it in Wait states, retry intervals and
timeouts (see ``patches``). Time moves only when the driver calls ``advance``: the clock jumps from
one due moment to the next (a sleeper's deadline or a schedule), wakes exactly what is due and waits
until the system is *settled* before it moves on.

Settled is counted, never guessed: every thread that runs an execution is a ``TrackedThread`` and is
either runnable or blocked on the clock (a sleep, a ``SimEvent`` such as a task-token wait, a join).
Whoever wakes a blocked thread (the driver, an ``SimEvent.set``, a finishing thread) marks it runnable
*before* it lets go of the lock, so the count of runnable threads never touches zero while work is
being handed over. Work in threads that are not tracked (an S3 notification or a rule delivering to
a handler inside some request) is counted as in flight, except while that thread itself blocks on the
clock. Executions are counted too (started - finished, the finish hooked on moto's callback), and
one whose thread is not registered yet is still starting. Settled = no runnable tracked thread,
nothing in flight and no execution starting, read under the clock's lock.
Nothing polls: blocked threads wait on their own condition until someone wakes them.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import os
import resource
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

UTC = dt.timezone.utc
_MAX_DELTA = dt.timedelta(days=365 * 100)


class ClockShutdown(BaseException):
    """Raised in a thread blocked on a clock that is being closed: unwinds it past ``except Exception``."""


class SettleTimeout(RuntimeError):
    """The system did not settle within the safety timeout (something runs forever or hangs)."""


class CapacityError(RuntimeError):
    """Too many threads for executions: refused well before the operating system's limit."""


class SuspendableRLock:
    """A re-entrant lock that a thread can let go of completely while it blocks, and take back.

    The local stack holds it around every AWS call so that each call is atomic (as in AWS, where a
    conditional DynamoDB write cannot interleave with another). A thread that blocks on the clock, or
    runs a Lambda handler, suspends it so that others can proceed.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> bool:
        me = threading.get_ident()
        if self._owner == me:
            self._depth += 1
            return True
        self._lock.acquire()
        self._owner, self._depth = me, 1
        return True

    def release(self) -> None:
        if self._owner != threading.get_ident():
            raise RuntimeError("release of a lock not held by this thread")
        self._depth -= 1
        if self._depth == 0:
            self._owner = None
            self._lock.release()

    __enter__ = acquire

    def __exit__(self, *exc: object) -> None:
        self.release()

    def suspend(self) -> int:
        """Let go completely if this thread holds the lock; returns what ``resume`` needs."""
        if self._owner != threading.get_ident():
            return 0
        depth, self._depth, self._owner = self._depth, 0, None
        self._lock.release()
        return depth

    def resume(self, depth: int) -> None:
        if depth:
            self._lock.acquire()
            self._owner, self._depth = threading.get_ident(), depth


class TimerSource(Protocol):
    """Something that fires at moments of simulated time (scheduled rules, Scheduler schedules)."""

    def next_due(self) -> dt.datetime | None:
        """The earliest moment at which something is due and not yet fired."""
        ...

    def fire_due(self, now: dt.datetime) -> None:
        """Fire everything due at or before ``now``."""
        ...


class _Waiter:
    __slots__ = ("cond", "deadline", "woken", "reason", "counted", "in_flight")

    def __init__(self, cond: threading.Condition, deadline: dt.datetime | None) -> None:
        self.cond = cond
        self.deadline = deadline
        self.woken = False
        self.reason = ""
        self.counted = False  # a tracked thread: runnable again when woken
        self.in_flight = 0  # work in flight that this (untracked) thread carries: again in flight when woken


class _ThreadRecord:
    __slots__ = ("name", "blocked", "done")

    def __init__(self, name: str, done: SimEvent) -> None:
        self.name = name
        self.blocked = False
        self.done = done


def default_thread_capacity() -> int:
    """How many threads executions may use: ``INCASSO_LOCAL_MAX_THREADS``, else half of what the
    system allows (threads-max, pid_max, RLIMIT_NPROC) and at most 4,096."""
    configured = os.environ.get("INCASSO_LOCAL_MAX_THREADS")
    if configured:
        return int(configured)
    limits = []
    for path in ("/proc/sys/kernel/threads-max", "/proc/sys/kernel/pid_max"):
        try:
            with open(path) as f:
                limits.append(int(f.read().strip()))
        except (OSError, ValueError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    if soft != resource.RLIM_INFINITY:
        limits.append(soft)
    system = min(limits) if limits else 8192
    return max(64, min(system // 2, 4096))


class SimulatedClock:
    """Implements ``incasso.clock.Clock``; see the module docstring for how time moves."""

    def __init__(
        self,
        start: dt.datetime,
        *,
        settle_timeout: float | None = None,
        thread_capacity: int | None = None,
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("SimulatedClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._heap: list[tuple[dt.datetime, int, _Waiter]] = []
        self._seq = itertools.count()
        self._local = threading.local()
        self._records: set[_ThreadRecord] = set()
        self._blocked: set[_Waiter] = set()
        self._runnable = 0  # tracked threads not blocked on the clock
        self._in_flight = 0  # work in untracked threads
        self._closed = False
        self._sources: list[TimerSource] = []
        self._driver = threading.RLock()  # one caller moves time at a time
        self._executions_started = 0
        self._executions_finished = 0
        self.settle_timeout = settle_timeout or float(os.environ.get("INCASSO_LOCAL_SETTLE_TIMEOUT", "120"))
        self.thread_capacity = thread_capacity or default_thread_capacity()
        # Blocking on the clock lets go of both (in this order of taking): the clock's own work (tasks of
        # executions, deliveries an advance fires) runs one handler at a time; every AWS call is atomic.
        # Handlers invoked on behalf of requests take only the second (lambda_runtime).
        self.handler_lock = SuspendableRLock()
        self.api_lock = SuspendableRLock()

    # -- the Clock protocol -------------------------------------------------------------------------

    def now(self) -> dt.datetime:
        return self._now

    # -- counters -----------------------------------------------------------------------------------

    @property
    def running_executions(self) -> int:
        """Executions started and not yet finished."""
        return self._executions_started - self._executions_finished

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def tracked_threads(self) -> int:
        return len(self._records)

    def execution_started(self) -> None:
        with self._lock:
            self._executions_started += 1

    def execution_finished(self) -> None:
        with self._lock:
            self._executions_finished += 1
            self._notify_if_settled()

    def is_tracked_thread(self) -> bool:
        return getattr(self._local, "record", None) is not None

    def doing_clock_work(self) -> bool:
        """Whether this thread works for the clock: an execution's thread, or an advance firing what is
        due (scheduled rules, schedules). Its handlers run one at a time under ``handler_lock``."""
        return self.is_tracked_thread() or getattr(self._local, "clock_work", False)

    @contextmanager
    def clock_work(self) -> Iterator[None]:
        """Marks the block as the clock's work in this thread (see ``doing_clock_work``)."""
        previous = getattr(self._local, "clock_work", False)
        self._local.clock_work = True
        try:
            yield
        finally:
            self._local.clock_work = previous

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """Marks work done in an untracked thread (counts against settling); no-op in tracked ones."""
        if self.is_tracked_thread():
            yield
            return
        local = self._local
        with self._lock:
            self._in_flight += 1
            local.in_flight = getattr(local, "in_flight", 0) + 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                local.in_flight -= 1
                self._notify_if_settled()

    # -- blocking -----------------------------------------------------------------------------------

    def event(self) -> SimEvent:
        return SimEvent(self)

    def deadline_after(self, seconds: float | None) -> dt.datetime | None:
        if seconds is None:
            return None
        try:
            delta = dt.timedelta(seconds=seconds)
        except OverflowError:
            return None
        if delta > _MAX_DELTA:
            return None
        return self._now + delta

    def sleep(self, seconds: float, interrupt: SimEvent | None = None) -> None:
        """Block for ``seconds`` of simulated time; an ``interrupt`` event cuts it short."""
        if seconds <= 0:
            return
        if interrupt is not None:
            interrupt.wait(seconds)
            return
        self._wait(self.deadline_after(seconds), None)

    def _wait(self, deadline: dt.datetime | None, event: SimEvent | None) -> str:
        """Block until woken by ``event`` (``"set"``) or until the deadline passes (``"timeout"``),
        letting go of the API lock meanwhile. Returns at once if ``event`` is already set."""
        handler_depth = self.handler_lock.suspend()
        api_depth = self.api_lock.suspend()
        try:
            with self._lock:
                if event is not None and event._flag:
                    return "set"
                if self._closed:
                    raise ClockShutdown()
                if deadline is not None and deadline <= self._now:
                    return "timeout"
                waiter = _Waiter(threading.Condition(self._lock), deadline)
                if deadline is not None:
                    heapq.heappush(self._heap, (deadline, next(self._seq), waiter))
                if event is not None:
                    event._waiters.append(waiter)
                self._blocked.add(waiter)
                record = getattr(self._local, "record", None)
                if record is not None:
                    waiter.counted = True
                    record.blocked = True
                    self._runnable -= 1
                else:  # an invocation in an untracked thread that blocks is not in flight meanwhile
                    waiter.in_flight = getattr(self._local, "in_flight", 0)
                    self._in_flight -= waiter.in_flight
                self._notify_if_settled()
                try:
                    while not waiter.woken:
                        waiter.cond.wait()
                finally:
                    if not waiter.woken:  # interrupted (KeyboardInterrupt): runnable again
                        self._wake(waiter, "interrupted")
                    if record is not None:
                        record.blocked = False
                    if event is not None and waiter in event._waiters:
                        event._waiters.remove(waiter)
                if waiter.reason == "shutdown":
                    raise ClockShutdown()
                return waiter.reason
        finally:
            self.handler_lock.resume(handler_depth)
            self.api_lock.resume(api_depth)

    def _wake(self, waiter: _Waiter, reason: str) -> None:
        """Mark a waiter runnable (lock held). The count moves here, not when it gets scheduled."""
        if waiter.woken:
            return
        waiter.woken = True
        waiter.reason = reason
        self._blocked.discard(waiter)
        if waiter.counted:
            self._runnable += 1
        self._in_flight += waiter.in_flight
        waiter.cond.notify()

    def _is_settled(self) -> bool:
        """(lock held) Nothing runnable, nothing in flight, and every running execution has its thread
        (one counted as started but whose thread is not registered yet is still starting)."""
        running = self._executions_started - self._executions_finished
        return self._runnable == 0 and self._in_flight == 0 and running <= len(self._records)

    def _notify_if_settled(self) -> None:
        if self._closed or self._is_settled():
            self._settled.notify_all()

    # -- tracked threads ----------------------------------------------------------------------------

    def _register(self, name: str) -> _ThreadRecord:
        with self._lock:
            if self._closed:
                raise ClockShutdown()
            if len(self._records) >= self.thread_capacity:
                raise CapacityError(
                    f"the local stack already runs {len(self._records)} threads for executions (its limit is "
                    f"{self.thread_capacity}; set INCASSO_LOCAL_MAX_THREADS to change it)"
                )
            record = _ThreadRecord(name, SimEvent(self))
            self._records.add(record)
            self._runnable += 1
            return record

    def _unregister(self, record: _ThreadRecord) -> None:
        with self._lock:
            record.done._flag = True
            for waiter in record.done._waiters:
                self._wake(waiter, "set")
            record.done._waiters.clear()
            self._records.discard(record)
            self._runnable -= 1
            self._notify_if_settled()

    def thread_class(self) -> type[threading.Thread]:
        clock = self

        class TrackedThread(threading.Thread):
            """A thread whose runnable/blocked state the clock counts; ``join`` waits in simulated time."""

            _record: _ThreadRecord | None = None

            def start(self) -> None:
                self._record = clock._register(self.name)
                try:
                    super().start()
                except BaseException:
                    clock._unregister(self._record)
                    raise

            def run(self) -> None:
                record = self._record
                clock._local.record = record
                try:
                    super().run()
                except ClockShutdown:
                    pass
                finally:
                    clock._local.record = None
                    clock._unregister(record)

            def join(self, timeout: float | None = None) -> None:
                if self._record is None:
                    super().join(timeout)
                    return
                if self._record.done.wait(timeout):
                    super().join()

        return TrackedThread

    # -- driving time -------------------------------------------------------------------------------

    def add_source(self, source: TimerSource) -> None:
        self._sources.append(source)

    def settle(self, timeout: float | None = None) -> None:
        """Return once nothing is runnable and nothing is in flight (no time passes)."""
        self._refuse_from_inside("settle")
        waited = timeout or self.settle_timeout
        limit = time.monotonic() + waited
        with self._lock:
            while not self._is_settled():
                remaining = limit - time.monotonic()
                if remaining <= 0:
                    raise SettleTimeout(self._diagnostics(waited))
                self._settled.wait(remaining)

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> dt.datetime:
        """Move time forward day by day; at each due moment wake what is due and settle."""
        delta = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        if delta < dt.timedelta(0):
            raise ValueError("time only moves forward")
        self._refuse_from_inside("advance")
        with self._driver:
            target = self._now + delta
            while self._now + dt.timedelta(days=1) < target:
                self._advance_to(self._now + dt.timedelta(days=1))
            return self._advance_to(target)

    def advance_to(self, target: dt.datetime) -> dt.datetime:
        if target.tzinfo is None:
            raise ValueError("advance_to needs a timezone-aware moment")
        self._refuse_from_inside("advance")
        target = target.astimezone(UTC)
        with self._driver:
            return self._advance_to(target)

    def _advance_to(self, target: dt.datetime) -> dt.datetime:
        while True:
            self.settle()
            due = self._next_due()
            if due is None or due > target:
                break
            with self._lock:
                if due > self._now:
                    self._now = due
                while self._heap and (self._heap[0][2].woken or self._heap[0][0] <= self._now):
                    _, _, waiter = heapq.heappop(self._heap)
                    self._wake(waiter, "timeout")
            self.settle()
            with self.clock_work():
                for source in self._sources:
                    source.fire_due(self._now)
        with self._lock:
            if target > self._now:
                self._now = target
        return self._now

    def _next_due(self) -> dt.datetime | None:
        candidates = []
        with self._lock:
            while self._heap and self._heap[0][2].woken:
                heapq.heappop(self._heap)
            if self._heap:
                candidates.append(self._heap[0][0])
        for source in self._sources:
            due = source.next_due()
            if due is not None:
                candidates.append(due)
        return min(candidates) if candidates else None

    def pending_deadlines(self) -> list[dt.datetime]:
        """Deadlines of the sleepers still waiting, earliest first (for diagnostics and tests)."""
        with self._lock:
            return sorted(deadline for deadline, _, waiter in self._heap if not waiter.woken)

    def _refuse_from_inside(self, what: str) -> None:
        if self.is_tracked_thread() or getattr(self._local, "in_handler", False):
            raise RuntimeError(f"{what}() called from inside the work it would wait for")

    def in_handler(self) -> bool:
        return getattr(self._local, "in_handler", False)

    def mark_handler(self, inside: bool) -> bool:
        """Flag this thread as running a handler (so it cannot ``settle``); returns the old flag."""
        previous = getattr(self._local, "in_handler", False)
        self._local.in_handler = inside
        return previous

    def _diagnostics(self, waited: float) -> str:
        runnable = sorted(record.name for record in self._records if not record.blocked)
        return (
            f"not settled after {waited:g} s: {self._runnable} runnable thread(s) "
            f"{runnable[:10]}, {self._in_flight} invocation(s) in flight, "
            f"{self.running_executions} running execution(s)"
        )

    # -- closing ------------------------------------------------------------------------------------

    def close(self, join_timeout: float = 10.0) -> None:
        """Wake every blocked thread with ``ClockShutdown`` (later blocks raise it at once) and wait,
        in real time, for the tracked threads to end."""
        limit = time.monotonic() + join_timeout
        with self._lock:
            self._closed = True
            for waiter in list(self._blocked):
                self._wake(waiter, "shutdown")
            self._heap.clear()
            while self._records and time.monotonic() < limit:
                self._settled.wait(limit - time.monotonic())


class SimEvent:
    """``threading.Event`` on the simulated clock: ``wait(timeout)`` counts simulated seconds, and a
    blocked waiter is marked runnable by ``set`` itself."""

    __slots__ = ("_clock", "_flag", "_waiters")

    def __init__(self, clock: SimulatedClock) -> None:
        self._clock = clock
        self._flag = False
        self._waiters: list[_Waiter] = []

    def is_set(self) -> bool:
        return self._flag

    isSet = is_set

    def set(self) -> None:
        clock = self._clock
        with clock._lock:
            self._flag = True
            for waiter in self._waiters:
                clock._wake(waiter, "set")
            self._waiters.clear()

    def clear(self) -> None:
        with self._clock._lock:
            self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        if self._flag:
            return True
        clock = self._clock
        return clock._wait(clock.deadline_after(timeout), self) == "set" or self._flag


def sim_datetime_module(clock_now: Callable[[], dt.datetime]) -> object:
    """A stand-in for the ``datetime`` module whose ``datetime.now()`` reads the simulated clock."""

    class SimDateTime(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            current = clock_now()
            if tz is None:
                return current.replace(tzinfo=None)
            return current.astimezone(tz)

        @classmethod
        def utcnow(cls) -> dt.datetime:  # type: ignore[override]
            return clock_now().replace(tzinfo=None)

    class _Module:
        datetime = SimDateTime

        def __getattr__(self, name: str) -> object:
            return getattr(dt, name)

    return _Module()
