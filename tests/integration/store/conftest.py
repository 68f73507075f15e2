"""The claims table on moto, a fixed clock, and a store on it. ``any_store`` runs a test twice: on
moto's own TransactWriteItems and on the faster one of ``infra.moto_transactions``."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from incasso.adapters import aws as aws_clients
from incasso.adapters.claims_store import ClaimsStore
from incasso.clock import FixedClock, set_clock
from infra import moto_transactions
from infra.topology import TOPOLOGY, dynamodb_create_table_kwargs
from store_support import NOW, REGION, OperationLog


@pytest.fixture
def aws(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        aws_clients.reset_clients()
        boto3.client("dynamodb", region_name=REGION).create_table(
            **dynamodb_create_table_kwargs(TOPOLOGY.table("claims")))
        yield
    aws_clients.reset_clients()


@pytest.fixture(autouse=True)
def clock():
    previous = set_clock(FixedClock(NOW))
    yield
    set_clock(previous)


@pytest.fixture
def store(aws) -> ClaimsStore:
    from incasso.adapters.claims_store import forget_tenants

    forget_tenants()  # copies of tenants of an earlier test's tables
    return ClaimsStore(TOPOLOGY.table("claims").name)


@pytest.fixture(params=["moto", "fast-transactions"])
def transactions(request):
    """Runs a test on moto's own TransactWriteItems and on the fast one, whatever was installed
    before in this process (other suites install the fast one for good)."""
    was_installed = moto_transactions.use(request.param == "fast-transactions")
    yield request.param
    moto_transactions.use(was_installed)


@pytest.fixture
def any_store(transactions, aws) -> ClaimsStore:
    return ClaimsStore(TOPOLOGY.table("claims").name)


@pytest.fixture
def operations(store) -> OperationLog:
    return OperationLog(store.client)


@pytest.fixture
def raw(aws):
    """The stored item itself, as DynamoDB holds it."""
    client = boto3.client("dynamodb", region_name=REGION)

    def get(pk: str, sk: str):
        return client.get_item(TableName=TOPOLOGY.table("claims").name,
                               Key={"pk": {"S": pk}, "sk": {"S": sk}}).get("Item")

    return get
