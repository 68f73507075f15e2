"""EventBridge on the local stack: scheduled rules fire on the simulated clock, and rules deliver
to Lambda and Step Functions targets."""

import datetime as dt
import json


def test_scheduled_rule_fires_once_per_simulated_day_at_its_time(stack, records):
    # given the fixture schedule "30 6 * * ? *" (06:30 UTC daily) and the clock at Monday 08:00 UTC
    # when three days pass
    stack.advance(days=3)

    # then the handler ran three times, each at exactly 06:30 of the following days
    assert sorted(records("ticks")) == [
        "2026-01-06T06:30:00+00:00",
        "2026-01-07T06:30:00+00:00",
        "2026-01-08T06:30:00+00:00",
    ]
    # and received EventBridge's scheduled event with AWS's time format
    tick = records("ticks")["2026-01-06T06:30:00+00:00"]
    assert (tick["source"], tick["event_time"]) == ("aws.events", "2026-01-06T06:30:00Z")
    assert stack.invocation_count("tick") == 3


def test_schedule_does_not_fire_before_its_time(stack, records):
    # given the clock at 08:00 / when it moves to 06:29:59 next day / then nothing fired yet
    stack.advance_to(dt.datetime(2026, 1, 6, 6, 29, 59, tzinfo=dt.timezone.utc))
    assert records("ticks") == {}
    # when one more second passes / then it fires
    stack.advance(seconds=1)
    assert list(records("ticks")) == ["2026-01-06T06:30:00+00:00"]


def test_put_events_delivers_to_a_lambda_target(stack, records):
    # given a rule on the bus matching source "incasso.test" with a Lambda target
    events = stack.client("events")
    bus = stack.names["event_bus"]
    events.put_rule(Name="claims-escalated", EventBusName=bus, EventPattern=json.dumps({"source": ["incasso.test"]}))
    events.put_targets(Rule="claims-escalated", EventBusName=bus, Targets=[{"Id": "1", "Arn": stack.names["on_event"]}])

    # when a matching and a non-matching event are put
    response = events.put_events(
        Entries=[
            {"Source": "incasso.test", "DetailType": "ClaimEscalated", "Detail": json.dumps({"claim_id": "c-9"}),
             "EventBusName": bus},
            {"Source": "someone.else", "DetailType": "ClaimEscalated", "Detail": json.dumps({"claim_id": "c-0"}),
             "EventBusName": bus},
        ]
    )
    assert response["FailedEntryCount"] == 0

    # then only the matching one reached the handler, in AWS's event shape at simulated time
    seen = list(records("events").values())
    assert [(e["claim_id"], e["detail_type"], e["time"]) for e in seen] == [("c-9", "ClaimEscalated", "2026-01-05T08:00:00Z")]


def test_rule_with_input_transformer_and_state_machine_target_starts_an_execution(stack, records):
    # given a rule whose target is a state machine, fed the claim id by an input transformer
    events = stack.client("events")
    bus = stack.names["event_bus"]
    events.put_rule(Name="start-escalation", EventBusName=bus, EventPattern=json.dumps({"detail-type": ["ClaimDue"]}))
    events.put_targets(
        Rule="start-escalation",
        EventBusName=bus,
        Targets=[{
            "Id": "machine",
            "Arn": stack.names["fourteen_days"],
            "RoleArn": "arn:aws:iam::123456789012:role/incasso-local",
            "InputTransformer": {"InputPathsMap": {"claim": "$.detail.claim_id"}, "InputTemplate": '{"claim_id": "<claim>"}'},
        }],
    )

    # when the event is put / then the execution started with the transformed input and runs its course
    events.put_events(Entries=[{"Source": "incasso.test", "DetailType": "ClaimDue",
                                "Detail": json.dumps({"claim_id": "c-7"}), "EventBusName": bus}])
    stack.advance(days=14)
    executions = stack.client("stepfunctions").list_executions(stateMachineArn=stack.names["fourteen_days"])["executions"]
    assert [e["status"] for e in executions] == ["SUCCEEDED"]
    assert records("c-7")["end"]["at"] == "2026-01-19T08:00:00+00:00"


def test_disabled_rule_does_not_deliver(stack, records):
    # given a disabled rule with a Lambda target
    events = stack.client("events")
    bus = stack.names["event_bus"]
    events.put_rule(Name="off", EventBusName=bus, EventPattern=json.dumps({"source": ["incasso.test"]}), State="DISABLED")
    events.put_targets(Rule="off", EventBusName=bus, Targets=[{"Id": "1", "Arn": stack.names["on_event"]}])

    # when a matching event is put / then nothing is delivered
    events.put_events(Entries=[{"Source": "incasso.test", "DetailType": "X", "Detail": json.dumps({"claim_id": "c"}),
                                "EventBusName": bus}])
    assert records("events") == {}


def test_scheduler_one_time_schedule_invokes_its_target_at_its_time(stack, records):
    # given an EventBridge Scheduler schedule at 2026-01-07 12:00 Amsterdam time (11:00 UTC)
    stack.client("scheduler").create_schedule(
        Name="check-in",
        ScheduleExpression="at(2026-01-07T12:00:00)",
        ScheduleExpressionTimezone="Europe/Amsterdam",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": stack.names["record"], "RoleArn": "arn:aws:iam::123456789012:role/incasso-local",
                "Input": json.dumps({"claim_id": "c-5", "phase": "check_in"})},
        ActionAfterCompletion="DELETE",
    )

    # when four days pass / then it ran once, at 11:00 UTC, and was deleted after completion
    stack.advance(days=4)
    assert records("c-5")["check_in"]["at"] == "2026-01-07T11:00:00+00:00"
    assert stack.invocation_count("record") == 1
    assert stack.client("scheduler").list_schedules()["Schedules"] == []
