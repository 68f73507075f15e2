"""The whole system declared once. The CDK stack and the local deployer both build from this, so that
the cloud and the local stack cannot drift apart. Pure data: no CDK, no boto3 imports here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
STATEMACHINES_DIR = ROOT / "statemachines"
LAYER_DIR = ROOT / "layers" / "common"

PREFIX = "incasso"
SCHEDULER_ROLE_ID = "scheduler_role"  # the resource id of the role EventBridge Scheduler assumes
# The resource id of the role EventBridge Scheduler assumes to start a claim's run at a planned minute.
RUN_SCHEDULER_ROLE_ID = "run_scheduler_role"


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None
    # The attributes copied into the index besides the keys; None: all of them; (): the keys only.
    projection: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    """A DynamoDB table. Every partition key value begins with the tenant id."""

    id: str
    name: str
    partition_key: str
    sort_key: str | None = None
    indexes: tuple[Index, ...] = ()
    ttl_attribute: str | None = None
    env: str = ""  # the environment variable that carries its name


@dataclass(frozen=True)
class Notification:
    """One more S3 ObjectCreated rule of a bucket: objects under ``prefix`` invoke ``function``. S3 refuses
    rules whose prefixes overlap, so each rule's prefix must be apart from every other's."""

    function: str
    prefix: str
    suffix: str = ""


@dataclass(frozen=True)
class Bucket:
    id: str
    name: str
    env: str
    notify_function: str | None = None  # function invoked on ObjectCreated
    notify_prefix: str = ""
    notify_suffix: str = ""
    more_notifications: tuple[Notification, ...] = ()  # further rules (other prefixes, other functions)

    @property
    def notifications(self) -> tuple[Notification, ...]:
        """Every ObjectCreated rule of the bucket: the first (``notify_*``) and the further ones."""
        first = (Notification(self.notify_function, self.notify_prefix, self.notify_suffix),) if self.notify_function else ()
        return first + self.more_notifications


@dataclass(frozen=True)
class Function:
    """A Lambda: ``functions/<id>/handler.py`` with ``handler(event, context)``."""

    id: str
    description: str
    memory_mb: int = 256
    timeout_s: int = 30
    tables: tuple[str, ...] = ()  # table ids it reads and writes
    buckets: tuple[str, ...] = ()
    erases_in: tuple[str, ...] = ()  # buckets whose objects it deletes (erasure of personal data)
    uses_event_bus: bool = False
    uses_state_machines: tuple[str, ...] = ()  # state machine ids it starts or signals
    sends_messages: bool = False  # SES and SNS
    reserved_concurrency: int | None = None
    code_root: Path | None = None  # the folder holding <id>/handler.py; None: functions/ (tests use fixtures)
    # Plans its own later invocations as one-time EventBridge Scheduler schedules (webhook retries).
    schedules_itself: bool = False
    # Plans a claim's next run at a minute of the day (a one-time schedule that starts the escalation).
    plans_runs: bool = False

    @property
    def name(self) -> str:
        return f"{PREFIX}-{self.id.replace('_', '-')}"

    @property
    def handler(self) -> str:
        return "handler.handler"

    @property
    def code_dir(self) -> Path:
        return (self.code_root or FUNCTIONS_DIR) / self.id


@dataclass(frozen=True)
class Schedule:
    """An EventBridge rule on a schedule (``cron`` in EventBridge syntax, UTC)."""

    id: str
    cron: str  # e.g. "0 5 * * ? *" = 05:00 UTC daily
    target_function: str
    description: str


@dataclass(frozen=True)
class EventRule:
    """An EventBridge rule on the event bus: events of ``source`` go to ``target_function``."""

    id: str
    source: str
    target_function: str
    description: str

    @property
    def pattern(self) -> dict:
        return {"source": [self.source]}


@dataclass(frozen=True)
class ApiRoute:
    """A method and path of the tenant HTTP API (CONTRACT.md §3), served by ``function``."""

    method: str
    path: str
    function: str = "api"
    # Public: no Cognito authorizer (the debtor's portal, whose personal link is its key; the provider's webhook).
    public: bool = False


@dataclass(frozen=True)
class StateMachine:
    id: str
    name: str
    definition_file: str
    # placeholder in the ASL (${Name}) -> function id whose ARN replaces it
    function_substitutions: dict[str, str] = field(default_factory=dict)
    # placeholder -> table id whose name replaces it
    table_substitutions: dict[str, str] = field(default_factory=dict)
    env: str = ""
    definition_dir: Path | None = None  # None: statemachines/ (tests use fixtures)
    # False where moto's ASL parser cannot read the definition (Distributed Map ItemBatcher,
    # CSVDelimiter): the local stack leaves the machine out; the cloud stack builds it.
    runs_locally: bool = True
    # STANDARD (exactly once, up to a year, history kept) or EXPRESS (at least once, up to five minutes,
    # billed per run and duration): docs/scale.md, "Workflow type per machine".
    type: str = "STANDARD"

    @property
    def definition_path(self) -> Path:
        return (self.definition_dir or STATEMACHINES_DIR) / self.definition_file


@dataclass(frozen=True)
class Topology:
    tables: tuple[Table, ...]
    buckets: tuple[Bucket, ...]
    functions: tuple[Function, ...]
    schedules: tuple[Schedule, ...]
    state_machines: tuple[StateMachine, ...]
    event_bus_name: str
    event_bus_env: str = "EVENT_BUS_NAME"
    api_routes: tuple[ApiRoute, ...] = ()
    event_rules: tuple[EventRule, ...] = ()
    # The role EventBridge Scheduler assumes to invoke a function that schedules itself.
    scheduler_role_env: str = "WEBHOOK_SCHEDULER_ROLE_ARN"
    # The role EventBridge Scheduler assumes to start a claim's planned run.
    run_scheduler_role_env: str = "ESCALATION_SCHEDULER_ROLE_ARN"

    def function(self, function_id: str) -> Function:
        return next(f for f in self.functions if f.id == function_id)

    def table(self, table_id: str) -> Table:
        return next(t for t in self.tables if t.id == table_id)

    def bucket(self, bucket_id: str) -> Bucket:
        return next(b for b in self.buckets if b.id == bucket_id)

    def state_machine(self, machine_id: str) -> StateMachine:
        return next(m for m in self.state_machines if m.id == machine_id)

    def environment(self, function_id: str, names: dict[str, str] | None = None) -> dict[str, str]:
        """The environment of a function: the names of what it uses. ``names`` maps a resource
        id to its deployed name or ARN where that differs from the declared name (CDK tokens)."""
        names = names or {}
        fn = self.function(function_id)
        # No pydantic plugins ship: without this, the first model built scans every installed package's
        # entry points for one (cold start, docs/benchmarks.md).
        env = {"POWERTOOLS_SERVICE_NAME": PREFIX, "LOG_LEVEL": "INFO", "PYDANTIC_DISABLE_PLUGINS": "__all__"}
        for table_id in fn.tables:
            table = self.table(table_id)
            env[table.env] = names.get(table_id, table.name)
        for bucket_id in fn.buckets:
            bucket = self.bucket(bucket_id)
            env[bucket.env] = names.get(bucket_id, bucket.name)
        if fn.uses_event_bus:
            env[self.event_bus_env] = names.get("event_bus", self.event_bus_name)
        for machine_id in fn.uses_state_machines:
            machine = self.state_machine(machine_id)
            env[machine.env] = names.get(machine_id, "")
        if fn.schedules_itself:
            env[self.scheduler_role_env] = names.get(SCHEDULER_ROLE_ID, "")
        if fn.plans_runs:
            env[self.run_scheduler_role_env] = names.get(RUN_SCHEDULER_ROLE_ID, "")
        return env


CLAIMS = Table(
    id="claims",
    name=f"{PREFIX}-claims",
    partition_key="pk",
    sort_key="sk",
    # Sparse: only claims with a next action carry due_pk/due_sk, so the sweep reads what is due. It holds
    # what the sweep reads and nothing more: a claim's write that leaves its next run alone does not
    # write to it, and one that moves it writes a small item (docs/scale.md).
    indexes=(
        Index(name="due", partition_key="due_pk", sort_key="due_sk", projection=("claim_id", "phase")),
        # The tenant-wide indexes hold the keys only: the claims are read from the table by them (a copy of
        # every claim per index would double a step's write; docs/scale.md). ``status`` also carries the
        # erasure mark, which the retention sweep filters on.
        Index(name="status", partition_key="status_pk", sort_key="status_sk", projection=("personal_data_erased_on",)),
        # All of a tenant's claims, in creation order (an item has one status_pk, so "all" needs its own).
        Index(name="claims", partition_key="claims_pk", sort_key="claims_sk", projection=()),
        # One debtor's claims (by the creditor's customer number), sparse: only claims with a reference.
        Index(name="debtor", partition_key="debtor_pk", sort_key="claims_sk", projection=()),
    ),
    env="CLAIMS_TABLE",
)
IDEMPOTENCY = Table(
    id="idempotency",
    name=f"{PREFIX}-idempotency",
    partition_key="id",
    ttl_attribute="expiration",
    env="IDEMPOTENCY_TABLE",
)
IMPORTS = Bucket(
    id="imports",
    name=f"{PREFIX}-imports",
    env="IMPORTS_BUCKET",
    notify_function="ingest",
    notify_prefix="tenants/",
    # Bank statements (CONTRACT.md §9) under their own prefix: S3 refuses overlapping rules.
    more_notifications=(Notification(function="reconcile", prefix="statements/"),),
)
DOCUMENTS = Bucket(id="documents", name=f"{PREFIX}-documents", env="DOCUMENTS_BUCKET")

_STEP = dict(tables=("claims",), uses_event_bus=True)
# A step that may end its run on a wait that ends later today plans the next run at its minute.
_PLANS = dict(uses_state_machines=("escalation",), plans_runs=True)

TOPOLOGY = Topology(
    tables=(CLAIMS, IDEMPOTENCY),
    buckets=(IMPORTS, DOCUMENTS),
    functions=(
        Function("api", "Tenant HTTP API behind API Gateway", memory_mb=512, tables=("claims", "idempotency"),
                 buckets=("imports", "documents"), erases_in=("documents",), uses_event_bus=True,
                 uses_state_machines=("escalation",),
                 sends_messages=True),
        # The documents bucket: the original of each UBL invoice is kept as its claim's document (and the
        # copy of a duplicate deleted again).
        Function("ingest", "Streams a dropped CSV (or reads UBL invoices, one XML or a zip) into claims and writes "
                 "the import report; large CSV files go to the import state machine, whose batches and final "
                 "tally it also runs", memory_mb=512, timeout_s=900, tables=("claims", "idempotency"),
                 buckets=("imports", "documents"), erases_in=("documents",), uses_event_bus=True,
                 uses_state_machines=("import",), reserved_concurrency=10),
        Function("reconcile", "Reads a dropped bank statement (CAMT.053, MT940), matches its credits to claims "
                 "and books them as payments", memory_mb=1024, timeout_s=900, tables=("claims",),
                 buckets=("imports", "documents"), uses_event_bus=True, uses_state_machines=("escalation",),
                 sends_messages=True, reserved_concurrency=5),
        Function("sweep", "Daily: starts the escalation of every claim due today; erases personal data "
                 "kept past the tenant's retention period", timeout_s=900, tables=("claims",),
                 buckets=("documents",), erases_in=("documents",), uses_state_machines=("escalation",),
                 reserved_concurrency=1),
        Function("check_claim", "Reads a claim and decides: take a step, or end the run until the next is due",
                 buckets=("documents",), sends_messages=True, **_STEP, **_PLANS),
        Function("send_message", "Sends a reminder, letter or notice; books costs where the law allows",
                 buckets=("documents",), sends_messages=True, **_STEP, **_PLANS),
        Function("schedule_call", "Plans a call in the tenant's business hours and tells the debtor",
                 buckets=("documents",), sends_messages=True, **_STEP, **_PLANS),
        Function("legal_review", "Books the costs once the notice's term ran out; decides on court action",
                 buckets=("documents",), sends_messages=True, **_STEP, **_PLANS),
        Function("bailiff_filing", "Hands the dossier to the bailiff; the run ends (updates come through the API)",
                 buckets=("documents",), sends_messages=True, **_STEP, **_PLANS),
        Function("pause_claim", "Records that a disputed claim waits for the resolution; the run ends", **_STEP),
        Function("close_claim", "Closes a claim (paid, cancelled, uncollectible) or starts monitoring", **_STEP),
        Function("park_claim", "Parks a claim that failed for good as needing attention", **_STEP),
        Function("portal", "The debtor's portal (CONTRACT.md §8): the personal page, pay through the payment "
                 "provider, dispute, propose an arrangement; the provider's webhook", memory_mb=512,
                 tables=("claims",), buckets=("documents",), uses_event_bus=True,
                 uses_state_machines=("escalation",), sends_messages=True),
        Function("pre_token", "Cognito's pre-token-generation trigger: the tenant and the role into every access "
                 "token, of a person or of a tenant's machine client (CONTRACT.md §7)", memory_mb=256, timeout_s=5),
        Function("webhooks", "Delivers the bus's domain events to the tenants' webhooks, signed; retries a "
                 "failed delivery with backoff for 24 hours through one-time schedules", timeout_s=60,
                 tables=("claims",), schedules_itself=True),
    ),
    schedules=(
        # 07:00 UTC: 08:00 Dutch time in winter, 09:00 in summer; the runs it starts take their steps at
        # once, never before the trajectory's 08:00 (STEP_TIME) nor the default send window's opening.
        Schedule(id="daily_sweep", cron="0 7 * * ? *", target_function="sweep",
                 description="Starts the runs of the claims due today (07:00 UTC)"),
    ),
    state_machines=(
        StateMachine(
            id="escalation",
            name=f"{PREFIX}-escalation",
            definition_file="escalation.asl.json",
            # Short runs that end (a step, a decision), at least once and idempotent: Express (docs/scale.md).
            type="EXPRESS",
            function_substitutions={
                "CheckClaimFunctionArn": "check_claim",
                "SendMessageFunctionArn": "send_message",
                "ScheduleCallFunctionArn": "schedule_call",
                "LegalReviewFunctionArn": "legal_review",
                "BailiffFilingFunctionArn": "bailiff_filing",
                "CloseClaimFunctionArn": "close_claim",
                "PauseClaimFunctionArn": "pause_claim",
                "ParkClaimFunctionArn": "park_claim",
            },
            table_substitutions={},
            env="STATE_MACHINE_ARN",
        ),
        # CSV files too large for one Lambda run: a Distributed Map over the file (CONTRACT.md §5).
        StateMachine(
            id="import",
            name=f"{PREFIX}-import",
            definition_file="import.asl.json",
            function_substitutions={"IngestFunctionArn": "ingest"},
            table_substitutions={},
            env="IMPORT_STATE_MACHINE_ARN",
            runs_locally=False,
        ),
    ),
    event_bus_name=f"{PREFIX}-events",
    api_routes=(
        ApiRoute("POST", "/v1/claims"),
        ApiRoute("GET", "/v1/claims"),
        ApiRoute("GET", "/v1/claims/{claim_id}"),
        ApiRoute("POST", "/v1/claims/{claim_id}/payments"),
        ApiRoute("POST", "/v1/claims/{claim_id}/dispute"),
        ApiRoute("POST", "/v1/claims/{claim_id}/dispute/resolve"),
        ApiRoute("POST", "/v1/claims/{claim_id}/arrangement"),
        ApiRoute("POST", "/v1/imports"),
        ApiRoute("GET", "/v1/imports/{import_id}"),
        ApiRoute("GET", "/v1/reports/summary"),
        ApiRoute("POST", "/v1/bank-statements"),
        ApiRoute("GET", "/v1/bank-statements/unmatched"),
        ApiRoute("GET", "/v1/bank-statements/{statement_id}"),
        ApiRoute("POST", "/v1/bank-statements/{statement_id}/entries/{entry_id}/assign"),
        ApiRoute("POST", "/v1/claims/{claim_id}/bailiff"),
        ApiRoute("GET", "/v1/calls"),
        ApiRoute("POST", "/v1/claims/{claim_id}/call"),
        ApiRoute("GET", "/v1/tenant"),
        ApiRoute("PUT", "/v1/tenant/profile"),
        ApiRoute("PUT", "/v1/tenant/policy"),
        ApiRoute("POST", "/v1/webhooks"),
        ApiRoute("GET", "/v1/webhooks"),
        ApiRoute("DELETE", "/v1/webhooks/{webhook_id}"),
        ApiRoute("GET", "/v1/webhooks/{webhook_id}/deliveries"),
        ApiRoute("POST", "/v1/claims/{claim_id}/legal/approve"),
        ApiRoute("POST", "/v1/claims/{claim_id}/legal/decline"),
        ApiRoute("GET", "/v1/debtors/{reference}/export"),
        ApiRoute("POST", "/v1/debtors/{reference}/erase"),
        ApiRoute("GET", "/v1/debtors"),
        ApiRoute("GET", "/v1/debtors/{reference}"),
        ApiRoute("PATCH", "/v1/debtors/{reference}"),
        ApiRoute("GET", "/v1/debtors/{reference}/credit"),
        ApiRoute("POST", "/v1/claims/{claim_id}/portal/revoke"),
        # The debtor's portal and the payment provider's webhook: public, rate-limited by the WAF.
        ApiRoute("GET", "/p/{token}", "portal", public=True),
        ApiRoute("POST", "/p/{token}/pay", "portal", public=True),
        ApiRoute("POST", "/p/{token}/dispute", "portal", public=True),
        ApiRoute("POST", "/p/{token}/arrangement", "portal", public=True),
        ApiRoute("GET", "/p/{token}/letters/{claim_id}/{index}", "portal", public=True),
        ApiRoute("POST", "/p/webhooks/payments", "portal", public=True),
        ApiRoute("GET", "/v1/claims/{claim_id}/preview/{kind}"),
        ApiRoute("GET", "/v1/claims/{claim_id}/messages"),
        ApiRoute("GET", "/v1/claims/{claim_id}/documents/{name}"),
        ApiRoute("POST", "/v1/tenant/users"),
        ApiRoute("GET", "/v1/tenant/users"),
        ApiRoute("PUT", "/v1/tenant/users/{user_id}"),
        ApiRoute("DELETE", "/v1/tenant/users/{user_id}"),
    ),
    event_rules=(
        EventRule(id="webhook_events", source="incasso", target_function="webhooks",
                  description="Every domain event to the webhooks function (CONTRACT.md §10)"),
    ),
)


def dynamodb_create_table_kwargs(table: Table) -> dict:
    """``create_table`` arguments for a table (the local deployer and tests use it; CDK mirrors it)."""
    attributes = {table.partition_key}
    key_schema = [{"AttributeName": table.partition_key, "KeyType": "HASH"}]
    if table.sort_key:
        attributes.add(table.sort_key)
        key_schema.append({"AttributeName": table.sort_key, "KeyType": "RANGE"})
    indexes = []
    for index in table.indexes:
        attributes.add(index.partition_key)
        index_keys = [{"AttributeName": index.partition_key, "KeyType": "HASH"}]
        if index.sort_key:
            attributes.add(index.sort_key)
            index_keys.append({"AttributeName": index.sort_key, "KeyType": "RANGE"})
        projection = {"ProjectionType": "ALL"} if index.projection is None else \
            {"ProjectionType": "KEYS_ONLY"} if not index.projection else \
            {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(index.projection)}
        indexes.append({"IndexName": index.name, "KeySchema": index_keys, "Projection": projection})
    kwargs = {
        "TableName": table.name,
        "KeySchema": key_schema,
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if indexes:
        kwargs["GlobalSecondaryIndexes"] = indexes
    return kwargs
