"""A claim's account replayed in the order of value dates: interest, costs and payments together.

What is owed never depends on the day a payment is recorded, only on the day it was made: the
account is computed afresh from the principal, the costs charged (each from the day it became owed)
and the payments (each on its value date), every time. The law it applies:

- art. 6:114 lid 2 BW: a transfer counts as payment on the day the creditor's account is credited,
  the payment's value date, also when it is recorded later.
- art. 6:119 lid 1 / 6:119a lid 1 BW: interest runs from the day after the due date up to and
  including the day the sum is paid; a payment's own day still bears interest on the old base.
- art. 6:44 lid 1 BW: a payment goes to the costs (owed on its day), then to the interest that has
  fallen due, then to the principal (HR 10-07-2015, ECLI:NL:HR:2015:1868: the debtor cannot choose).
  Within the interest, the capitalised interest (the oldest) is paid first.
- art. 6:119 lid 2 / 6:119a lid 3 BW: after each full year of default, the year's interest that is
  still unpaid is added to the base; capitalised interest that is paid later leaves the base again.
- Interest-free periods (``InterestFree``): days on which no interest accrues, e.g. while a payment
  arrangement is kept, after the letter's total was paid within its term, or interest that is
  time-barred (art. 3:308 BW). The caller decides which; this module only leaves those days out.

Rounding and day count are those of ``incasso.law.interest.compute_interest`` (each segment rounded
half up to cents, 1/365 of the yearly rate a day): without payments and interest-free days the two
give the same interest, cent for cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Sequence

from incasso.domain.models import Allocation
from incasso.law import _checks as checks
from incasso.law.interest import (
    DAYS_PER_YEAR,
    InterestKind,
    RateTable,
    Segment,
    add_years,
    default_rate_table,
    rate_span,
)
from incasso.money import ZERO, round_cents

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Payment:
    """A payment of ``amount`` credited to the creditor on ``on`` (its value date)."""

    key: str
    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class Charge:
    """Collection costs (VAT included) owed from ``on``; a negative amount reverses an earlier charge
    from the same day, as if it had never been owed."""

    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class InterestFree:
    """Days ``start`` to ``end`` (inclusive; ``None``: no end) on which no interest accrues."""

    start: dt.date
    end: dt.date | None
    reason: str

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Account:
    """The account of a claim as of ``as_of``: everything owed, everything paid and how."""

    as_of: dt.date
    principal: Decimal
    interest: Decimal  # accrued up to as_of, interest-free days left out
    capitalised: Decimal  # unpaid yearly interest added to the base over the whole period
    costs: Decimal  # collection costs (VAT included) owed on as_of
    paid_costs: Decimal
    paid_interest: Decimal
    paid_principal: Decimal
    allocations: dict[str, Allocation]
    # Payments (by key) that were more than everything owed on their day, and by how much.
    excess: dict[str, Decimal]
    segments: tuple[Segment, ...] = field(default=())

    @property
    def open_costs(self) -> Decimal:
        return self.costs - self.paid_costs

    @property
    def open_interest(self) -> Decimal:
        return self.interest - self.paid_interest

    @property
    def open_principal(self) -> Decimal:
        return self.principal - self.paid_principal

    @property
    def outstanding(self) -> Decimal:
        return self.open_costs + self.open_interest + self.open_principal

    @property
    def paid(self) -> Decimal:
        return self.paid_costs + self.paid_interest + self.paid_principal

    @property
    def verified(self) -> bool:
        """False when any interest was computed with an unverified rate (⚠️ rows of the table)."""
        return all(segment.verified for segment in self.segments)

    def unverified_segments(self) -> list[Segment]:
        return [segment for segment in self.segments if not segment.verified]


def replay(
    principal: Decimal,
    *,
    due_date: dt.date,
    as_of: dt.date,
    kind: InterestKind,
    payments: Sequence[Payment] = (),
    charges: Sequence[Charge] = (),
    interest_free: Sequence[InterestFree] = (),
    contractual_rate: Decimal | None = None,
    rates: RateTable | None = None,
) -> Account:
    """The account of a claim of ``principal`` due on ``due_date``, as of ``as_of`` (inclusive).

    Payments and charges after ``as_of`` are left out. A payment larger than all that was owed on its
    day is allocated as far as it goes; the rest is reported in ``Account.excess`` (the caller
    refuses or refunds it). Raises ``RateNotKnownError`` for a day without a statutory rate.
    """
    principal = checks.amount("principal", principal)
    if principal <= 0:
        raise ValueError(f"principal must be positive: {principal}")
    due_date = checks.date_only("due_date", due_date)
    as_of = checks.date_only("as_of", as_of)
    kind = InterestKind(kind)
    table = rates if rates is not None else default_rate_table()
    ordered_payments = sorted((p for p in payments if p.on <= as_of), key=lambda p: (p.on, p.key))
    ordered_charges = sorted((c for c in charges if c.on <= as_of), key=lambda c: c.on)
    for payment in ordered_payments:
        if checks.amount("payment", payment.amount) <= 0:
            raise ValueError(f"payment {payment.key} must be positive: {payment.amount}")

    state = _State(principal_open=principal)
    allocations: dict[str, Allocation] = {}
    excess: dict[str, Decimal] = {}

    def costs_owed_on(day: dt.date) -> Decimal:
        return sum((c.amount for c in ordered_charges if c.on <= day), ZERO)

    def pay(payment: Payment) -> None:
        allocation, rest = state.allocate(payment.amount, costs_owed_on(payment.on))
        allocations[payment.key] = allocation
        if rest > 0:
            excess[payment.key] = rest

    first_day = due_date + ONE_DAY
    pending = list(ordered_payments)
    while pending and pending[0].on < first_day:  # paid before any interest ran
        pay(pending.pop(0))

    def applicable(day: dt.date) -> tuple[Decimal, bool, dt.date | None]:
        statutory = table.rate_on(day, kind)
        if contractual_rate is not None and contractual_rate > statutory.rate:
            return contractual_rate, True, statutory.next_change  # art. 6:119 lid 3 BW
        return statutory.rate, False, statutory.next_change

    free_bounds = sorted({b for period in interest_free
                          for b in (period.start, (period.end + ONE_DAY) if period.end else None) if b})
    segments: list[Segment] = []
    year_number = 1
    next_anniversary = add_years(first_day, year_number)
    start = first_day
    while start <= as_of:
        boundaries = [as_of + ONE_DAY, next_anniversary, *(b for b in free_bounds if b > start)]
        if pending:
            boundaries.append(pending[0].on + ONE_DAY)  # the base changes the day after a payment
        other_end = min(boundaries)
        is_free = any(period.covers(start) for period in interest_free)
        base = state.base
        if is_free or base <= 0:
            end_exclusive = other_end
        else:
            rate, contractual, end_exclusive = rate_span(applicable, start, other_end)
            end = end_exclusive - ONE_DAY
            days = (end - start).days + 1
            amount = round_cents(base * rate * days / (100 * DAYS_PER_YEAR))
            segments.append(Segment(start, end, days, base, rate, amount,
                                    table.verified_between(start, end), contractual))
            state.accrue(amount)
        last_day = end_exclusive - ONE_DAY
        while pending and pending[0].on <= last_day:
            pay(pending.pop(0))
        start = end_exclusive
        if start == next_anniversary:
            state.capitalise()  # art. 6:119 lid 2 / 6:119a lid 3 BW — only what is still unpaid
            year_number += 1
            next_anniversary = add_years(first_day, year_number)
    while pending:  # payments on days after the interest stopped (base zero) or on as_of itself
        pay(pending.pop(0))

    return Account(
        as_of=as_of,
        principal=principal,
        interest=state.interest,
        capitalised=state.capitalised,
        costs=costs_owed_on(as_of),
        paid_costs=state.paid_costs,
        paid_interest=state.paid_interest,
        paid_principal=state.paid_principal,
        allocations=allocations,
        excess=excess,
        segments=tuple(segments),
    )


@dataclass
class _State:
    principal_open: Decimal
    capitalised_open: Decimal = ZERO  # capitalised interest not yet paid: part of the base
    running_open: Decimal = ZERO  # interest of the current year not yet paid
    interest: Decimal = ZERO
    capitalised: Decimal = ZERO
    paid_costs: Decimal = ZERO
    paid_interest: Decimal = ZERO
    paid_principal: Decimal = ZERO

    @property
    def base(self) -> Decimal:
        return self.principal_open + self.capitalised_open

    def accrue(self, amount: Decimal) -> None:
        self.running_open += amount
        self.interest += amount

    def capitalise(self) -> None:
        self.capitalised_open += self.running_open
        self.capitalised += self.running_open
        self.running_open = ZERO

    def allocate(self, amount: Decimal, costs_owed: Decimal) -> tuple[Allocation, Decimal]:
        """art. 6:44 lid 1 BW: costs, then interest (capitalised first), then principal."""
        rest = amount
        to_costs = min(rest, max(costs_owed - self.paid_costs, ZERO))
        rest -= to_costs
        to_capitalised = min(rest, self.capitalised_open)
        rest -= to_capitalised
        to_running = min(rest, self.running_open)
        rest -= to_running
        to_principal = min(rest, self.principal_open)
        rest -= to_principal
        self.capitalised_open -= to_capitalised
        self.running_open -= to_running
        self.principal_open -= to_principal
        self.paid_costs += to_costs
        self.paid_interest += to_capitalised + to_running
        self.paid_principal += to_principal
        return Allocation(costs=to_costs, interest=to_capitalised + to_running, principal=to_principal), rest
