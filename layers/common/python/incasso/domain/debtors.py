"""One debtor of one tenant: the claims that share the creditor's customer number (``debtor.reference``).

- ``DebtorRecord``: the debtor's details as the tenant last gave them (type, language, name, contact). The
  first claim with a reference creates it; later claims must agree on the type and the language (a
  consumer is not a business on another invoice, and one debtor gets letters in one language), else they
  are refused naming the conflict (``debtor_conflicts``). The tenant changes the details explicitly
  (``PATCH /v1/debtors/{reference}``), never a claim by the way.
- ``PaymentBehaviour``: how the debtor paid at this tenant, from that tenant's claims alone: days late of
  each paid claim, the stage it had reached, broken arrangements, disputes, what is open. The credit
  check (``incasso.domain.credit``) reads nothing else.

Pure: no AWS, no clock; the caller hands in the claims with their timeline and ledger.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pydantic import Field

from incasso.domain.base import Model
from incasso.domain.models import (
    Address,
    Claim,
    ClaimStatus,
    Debtor,
    DebtorType,
    Language,
    LedgerEntry,
    LedgerKind,
    Stage,
    TimelineEvent,
)
from incasso.domain.text import Text
from incasso.money import ZERO, Money

REFERENCE_MAX = 64  # as Debtor.reference
# The details of a debtor that one reference must not mix (the brief of issue 18: "never silently mixed").
CONFLICTING_FIELDS = ("type", "language")
# Timeline events that count in the payment behaviour.
STEP_TAKEN = "step_taken"
ARRANGEMENT_BROKEN = "arrangement_broken"
DISPUTE_OPENED = "dispute_opened"
_STAGE_ORDER = {stage: position for position, stage in enumerate(Stage)}


# PATCH /v1/debtors/{reference}'s body: here, not in the service, so the API's routes name it without
# loading the service at init (cold start). The docstring is the OpenAPI description.
class DebtorUpdate(Model):
    """The details of a debtor the tenant may change; only what is sent changes."""

    name: Text | None = Field(default=None, min_length=1, max_length=200)
    type: DebtorType | None = None
    language: Language | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()\-]{6,32}$")
    address: Address | None = None


class DebtorRecord(Model):
    """The per-debtor record: the details every claim of this reference must agree with."""

    tenant_id: str
    reference: str = Field(min_length=1, max_length=REFERENCE_MAX)
    debtor: Debtor
    version: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime


def debtor_conflicts(known: Debtor, new: Debtor) -> list[dict[str, str]]:
    """The details in which ``new`` differs from the debtor as known, as error details naming each field;
    empty when a claim with ``new`` may join the debtor."""
    problems = []
    for name in CONFLICTING_FIELDS:
        was, given = getattr(known, name), getattr(new, name)
        if was != given:
            problems.append({"field": f"debtor.{name}", "message": (
                f"debtor {new.reference} is known with {name} {was.value}, this claim says {given.value}; "
                f"change the debtor explicitly with PATCH /v1/debtors/{new.reference} first")})
    return problems


def matching_reference(debtor: Debtor, record: DebtorRecord) -> Debtor:
    """``debtor`` as the record says, keeping this claim's own reference."""
    return record.debtor.model_copy(update={"reference": debtor.reference})


# -- the payment behaviour ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimHistory:
    """A claim with what the behaviour is read from."""

    claim: Claim
    timeline: Sequence[TimelineEvent] = ()
    ledger: Sequence[LedgerEntry] = ()


class PaidClaim(Model):
    claim_id: str
    invoice_number: str
    due_date: dt.date
    paid_on: dt.date = Field(description="the value date of the payment that settled it (art. 6:114 lid 2 BW)")
    days_late: int = Field(description="paid date minus due date; 0 when paid on or before the due date")
    stage_reached: Stage = Field(description="the furthest step of the trajectory it went through")


class PaymentBehaviour(Model):
    """How one debtor paid at one tenant."""

    claims: int
    open_claims: int
    paid_claims: list[PaidClaim]
    average_days_late: Decimal | None = Field(description="of the paid claims, one decimal; None: none paid yet")
    broken_arrangements: int
    disputes: int
    uncollectible_claims: int
    overdue_open_claims: int = Field(description="open claims past their due date")
    furthest_open_stage: Stage = Field(description="the furthest step any open claim has reached")
    open_amount: Money


def stage_reached(timeline: Sequence[TimelineEvent], fallback: Stage = Stage.NONE) -> Stage:
    """The furthest trajectory step on the timeline (``step_taken`` events), else ``fallback``."""
    reached = fallback
    for event in timeline:
        if event.type != STEP_TAKEN:
            continue
        try:
            step = Stage(event.details.get("step"))
        except ValueError:
            continue
        if _STAGE_ORDER[step] > _STAGE_ORDER[reached]:
            reached = step
    return reached


def paid_on(claim: Claim, ledger: Sequence[LedgerEntry]) -> dt.date:
    """The day the claim was settled: the latest value date of its payments (the money reached the
    creditor, art. 6:114 lid 2 BW); a claim closed paid without a payment entry: the day it closed."""
    days = [entry.effective_on for entry in ledger if entry.kind is LedgerKind.PAYMENT and entry.amount > 0]
    return max(days) if days else claim.updated_at.date()


def payment_behaviour(histories: Sequence[ClaimHistory], *, today: dt.date) -> PaymentBehaviour:
    """The record of one debtor at one tenant, from that tenant's claims of that debtor."""
    paid: list[PaidClaim] = []
    broken = disputes = uncollectible = overdue = 0
    open_claims = 0
    open_amount = ZERO
    furthest_open = Stage.NONE
    for history in histories:
        claim = history.claim
        broken += sum(1 for event in history.timeline if event.type == ARRANGEMENT_BROKEN)
        disputes += sum(1 for event in history.timeline if event.type == DISPUTE_OPENED)
        if claim.status is ClaimStatus.PAID:
            settled_on = paid_on(claim, history.ledger)
            paid.append(PaidClaim(claim_id=claim.claim_id, invoice_number=claim.invoice_number,
                                  due_date=claim.due_date, paid_on=settled_on,
                                  days_late=max(0, (settled_on - claim.due_date).days),
                                  stage_reached=stage_reached(history.timeline)))
        elif claim.status is ClaimStatus.UNCOLLECTIBLE:
            uncollectible += 1
        elif not claim.is_closed:
            open_claims += 1
            open_amount += claim.amounts.outstanding
            overdue += 1 if claim.due_date < today else 0
            reached = stage_reached(history.timeline, claim.stage if claim.stage in _STAGE_ORDER else Stage.NONE)
            if _STAGE_ORDER[reached] > _STAGE_ORDER[furthest_open]:
                furthest_open = reached
    average = None
    if paid:
        average = (Decimal(sum(p.days_late for p in paid)) / len(paid)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return PaymentBehaviour(claims=len(histories), open_claims=open_claims, paid_claims=paid,
                            average_days_late=average, broken_arrangements=broken, disputes=disputes,
                            uncollectible_claims=uncollectible, overdue_open_claims=overdue,
                            furthest_open_stage=furthest_open, open_amount=open_amount)


def stage_rank(stage: Stage) -> int:
    """The place of ``stage`` in the trajectory (``Stage``'s order)."""
    return _STAGE_ORDER[stage]
