"""Wait states run on the simulated clock: days pass in milliseconds, exactly when they should."""

import datetime as dt


def test_fourteen_day_wait_ends_on_day_fourteen_and_not_before(stack, records):
    # given an execution that records, waits 14 days (Seconds), then records through a real handler
    arn = stack.start_execution("fourteen_days", "claim-1", {"claim_id": "claim-1"})
    stack.settle()
    assert records("claim-1")["start"]["at"] == "2026-01-05T08:00:00+00:00"

    # when 13 days pass / then it still waits and has not written its end record
    stack.advance(days=13)
    assert stack.execution_status(arn) == "RUNNING"
    assert "end" not in records("claim-1")

    # when the 14th day passes / then it has run on, at exactly start + 14 days, and succeeded
    stack.advance(days=1)
    assert stack.execution_status(arn) == "SUCCEEDED"
    claim = records("claim-1")
    assert claim["end"]["at"] == "2026-01-19T08:00:00+00:00"
    assert claim["end"]["by"] == "incasso-record"  # the handler's context names its function
    assert claim["status"]["status"] == "done"  # the direct DynamoDB integration ran too
    assert stack.running_executions == 0


def test_execution_timestamps_are_simulated_time(stack):
    # given an execution started at the simulated start time
    arn = stack.start_execution("fourteen_days", "claim-2", {"claim_id": "claim-2"})

    # when it completes after 14 simulated days
    stack.advance(days=14)

    # then its start and stop dates are simulated instants, not the machine's
    described = stack.describe_execution(arn)
    assert described["startDate"] == dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)
    assert described["stopDate"] == dt.datetime(2026, 1, 19, 8, 0, tzinfo=dt.timezone.utc)


def test_timestamp_path_wait_wakes_at_its_instant(stack, records):
    # given an execution that waits until 2026-01-20T09:30:00Z (TimestampPath)
    arn = stack.start_execution("until_timestamp", "claim-3", {"claim_id": "claim-3", "until": "2026-01-20T09:30:00Z"})

    # when the clock reaches one second before / then it still waits
    stack.advance_to(dt.datetime(2026, 1, 20, 9, 29, 59, tzinfo=dt.timezone.utc))
    assert stack.execution_status(arn) == "RUNNING"

    # when it reaches the instant / then the handler ran at exactly that instant
    stack.advance(seconds=1)
    assert stack.execution_status(arn) == "SUCCEEDED"
    assert records("claim-3")["woke"]["at"] == "2026-01-20T09:30:00+00:00"


def test_many_executions_wait_with_one_thread_each_and_all_finish(make_local_stack, test_topology):
    # given 50 executions waiting 14 days, speed-ups on
    stack = make_local_stack(test_topology, speedups=True)
    arns = [stack.start_execution("fourteen_days", f"bulk-{i}", {"claim_id": f"bulk-{i}"}) for i in range(50)]
    stack.settle()

    # then each holds one thread while it waits
    assert stack.running_executions == 50
    assert stack.clock.tracked_threads == 50

    # when 14 days pass / then every one has succeeded and no thread is left
    stack.advance(days=14)
    assert {stack.execution_status(arn) for arn in arns} == {"SUCCEEDED"}
    assert stack.clock.tracked_threads == 0


def test_parallel_branches_and_map_iterations_wait_and_settle_each_on_their_own(stack, records):
    # given an execution with two parallel branches waiting 1 and 3 days, then a map whose
    # iterations wait 20, 40 and 60 seconds
    arn = stack.start_execution("fan_out", "fan", {"claim_id": "fan", "instalments": [60, 20, 40]})

    # when one day passes / then only the first branch has run on; the execution still waits
    stack.advance(days=1)
    assert sorted(records("fan")) == ["branch_one"]
    assert records("fan")["branch_one"]["at"] == "2026-01-06T08:00:00+00:00"

    # when the third day is reached / then the second branch ran and the map's waits began
    stack.advance(days=2)
    assert sorted(records("fan")) == ["branch_one", "branch_two"]
    assert stack.execution_status(arn) == "RUNNING"

    # when a minute passes / then every iteration ran at its own second, and the execution succeeded
    stack.advance(minutes=1)
    claim = records("fan")
    assert [claim[f"instalment_{d}"]["at"] for d in (20, 40, 60)] == [
        "2026-01-08T08:00:20+00:00", "2026-01-08T08:00:40+00:00", "2026-01-08T08:01:00+00:00"]
    assert stack.execution_status(arn) == "SUCCEEDED"
