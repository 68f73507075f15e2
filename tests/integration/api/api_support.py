"""Moto for the API tests: the tables of the topology, the imports bucket, the event bus, a fixed clock,
and a ClaimService whose Step Functions calls are recorded instead of made (no state machine here).
(A unique module name, so that tests can import it.)"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from incasso.api.app import handle
from incasso.api.proxy import proxy_event
from incasso.adapters.aws import reset_clients
from incasso.clock import FixedClock, set_clock
from incasso.domain.models import Tenant
from incasso.services import wiring
from incasso.settings import reset_settings
from tenant_profiles import sample_profile
from infra.topology import CLAIMS, DOCUMENTS, IDEMPOTENCY, IMPORTS, TOPOLOGY, dynamodb_create_table_kwargs

REGION = "eu-west-1"
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.timezone.utc)  # a Monday
TENANT_A, TENANT_B = "acme", "globex"
SENDER = "noreply@incasso.example"


def claim_body(invoice_number: str = "F-2025-001", principal: str = "425.00", **changes) -> dict:
    body = {
        "invoice_number": invoice_number,
        "debtor": {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl", "language": "nl",
                   "address": {"street": "Dorpsstraat 5", "postal_code": "1234 AB", "city": "Utrecht",
                               "country": "NL"}},
        "principal": principal,
        "currency": "EUR",
        "invoice_date": "2025-04-01",
        "due_date": "2025-05-01",
    }
    body.update(changes)
    return body


_SETUP_CLIENTS: dict[str, Any] = {}


def setup_client(service: str) -> Any:
    """A client for arranging the world, made once: creating boto3 clients is most of a test's setup."""
    if service not in _SETUP_CLIENTS:
        _SETUP_CLIENTS[service] = boto3.client(service, region_name=REGION)
    return _SETUP_CLIENTS[service]


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, list[str]]


def call(method: str, path: str, tenant_id: str | None = TENANT_A, body: Any = None, *,
         headers: dict[str, str] | None = None, query: dict | None = None, role: str | None = None) -> Answer:
    raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
    response = handle(proxy_event(method, path, tenant_id=tenant_id, body=raw, headers=headers, query=query,
                                  role=role), None)
    return Answer(int(response["statusCode"]), json.loads(response["body"]) if response.get("body") else None,
                  dict(response.get("multiValueHeaders") or {}))


@dataclass
class Workflows:
    """What the API asked of Step Functions."""

    started: list[tuple[str, str, str]] = field(default_factory=list)

    def start_run(self, tenant_id: str, claim_id: str, key: str) -> bool:
        if (tenant_id, claim_id, key) in self.started:
            return False
        self.started.append((tenant_id, claim_id, key))
        return True


def events_on_bus(queue_url: str) -> list[dict]:
    sqs = setup_client("sqs")
    seen = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return seen
        for message in messages:
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


class LambdaContext:
    """What Powertools reads of a Lambda context."""

    function_name = "incasso-test"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:incasso-test"
    memory_limit_in_mb = 512
    aws_request_id = "req-1"
    log_group_name = "/aws/lambda/incasso-test"
    log_stream_name = "stream"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


def lambda_handler(function_id: str):
    """``functions/<function_id>/handler.py``'s ``handler``, loaded the way Lambda loads it."""
    import importlib.util
    from infra.topology import TOPOLOGY

    path = TOPOLOGY.function(function_id).code_dir / "handler.py"
    spec = importlib.util.spec_from_file_location(f"{function_id}_handler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def tenant(tenant_id: str) -> Tenant:
    return Tenant(tenant_id=tenant_id, profile=sample_profile(legal_name=tenant_id.title()))


# -- fixtures (conftest.py of api/, ingest/ and sweep/ import them) ----------------------------------
@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("CLAIMS_TABLE", CLAIMS.name)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY.name)
    monkeypatch.setenv("IMPORTS_BUCKET", IMPORTS.name)
    monkeypatch.setenv("DOCUMENTS_BUCKET", DOCUMENTS.name)
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    monkeypatch.setenv("EVENT_BUS_NAME", TOPOLOGY.event_bus_name)
    monkeypatch.setenv("STATE_MACHINE_ARN", "arn:aws:states:eu-west-1:123456789012:stateMachine:incasso-escalation")
    from infra.local import moto_transactions

    moto_transactions.install()  # moto's own TransactWriteItems deep-copies the table per item
    with mock_aws():
        reset_settings()
        reset_clients()
        wiring.reset()
        dynamodb = setup_client("dynamodb")
        for table in (CLAIMS, IDEMPOTENCY):
            dynamodb.create_table(**dynamodb_create_table_kwargs(table))
        s3 = setup_client("s3")
        for bucket in (IMPORTS, DOCUMENTS):
            s3.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": REGION})
        setup_client("sesv2").create_email_identity(EmailIdentity=SENDER)
        events = setup_client("events")
        events.create_event_bus(Name=TOPOLOGY.event_bus_name)
        # Every domain event also lands in a queue, so tests can read what was published.
        sqs = setup_client("sqs")
        queue_url = sqs.create_queue(QueueName="bus-tap")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="tap", EventBusName=TOPOLOGY.event_bus_name, EventPattern='{"source": ["incasso"]}')
        events.put_targets(Rule="tap", EventBusName=TOPOLOGY.event_bus_name, Targets=[{"Id": "q", "Arn": queue_arn}])
        yield queue_url
        wiring.reset()
        reset_clients()
    reset_settings()


@pytest.fixture
def clock():
    previous = set_clock(FixedClock(NOW))
    yield
    set_clock(previous)


@pytest.fixture
def workflows(monkeypatch) -> Workflows:
    """Step Functions is not deployed here: record what the services ask of it."""
    from incasso.adapters import workflows as adapter

    recorded = Workflows()
    monkeypatch.setattr(adapter, "start_run", recorded.start_run)
    return recorded


@pytest.fixture
def api(aws, clock, workflows):
    """The API on moto, with two tenants."""
    store = wiring.claims_store()
    store.put_tenant(tenant(TENANT_A))
    store.put_tenant(tenant(TENANT_B))
    return workflows


@pytest.fixture
def fuzz_resources(api):
    """One claim and one import of tenant A that the fuzzer's requests aim at."""
    claim = call("POST", "/v1/claims", TENANT_A, claim_body("F-FUZZ")).body
    imported = call("POST", "/v1/imports", TENANT_A, {"filename": "f.csv"}).body
    return {"claim": claim["claim_id"], "import": imported["import_id"]}
