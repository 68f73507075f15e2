"""Fixtures of the local-stack tests: a stack of the test topology (its own tiny functions and state
machines under ``fixtures/``), never the product's functions."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_TOPOLOGY_FILE = Path(__file__).parent / "fixtures" / "topology.py"


def _load_test_topology():
    name = "incasso_local_test_topology"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, _TOPOLOGY_FILE)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def test_topology():
    return _load_test_topology().TEST_TOPOLOGY


@pytest.fixture
def stack(make_local_stack, test_topology):
    """The test topology on a fresh local stack, clock at 2026-01-05T08:00Z."""
    return make_local_stack(test_topology)


@pytest.fixture
def records(stack):
    """``records(pk)``: the fixture table's items under ``pk``, by sort key, as plain values."""
    from boto3.dynamodb.types import TypeDeserializer

    deserialize = TypeDeserializer().deserialize

    def read(pk: str) -> dict[str, dict]:
        response = stack.client("dynamodb").query(
            TableName=stack.names["records"],
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": pk}},
        )
        return {item["sk"]["S"]: {k: deserialize(v) for k, v in item.items()} for item in response["Items"]}

    return read
