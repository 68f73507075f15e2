"""The EventBridge bus for domain events (ClaimEscalated, PaymentReceived, ClaimClosed, ...)."""

from __future__ import annotations

from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from constructs import Construct


class Events(Construct):
    def __init__(self, scope: Construct, construct_id_: str) -> None:
        super().__init__(scope, construct_id_)
        self.bus = events.EventBus(self, "Bus", description="incasso domain events for tenants' integrations")

    def grant_put(self, grantee: iam.IGrantable) -> None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["events:PutEvents"], resources=[self.bus.event_bus_arn])
        )
