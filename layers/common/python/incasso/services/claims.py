"""What tenants do to claims: create, pay, dispute, arrange, and the bailiff's updates.

Every change is a read -> decide -> conditional write on the claim's version; a conflict (a step of
the state machine wrote in between) re-reads and decides again, so nothing is lost or applied twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from incasso import clock
from incasso.domain.ledger import apply_payment, book_interest, open_claim_amounts, recompute
from incasso.domain.models import (
    Allocation,
    Arrangement,
    Claim,
    ClaimStatus,
    Debtor,
    Instalment,
    Stage,
    Tenant,
    TimelineEvent,
)
from incasso.law.allocation import OverpaymentError
from incasso.money import Money
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError
from incasso.settings import get_settings

MAX_ATTEMPTS = 8  # optimistic-locking retries before giving up (a claim is rarely this busy)


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewClaim(Command):
    invoice_number: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f#]+$")
    debtor: Debtor
    principal: Money
    currency: str = Field(default="EUR", pattern="^EUR$", description="only EUR is supported")
    invoice_date: dt.date
    due_date: dt.date

    @field_validator("principal")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("the principal must be more than 0.00")
        if value > Decimal("100000000.00"):
            raise ValueError("the principal is implausibly large")
        return value

    @model_validator(mode="after")
    def _dates(self) -> "NewClaim":
        if self.due_date < self.invoice_date:
            raise ValueError("due_date is before invoice_date")
        return self


class NewPayment(Command):
    amount: Money
    paid_at: dt.datetime | dt.date

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("a payment must be more than 0.00")
        return value

    @property
    def paid_at_instant(self) -> dt.datetime:
        if isinstance(self.paid_at, dt.datetime):
            return self.paid_at if self.paid_at.tzinfo else self.paid_at.replace(tzinfo=dt.timezone.utc)
        return dt.datetime.combine(self.paid_at, dt.time(0, 0), tzinfo=dt.timezone.utc)


class DisputeOutcome(StrEnum):
    REJECTED = "rejected"
    UPHELD = "upheld"


class BailiffUpdateKind(StrEnum):
    SERVED = "served"
    JUDGMENT = "judgment"
    EXECUTED = "executed"
    UNCOLLECTIBLE = "uncollectible"


class CallOutcome(StrEnum):
    NO_ANSWER = "no_answer"  # try again on the next business day
    PROMISE_TO_PAY = "promise_to_pay"  # escalation holds until the day after the promised date
    DISPUTE = "dispute"  # escalation pauses
    ARRANGEMENT = "arrangement"  # instalments agreed on the phone


MAX_PROMISE_DAYS = 30  # a promise further out is an arrangement, not a promise


class PaymentResult(BaseModel):
    allocation: Allocation
    claim: Claim


def new_claim_id() -> str:
    return f"clm_{uuid.uuid4().hex[:20]}"


class ClaimService:
    def __init__(
        self,
        store: Any,
        *,
        publish: Callable[[str, str, dict], None] | None = None,
        resume: Callable[[str, dict], bool] | None = None,
        notify: Callable[[Tenant, Claim, str, dict], None] | None = None,
    ) -> None:
        self.store = store
        self._publish = publish or (lambda tenant_id, detail_type, detail: None)
        self._resume = resume or (lambda token, output: False)
        self._notify = notify or (lambda tenant, claim, kind, extra: None)

    # -- reading -------------------------------------------------------------------------------
    def tenant(self, tenant_id: str) -> Tenant:
        """The tenant's profile; a tenant seen for the first time (its token is all there is) is
        registered with the default policy and no profile (nothing goes out until it has one), so that the daily sweep, which reads the tenant registry,
        escalates its claims."""
        tenant = self.store.get_tenant(tenant_id, max_age=get_settings().tenant_max_age_seconds)
        if tenant is None:
            tenant = self.store.put_tenant(Tenant(tenant_id=tenant_id)) or Tenant(tenant_id=tenant_id)
        return tenant

    def get(self, tenant_id: str, claim_id: str) -> Claim:
        claim = self.store.get_claim(tenant_id, claim_id)
        if claim is None:
            raise NotFoundError(f"claim {claim_id} not found")
        return claim

    def current(self, tenant_id: str, claim_id: str) -> Claim:
        """The claim as it stands today: interest accrued up to today is included (not booked), so
        that its outstanding amount is what the debtor must pay today to settle it."""
        claim = self.get(tenant_id, claim_id)
        if claim.amounts.outstanding <= 0 or claim.status in (
                ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE, ClaimStatus.ARRANGEMENT):
            return claim  # nothing accrues on a closed claim, nor on one whose arrangement is kept
        tenant = self.tenant(tenant_id)
        today, ledger = clock.today(), self.store.get_ledger(tenant_id, claim_id)
        accrued, _ = book_interest(claim, ledger, tenant.policy, as_of=today, key="view", at=clock.now())
        return accrued

    # -- creating ------------------------------------------------------------------------------
    def build_claim(self, tenant: Tenant, new: NewClaim, *, claim_id: str | None = None) -> Claim:
        at = clock.now()
        return Claim(
            tenant_id=tenant.tenant_id,
            claim_id=claim_id or new_claim_id(),
            invoice_number=new.invoice_number,
            debtor=new.debtor,
            currency=new.currency,
            invoice_date=new.invoice_date,
            due_date=new.due_date,
            principal=new.principal,
            amounts=open_claim_amounts(new.principal),
            status=ClaimStatus.OPEN,
            stage=Stage.NONE,
            # The daily sweep starts the escalation on the day of the first reminder.
            next_action_on=new.due_date + dt.timedelta(days=tenant.policy.reminder_1_days),
            created_at=at,
            updated_at=at,
        )

    def create(self, tenant_id: str, new: NewClaim) -> Claim:
        claim = self.build_claim(self.tenant(tenant_id), new)
        from incasso.adapters.claims_store import DuplicateInvoiceError

        try:
            created = self.store.create_claim(claim)
        except DuplicateInvoiceError as exc:
            raise ConflictError(
                f"invoice {new.invoice_number} already exists",
                [{"field": "invoice_number", "message": "duplicate invoice number",
                  "claim_id": getattr(exc, "existing_claim_id", None)}],
            ) from exc
        self._publish(tenant_id, "ClaimCreated", {"claim_id": created.claim_id, "invoice_number": created.invoice_number})
        return created

    # -- the optimistic-locking loop -----------------------------------------------------------
    def _update(self, tenant_id: str, claim_id: str, change: Callable[[Claim, list], tuple[Claim, list, list]]) -> Claim:
        from incasso.adapters.claims_store import ConcurrentModificationError

        for _ in range(MAX_ATTEMPTS):
            claim = self.get(tenant_id, claim_id)
            updated, ledger, timeline = change(claim, self.store.get_ledger(tenant_id, claim_id))
            try:
                return self.store.save_claim(
                    updated.model_copy(update={"updated_at": clock.now()}),
                    expected_version=claim.version, ledger=ledger, timeline=timeline,
                )
            except ConcurrentModificationError:
                continue
        raise ConflictError(f"claim {claim_id} is being changed by another process; try again")

    # -- payments ------------------------------------------------------------------------------
    def pay(self, tenant_id: str, claim_id: str, payment: NewPayment, *, payment_key: str | None = None) -> PaymentResult:
        from incasso.adapters.claims_store import AlreadyDoneError

        key = payment_key or uuid.uuid4().hex
        tenant = self.tenant(tenant_id)
        paid_at = payment.paid_at_instant
        if paid_at > clock.now() + dt.timedelta(minutes=5):
            raise InvalidRequestError("paid_at lies in the future", [{"field": "paid_at", "message": "in the future"}])
        result: dict[str, Any] = {}

        def change(claim: Claim, ledger: list) -> tuple[Claim, list, list]:
            if claim.status in (ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE):
                raise ConflictError(f"claim {claim_id} is {claim.status.value}")
            entries = []
            # Interest runs until the day of payment; book it first so the allocation sees it. Not while
            # an arrangement is kept: its instalments are the agreed amount (interest resumes if it breaks).
            if claim.status is not ClaimStatus.ARRANGEMENT:
                claim, interest_entry = book_interest(claim, ledger, tenant.policy, as_of=paid_at.date(),
                                                      key=f"interest@payment#{key}", at=paid_at)
                if interest_entry:
                    entries.append(interest_entry)
            try:
                claim, allocation, entry = apply_payment(claim, payment.amount, key=f"payment#{key}", at=paid_at)
            except OverpaymentError as exc:
                raise InvalidRequestError(
                    f"the payment is more than the {claim.amounts.outstanding} owed",
                    [{"field": "amount", "message": f"more than the outstanding {claim.amounts.outstanding}"}],
                ) from exc
            entries.append(entry)
            result["allocation"] = allocation
            events = [TimelineEvent(at=clock.now(), type="payment_received", details={
                "amount": str(payment.amount), "paid_at": paid_at.isoformat(),
                "allocation": allocation.model_dump(mode="json")})]
            if claim.amounts.outstanding <= 0:
                claim = claim.model_copy(update={"status": ClaimStatus.PAID, "next_action_on": None})
                events.append(TimelineEvent(at=clock.now(), type="claim_closed", details={"outcome": "paid"}))
            return claim, entries, events

        try:
            claim = self._update(tenant_id, claim_id, change)
        except AlreadyDoneError:
            # The same payment (same Idempotency-Key) was booked before: answer as the first time.
            claim = self.get(tenant_id, claim_id)
            booked = next(e for e in self.store.get_ledger(tenant_id, claim_id) if e.key == f"payment#{key}")
            return PaymentResult(allocation=booked.allocation, claim=claim)
        self._publish(tenant_id, "PaymentReceived", {"claim_id": claim_id, "amount": str(payment.amount),
                                                     "outstanding": str(claim.amounts.outstanding)})
        if claim.status is ClaimStatus.PAID:
            self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": "paid"})
            self._wake(claim, {"signal": "paid"})
        self._notify(tenant, claim, "payment_confirmation", {"allocation": result["allocation"], "amount": payment.amount})
        return PaymentResult(allocation=result["allocation"], claim=claim)

    def _wake(self, claim: Claim, output: dict) -> None:
        """Resume an execution that waits on a task token (dispute, bailiff) so it can decide again."""
        if claim.task_token:
            self._resume(claim.task_token, output)

    # -- disputes ------------------------------------------------------------------------------
    def dispute(self, tenant_id: str, claim_id: str, reason: str) -> Claim:
        def change(claim: Claim, ledger: list) -> tuple[Claim, list, list]:
            if claim.is_closed:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}; it cannot be disputed")
            if claim.status is ClaimStatus.PAUSED:
                raise ConflictError(f"claim {claim_id} is already disputed")
            return (
                claim.model_copy(update={"status": ClaimStatus.PAUSED, "dispute_reason": reason}),
                [],
                [TimelineEvent(at=clock.now(), type="dispute_opened", details={"reason": reason})],
            )

        claim = self._update(tenant_id, claim_id, change)
        self._publish(tenant_id, "ClaimDisputed", {"claim_id": claim_id})
        return claim

    def resolve_dispute(self, tenant_id: str, claim_id: str, outcome: DisputeOutcome) -> Claim:
        def change(claim: Claim, ledger: list) -> tuple[Claim, list, list]:
            if claim.status is not ClaimStatus.PAUSED:
                raise ConflictError(f"claim {claim_id} is not disputed")
            if outcome is DisputeOutcome.UPHELD:
                status = ClaimStatus.CANCELLED
            elif claim.arrangement is not None:
                status = ClaimStatus.ARRANGEMENT
            else:
                status = ClaimStatus.IN_COLLECTION if claim.stage is not Stage.NONE else ClaimStatus.OPEN
            updates: dict[str, Any] = {"status": status}
            if status is ClaimStatus.CANCELLED:
                updates["next_action_on"] = None
            events = [TimelineEvent(at=clock.now(), type="dispute_resolved", details={"outcome": outcome.value})]
            if status is ClaimStatus.CANCELLED:
                events.append(TimelineEvent(at=clock.now(), type="claim_closed", details={"outcome": "cancelled"}))
            return claim.model_copy(update=updates), [], events

        claim = self._update(tenant_id, claim_id, change)
        if claim.status is ClaimStatus.CANCELLED:
            self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": "cancelled"})
        self._wake(claim, {"signal": f"dispute_{outcome.value}"})
        return claim

    # -- arrangements --------------------------------------------------------------------------
    def arrange(self, tenant_id: str, claim_id: str, instalments: list[Instalment]) -> Claim:
        tenant = self.tenant(tenant_id)
        today = clock.today()

        def change(claim: Claim, ledger: list) -> tuple[Claim, list, list]:
            if claim.is_closed or claim.status in (ClaimStatus.PAUSED, ClaimStatus.DEBT_MONITORING):
                raise ConflictError(f"claim {claim_id} is {claim.status.value}; no arrangement possible")
            # The instalments cover what is owed today, interest up to today included.
            claim, interest_entry = book_interest(claim, ledger, tenant.policy, as_of=today,
                                                  key=f"interest@arrangement#{uuid.uuid4().hex}", at=clock.now())
            total = sum((i.amount for i in instalments), Decimal("0"))
            if total != claim.amounts.outstanding:
                raise InvalidRequestError(
                    f"the instalments sum to {total}, the outstanding amount is {claim.amounts.outstanding}",
                    [{"field": "instalments", "message": f"must sum to {claim.amounts.outstanding}"}],
                )
            if any(i.due_date < today for i in instalments):
                raise InvalidRequestError("an instalment falls in the past",
                                          [{"field": "instalments", "message": "due_date before today"}])
            arrangement = Arrangement(instalments=sorted(instalments, key=lambda i: i.due_date),
                                      agreed_at=clock.now(), paid_at_start=claim.amounts.paid)
            return (
                recompute(claim, status=ClaimStatus.ARRANGEMENT, arrangement=arrangement),
                [interest_entry] if interest_entry else [],
                [TimelineEvent(at=clock.now(), type="arrangement_agreed", details={
                    "instalments": [i.model_dump(mode="json") for i in arrangement.instalments]})],
            )

        claim = self._update(tenant_id, claim_id, change)
        self._publish(tenant_id, "ArrangementAgreed", {"claim_id": claim_id})
        self._notify(tenant, claim, "arrangement_confirmation", {})
        return claim

    # -- the bailiff's updates -----------------------------------------------------------------
    def bailiff_update(self, tenant_id: str, claim_id: str, kind: BailiffUpdateKind, note: str = "") -> Claim:
        tenant = self.tenant(tenant_id)

        def change(claim: Claim, ledger: list) -> tuple[Claim, list, list]:
            if Stage.BAILIFF_FILING.value not in claim.step_dates:
                raise ConflictError(f"claim {claim_id} is not with the bailiff")
            if claim.is_closed or claim.status is ClaimStatus.DEBT_MONITORING:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}")
            updates: dict[str, Any] = {"stage": Stage(kind.value) if kind is not BailiffUpdateKind.UNCOLLECTIBLE else claim.stage}
            if kind is BailiffUpdateKind.UNCOLLECTIBLE:
                updates.update(status=ClaimStatus.UNCOLLECTIBLE, next_action_on=None)
            elif kind is BailiffUpdateKind.EXECUTED and claim.amounts.outstanding > 0:
                # Execution did not collect everything: keep an eye on the debtor (debt monitoring).
                updates.update(status=ClaimStatus.DEBT_MONITORING, phase=claim.phase + 1,
                               next_action_on=clock.today() + dt.timedelta(days=tenant.policy.debt_monitoring_interval_days))
            return claim.model_copy(update=updates), [], [
                TimelineEvent(at=clock.now(), type=f"bailiff_{kind.value}", details={"note": note} if note else {})]

        claim = self._update(tenant_id, claim_id, change)
        if kind in (BailiffUpdateKind.EXECUTED, BailiffUpdateKind.UNCOLLECTIBLE):
            self._wake(claim, {"signal": f"bailiff_{kind.value}"})
            if claim.status is ClaimStatus.UNCOLLECTIBLE:
                self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": "uncollectible"})
        return claim

    # -- calls ---------------------------------------------------------------------------------
    def due_calls(self, tenant_id: str) -> list[Claim]:
        """The tenant's planned calls whose slot has come, earliest first."""
        now, due, token = clock.now(), [], None
        while True:
            claims, token = self.store.list_claims(tenant_id, ClaimStatus.IN_COLLECTION, 100, token)
            due += [c for c in claims if c.stage is Stage.CALL_SCHEDULED and c.call_at is not None and c.call_at <= now]
            if not token:
                return sorted(due, key=lambda c: c.call_at)

    def record_call(self, tenant_id: str, claim_id: str, outcome: CallOutcome, *, promised_on: dt.date | None = None,
                    reason: str = "", instalments: list[Instalment] | None = None) -> Claim:
        """An agent's call outcome. Dispute and arrangement go the way their own endpoints go."""
        tenant = self.tenant(tenant_id)
        if outcome is CallOutcome.PROMISE_TO_PAY:
            today = clock.today()
            if promised_on is None or not today <= promised_on <= today + dt.timedelta(days=MAX_PROMISE_DAYS):
                raise InvalidRequestError("a promise to pay needs promised_on within 30 days from today",
                                          [{"field": "promised_on", "message": f"between {today} and "
                                            f"{today + dt.timedelta(days=MAX_PROMISE_DAYS)}"}])
        if outcome is CallOutcome.DISPUTE and not reason:
            raise InvalidRequestError("a dispute needs its reason", [{"field": "reason", "message": "required"}])
        if outcome is CallOutcome.ARRANGEMENT and not instalments:
            raise InvalidRequestError("an arrangement needs instalments", [{"field": "instalments", "message": "required"}])

        def change(claim: Claim, ledger: list) -> tuple[Claim, list, list]:
            if claim.call_at is None or claim.is_closed:
                raise ConflictError(f"claim {claim_id} has no planned call")
            updates: dict[str, Any] = {"call_at": None}
            details: dict[str, Any] = {"outcome": outcome.value}
            if outcome is CallOutcome.NO_ANSWER:
                from incasso.law.terms import next_call_slot

                from zoneinfo import ZoneInfo

                # the first slot of the next business day (Dutch time)
                tomorrow = dt.datetime.combine(clock.today() + dt.timedelta(days=1), dt.time(0),
                                               tzinfo=ZoneInfo("Europe/Amsterdam"))
                retry = next_call_slot(tomorrow, start=tenant.policy.business_hours_start,
                                       end=tenant.policy.business_hours_end)
                updates["call_at"] = retry
                details["next_call_at"] = retry.isoformat()
            elif outcome is CallOutcome.PROMISE_TO_PAY:
                updates["promised_on"] = promised_on
                details["promised_on"] = promised_on.isoformat()
            return claim.model_copy(update=updates), [], [TimelineEvent(at=clock.now(), type="call_outcome", details=details)]

        claim = self._update(tenant_id, claim_id, change)
        if outcome is CallOutcome.DISPUTE:
            claim = self.dispute(tenant_id, claim_id, reason)
        elif outcome is CallOutcome.ARRANGEMENT:
            claim = self.arrange(tenant_id, claim_id, list(instalments or []))
        return claim
