"""Speed-ups change how executions run, not what they do; threads are neither leaked nor exhausted."""

import json

import pytest
from botocore.exceptions import ClientError

from infra.local import LocalStack, SimulatedClock


@pytest.mark.parametrize("speedups", [True, False], ids=["speedups", "stock"])
def test_the_same_trajectories_with_and_without_speedups(make_local_stack, test_topology, speedups):
    # given the test topology with speed-ups on or off
    stack = make_local_stack(test_topology, speedups=speedups)

    # when a waiting, a retrying and a token-waiting execution run for 14 days
    waiting = stack.start_execution("fourteen_days", "w", {"claim_id": "w"})
    retrying = stack.start_execution("retry_catch", "r", {"claim_id": "r", "fail_times": 2})
    token = stack.start_execution("hand_over", "t", {"claim_id": "t"})
    stack.advance(days=14)

    # then each ends as the ASL says, whichever way it ran
    assert stack.execution_status(waiting) == "SUCCEEDED"
    assert json.loads(stack.describe_execution(retrying)["output"])["result"] == {"attempts": 3}
    assert stack.execution_status(token) == "RUNNING"
    # and with speed-ups the token-waiting execution holds one thread, in stock moto three
    # (execution, program, task)
    assert stack.clock.tracked_threads == (1 if speedups else 3)


def test_no_thread_objects_are_kept_after_executions_end(stack):
    # given 20 executions that ran to their end
    from moto.stepfunctions.parser import utils

    for i in range(20):
        stack.start_execution("fourteen_days", f"done-{i}", {"claim_id": f"done-{i}"})
    stack.advance(days=14)

    # then moto's global thread list holds nothing and no execution thread is alive
    assert len(utils.TMP_THREADS) == 0
    assert stack.clock.tracked_threads == 0


def test_executions_beyond_the_thread_limit_are_refused_with_a_clear_error(test_topology):
    # given a stack whose executions may use 12 threads: 8 waiting executions leave 4, which is
    # what one more execution may need, so no room for another
    import datetime as dt

    clock = SimulatedClock(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc), thread_capacity=12)
    stack = LocalStack(test_topology, clock=clock, speedups=True)
    try:
        started = [stack.start_execution("fourteen_days", f"c-{i}", {"claim_id": f"c-{i}"}) for i in range(8)]
        stack.settle()

        # when one more is started / then Step Functions' own error says why and what to do
        with pytest.raises(ClientError) as raised:
            stack.start_execution("fourteen_days", "one-too-many", {"claim_id": "x"})
        error = raised.value.response["Error"]
        assert error["Code"] == "ExecutionLimitExceeded"
        assert "INCASSO_LOCAL_MAX_THREADS" in error["Message"]

        # and the running ones are unaffected
        stack.advance(days=14)
        assert {stack.execution_status(arn) for arn in started} == {"SUCCEEDED"}
    finally:
        stack.close()
