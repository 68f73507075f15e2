"""Webhook delivery on AWS (CONTRACT.md §10): each rule of the topology sends the bus's domain events to
its function (retried by EventBridge, then a dead-letter queue); a function that schedules itself (the
webhooks function's retries with backoff) gets a role for EventBridge Scheduler to invoke it with, and
the right to create its one-time schedules and pass that role."""

from __future__ import annotations

from aws_cdk import Acknowledgment, ArnFormat, Duration, Stack, Validations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cdk.common import dead_letter_queue
from infra.cdk.events import Events
from infra.cdk.functions import Functions
from infra.cdk.sources import construct_id
from infra.topology import EventRule, Topology

DELIVERY_RETRIES = 8
MAX_EVENT_AGE = Duration.hours(24)
SCHEDULE_GROUP = "default"


class Webhooks(Construct):
    def __init__(self, scope: Construct, construct_id_: str, *, topology: Topology, functions: Functions,
                 events_: Events) -> None:
        super().__init__(scope, construct_id_)
        self.rules: dict[str, events.Rule] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.scheduler_roles: dict[str, iam.Role] = {}
        for spec in topology.event_rules:
            self._build_rule(spec, functions, events_)
        for spec in topology.functions:
            if spec.schedules_itself:
                self._build_scheduler_role(spec.id, functions, topology.scheduler_role_env)

    def _build_rule(self, spec: EventRule, functions: Functions, events_: Events) -> None:
        cid = construct_id(spec.id)
        queue = dead_letter_queue(self, f"{cid}DeadLetters", f"the {spec.id} rule's deliveries")
        rule = events.Rule(self, cid, description=spec.description, event_bus=events_.bus,
                           event_pattern=events.EventPattern(source=[spec.source]))
        rule.add_target(targets.LambdaFunction(functions.functions[spec.target_function], dead_letter_queue=queue,
                                               retry_attempts=DELIVERY_RETRIES, max_event_age=MAX_EVENT_AGE))
        self.rules[spec.id] = rule
        self.dead_letter_queues[spec.id] = queue

    def _build_scheduler_role(self, function_id: str, functions: Functions, env: str) -> None:
        cid = construct_id(function_id)
        function = functions.functions[function_id]
        role = iam.Role(self, f"{cid}SchedulerRole", assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
                        description=f"EventBridge Scheduler invokes incasso {function_id} for its planned retries")
        role.add_to_policy(iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[function.function_arn]))
        schedules = Stack.of(self).format_arn(service="scheduler", resource="schedule",
                                              resource_name=f"{SCHEDULE_GROUP}/*",
                                              arn_format=ArnFormat.SLASH_RESOURCE_NAME)
        function.add_to_role_policy(iam.PolicyStatement(actions=["scheduler:CreateSchedule"], resources=[schedules]))
        function.add_to_role_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[role.role_arn]))
        function.add_environment(env, role.role_arn)
        Validations.of(function.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"
               "schedule/default/*]",
            reason="each retry is a one-time schedule with a name of its own, made at run time"))
        self.scheduler_roles[function_id] = role
