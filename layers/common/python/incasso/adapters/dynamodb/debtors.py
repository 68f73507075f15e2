"""Debtor records in the claims table (``incasso.domain.debtors.DebtorRecord``): one item per debtor of a
tenant, all in the tenant's ``<tenant>#DEBTORS`` partition sorted by reference, so the tenant's debtors
are listed by one Query page by page (never a Scan) and one debtor's details are one GetItem. The claims
of one debtor come from the sparse ``debtor`` index (``ClaimRecords.claims_of_debtor``)."""

from __future__ import annotations

from typing import Any

from incasso.adapters import keys
from incasso.adapters.codec import AttributeValue, attrs_to_model, model_to_attrs
from incasso.adapters.dynamodb.claims import MAX_PAGE_SIZE, ClaimRecords
from incasso.domain.debtors import DebtorRecord
from incasso.domain.errors import ConcurrentModificationError

DEBTORS_LISTING = "debtors"  # the listing a page token is issued for


def _conditional_failure(error: Exception) -> bool:
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class DebtorRecords(ClaimRecords):
    """Debtor records beside the claims (their page tokens carry the claims' MAC)."""

    def _debtor_key(self, tenant_id: str, reference: str) -> dict[str, AttributeValue]:
        return {"pk": {"S": keys.debtors_pk(tenant_id)}, "sk": {"S": keys.debtor_sk(reference)}}

    def _debtor_item(self, record: DebtorRecord) -> dict[str, AttributeValue]:
        item = model_to_attrs(record)
        item.update(self._debtor_key(record.tenant_id, record.reference), entity={"S": "debtor"},
                    version={"N": str(record.version)})
        return item

    def get_debtor(self, tenant_id: str, reference: str) -> DebtorRecord | None:
        item = self.client.get_item(TableName=self.table_name, Key=self._debtor_key(tenant_id, reference),
                                    ConsistentRead=True).get("Item")
        return attrs_to_model(DebtorRecord, item) if item else None

    def add_debtor(self, record: DebtorRecord) -> bool:
        try:
            self.client.put_item(TableName=self.table_name, Item=self._debtor_item(record),
                                 ConditionExpression="attribute_not_exists(pk)")
        except Exception as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def save_debtor(self, record: DebtorRecord, *, expected_version: int) -> DebtorRecord:
        saved = record.model_copy(update={"version": expected_version + 1})
        try:
            self.client.put_item(TableName=self.table_name, Item=self._debtor_item(saved),
                                 ConditionExpression="#version = :expected",
                                 ExpressionAttributeNames={"#version": "version"},
                                 ExpressionAttributeValues={":expected": {"N": str(expected_version)}})
        except Exception as error:
            if _conditional_failure(error):
                raise ConcurrentModificationError("the debtor was changed by someone else") from error
            raise
        return saved

    def delete_debtor(self, tenant_id: str, reference: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key=self._debtor_key(tenant_id, reference))

    def list_debtors(self, tenant_id: str, limit: int = 50,
                     next_token: str | None = None) -> tuple[list[DebtorRecord], str | None]:
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
        condition = "pk = :pk AND begins_with(sk, :prefix)"
        values: dict[str, Any] = {":pk": {"S": keys.debtors_pk(tenant_id)}, ":prefix": {"S": keys.DEBTOR_PREFIX}}
        if next_token is not None:
            values[":after"] = {"S": self._read_page_token(next_token, tenant_id, DEBTORS_LISTING)}
            condition = "pk = :pk AND sk > :after"
        # One more than asked, as the claims' listing: a full last page has no token.
        items = list(self._query(KeyConditionExpression=condition, ExpressionAttributeValues=values,
                                 max_items=limit + 1))
        token = None
        if len(items) > limit:
            items = items[:limit]
            token = self._page_token(tenant_id, DEBTORS_LISTING, items[-1]["sk"]["S"])
        return [attrs_to_model(DebtorRecord, item) for item in items], token
