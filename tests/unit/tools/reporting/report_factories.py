"""Claims as the API returns them (CONTRACT.md §3), for the report's tests."""

from __future__ import annotations

from typing import Any


def event(at: str, type_: str, **details: Any) -> dict[str, Any]:
    return {**details, "at": at, "type": type_}


def api_claim(invoice: str, *, status: str = "open", stage: str = "none", principal: str = "100.00",
              paid: str = "0.00", outstanding: str | None = None, interest: str = "0.00", costs: str = "0.00",
              due: str = "2026-01-01", timeline: list[dict[str, Any]] | None = None,
              name: str = "Jan de Vries", debtor_type: str = "consumer") -> dict[str, Any]:
    owed = outstanding if outstanding is not None else principal
    return {
        "claim_id": f"clm_{invoice}",
        "invoice_number": invoice,
        "debtor": {"name": name, "type": debtor_type, "email": None, "phone": None, "language": "nl", "address": None},
        "currency": "EUR",
        "invoice_date": "2025-12-01",
        "due_date": due,
        "status": status,
        "stage": stage,
        "amounts": {"principal": principal, "interest": interest, "collection_costs": costs,
                    "collection_costs_vat": "0.00", "paid": paid, "outstanding": owed},
        "timeline": timeline if timeline is not None else [event("2026-01-05T08:00:00Z", "claim_created")],
    }


def summary(as_of: str = "2026-01-31", dso: float | None = 42.5, **by_status: int) -> dict[str, Any]:
    statuses = ("open", "in_collection", "paused", "arrangement", "paid", "cancelled", "uncollectible",
                "debt_monitoring", "needs_attention")
    return {
        "as_of": as_of, "claims": sum(by_status.values()), "dso": dso,
        "by_status": {s: {"count": by_status.get(s, 0), "principal": "0.00", "collected": "0.00",
                          "outstanding": "0.00"} for s in statuses},
        "by_stage": {}, "principal": "0.00", "collected": "0.00", "outstanding": "0.00",
    }
