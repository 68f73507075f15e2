"""A Step Functions state machine of the topology, from its ASL file inline (so the template, its tests and
cfn-lint see the definition), with the functions' ARNs and the tables' names substituted in."""

from __future__ import annotations

from aws_cdk import Acknowledgment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.cdk.data import Data
from infra.cdk.functions import LOG_RETENTION, Functions
from infra.cdk.sources import construct_id, direct_integrations, read_definition
from infra.topology import StateMachine


class Orchestration(Construct):
    def __init__(
        self, scope: Construct, construct_id_: str, *, spec: StateMachine, functions: Functions, data: Data
    ) -> None:
        super().__init__(scope, construct_id_)
        definition = read_definition(spec)
        invoked = {
            placeholder: functions.functions[function_id]
            for placeholder, function_id in spec.function_substitutions.items()
        }
        substitutions = {placeholder: function.function_arn for placeholder, function in invoked.items()}
        substitutions |= {
            placeholder: data.tables[table_id].table_name for placeholder, table_id in spec.table_substitutions.items()
        }
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN)
        self.state_machine = sfn.StateMachine(
            self,
            construct_id(spec.id),
            # A fixed name: functions that start or signal the machine know its ARN without a reference
            # to it, which would be a cycle where the machine also invokes them (ingest <-> import).
            state_machine_name=spec.name,
            definition_body=sfn.DefinitionBody.from_string(definition),
            definition_substitutions=substitutions,
            # Per machine (docs/scale.md): the escalation's short runs are Express, the import stays Standard.
            state_machine_type=sfn.StateMachineType(spec.type),
            # Every event is logged, execution data is not: it carries debtors' names and addresses.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        role = self.state_machine.role
        arns = [function.function_arn for function in invoked.values()]
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"], resources=arns + [f"{arn}:*" for arn in arns]
            )
        )
        # DynamoDB tasks in the ASL itself: exactly their actions, on their table.
        actions_by_table: dict[str, set[str]] = {}
        for integration in direct_integrations(spec, definition):
            actions_by_table.setdefault(integration.table_id, set()).add(integration.action)
        for table_id, actions in sorted(actions_by_table.items()):
            data.grant_data(role, table_id, tuple(sorted(actions)))
        self._acknowledge(role, invoked)

    def _acknowledge(self, role: iam.IRole, invoked: dict) -> None:
        validations = Validations.of(role)
        validations.acknowledge(
            Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="CloudWatch Logs log delivery (logs:CreateLogDelivery and friends) and X-Ray trace "
                "segments support no resource-level permissions.",
            )
        )
        stack = Stack.of(self)
        for function in invoked.values():
            logical_id = stack.get_logical_id(function.node.default_child)
            validations.acknowledge(
                Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                    reason="Invoking a published version or alias of a function the ASL names; "
                    "the role may invoke exactly the functions substituted into the definition.",
                )
            )
