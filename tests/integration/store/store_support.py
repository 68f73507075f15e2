"""Builders for the claims store's tests: claims, ledger entries and events with exact amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from incasso.adapters import keys
from incasso.domain.models import Amounts, Claim, Debtor, LedgerEntry, LedgerKind, TimelineEvent

REGION = "eu-west-1"
TENANT_A, TENANT_B = "acme", "globex"
NOW = dt.datetime(2025, 3, 10, 9, 30, tzinfo=dt.timezone.utc)
TODAY = dt.date(2025, 3, 10)


def make_claim(tenant_id: str = TENANT_A, claim_id: str = "clm-1", invoice_number: str = "F-1", *,
               minute: int = 0, **fields: Any) -> Claim:
    """A claim created ``minute`` minutes after NOW (so that creation order is known)."""
    at = NOW + dt.timedelta(minutes=minute)
    values: dict[str, Any] = dict(
        tenant_id=tenant_id, claim_id=claim_id, invoice_number=invoice_number,
        debtor=Debtor(name="Jan de Vries", type="consumer", email="jan@example.nl"),
        invoice_date=dt.date(2025, 1, 1), due_date=dt.date(2025, 1, 31), principal=Decimal("425.00"),
        amounts=Amounts(principal=Decimal("425.00"), outstanding=Decimal("425.00")),
        created_at=at, updated_at=at,
    )
    values.update(fields)
    return Claim(**values)


def entry(key: str, amount: str = "40.00", kind: LedgerKind = LedgerKind.COLLECTION_COSTS) -> LedgerEntry:
    return LedgerEntry(key=key, kind=kind, amount=Decimal(amount), booked_at=NOW)


def event(kind: str, minute: int = 1, **details: Any) -> TimelineEvent:
    return TimelineEvent(at=NOW + dt.timedelta(minutes=minute), type=kind, details=details)


class OperationLog:
    """Every DynamoDB operation the store's client sends (botocore's before-call event)."""

    def __init__(self, client: Any) -> None:
        self.operations: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    def clear(self) -> None:
        self.operations.clear()


def claim_id_of_invoice(store: Any, tenant_id: str, invoice_number: str) -> str | None:
    """The claim the tenant's invoice-number guard points at, read from the table; None without a guard."""
    guard = store.client.get_item(
        TableName=store.table_name, ConsistentRead=True,
        Key={"pk": {"S": keys.invoice_pk(tenant_id, invoice_number)}, "sk": {"S": keys.INVOICE_SK}},
    ).get("Item")
    return guard["claim_id"]["S"] if guard else None
