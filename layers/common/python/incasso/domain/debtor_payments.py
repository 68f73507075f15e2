"""A payment that names the debtor but not the invoice (art. 6:43 BW; docs/law.md, "Payments"):

- lid 1: the debtor may say which invoice it pays; a payment that names the invoice is booked on it;
- lid 2: without that, the payment goes first to the invoices that are due (opeisbaar), and among
  those to the most burdensome, then the oldest; equal ones share in proportion. Within each invoice
  costs, then interest, then principal (art. 6:44 BW), as for any payment.

"Most burdensome" is not ranked by the engine (⚠️ docs/law.md): between due invoices age decides,
which is also what the letters announce ("the oldest first"). An invoice in dispute is left out: a
debtor who disputes it does not mean to pay it. What exceeds everything owed is not allocated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Sequence

from incasso.money import ZERO

CENT = Decimal("0.01")


@dataclass(frozen=True)
class OpenInvoice:
    """One of the debtor's open claims as a payment on ``paid_on`` finds it."""

    claim_id: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date
    owed: Decimal  # what settles it on the payment's date


@dataclass(frozen=True)
class DebtorAllocation:
    parts: tuple[tuple[str, Decimal], ...]  # (claim id, amount), in the order they were served
    unallocated: Decimal  # more than everything owed


def _age(invoice: OpenInvoice) -> tuple:
    return invoice.due_date, invoice.invoice_date


def allocate_over_invoices(amount: Decimal, paid_on: dt.date, invoices: Sequence[OpenInvoice]) -> DebtorAllocation:
    """``amount`` divided over ``invoices`` in the order of art. 6:43 lid 2 BW: due before not yet due,
    the oldest first, equals in proportion to what each is owed (cents down, the rest to the largest)."""
    if amount <= 0:
        raise ValueError("a payment must be more than 0.00")
    due = sorted((i for i in invoices if i.owed > 0 and i.due_date < paid_on), key=_age)
    not_due = sorted((i for i in invoices if i.owed > 0 and i.due_date >= paid_on), key=_age)
    left = amount
    parts: list[tuple[str, Decimal]] = []
    for _, equals in groupby([*due, *not_due], key=lambda i: (i.due_date < paid_on, _age(i))):
        if left <= 0:
            break
        equals = sorted(equals, key=lambda i: i.invoice_number)
        owed = sum((i.owed for i in equals), ZERO)
        if left >= owed:
            parts += [(i.claim_id, i.owed) for i in equals]
            left -= owed
            continue
        # Equal in age and burden: in proportion ("naar evenredigheid"), never more than each is owed.
        shares = {i.claim_id: (left * i.owed / owed).quantize(CENT, rounding="ROUND_DOWN") for i in equals}
        largest = max(equals, key=lambda i: (i.owed, i.invoice_number))
        shares[largest.claim_id] += left - sum(shares.values(), ZERO)
        parts += [(i.claim_id, shares[i.claim_id]) for i in equals if shares[i.claim_id] > 0]
        left = ZERO
    return DebtorAllocation(parts=tuple(parts), unallocated=left)
