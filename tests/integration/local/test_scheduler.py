"""The simulated clock: sleepers wake exactly when due, and "settled" is counted, never guessed."""

import datetime as dt
import threading

import pytest

from infra.local.scheduler import CapacityError, ClockShutdown, SettleTimeout, SimulatedClock

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def clock():
    clock = SimulatedClock(START)
    yield clock
    clock.close()


def _start(clock, target):
    thread = clock.thread_class()(target=target, daemon=True)
    thread.start()
    return thread


def test_sleepers_wake_in_order_at_their_deadlines(clock):
    # given three tracked threads sleeping 3 h, 1 h and 2 h, each noting when it woke
    woke = []
    for hours in (3, 1, 2):
        _start(clock, lambda hours=hours: (clock.sleep(hours * 3600), woke.append((hours, clock.now()))))
    clock.settle()
    assert woke == []

    # when 150 simulated minutes pass / then the 1 h and 2 h sleepers woke, each at its own instant
    clock.advance(minutes=150)
    assert woke == [(1, START + dt.timedelta(hours=1)), (2, START + dt.timedelta(hours=2))]
    assert clock.now() == START + dt.timedelta(minutes=150)

    # when the rest passes / then the last one woke at 3 h
    clock.advance(hours=1)
    assert woke[-1] == (3, START + dt.timedelta(hours=3))


def test_settled_includes_the_work_a_set_event_hands_over(clock):
    # given a tracked thread waiting on an event, that works after waking and then sleeps again
    event = clock.event()
    after = []

    def worker():
        event.wait()
        after.extend(range(10_000))  # work after the wake-up, before blocking again
        clock.sleep(60)

    _start(clock, worker)
    clock.settle()

    # when the event is set from outside / then settle returns only once that work is done
    event.set()
    clock.settle()
    assert len(after) == 10_000


def test_join_waits_in_simulated_time(clock):
    # given a tracked thread sleeping one day, joined with a one-hour timeout by another tracked thread
    outcome = []
    sleeper = _start(clock, lambda: clock.sleep(86400))

    def joiner():
        sleeper.join(timeout=3600)
        outcome.append((sleeper.is_alive(), clock.now()))

    _start(clock, joiner)

    # when an hour passes / then the join timed out at exactly one hour, the sleeper still alive
    clock.advance(hours=1)
    assert outcome == [(True, START + dt.timedelta(hours=1))]


def test_event_wait_timeout_counts_simulated_seconds(clock):
    # given a thread waiting on an event with a 30 s timeout
    results = []
    event = clock.event()
    _start(clock, lambda: results.append((event.wait(30), clock.now())))

    # when 30 s pass / then the wait returned False at exactly 30 s
    clock.advance(seconds=30)
    assert results == [(False, START + dt.timedelta(seconds=30))]


def test_time_never_moves_back_and_settle_refuses_from_inside(clock):
    # given the clock / when asked to go back / then it refuses
    with pytest.raises(ValueError):
        clock.advance(seconds=-1)

    # and a tracked thread asking to settle would wait for itself: refused
    errors = []

    def inside():
        try:
            clock.settle()
        except RuntimeError as exc:
            errors.append(str(exc))

    _start(clock, inside).join()
    assert errors and "inside the work" in errors[0]


def test_capacity_is_refused_with_a_clear_error():
    # given a clock allowing two threads
    clock = SimulatedClock(START, thread_capacity=2)
    try:
        _start(clock, lambda: clock.sleep(60))
        _start(clock, lambda: clock.sleep(60))
        # when a third is started / then it is refused, naming the limit and how to change it
        with pytest.raises(CapacityError, match="INCASSO_LOCAL_MAX_THREADS"):
            _start(clock, lambda: clock.sleep(60))
    finally:
        clock.close()


def test_close_ends_blocked_threads(clock):
    # given threads blocked on a sleep and on an event
    ended = []

    def blocked(block):
        try:
            block()
        except ClockShutdown:
            ended.append(True)
            raise

    event = clock.event()
    threads = [_start(clock, lambda: blocked(lambda: clock.sleep(3600))), _start(clock, lambda: blocked(event.wait))]
    clock.settle()

    # when the clock closes / then both were woken with ClockShutdown and their threads ended
    clock.close()
    assert ended == [True, True]
    assert not any(thread.is_alive() for thread in threads)
    assert clock.tracked_threads == 0


def test_settle_reports_what_keeps_running_after_its_safety_timeout(clock):
    # given a tracked thread that blocks outside the clock (a real lock)
    gate = threading.Event()
    _start(clock, gate.wait)
    try:
        # when settling with a short safety timeout / then it says what is still runnable
        with pytest.raises(SettleTimeout, match="1 runnable thread"):
            clock.settle(timeout=0.2)
    finally:
        gate.set()


def test_work_in_flight_counts_until_done_but_not_while_it_sleeps(clock):
    # given an untracked thread doing in-flight work (as a handler in a request thread) that sleeps
    # a minute on the clock and then works on
    done = []
    started = threading.Event()

    def invocation():
        with clock.in_flight():
            started.set()
            clock.sleep(60)
            done.extend(range(10_000))

    thread = threading.Thread(target=invocation, daemon=True)
    thread.start()
    started.wait()

    # when settling / then its sleep does not hold time back
    clock.settle()
    assert done == []

    # when the minute passes / then settling waits for the work it carries on with
    clock.advance(seconds=60)
    assert len(done) == 10_000
    thread.join()
