"""The Lambda functions of the topology and the layer they share. Each function gets its own role with only
what the topology says it uses, its own log group, JSON logs, X-Ray tracing, arm64; functions that AWS invokes
asynchronously get a dead-letter queue."""

from __future__ import annotations

from aws_cdk import Acknowledgment, ArnFormat, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.cdk.common import dead_letter_queue
from infra.cdk.data import Data
from infra.cdk.events import Events
from infra.cdk.settings import DeploySettings
from infra.cdk.sources import (
    ASSET_EXCLUDES,
    asynchronously_invoked,
    construct_id,
    function_code_dir,
    layer_dir,
    layer_excludes,
)
from infra.cdk.storage import Storage
from infra.topology import Function, Topology

# The Lambda Python runtime on Amazon Linux 2023: the pinned binary wheels (pydantic-core, Pillow for fpdf2)
# are built for glibc 2.28 on arm64, newer than python3.11's Amazon Linux 2 has. layer_build.py matches it.
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.SIX_MONTHS
ASYNC_RETRY_ATTEMPTS = 2
# Nothing waits on a task token any more (docs/scale.md): a function only starts runs.
STATE_MACHINE_ACTIONS = ("states:StartExecution",)
# The one-time schedules that start a claim's run at a planned minute are named run-<claim>-<key>.
RUN_SCHEDULE_GROUP = "default"
RUN_SCHEDULE_PREFIX = "run-"
SEND_EMAIL_ACTIONS = ("ses:SendEmail", "ses:SendRawEmail")


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id_: str,
        *,
        topology: Topology,
        settings: DeploySettings,
        data: Data,
        storage: Storage,
        events: Events,
    ) -> None:
        super().__init__(scope, construct_id_)
        self._topology = topology
        self._settings = settings
        self._data = data
        self._storage = storage
        self._events = events
        self._async = asynchronously_invoked(topology)
        layer = layer_dir()
        self.layer = lambda_.LayerVersion(
            self,
            "CommonLayer",
            code=lambda_.Code.from_asset(str(layer), exclude=layer_excludes(layer)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="incasso domain package and its runtime dependencies",
        )
        self.functions: dict[str, lambda_.Function] = {}
        self.dead_letter_queues: dict[str, sqs.Queue] = {}
        self.run_scheduler_roles: dict[str, iam.Role] = {}  # state machine id -> the role Scheduler starts it with
        for spec in topology.functions:
            self.functions[spec.id] = self._build_function(spec)

    def _build_function(self, spec: Function) -> lambda_.Function:
        cid = construct_id(spec.id)
        code_dir = function_code_dir(spec)
        log_group = logs.LogGroup(
            self, f"{cid}Logs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.RETAIN
        )
        role = iam.Role(
            self,
            f"{cid}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"incasso {spec.id}: only what infra/topology.py declares for it",
        )
        log_group.grant_write(role)
        dead_letter_queue = self._build_dead_letter_queue(cid, spec) if spec.id in self._async else None
        function = lambda_.Function(
            self,
            cid,
            description=spec.description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=lambda_.Code.from_asset(str(code_dir), exclude=ASSET_EXCLUDES),
            layers=[self.layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            environment=self._environment(spec),
            role=role,
            log_group=log_group,
            logging_format=lambda_.LoggingFormat.JSON,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=spec.reserved_concurrency,
            dead_letter_queue=dead_letter_queue,
            retry_attempts=ASYNC_RETRY_ATTEMPTS if dead_letter_queue else None,
        )
        self._grant_declared(spec, role)
        Validations.of(function).acknowledge(
            Acknowledgment(
                id="AwsSolutions-L1",
                reason=f"{RUNTIME.name} is pinned with the layer's binary wheels (layer_build.py); a runtime "
                "upgrade changes RUNTIME and the layer build together, after the suite has run on it.",
            )
        )
        # X-Ray accepts trace segments only on "*" (the actions have no resource type).
        reason = "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions."
        if spec.sends_messages:
            reason += " SMS through SNS Publish goes to a phone number, which has no ARN."
        Validations.of(role).acknowledge(Acknowledgment(id="AwsSolutions-IAM5[Resource::*]", reason=reason))
        return function

    def _build_dead_letter_queue(self, cid: str, spec: Function) -> sqs.Queue:
        queue = dead_letter_queue(self, f"{cid}DeadLetters", f"{spec.id}'s asynchronous invocations")
        self.dead_letter_queues[spec.id] = queue
        return queue

    def _environment(self, spec: Function) -> dict[str, str]:
        names: dict[str, str] = {table_id: table.table_name for table_id, table in self._data.tables.items()}
        names |= {bucket_id: bucket.bucket_name for bucket_id, bucket in self._storage.buckets.items()}
        names["event_bus"] = self._events.bus.event_bus_name
        # State machine ARNs are added by connect_state_machine (the machine needs the step functions first).
        environment = {key: value for key, value in self._topology.environment(spec.id, names).items() if value}
        if spec.sends_messages:
            environment["SENDER_EMAIL"] = self._settings.sender_email
            if self._settings.portal_base_url:  # every message carries the debtor's link (CONTRACT.md §8)
                environment["INCASSO_PORTAL_BASE_URL"] = self._settings.portal_base_url
        if spec.id in {route.function for route in self._topology.api_routes} and self._settings.cors_origin:
            environment["CORS_ALLOWED_ORIGIN"] = self._settings.cors_origin
        return environment

    def _grant_declared(self, spec: Function, role: iam.Role) -> None:
        for table_id in spec.tables:
            self._data.grant_data(role, table_id)
        for bucket_id in spec.buckets:
            self._storage.grant_objects(role, bucket_id, erase=bucket_id in spec.erases_in)
        if spec.uses_event_bus:
            self._events.grant_put(role)
        if spec.sends_messages:
            self._grant_messaging(role)

    def _grant_messaging(self, role: iam.Role) -> None:
        stack = Stack.of(self)
        identities = [
            stack.format_arn(service="ses", resource="identity", resource_name=name)
            for name in (self._settings.sender_domain, self._settings.sender_email)
        ]
        role.add_to_policy(
            iam.PolicyStatement(
                actions=list(SEND_EMAIL_ACTIONS),
                resources=identities,
                conditions={"StringEquals": {"ses:FromAddress": self._settings.sender_email}},
            )
        )
        role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))

    def connect_state_machine(self, machine_id: str, machine: sfn.StateMachine) -> None:
        """Give the functions that start or signal ``machine_id`` its ARN and exactly those rights."""
        spec_machine = self._topology.state_machine(machine_id)
        # Built from the machine's fixed name, not its reference: no dependency cycle (see orchestration).
        arn = Stack.of(machine).format_arn(service="states", resource="stateMachine", resource_name=spec_machine.name,
                                           arn_format=ArnFormat.COLON_RESOURCE_NAME)
        for spec in self._topology.functions:
            if machine_id not in spec.uses_state_machines:
                continue
            function = self.functions[spec.id]
            function.add_environment(spec_machine.env, arn)
            function.add_to_role_policy(
                iam.PolicyStatement(actions=list(STATE_MACHINE_ACTIONS), resources=[arn])
            )
            if spec.plans_runs:
                self._let_plan_runs(spec, function, machine_id, arn)

    def _let_plan_runs(self, spec: Function, function: lambda_.Function, machine_id: str, arn: str) -> None:
        """A function that plans a claim's run at a minute creates one-time EventBridge Scheduler schedules
        (``run-*``) that start ``machine_id`` with a role of their own, which it may pass and nothing else."""
        role = self.run_scheduler_roles.get(machine_id)
        if role is None:
            role = iam.Role(self, f"{construct_id(machine_id)}RunSchedulerRole",
                            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
                            description=f"EventBridge Scheduler starts a planned run of incasso {machine_id}")
            role.add_to_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[arn]))
            self.run_scheduler_roles[machine_id] = role
        schedules = Stack.of(self).format_arn(service="scheduler", resource="schedule",
                                              resource_name=f"{RUN_SCHEDULE_GROUP}/{RUN_SCHEDULE_PREFIX}*",
                                              arn_format=ArnFormat.SLASH_RESOURCE_NAME)
        function.add_to_role_policy(iam.PolicyStatement(actions=["scheduler:CreateSchedule"], resources=[schedules]))
        function.add_to_role_policy(iam.PolicyStatement(actions=["iam:PassRole"], resources=[role.role_arn]))
        function.add_environment(self._topology.run_scheduler_role_env, role.role_arn)
        Validations.of(function.role).acknowledge(Acknowledgment(
            id="AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"
               f"schedule/{RUN_SCHEDULE_GROUP}/{RUN_SCHEDULE_PREFIX}*]",
            reason="each planned run is a one-time schedule named after its claim and minute, made at run time"))
