"""Claim arithmetic on the append-only ledger: the account replayed, and the entries that book it.

What a claim owes is never kept as a running total that a late entry could skew: ``settle`` replays
the whole account from the ledger's facts (the principal, the costs charged, the payments on their
value dates) with ``incasso.law.replay`` and appends the entries that bring the books in line —
interest up to a day, a correction where a payment dated in the past changes the interest, a
reversal of costs that turn out not to be owed, a write-off, a re-allocation of earlier payments.
Entries are never edited. Each entry's key is an idempotency key (claim + step): booking twice is
refused by the store, so nothing is ever charged twice.

The rules applied here (the sources in ``docs/law.md``):
- art. 6:96 lid 6 BW, HR 25-11-2016 (ECLI:NL:HR:2016:2704): a debtor who pays the 14-day letter's
  total within its term owes no collection costs; the interest after the letter's date is written
  off. Paid in part within the term: the costs over the principal still unpaid at its end
  (HR 2016, see domain-facts §1), never more than the letter announced.
- art. 3:308 BW: interest older than five years (without an interruption) is not charged.
- A kept payment arrangement: no interest while it is kept (the instalments are the agreed amount).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Callable, Sequence

from incasso.domain.models import (
    Allocation,
    Amounts,
    Claim,
    DebtorType,
    InterestFreePeriod,
    LedgerEntry,
    LedgerKind,
    Policy,
)
from incasso.domain.limitation import interest_barred_before
from incasso.law.interest import interest_kind_for, rate_warnings
from incasso.law.replay import Account, Charge, InterestFree, Payment, replay
from incasso.law.wik import compute_collection_costs
from incasso.money import ZERO

ONE_DAY = dt.timedelta(days=1)
COST_KINDS = (LedgerKind.COLLECTION_COSTS, LedgerKind.COLLECTION_COSTS_VAT)
PAID_IN_TERM = "the letter's total was paid within its term (art. 6:96 lid 6 BW)"


class PaymentExceedsClaimError(ValueError):
    """A payment that is more than everything the claim owed on its value date (or that makes a later
    payment so, when it is dated before it)."""

    def __init__(self, excess: Decimal, outstanding: Decimal) -> None:
        self.excess = excess
        self.outstanding = outstanding
        super().__init__(f"the payment is {excess} more than the {outstanding} owed")


def recompute(claim: Claim, **changes) -> Claim:
    """A copy of ``claim`` with ``changes`` and its amounts brought in line with its buckets."""
    updated = claim.model_copy(update=changes)
    amounts = updated.amounts
    paid = updated.paid_costs + updated.paid_interest + updated.paid_principal
    outstanding = amounts.principal + amounts.interest + amounts.collection_costs + amounts.collection_costs_vat - paid
    return updated.model_copy(update={"amounts": amounts.model_copy(update={"paid": paid, "outstanding": outstanding})})


def open_claim_amounts(principal: Decimal) -> Amounts:
    return Amounts(principal=principal, outstanding=principal)


# --------------------------------------------------------------------------- facts from the ledger


def payments_of(ledger: Sequence[LedgerEntry]) -> list[Payment]:
    return [Payment(key=entry.key, on=entry.effective_on, amount=entry.amount)
            for entry in ledger if entry.kind is LedgerKind.PAYMENT]


def charges_of(ledger: Sequence[LedgerEntry]) -> list[Charge]:
    return [Charge(on=entry.effective_on, amount=entry.amount) for entry in ledger if entry.kind in COST_KINDS]


def _sum(ledger: Sequence[LedgerEntry], kind: LedgerKind) -> Decimal:
    return sum((entry.amount for entry in ledger if entry.kind is kind), ZERO)


def agreed_rate(claim: Claim, policy: Policy) -> Decimal | None:
    """The agreed yearly rate that replaces the statutory one where higher (art. 6:119 lid 3 BW): the
    claim's own agreement, else the tenant's general terms — for business debtors only. A consumer always
    gets the statutory rate (docs/law.md: an agreed rate in general terms may be an unfair term, art.
    6:233 BW, and the engine cannot check each consumer's agreement)."""
    if claim.debtor.type is not DebtorType.BUSINESS:
        return None
    return claim.agreed_interest_rate if claim.agreed_interest_rate is not None else policy.contractual_interest_rate


# --------------------------------------------------------------------------- the 14-day term


@dataclass(frozen=True)
class TermOutcome:
    """What the payments dated within the letter's term did to the costs it announced."""

    paid_in_time: bool  # the letter's total was paid within the term: no costs, no interest after it
    unpaid_principal: Decimal  # the principal still unpaid when the term ended: the costs' basis
    costs: Decimal  # the costs owed (never more than announced)
    vat: Decimal


def term_outcome(claim: Claim, ledger: Sequence[LedgerEntry], policy: Policy) -> TermOutcome | None:
    """The costs owed after the letter's term, from the payments dated within it (whenever recorded).

    Within the term the debtor is held to what the letter demanded: payments count against the
    interest up to the letter's date and then the principal, and interest after the letter's date is
    not put ahead of the principal (docs/law.md, "Payments within the term"). None: no term, or the
    fixed EUR 40 of art. 6:96 lid 4 BW, which is owed whatever the term.
    """
    notice = claim.notice
    if notice is None or notice.flat_fee:
        return None
    frozen = [*_interest_free(claim), InterestFree(notice.sent_on + ONE_DAY, notice.ends_on, "term")]
    at_end = replay(claim.collected_principal, due_date=claim.due_date, as_of=notice.ends_on,
                    kind=interest_kind_for(claim.debtor.type), payments=payments_of(ledger),
                    interest_free=frozen, contractual_rate=agreed_rate(claim, policy))
    unpaid = at_end.open_principal
    if unpaid <= 0 and at_end.open_interest <= 0:
        return TermOutcome(paid_in_time=True, unpaid_principal=ZERO, costs=ZERO, vat=ZERO)
    unpaid = max(unpaid, ZERO)
    if unpaid <= 0:  # only interest of before the letter left unpaid: no principal to charge costs over
        return TermOutcome(paid_in_time=False, unpaid_principal=ZERO, costs=ZERO, vat=ZERO)
    costs = compute_collection_costs([unpaid], debtor_type=claim.debtor.type,
                                     creditor_vat_deductible=not policy.vat_uplift,
                                     agreed=claim.agreed_collection_costs if notice.agreed else None)
    return TermOutcome(paid_in_time=False, unpaid_principal=unpaid,
                       costs=min(costs.costs, notice.costs), vat=min(costs.vat, notice.vat))


# --------------------------------------------------------------------------- interest-free days


def _interest_free(claim: Claim) -> list[InterestFree]:
    return [InterestFree(period.start, period.end, period.reason) for period in claim.interest_free]


def interest_free_days(claim: Claim, outcome: TermOutcome | None) -> list[InterestFree]:
    """The claim's interest-free periods and the write-off after a letter paid in time."""
    periods = _interest_free(claim)
    if outcome is not None and outcome.paid_in_time:
        assert claim.notice is not None
        periods.append(InterestFree(claim.notice.sent_on + ONE_DAY, None, PAID_IN_TERM))
    return periods


def without_time_barred_interest(claim: Claim, account: Account, replay_until: Callable[[dt.date], Account]) -> Account:
    """art. 3:308 BW: interest of the days whose five years have run (without an interruption) is not
    charged — as far as it is still unpaid. Interest paid is not undone (paying a time-barred debt is
    no undue payment, art. 6:3 lid 2 BW), and payments go to the oldest interest first (art. 6:44)."""
    barred_before = interest_barred_before(claim, account.as_of)
    if barred_before is None:
        return account
    accrued_then = replay_until(barred_before - ONE_DAY).interest
    barred = max(accrued_then - account.paid_interest, ZERO)
    return replace(account, interest=account.interest - barred) if barred else account


# --------------------------------------------------------------------------- settling the account


@dataclass(frozen=True)
class Settlement:
    account: Account
    term: TermOutcome | None
    allocations: dict[str, Allocation]


def account_of(claim: Claim, ledger: Sequence[LedgerEntry], policy: Policy, as_of: dt.date,
               *, waive: bool = True) -> tuple[Account, TermOutcome | None]:
    outcome = term_outcome(claim, ledger, policy)
    periods = interest_free_days(claim, outcome)
    if not waive:
        periods = [period for period in periods if period.reason != PAID_IN_TERM]

    def replay_until(day: dt.date) -> Account:
        return replay(claim.collected_principal, due_date=claim.due_date, as_of=day,
                      kind=interest_kind_for(claim.debtor.type), payments=payments_of(ledger),
                      charges=charges_of(ledger), interest_free=periods,
                      contractual_rate=agreed_rate(claim, policy))

    return without_time_barred_interest(claim, replay_until(as_of), replay_until), outcome


def settle(
    claim: Claim,
    ledger: Sequence[LedgerEntry],
    policy: Policy,
    *,
    as_of: dt.date,
    key: str,
    at: dt.datetime,
    new: Sequence[LedgerEntry] = (),
    why: str = "",
) -> tuple[Claim, list[LedgerEntry], Settlement]:
    """The claim with its account replayed up to ``as_of`` (``new`` entries included), and the
    entries to append so that the ledger adds up to it. ``key`` prefixes the entries' keys.

    Raises ``PaymentExceedsClaimError`` when a payment (new, or an earlier one a new payment dated
    before it pushes out) is more than was owed on its value date.
    """
    entries = [*ledger, *new]
    out: list[LedgerEntry] = list(new)
    outcome = term_outcome(claim, entries, policy)
    # Costs that turn out not to be owed are reversed from the day they were charged (never edited).
    if outcome is not None:
        for kind, target in ((LedgerKind.COLLECTION_COSTS, outcome.costs), (LedgerKind.COLLECTION_COSTS_VAT, outcome.vat)):
            charged = [entry for entry in entries if entry.kind is kind]
            booked = sum((entry.amount for entry in charged), ZERO)
            if charged and booked > target:
                suffix = "#vat" if kind is LedgerKind.COLLECTION_COSTS_VAT else ""
                reason = PAID_IN_TERM if outcome.paid_in_time else \
                    f"costs over the {outcome.unpaid_principal} unpaid when the term ended (HR 2016)"
                reversal = LedgerEntry(key=f"{key}#costs-reversed{suffix}", kind=kind, amount=target - booked,
                                       booked_at=at, value_date=min(entry.effective_on for entry in charged),
                                       note=f"reversed: {reason}{'; ' + why if why else ''}")
                out.append(reversal)
                entries.append(reversal)

    account, _ = account_of(claim, entries, policy, as_of)
    if account.excess:
        raise PaymentExceedsClaimError(sum(account.excess.values(), ZERO), account.outstanding)
    gross = account.interest
    if outcome is not None and outcome.paid_in_time:
        # What would have run up to the term's end without the write-off (nothing runs after it).
        assert claim.notice is not None
        gross = account_of(claim, entries, policy, min(as_of, claim.notice.ends_on), waive=False)[0].interest

    interest_delta = gross - _sum(entries, LedgerKind.INTEREST)
    if interest_delta:
        note = f"interest up to {as_of}" if interest_delta > 0 else f"interest corrected up to {as_of}"
        out.append(LedgerEntry(key=f"{key}#interest", kind=LedgerKind.INTEREST, amount=interest_delta, booked_at=at,
                               note=f"{note}{': ' + why if why else ''}"))
    write_off_delta = (gross - account.interest) - _sum(entries, LedgerKind.WRITE_OFF)
    if write_off_delta:
        out.append(LedgerEntry(key=f"{key}#write-off", kind=LedgerKind.WRITE_OFF, amount=write_off_delta, booked_at=at,
                               note=f"interest after the letter's date written off: {PAID_IN_TERM}"))

    new_keys = {entry.key for entry in new if entry.kind is LedgerKind.PAYMENT}
    fresh = {k: account.allocations[k] for k in new_keys if k in account.allocations}
    before = Allocation(
        costs=claim.paid_costs + sum((a.costs for a in fresh.values()), ZERO),
        interest=claim.paid_interest + sum((a.interest for a in fresh.values()), ZERO),
        principal=claim.paid_principal + sum((a.principal for a in fresh.values()), ZERO),
    )
    moved = Allocation(costs=account.paid_costs - before.costs, interest=account.paid_interest - before.interest,
                       principal=account.paid_principal - before.principal)
    if moved.costs or moved.interest or moved.principal:
        out.append(LedgerEntry(key=f"{key}#reallocated", kind=LedgerKind.REALLOCATION, amount=ZERO, booked_at=at,
                               allocation=moved, note="earlier payments allocated anew (art. 6:44 BW)"
                               f"{': ' + why if why else ''}"))
    out = [entry.model_copy(update={"allocation": fresh[entry.key]}) if entry.key in fresh else entry for entry in out]

    costs = _sum(entries, LedgerKind.COLLECTION_COSTS)
    vat = _sum(entries, LedgerKind.COLLECTION_COSTS_VAT)
    amounts = claim.amounts.model_copy(update={"interest": account.interest, "collection_costs": costs,
                                               "collection_costs_vat": vat})
    updated = recompute(claim, amounts=amounts, paid_costs=account.paid_costs, paid_interest=account.paid_interest,
                        paid_principal=account.paid_principal, interest_until=max(as_of, claim.interest_until or as_of),
                        warnings=rate_warnings(account.segments))
    return updated, out, Settlement(account=account, term=outcome, allocations=fresh)


def book_costs(
    claim: Claim, *, costs: Decimal, vat: Decimal, key: str, at: dt.datetime, note: str,
    value_date: dt.date | None = None,
) -> tuple[Claim, list[LedgerEntry]]:
    entries = [LedgerEntry(key=key, kind=LedgerKind.COLLECTION_COSTS, amount=costs, booked_at=at, note=note,
                           value_date=value_date)]
    if vat > 0:
        entries.append(LedgerEntry(key=f"{key}#vat", kind=LedgerKind.COLLECTION_COSTS_VAT, amount=vat,
                                   booked_at=at, value_date=value_date,
                                   note="VAT on collection costs (art. 2(3) Besluit BIK)"))
    amounts = claim.amounts.model_copy(update={
        "collection_costs": claim.amounts.collection_costs + costs,
        "collection_costs_vat": claim.amounts.collection_costs_vat + vat,
    })
    return recompute(claim, amounts=amounts), entries


def close_interest_free(claim: Claim, reason: str, end: dt.date) -> list[InterestFreePeriod]:
    """The claim's interest-free periods with the open one for ``reason`` ended on ``end``."""
    return [period.model_copy(update={"end": end}) if period.reason == reason and period.end is None else period
            for period in claim.interest_free]


def payoff_on(claim: Claim, ledger: Sequence[LedgerEntry], policy: Policy, paid_on: dt.date, *,
              at: dt.datetime) -> Decimal:
    """The payment dated ``paid_on`` that settles the claim exactly: interest up to that day, and any
    costs a payment within a letter's term would avoid left out (what ``settle`` would accept)."""
    owed = account_of(claim, ledger, policy, paid_on)[0].outstanding
    as_of = max(paid_on, claim.interest_until or paid_on)
    for _ in range(3):  # a payment within the term also reverses costs: then less is owed
        if owed <= 0:
            return ZERO
        probe = LedgerEntry(key="payoff#probe", kind=LedgerKind.PAYMENT, amount=owed, booked_at=at, value_date=paid_on)
        try:
            settle(claim, ledger, policy, as_of=as_of, key="payoff", at=at, new=[probe])
            return owed
        except PaymentExceedsClaimError as exc:
            owed -= exc.excess
    return owed
