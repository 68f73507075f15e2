"""The incasso stack: builds each capability from the topology and wires them together; nothing else."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnOutput, Stack, Validations
from constructs import Construct

from infra.cdk.api import Api
from infra.cdk.data import Data
from infra.cdk.events import Events
from infra.cdk.functions import Functions
from infra.cdk.ingest import Ingest
from infra.cdk.observability import Observability
from infra.cdk.orchestration import Orchestration
from infra.cdk.portal import PortalSettings
from infra.cdk.reconciliation import Reconciliation
from infra.cdk.schedules import Schedules
from infra.cdk.settings import DeploySettings
from infra.cdk.sources import construct_id
from infra.cdk.storage import Storage
from infra.cdk.webhooks import Webhooks
from infra.topology import Topology


class IncassoStack(Stack):
    def __init__(
        self, scope: Construct, construct_id_: str, *, topology: Topology, settings: DeploySettings, **kwargs
    ) -> None:
        super().__init__(scope, construct_id_, **kwargs)
        self.data = data = Data(self, "Data", topology=topology)
        self.storage = storage = Storage(self, "Storage", topology=topology, settings=settings)
        self.events = events = Events(self, "Events")
        self.functions = functions = Functions(
            self, "Functions", topology=topology, settings=settings, data=data, storage=storage, events=events
        )
        self.machines = machines = {
            spec.id: Orchestration(self, construct_id(spec.id), spec=spec, functions=functions, data=data)
            for spec in topology.state_machines
        }
        for machine_id, orchestration in machines.items():
            functions.connect_state_machine(machine_id, orchestration.state_machine)
        self.api = api = Api(self, "Api", topology=topology, settings=settings, functions=functions)
        self.portal = PortalSettings(self, "Portal", function=functions.functions["portal"])
        Ingest(self, "Ingest", topology=topology, storage=storage, functions=functions)
        Reconciliation(self, "Reconciliation", topology=topology, storage=storage, functions=functions)
        self.schedules = schedules = Schedules(self, "Schedules", topology=topology, functions=functions)
        self.webhooks = Webhooks(self, "Webhooks", topology=topology, functions=functions, events_=events)
        self.observability = observability = Observability(self, "Observability", settings=settings)
        self._watch(functions, schedules, machines, api)

        self._acknowledge_cdk_singletons()
        CfnOutput(self, "ApiUrl", value=api.rest_api.url)
        CfnOutput(self, "UserPoolId", value=api.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=api.client.user_pool_client_id)
        for bucket_id, bucket in storage.buckets.items():
            CfnOutput(self, f"{construct_id(bucket_id)}BucketName", value=bucket.bucket_name)
        CfnOutput(self, "AlarmTopicArn", value=observability.topic.topic_arn)

    def _watch(self, functions: Functions, schedules: Schedules, machines: dict[str, Orchestration], api: Api) -> None:
        observability = self.observability
        for function_id, function in functions.functions.items():
            observability.watch_function(function_id, function)
        for function_id, queue in functions.dead_letter_queues.items():
            observability.watch_dead_letters(function_id, queue)
        for schedule_id, queue in schedules.dead_letter_queues.items():
            observability.watch_dead_letters(schedule_id, queue)
        for rule_id, queue in self.webhooks.dead_letter_queues.items():
            observability.watch_dead_letters(rule_id, queue)
        for schedule_id, rule in schedules.rules.items():
            observability.watch_rule(schedule_id, rule)
        for machine_id, orchestration in machines.items():
            observability.watch_state_machine(machine_id, orchestration.state_machine)
        observability.watch_api(api.rest_api)

    def _acknowledge_cdk_singletons(self) -> None:
        """Findings on resources that CDK itself adds to the stack."""
        for child in self.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                Validations.of(child).acknowledge(
                    Acknowledgment(
                        id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                        "AWSLambdaBasicExecutionRole]",
                        reason="CDK's bucket-notification custom resource (runs at deploy time only) "
                        "logs with the AWS-managed basic execution policy.",
                    )
                )
                Validations.of(child).acknowledge(
                    Acknowledgment(
                        id="AwsSolutions-IAM5[Resource::*]",
                        reason="CDK's bucket-notification custom resource calls s3:PutBucketNotification, "
                        "scoped by CDK to '*'; it runs only during deployment.",
                    )
                )
