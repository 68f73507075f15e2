"""The report's claims as CSV, safe to open in a spreadsheet.

A debtor's name or an invoice number comes from the tenant's own data (a CSV import, an API call):
a cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be read by a
spreadsheet as a formula (CSV/formula injection, OWASP). Such a cell is written with a leading ``'``,
which spreadsheets show as text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import Any

from incasso_cli.reporting.portfolio import amounts_of, claim_field, dutch_day, timeline_of

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = (
    "claim_id", "invoice_number", "debtor_name", "debtor_type", "language", "invoice_date", "due_date",
    "days_past_due", "status", "stage", "principal", "interest", "collection_costs", "collection_costs_vat",
    "paid", "outstanding", "last_event", "last_event_on",
)


def escape_cell(value: Any) -> str:
    """The cell's text, prefixed with ``'`` when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def claim_row(claim: Any, as_of: dt.date) -> dict[str, str]:
    debtor = claim_field(claim, "debtor")
    debtor = debtor if isinstance(debtor, dict) else debtor.model_dump(mode="json")
    due = claim_field(claim, "due_date")
    due = dt.date.fromisoformat(due) if isinstance(due, str) else due
    invoice_date = claim_field(claim, "invoice_date")
    amounts = amounts_of(claim)
    events = timeline_of(claim)
    last = events[-1] if events else {}
    row = {
        "claim_id": claim_field(claim, "claim_id"),
        "invoice_number": claim_field(claim, "invoice_number"),
        "debtor_name": debtor.get("name"),
        "debtor_type": debtor.get("type"),
        "language": debtor.get("language"),
        "invoice_date": str(invoice_date),
        "due_date": due.isoformat(),
        "days_past_due": max((as_of - due).days, 0),
        "status": claim_field(claim, "status"),
        "stage": claim_field(claim, "stage"),
        **{name: f"{amounts[name]:.2f}" for name in ("principal", "interest", "collection_costs",
                                                     "collection_costs_vat", "paid", "outstanding")},
        "last_event": last.get("type", ""),
        "last_event_on": dutch_day(last["at"]).isoformat() if last else "",
    }
    return {column: escape_cell(row[column]) for column in COLUMNS}


def claims_csv(claims: Iterable[Any], as_of: dt.date) -> str:
    """One row per claim (header first), every cell escaped; ``\\r\\n`` line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for claim in claims:
        writer.writerow(claim_row(claim, as_of))
    return buffer.getvalue()
