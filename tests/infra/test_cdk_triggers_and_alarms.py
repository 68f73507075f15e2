"""What starts work (schedules, S3 notifications) and what tells an operator it failed (alarms)."""

from __future__ import annotations

import pytest
from conftest import refs

from infra.topology import TOPOLOGY

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.mark.parametrize("spec", TOPOLOGY.schedules, ids=lambda spec: spec.id)
def test_schedules_fire_the_topology_cron_at_their_function_with_retries_and_a_dead_letter_queue(synthesized, spec):
    # given a topology schedule / when its rule is read
    stack = synthesized.stack
    rule = synthesized.resources[synthesized.logical_id(stack.schedules.rules[spec.id])]["Properties"]
    # then it runs on the declared cron and targets the declared function
    assert rule["ScheduleExpression"] == f"cron({spec.cron})"
    assert rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    assert refs(target["Arn"]) == {synthesized.logical_id(stack.functions.functions[spec.target_function])}
    # and undeliverable events are retried, then kept in the schedule's dead-letter queue
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 7200}
    assert refs(target["DeadLetterConfig"]) == {synthesized.logical_id(stack.schedules.dead_letter_queues[spec.id])}


def test_bucket_notifications_invoke_the_declared_function_for_the_declared_prefix(synthesized):
    # given the bucket notification configuration CDK deploys
    stack = synthesized.stack
    (notifications,) = synthesized.of_type("Custom::S3BucketNotifications").values()
    (spec,) = [bucket for bucket in TOPOLOGY.buckets if bucket.notify_function]
    # then the imports bucket invokes ingest on ObjectCreated under tenants/, and the reconciliation
    # function (the Reconciliation construct) under statements/: one rule each, prefixes apart
    assert refs(notifications["Properties"]["BucketName"]) == {synthesized.logical_id(stack.storage.buckets[spec.id])}
    configurations = notifications["Properties"]["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert len(configurations) == len(spec.notifications) == 2
    for configuration, rule in zip(configurations, spec.notifications):
        assert configuration["Events"] == ["s3:ObjectCreated:*"]
        assert configuration["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": rule.prefix}]
        assert refs(configuration["LambdaFunctionArn"]) == {
            synthesized.logical_id(stack.functions.functions[rule.function])
        }
    assert [rule.function for rule in spec.notifications] == ["ingest", "reconcile"]
    prefixes = [rule.prefix for rule in spec.notifications]
    assert not any(a != b and a.startswith(b) for a in prefixes for b in prefixes)  # S3 refuses overlaps


def _alarms(synthesized) -> list[dict]:
    return [alarm["Properties"] for alarm in synthesized.of_type("AWS::CloudWatch::Alarm").values()]


def _alarmed(synthesized, metric_name: str) -> set[str]:
    """The logical ids an alarm on ``metric_name`` watches (through its dimensions)."""
    return {
        lid
        for alarm in _alarms(synthesized)
        if alarm.get("MetricName") == metric_name
        for lid in refs(alarm.get("Dimensions", []))
    }


def test_every_function_alarms_on_errors_and_throttles(synthesized):
    # given all functions / then each has an Errors and a Throttles alarm
    functions = {synthesized.logical_id(f) for f in synthesized.stack.functions.functions.values()}
    assert len(functions) == len(TOPOLOGY.functions)
    assert functions <= _alarmed(synthesized, "Errors")
    assert functions <= _alarmed(synthesized, "Throttles")


def test_dead_letters_failed_executions_rule_failures_and_api_5xx_alarm(synthesized):
    # given the dead-letter queues, the state machine, the schedule rules and the API
    stack = synthesized.stack
    queues = {synthesized.logical_id(q) for q in stack.functions.dead_letter_queues.values()}
    queues |= {synthesized.logical_id(q) for q in stack.schedules.dead_letter_queues.values()}
    queues |= {synthesized.logical_id(q) for q in stack.webhooks.dead_letter_queues.values()}
    machine = synthesized.logical_id(stack.machines["escalation"].state_machine)
    # then each has its alarm
    assert queues == _alarmed(synthesized, "ApproximateNumberOfMessagesVisible")
    assert machine in _alarmed(synthesized, "ExecutionsFailed")
    assert machine in _alarmed(synthesized, "ExecutionsTimedOut")
    rules = {synthesized.logical_id(r) for r in stack.schedules.rules.values()}
    assert rules == _alarmed(synthesized, "FailedInvocations")
    api_name = synthesized.resources[synthesized.logical_id(stack.api.rest_api)]["Properties"]["Name"]
    (server_errors,) = [alarm for alarm in _alarms(synthesized) if alarm.get("MetricName") == "5XXError"]
    assert {"Name": "ApiName", "Value": api_name} in server_errors["Dimensions"]


def test_every_alarm_notifies_the_alarm_topic_which_mails_the_operator(synthesized):
    # given all alarms / then each notifies the encrypted alarm topic on alarm and on recovery
    topic = synthesized.logical_id(synthesized.stack.observability.topic)
    for alarm in _alarms(synthesized):
        assert refs(alarm["AlarmActions"]) == {topic}
        assert refs(alarm["OKActions"]) == {topic}
        assert alarm["TreatMissingData"] == "notBreaching"
    # and the configured alarm e-mail is subscribed
    synthesized.template.has_resource_properties(
        "AWS::SNS::Subscription",
        {"Protocol": "email", "Endpoint": "ops@collect.example.nl", "TopicArn": {"Ref": topic}},
    )


def test_the_bus_feeds_the_webhooks_function_which_may_schedule_its_own_retries(synthesized):
    # given the rule of the topology on the event bus
    stack = synthesized.stack
    rule = synthesized.resources[synthesized.logical_id(stack.webhooks.rules["webhook_events"])]
    function = synthesized.logical_id(stack.functions.functions["webhooks"])
    # then it takes the bus's incasso events to the webhooks function, with retries and a dead-letter queue
    assert rule["Properties"]["EventPattern"] == {"source": ["incasso"]}
    assert refs(rule["Properties"]["EventBusName"]) == {synthesized.logical_id(stack.events.bus)}
    (target,) = rule["Properties"]["Targets"]
    assert refs(target["Arn"]) == {function}
    assert target["RetryPolicy"]["MaximumEventAgeInSeconds"] == 24 * 3600
    assert refs(target["DeadLetterConfig"]["Arn"]) == {
        synthesized.logical_id(stack.webhooks.dead_letter_queues["webhook_events"])}
    # and EventBridge Scheduler may invoke that function (and only it) with the role the function is told of
    role_id = synthesized.logical_id(stack.webhooks.scheduler_roles["webhooks"])
    role = synthesized.resources[role_id]
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "scheduler.amazonaws.com"}
    environment = synthesized.resources[function]["Properties"]["Environment"]["Variables"]
    assert refs(environment["WEBHOOK_SCHEDULER_ROLE_ARN"]) == {role_id}
    policies = [r for r in synthesized.of_type("AWS::IAM::Policy").values() if role_id in refs(r["Properties"]["Roles"])]
    statements = [s for policy in policies for s in policy["Properties"]["PolicyDocument"]["Statement"]]
    assert [(s["Action"], refs(s["Resource"])) for s in statements] == [("lambda:InvokeFunction", {function})]
