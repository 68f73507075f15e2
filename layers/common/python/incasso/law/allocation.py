"""Which part of a claim a payment pays off: art. 6:44 lid 1 BW.

"Een betaling strekt in de eerste plaats in mindering van de kosten, vervolgens in mindering van de
verschenen rente en ten slotte in mindering van de hoofdsom en de lopende rente." The debtor cannot
choose otherwise (HR 10-07-2015, ECLI:NL:HR:2015:1868). Costs include the VAT on them.
"""

from __future__ import annotations

from decimal import Decimal

from incasso.domain.models import Allocation
from incasso.law import _checks as checks
from incasso.money import ZERO


class OverpaymentError(ValueError):
    """A payment larger than everything that is open on the claim."""

    def __init__(self, payment: Decimal, open_total: Decimal) -> None:
        self.payment = payment
        self.open_total = open_total
        self.excess = payment - open_total
        super().__init__(f"payment {payment} exceeds the open amount {open_total} by {self.excess}")


def allocate(payment: Decimal, *, costs_open: Decimal, interest_open: Decimal, principal_open: Decimal) -> Allocation:
    """Split ``payment`` over costs (incl. VAT), then interest, then principal (art. 6:44 BW).

    Raises ``ValueError`` for a payment of zero or less and ``OverpaymentError`` for a payment above
    the total open; the caller decides what happens to such money (refund, 422).
    """
    payment = checks.amount("payment", payment)
    if payment <= 0:
        raise ValueError(f"a payment must be positive: {payment}")
    buckets = []
    for name, value in (("costs_open", costs_open), ("interest_open", interest_open), ("principal_open", principal_open)):
        value = checks.amount(name, value)
        if value < 0:
            raise ValueError(f"{name} cannot be negative: {value}")
        buckets.append(value)
    open_total = sum(buckets, ZERO)
    if payment > open_total:
        raise OverpaymentError(payment, open_total)

    parts = []
    remaining = payment
    for bucket in buckets:  # art. 6:44 lid 1 BW — costs, then interest, then principal
        part = min(remaining, bucket)
        parts.append(part)
        remaining -= part
    costs, interest, principal = parts
    return Allocation(costs=costs, interest=interest, principal=principal)
