"""The EventBridge schedules of the topology, each with retries and a dead-letter queue for events that
could not be delivered to its function."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.cdk.common import dead_letter_queue
from infra.cdk.functions import Functions
from infra.cdk.sources import construct_id
from infra.topology import Schedule, Topology

DELIVERY_RETRIES = 3
# A sweep delivered hours late would start yesterday's escalations next to today's: give up and alarm instead.
MAX_DELIVERY_DELAY = Duration.hours(2)


class Schedules(Construct):
    def __init__(self, scope: Construct, construct_id_: str, *, topology: Topology, functions: Functions) -> None:
        super().__init__(scope, construct_id_)
        self.rules: dict[str, events.Rule] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        for spec in topology.schedules:
            self._build_schedule(spec, functions)

    def _build_schedule(self, spec: Schedule, functions: Functions) -> None:
        cid = construct_id(spec.id)
        queue = dead_letter_queue(self, f"{cid}DeadLetters", f"the {spec.id} schedule's deliveries")
        rule = events.Rule(
            self,
            cid,
            description=spec.description,
            schedule=events.Schedule.expression(f"cron({spec.cron})"),
        )
        rule.add_target(
            targets.LambdaFunction(
                functions.functions[spec.target_function],
                dead_letter_queue=queue,
                retry_attempts=DELIVERY_RETRIES,
                max_event_age=MAX_DELIVERY_DELAY,
            )
        )
        self.rules[spec.id] = rule
        self.dead_letter_queues[spec.id] = queue
