"""The claims table, shared by the adapter of each record kind: its name, its client, a Query that
follows the pages, and how a cancelled transaction tells which of its writes failed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from incasso.adapters import aws, keys
from incasso.adapters.codec import AttributeValue
from incasso.settings import get_settings

MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit for one TransactWriteItems
CONFLICT_RETRIES = 5


def cancellation_reasons(error: Exception) -> list[dict[str, Any]] | None:
    """The per-item reasons of a cancelled transaction, or None for any other error."""
    response = getattr(error, "response", None) or {}
    if response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    return list(response.get("CancellationReasons") or [])


def write_transaction(client: Any, writes: list[dict[str, Any]]) -> tuple[Exception, list[dict[str, Any]]] | None:
    """Writes ``writes`` in one transaction: None when it went through; when DynamoDB cancelled it, the error
    (to raise, or to chain from) and each item's reason. Any other error is raised."""
    try:
        client.transact_write_items(TransactItems=writes)
    except Exception as error:
        reasons = cancellation_reasons(error)
        if reasons is None:
            raise
        return error, reasons
    return None


def failed(reason: dict[str, Any] | None, code: str = "ConditionalCheckFailed") -> bool:
    return bool(reason) and reason.get("Code") == code


class Table:
    """One DynamoDB table (the claims table unless named); the adapters of its record kinds build on it."""

    def __init__(self, table_name: str | None = None, *, client: Any = None) -> None:
        self.table_name = table_name if table_name is not None else get_settings().claims_table
        self._client = client

    @property
    def client(self) -> Any:
        # Asked for on every call (a dict lookup): the local stack may swap endpoints under us.
        return self._client or aws.client("dynamodb")

    def _query_claim(self, tenant_id: str, claim_id: str, prefix: str) -> Iterator[dict[str, AttributeValue]]:
        yield from self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": keys.claim_pk(tenant_id, claim_id)}, ":prefix": {"S": prefix}},
            ConsistentRead=True,
        )

    def _query(self, *, max_items: int | None = None, page_size: int | None = None,
               **request: Any) -> Iterator[dict[str, AttributeValue]]:
        """Every item of a Query, following LastEvaluatedKey; at most ``max_items`` when given."""
        request["TableName"] = self.table_name
        seen = 0
        while True:
            if max_items is not None:
                request["Limit"] = max_items - seen
            elif page_size is not None:
                request["Limit"] = page_size
            page = self.client.query(**request)
            for item in page.get("Items", []):
                seen += 1
                yield item
            start = page.get("LastEvaluatedKey")
            if not start or (max_items is not None and seen >= max_items):
                return
            request["ExclusiveStartKey"] = start
