"""Nothing waits in Step Functions (issue #22, docs/scale.md): a run does what is due and ends, the claim
records its next run, and the escalation is an Express machine whose runs may arrive twice."""

from __future__ import annotations

import datetime as dt
import json

import pytest

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)


def test_no_execution_is_open_while_the_claims_wait_for_their_next_step(world):
    # given twenty claims of one tenant, due today
    world.tenant()
    claims = [world.claim(invoice=f"F-{n}") for n in range(20)]
    # when the clock runs past the first reminder (due + 7) into the days before the second (due + 21)
    world.until(START + 10 * DAY)
    # then every claim took its reminder, waits on its record for reminder 2, and no execution is open
    for claim in claims:
        current = world.get(claim)
        assert current.stage.value == "reminder_1" and current.next_action_on == START + 21 * DAY
    assert world.stack.running_executions == 0
    # and each claim was run once on its reminder's day: one short run per step, not one per claim's life
    sfn = world.stack.client("stepfunctions")
    runs = sfn.list_executions(stateMachineArn=world.stack.names["escalation"])["executions"]
    assert len(runs) == 20 and {run["status"] for run in runs} == {"SUCCEEDED"}


def test_an_express_run_started_twice_under_one_name_sends_and_books_nothing_twice(world):
    # given a claim whose first reminder is due, and its run started twice with the same name before either
    # has settled (Express does not deduplicate names: two sweeps, or a run delivered twice)
    world.tenant()
    claim = world.claim()
    world.until(START + 6 * DAY)
    world.stack.clock.advance_to(dt.datetime.combine(START + 7 * DAY, dt.time(4, 0), tzinfo=dt.timezone.utc))
    name = f"{claim.claim_id}-1-twice"
    first = world.stack.start_execution("escalation", name, {"tenant_id": "acme", "claim_id": claim.claim_id})
    second = world.stack.start_execution("escalation", name, {"tenant_id": "acme", "claim_id": claim.claim_id})
    world.until(START + 8 * DAY)
    # then both ran (two executions), and the reminder went out once, with one event, one interest booking
    assert first != second
    assert [world.stack.execution_status(arn) for arn in (first, second)] == ["SUCCEEDED", "SUCCEEDED"]
    assert world.sent(claim) == ["reminder_1"]
    timeline = [e.type for e in world.store.get_timeline("acme", claim.claim_id)]
    assert timeline.count("step_taken") == 1
    keys = world.ledger_keys(claim)
    assert len(keys) == len(set(keys))


def test_a_message_held_by_the_send_window_goes_at_its_minute_through_a_one_time_schedule(world):
    # given a tenant whose send window opens at 14:00 Dutch time, and a claim whose first reminder is due on
    # Monday 12 January (the morning sweep at 07:00 UTC finds it due, before the window opens)
    world.tenant(send_window=True, send_window_start=dt.time(14, 0))
    claim = world.claim()
    # when the day passes
    world.until(START + 8 * DAY)
    # then the reminder went out at 14:00 in Amsterdam (13:00 UTC), started by a one-time schedule named
    # after the claim, which deleted itself; no execution is left open
    record = next(r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "reminder_1")
    assert record["sent_at"].startswith("2026-01-12T13:00")
    fired = [key for key, _ in world.stack.schedules.fired if f"run-{claim.claim_id}-" in key]
    assert len(fired) == 1
    scheduler = world.stack.client("scheduler")
    assert not [s for s in scheduler.list_schedules()["Schedules"] if s["Name"].startswith("run-")]
    assert world.stack.running_executions == 0


def test_the_local_stack_refuses_a_task_token_in_an_express_machine_as_aws_does(local_stack):
    # given a definition that waits on a task token
    definition = {"StartAt": "Hand", "States": {"Hand": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": {"FunctionName": local_stack.names["close_claim"], "Payload": {"t.$": "$$.Task.Token"}},
        "End": True}}}
    sfn = local_stack.client("stepfunctions")
    # when it is created as an Express machine / then it is refused; as a Standard one it is accepted
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        sfn.create_state_machine(name="express-token", definition=json.dumps(definition),
                                 roleArn="arn:aws:iam::123456789012:role/x", type="EXPRESS")
    sfn.create_state_machine(name="standard-token", definition=json.dumps(definition),
                             roleArn="arn:aws:iam::123456789012:role/x", type="STANDARD")


def test_a_run_planned_twice_is_one_schedule_never_before_its_minute(local_stack, monkeypatch):
    # given the product's workflows adapter on the local stack, with the role a step Lambda is given
    from incasso.adapters.workflows import StepFunctionsWorkflows
    from incasso.settings import reset_settings

    role = "arn:aws:iam::123456789012:role/run-scheduler"
    monkeypatch.setenv("ESCALATION_SCHEDULER_ROLE_ARN", role)
    reset_settings()
    workflows = StepFunctionsWorkflows()
    at = dt.datetime(2026, 1, 5, 13, 0, 30, tzinfo=dt.timezone.utc)
    # when a step plans the claim's run at 13:00:30, and a retry of the step plans it again
    workflows.plan_run("acme", "clm_1", "1-20260105T1300", at)
    workflows.plan_run("acme", "clm_1", "1-20260105T1300", at)
    # then there is one schedule, at the next whole minute, starting the escalation for that claim
    scheduler = local_stack.client("scheduler")
    (listed,) = scheduler.list_schedules()["Schedules"]
    schedule = scheduler.get_schedule(Name=listed["Name"])
    assert schedule["Name"] == "run-clm_1-1-20260105T1300"
    assert schedule["ScheduleExpression"] == "at(2026-01-05T13:01:00)"
    assert schedule["Target"]["Arn"] == local_stack.names["escalation"] and schedule["Target"]["RoleArn"] == role
    assert json.loads(schedule["Target"]["Input"]) == {"tenant_id": "acme", "claim_id": "clm_1"}
    assert schedule["ActionAfterCompletion"] == "DELETE"
