"""Bank statements in the claims table (CONTRACT.md §9).

| item                          | pk                                   | sk                          |
|-------------------------------|--------------------------------------|-----------------------------|
| statement                     | ``<tenant>#STATEMENT#<statement_id>``| ``STATEMENT``               |
| an entry and its outcome      | ``<tenant>#STATEMENT#<statement_id>``| ``ENTRY#<position:07d>``    |
| entry seen (once-only guard)  | ``<tenant>#BANKENTRY#<identity>``    | ``ENTRY``                   |
| the queue of unmatched credits| ``<tenant>#UNMATCHED``               | ``<statement_id>#<position:07d>`` |

The guard holds where an entry (by its identity: bank reference, account, date, amount) went first, so
a second upload or an overlapping statement books nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from incasso.adapters import keys
from incasso.adapters.codec import AttributeValue, attrs_to_model, model_to_attrs
from incasso.adapters.dynamodb.table import Table
from incasso.domain.bank.records import StatementItem, StatementRecord

STATEMENT_SK = "STATEMENT"
ENTRY_PREFIX = "ENTRY#"
GUARD_SK = "ENTRY"
BATCH = 25  # BatchWriteItem's limit


def statement_pk(tenant_id: str, statement_id: str) -> str:
    if not statement_id:
        raise ValueError("a statement id is required")
    return f"{keys.tenant_prefix(tenant_id)}STATEMENT#{statement_id}"


def guard_pk(tenant_id: str, identity: str) -> str:
    return f"{keys.tenant_prefix(tenant_id)}BANKENTRY#{identity}"


def queue_pk(tenant_id: str) -> str:
    return f"{keys.tenant_prefix(tenant_id)}UNMATCHED"


def _entry_sk(position: int) -> str:
    return f"{ENTRY_PREFIX}{position:07d}"


class StatementRecords(Table):
    # -- the statement -------------------------------------------------------------------------
    def put_statement(self, record: StatementRecord) -> StatementRecord:
        item = model_to_attrs(record)
        item.update(pk={"S": statement_pk(record.tenant_id, record.statement_id)}, sk={"S": STATEMENT_SK},
                    entity={"S": "statement"})
        self.client.put_item(TableName=self.table_name, Item=item)
        return record

    def get_statement(self, tenant_id: str, statement_id: str) -> StatementRecord | None:
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": statement_pk(tenant_id, statement_id)}, "sk": {"S": STATEMENT_SK}}).get("Item")
        return attrs_to_model(StatementRecord, item) if item else None

    # -- its entries ---------------------------------------------------------------------------
    def _entry_item(self, tenant_id: str, item: StatementItem) -> dict[str, AttributeValue]:
        attrs = model_to_attrs(item)
        attrs.update(pk={"S": statement_pk(tenant_id, item.statement_id)}, sk={"S": _entry_sk(item.position)},
                     entity={"S": "statement_entry"})
        return attrs

    def _queue_item(self, tenant_id: str, item: StatementItem) -> dict[str, AttributeValue]:
        attrs = model_to_attrs(item)
        attrs.update(pk={"S": queue_pk(tenant_id)}, sk={"S": f"{item.statement_id}#{item.position:07d}"},
                     entity={"S": "unmatched_entry"})
        return attrs

    def put_statement_items(self, tenant_id: str, items: Sequence[StatementItem]) -> None:
        """Write the entries (and the queue's copies of the unmatched credits), in batches."""
        requests = [{"PutRequest": {"Item": self._entry_item(tenant_id, item)}} for item in items]
        requests += [{"PutRequest": {"Item": self._queue_item(tenant_id, item)}} for item in items
                     if item.is_open_credit]
        for start in range(0, len(requests), BATCH):
            pending = {self.table_name: requests[start:start + BATCH]}
            while pending:
                pending = self.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def put_statement_item(self, tenant_id: str, item: StatementItem) -> None:
        """One entry after a change (assigned by hand): the entry, and out of the queue once booked."""
        self.client.put_item(TableName=self.table_name, Item=self._entry_item(tenant_id, item))
        queue_key = {"pk": {"S": queue_pk(tenant_id)}, "sk": {"S": f"{item.statement_id}#{item.position:07d}"}}
        if item.is_open_credit:
            self.client.put_item(TableName=self.table_name, Item=self._queue_item(tenant_id, item))
        else:
            self.client.delete_item(TableName=self.table_name, Key=queue_key)

    def statement_items(self, tenant_id: str, statement_id: str) -> Iterator[StatementItem]:
        for item in self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)", ConsistentRead=True,
                                ExpressionAttributeValues={":pk": {"S": statement_pk(tenant_id, statement_id)},
                                                           ":prefix": {"S": ENTRY_PREFIX}}):
            yield attrs_to_model(StatementItem, item)

    def statement_item(self, tenant_id: str, statement_id: str, entry_id: str) -> StatementItem | None:
        return next((item for item in self.statement_items(tenant_id, statement_id) if item.entry_id == entry_id), None)

    def unmatched_items(self, tenant_id: str, limit: int = 1000) -> list[StatementItem]:
        """The tenant's queue: unmatched credits of every statement, statement by statement."""
        return [attrs_to_model(StatementItem, item) for item in self._query(
            KeyConditionExpression="pk = :pk", ConsistentRead=True, max_items=limit,
            ExpressionAttributeValues={":pk": {"S": queue_pk(tenant_id)}})]

    # -- once only -----------------------------------------------------------------------------
    def claim_entry(self, tenant_id: str, identity: str, statement_id: str, entry_id: str) -> dict[str, str] | None:
        """Record that this statement brings the entry first; None when it did, else where it was seen."""
        try:
            self.client.put_item(TableName=self.table_name, Item={
                "pk": {"S": guard_pk(tenant_id, identity)}, "sk": {"S": GUARD_SK}, "entity": {"S": "bank_entry"},
                "statement_id": {"S": statement_id}, "entry_id": {"S": entry_id}},
                ConditionExpression="attribute_not_exists(pk) OR statement_id = :mine",
                ExpressionAttributeValues={":mine": {"S": statement_id}})
            return None
        except Exception as error:  # noqa: BLE001 - only a failed condition is an answer; the rest is raised
            code = ((getattr(error, "response", None) or {}).get("Error") or {}).get("Code")
            if code != "ConditionalCheckFailedException":
                raise
        old = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": guard_pk(tenant_id, identity)}, "sk": {"S": GUARD_SK}}).get("Item") or {}
        return {"statement_id": old.get("statement_id", {}).get("S", ""),
                "entry_id": old.get("entry_id", {}).get("S", "")}
