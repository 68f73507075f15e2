"""Claim arithmetic on the append-only ledger: booking interest and costs, applying payments.

Pure functions: each returns the new claim (version unchanged; the store bumps it) and the ledger
entry to append. The entry's key is the idempotency key (claim + step): booking twice is refused by
the store, so no cost is ever charged twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import Allocation, Amounts, Claim, LedgerEntry, LedgerKind, Policy
from incasso.law.allocation import allocate
from incasso.law.interest import compute_interest, interest_kind_for
from incasso.money import ZERO


def recompute(claim: Claim, **changes) -> Claim:
    """A copy of ``claim`` with ``changes`` and its amounts brought in line with its buckets."""
    updated = claim.model_copy(update=changes)
    amounts = updated.amounts
    paid = updated.paid_costs + updated.paid_interest + updated.paid_principal
    outstanding = amounts.principal + amounts.interest + amounts.collection_costs + amounts.collection_costs_vat - paid
    return updated.model_copy(update={"amounts": amounts.model_copy(update={"paid": paid, "outstanding": outstanding})})


def open_claim_amounts(principal: Decimal) -> Amounts:
    return Amounts(principal=principal, outstanding=principal)


def principal_reductions(ledger: list[LedgerEntry]) -> list[tuple[dt.date, Decimal]]:
    """Payments allocated to principal, as (day, signed change of the interest base)."""
    return [
        (entry.booked_at.date(), -entry.allocation.principal)
        for entry in ledger
        if entry.kind is LedgerKind.PAYMENT and entry.allocation is not None and entry.allocation.principal > 0
    ]


def interest_accrued(claim: Claim, ledger: list[LedgerEntry], policy: Policy, as_of: dt.date) -> Decimal:
    """Statutory (or contractual) interest from the day after the due date up to ``as_of``."""
    if as_of <= claim.due_date:
        return ZERO
    result = compute_interest(
        claim.principal,
        due_date=claim.due_date,
        as_of=as_of,
        kind=interest_kind_for(claim.debtor.type),
        contractual_rate=policy.contractual_interest_rate,
        principal_changes=principal_reductions(ledger),
    )
    return result.interest


def book_interest(
    claim: Claim, ledger: list[LedgerEntry], policy: Policy, *, as_of: dt.date, key: str, at: dt.datetime
) -> tuple[Claim, LedgerEntry | None]:
    """Book the interest accrued up to ``as_of`` that is not booked yet (nothing once fully paid)."""
    if claim.amounts.outstanding <= 0:
        return claim, None
    accrued = interest_accrued(claim, ledger, policy, as_of)
    delta = accrued - claim.amounts.interest
    if delta <= 0:
        return claim, None
    entry = LedgerEntry(key=key, kind=LedgerKind.INTEREST, amount=delta, booked_at=at, note=f"interest up to {as_of}")
    updated = recompute(claim, interest_until=as_of,
                        amounts=claim.amounts.model_copy(update={"interest": claim.amounts.interest + delta}))
    return updated, entry


def book_costs(
    claim: Claim, *, costs: Decimal, vat: Decimal, key: str, at: dt.datetime, note: str
) -> tuple[Claim, list[LedgerEntry]]:
    entries = [LedgerEntry(key=key, kind=LedgerKind.COLLECTION_COSTS, amount=costs, booked_at=at, note=note)]
    if vat > 0:
        entries.append(LedgerEntry(key=f"{key}#vat", kind=LedgerKind.COLLECTION_COSTS_VAT, amount=vat,
                                   booked_at=at, note="VAT on collection costs (art. 2(3) Besluit BIK)"))
    amounts = claim.amounts.model_copy(update={
        "collection_costs": claim.amounts.collection_costs + costs,
        "collection_costs_vat": claim.amounts.collection_costs_vat + vat,
    })
    return recompute(claim, amounts=amounts), entries


def open_buckets(claim: Claim) -> tuple[Decimal, Decimal, Decimal]:
    """What is still open of (costs incl. VAT, interest, principal)."""
    costs = claim.amounts.collection_costs + claim.amounts.collection_costs_vat - claim.paid_costs
    interest = claim.amounts.interest - claim.paid_interest
    principal = claim.amounts.principal - claim.paid_principal
    return costs, interest, principal


def apply_payment(
    claim: Claim, amount: Decimal, *, key: str, at: dt.datetime
) -> tuple[Claim, Allocation, LedgerEntry]:
    """art. 6:44 BW: a payment goes to costs first, then interest, then principal."""
    costs, interest, principal = open_buckets(claim)
    allocation = allocate(amount, costs_open=costs, interest_open=interest, principal_open=principal)
    entry = LedgerEntry(key=key, kind=LedgerKind.PAYMENT, amount=amount, booked_at=at, allocation=allocation)
    updated = recompute(
        claim,
        paid_costs=claim.paid_costs + allocation.costs,
        paid_interest=claim.paid_interest + allocation.interest,
        paid_principal=claim.paid_principal + allocation.principal,
    )
    return updated, allocation, entry
