"""What a claim must satisfy before the engine takes it: dates it can compute with.

A date the engine cannot compute with is refused at intake (a 422 naming the field, a CSV row error,
exit 2 on the CLI), never a failure on a later read: the invoice and due date must lie within the
statutory interest table (``data/interest_rates.json``), the invoice date not in the future, the
due date not before the invoice date nor implausibly far ahead.
"""

from __future__ import annotations

import datetime as dt

from incasso.domain.models import DebtorType
from incasso.law.interest import default_rate_table, interest_kind_for

# An invoice is handed over once it is due or about to be; a due date further ahead is a typing error.
MAX_DAYS_DUE_AHEAD = 366


def first_computable_day(debtor_type: DebtorType | str) -> dt.date:
    """The first day the interest table knows the rate for this kind of debtor."""
    return default_rate_table().first_day(interest_kind_for(debtor_type))


def invoice_date_problem(invoice_date: dt.date, *, debtor_type: DebtorType | str | None, today: dt.date) -> str | None:
    if invoice_date > today:
        return f"the invoice date {invoice_date.isoformat()} lies in the future"
    kinds = [DebtorType(debtor_type)] if debtor_type is not None else list(DebtorType)
    first = min(first_computable_day(kind) for kind in kinds)  # without a (valid) debtor: the earliest
    if invoice_date < first:
        whom = f"a {kinds[0].value} debtor" if len(kinds) == 1 else "any debtor"
        return (f"the invoice date {invoice_date.isoformat()} is before {first.isoformat()}, the first day "
                f"the statutory interest table covers for {whom}")
    return None


def due_date_problem(due_date: dt.date, *, invoice_date: dt.date | None, today: dt.date) -> str | None:
    if invoice_date is not None and due_date < invoice_date:
        return f"the due date {due_date.isoformat()} is before the invoice date {invoice_date.isoformat()}"
    if due_date > today + dt.timedelta(days=MAX_DAYS_DUE_AHEAD):
        return f"the due date {due_date.isoformat()} is more than a year ahead"
    return None
