"""DynamoDB tables of the topology, encrypted with a customer-managed key."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.cdk.common import customer_managed_key
from infra.cdk.sources import construct_id
from infra.topology import Table, Topology

# Item-level access only: no Scan (the sweep reads a sparse index), no table administration.
DATA_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)
# What DynamoDB needs from the caller to use a customer-managed table key.
TABLE_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")


class Data(Construct):
    def __init__(self, scope: Construct, construct_id_: str, *, topology: Topology) -> None:
        super().__init__(scope, construct_id_)
        self._specs = {table.id: table for table in topology.tables}
        self.key = customer_managed_key(self, "TablesKey", "encrypts the DynamoDB tables")
        self.tables: dict[str, dynamodb.Table] = {table.id: self._build_table(table) for table in topology.tables}

    def _build_table(self, spec: Table) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            construct_id(spec.id),
            partition_key=dynamodb.Attribute(name=spec.partition_key, type=dynamodb.AttributeType.STRING),
            sort_key=(
                dynamodb.Attribute(name=spec.sort_key, type=dynamodb.AttributeType.STRING) if spec.sort_key else None
            ),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
            time_to_live_attribute=spec.ttl_attribute,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=dynamodb.Attribute(name=index.partition_key, type=dynamodb.AttributeType.STRING),
                sort_key=(
                    dynamodb.Attribute(name=index.sort_key, type=dynamodb.AttributeType.STRING)
                    if index.sort_key
                    else None
                ),
                projection_type=dynamodb.ProjectionType.ALL if index.projection is None
                else dynamodb.ProjectionType.KEYS_ONLY if not index.projection
                else dynamodb.ProjectionType.INCLUDE,
                non_key_attributes=list(index.projection) if index.projection else None,
            )
        return table

    def table_resources(self, table_id: str, *, with_indexes: bool = True) -> list[str]:
        """The table's ARN and, for queries, one ARN per declared index (named, not ``index/*``)."""
        table = self.tables[table_id]
        indexes = self._specs[table_id].indexes if with_indexes else ()
        return [table.table_arn] + [f"{table.table_arn}/index/{index.name}" for index in indexes]

    def grant_data(self, grantee: iam.IGrantable, table_id: str, actions: tuple[str, ...] = DATA_ACTIONS) -> None:
        """Item access to one table and its indexes, and use of the table key through DynamoDB only."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=sorted(actions),
                resources=self.table_resources(table_id, with_indexes="dynamodb:Query" in actions),
            )
        )
        self.grant_key_use(grantee)

    def grant_key_use(self, grantee: iam.IGrantable) -> None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(TABLE_KEY_ACTIONS),
                resources=[self.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{Stack.of(self).region}.amazonaws.com"}},
            )
        )
