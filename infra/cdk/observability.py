"""Alarms on everything that can fail quietly, sent to one encrypted SNS topic (e-mail when configured)."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.cdk.common import customer_managed_key
from infra.cdk.settings import DeploySettings
from infra.cdk.sources import construct_id

PERIOD = Duration.minutes(5)


class Observability(Construct):
    def __init__(self, scope: Construct, construct_id_: str, *, settings: DeploySettings) -> None:
        super().__init__(scope, construct_id_)
        self.key = customer_managed_key(self, "AlarmTopicKey", "encrypts the alarm topic")
        # CloudWatch publishes alarms into the encrypted topic, so it must be able to use the key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=["*"],  # in a key policy "*" means this key
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        self.topic = sns.Topic(self, "AlarmTopic", display_name="incasso alarms", master_key=self.key, enforce_ssl=True)
        if settings.alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(settings.alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []

    def _alarm(self, construct_id_: str, metric: cloudwatch.IMetric, description: str, threshold: float = 1) -> None:
        alarm = metric.create_alarm(
            self,
            construct_id_,
            alarm_description=description,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        alarm.add_ok_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)

    def watch_function(self, function_id: str, function: lambda_.IFunction) -> None:
        cid = construct_id(function_id)
        self._alarm(f"{cid}Errors", function.metric_errors(period=PERIOD), f"{function_id}: invocations failed")
        self._alarm(
            f"{cid}Throttles", function.metric_throttles(period=PERIOD), f"{function_id}: invocations throttled"
        )

    def watch_dead_letters(self, name: str, queue: sqs.IQueue) -> None:
        self._alarm(
            f"{construct_id(name)}DeadLetters",
            queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            f"{name}: events landed in the dead-letter queue",
        )

    def watch_state_machine(self, machine_id: str, machine: sfn.StateMachine) -> None:
        cid = construct_id(machine_id)
        self._alarm(f"{cid}Failed", machine.metric_failed(period=PERIOD), f"{machine_id}: executions failed")
        self._alarm(f"{cid}TimedOut", machine.metric_timed_out(period=PERIOD), f"{machine_id}: executions timed out")
        self._alarm(f"{cid}Aborted", machine.metric_aborted(period=PERIOD), f"{machine_id}: executions aborted")

    def watch_rule(self, rule_id: str, rule: events.Rule) -> None:
        metric = cloudwatch.Metric(
            namespace="AWS/Events",
            metric_name="FailedInvocations",
            dimensions_map={"RuleName": rule.rule_name},
            statistic="Sum",
            period=PERIOD,
        )
        self._alarm(f"{construct_id(rule_id)}FailedInvocations", metric, f"{rule_id}: the target was not invoked")

    def watch_api(self, api: apigw.RestApi) -> None:
        metric = api.deployment_stage.metric_server_error(period=PERIOD, statistic="Sum")
        self._alarm("ApiServerErrors", metric, "API: 5xx answers")
