"""What tenants do to claims: create, pay, dispute, arrange, and the bailiff's updates.

Every change is a read -> decide -> conditional write on the claim's version; a conflict (a step of
the state machine wrote in between) re-reads and decides again, so nothing is lost or applied twice.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo


from incasso import clock
from incasso.domain.arrangements import ARRANGED_IN_TERM, ARRANGEMENT_KEPT, instalments_problem, open_proposal
from incasso.domain.base import DeferredModel
from incasso.domain.channels import BAILIFF_DOSSIER
from incasso.domain.errors import AlreadyDoneError, DuplicateInvoiceError
from incasso.domain.escalation import first_action_on
from incasso.domain.ledger import (
    PaymentExceedsClaimError,
    book_costs,
    open_claim_amounts,
    recompute,
    settle,
    term_outcome,
)
from incasso.domain.limitation import with_interruption
from incasso.domain.models import (
    Allocation,
    Arrangement,
    Claim,
    ClaimStatus,
    Instalment,
    InterestFreePeriod,
    LedgerEntry,
    LedgerKind,
    Stage,
    Tenant,
    TimelineEvent,
)
from incasso.law.terms import next_call_slot
from incasso.money import ZERO
from incasso.services.claim_commands import (
    BailiffUpdateKind,
    CallOutcome,
    DisputeOutcome,
    NewClaim,
    NewPayment,
    b2b_term_flags,
)
from incasso.services.debtor_records import join_debtor
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError
from incasso.services.versioned import Change, Changed, change_claim
from incasso.settings import get_settings

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, EventBus, Messenger, Workflows

T = TypeVar("T")
MAX_PROMISE_DAYS = 30  # a promise further out is an arrangement, not a promise


@dataclass(frozen=True)
class Booked:
    """What booking a payment came to: its allocation, and whether the bailiff is to be told to stop."""

    allocation: Allocation
    withdraw: bool


class PaymentResult(DeferredModel):
    allocation: Allocation
    claim: Claim


# Ledger corrections a payment can bring, as they appear on the claim's timeline.
_EVENT_OF_KIND = {
    LedgerKind.COLLECTION_COSTS: "costs_reversed",
    LedgerKind.WRITE_OFF: "interest_written_off",
    LedgerKind.REALLOCATION: "payments_reallocated",
}


def _with_bailiff(claim: Claim) -> bool:
    """The dossier went to the bailiff (not merely decided: a pending dossier is cancelled unsent)."""
    return Stage.BAILIFF_FILING.value in claim.step_dates and BAILIFF_DOSSIER not in claim.pending_messages


def _resumed_status(claim: Claim) -> ClaimStatus:
    """Where a claim goes when its dispute is rejected: back to its arrangement or its trajectory."""
    if claim.arrangement is not None:
        return ClaimStatus.ARRANGEMENT
    return ClaimStatus.IN_COLLECTION if claim.stage is not Stage.NONE else ClaimStatus.OPEN


def _costs_restored(claim: Claim, ledger: list[LedgerEntry], tenant: Tenant, key: str,
                    at: dt.datetime) -> tuple[Claim, list[LedgerEntry]]:
    """After a dispute in part is rejected: the collection costs the disputed part's pause reversed are
    charged again, up to what the letter announced over the whole principal (docs/law.md)."""
    costs_booked = [entry for entry in ledger if entry.kind is LedgerKind.COLLECTION_COSTS]
    outcome = term_outcome(claim, ledger, tenant.policy)
    if not costs_booked or outcome is None:
        return claim, []
    missing = outcome.costs - sum((entry.amount for entry in costs_booked), ZERO)
    missing_vat = outcome.vat - sum((entry.amount for entry in ledger if entry.kind is LedgerKind.COLLECTION_COSTS_VAT),
                                    ZERO)
    if missing <= 0:
        return claim, []
    return book_costs(claim, costs=missing, vat=max(missing_vat, ZERO), key=f"{key}#costs-restored", at=at,
                      note="collection costs over the disputed part charged again: the dispute was rejected",
                      value_date=min(entry.effective_on for entry in costs_booked))


def new_claim_id() -> str:
    return f"clm_{uuid.uuid4().hex[:20]}"


class ClaimService:
    def __init__(
        self,
        store: "ClaimsStore",
        *,
        events: "EventBus | None" = None,
        workflows: "Workflows | None" = None,
        messenger: "Messenger | None" = None,
    ) -> None:
        """``events``, ``workflows`` and ``messenger`` left out: nothing is published, started or confirmed."""
        self.store = store
        self._publish = events.publish if events else (lambda tenant_id, detail_type, detail: None)
        self._start_run = workflows.start_run if workflows else (lambda tenant_id, claim_id, key: False)
        self._notify = messenger.notify if messenger else (lambda tenant, claim, kind, extra: None)

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
        if claim.status in (ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE):
            return claim  # nothing accrues on a closed claim
        tenant = self.tenant(tenant_id)
        today, ledger = clock.today(), self.store.get_ledger(tenant_id, claim_id)
        notice = claim.notice
        if notice is not None and not notice.flat_fee and notice.sent_on <= today <= notice.ends_on:
            # Within the letter's term what settles the claim is what the letter demanded: paid in full
            # now, the interest after its date is written off (art. 6:96 lid 6 BW).
            claim = claim.model_copy(update={"interest_free": [*claim.interest_free, InterestFreePeriod(
                start=notice.sent_on + dt.timedelta(days=1), end=notice.ends_on, reason="within the letter's term")]})
        # The replay leaves out what does not accrue: days of a kept arrangement, a letter paid in time.
        view, _, _ = settle(claim, ledger, tenant.policy, as_of=max(today, claim.interest_until or today),
                            key="view", at=clock.now())
        return view

    # -- creating ------------------------------------------------------------------------------
    def build_claim(self, tenant: Tenant, new: NewClaim, *, claim_id: str | None = None,
                    original_invoice: str | None = None) -> Claim:
        """``original_invoice``: where the UBL file the claim is imported from is kept (an import's)."""
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
            consumer_sale=new.consumer_sale,
            original_invoice=original_invoice,
            flags=b2b_term_flags(new),
            agreed_interest_rate=new.agreed_interest_rate,
            agreed_collection_costs=new.agreed_collection_costs,
            amounts=open_claim_amounts(new.principal),
            status=ClaimStatus.OPEN,
            stage=Stage.NONE,
            # The daily sweep starts the escalation on the day of the first reminder (or the pre-due one).
            next_action_on=first_action_on(new.due_date, tenant.policy),
            created_at=at,
            updated_at=at,
        )

    def create(self, tenant_id: str, new: NewClaim) -> Claim:
        claim = self.build_claim(self.tenant(tenant_id), new)
        # One reference is one debtor: a claim that says otherwise of its type or language is refused,
        # never mixed in (change the debtor with PATCH /v1/debtors/{reference}; docs/debtors.md).
        conflicts = join_debtor(self.store, tenant_id, new.debtor, claim.created_at)
        if conflicts:
            raise ConflictError(f"debtor {new.debtor.reference} is known with other details", conflicts)
        try:
            created = self.store.create_claim(claim)
        except DuplicateInvoiceError as exc:
            raise ConflictError(
                f"invoice {new.invoice_number} already exists",
                [{"field": "invoice_number", "message": "duplicate invoice number",
                  "claim_id": getattr(exc, "existing_claim_id", None)}],
            ) from exc
        self._publish(tenant_id, "ClaimCreated", {"claim_id": created.claim_id, "invoice_number": created.invoice_number})
        self._signal_monitored_debtor(created, "new_claim")
        return created

    def _signal_monitored_debtor(self, claim: Claim, activity: str) -> None:
        """Tell the tenant when a debtor it monitors shows life (a new claim, a payment elsewhere): the
        moment to try again (MonitoredDebtorActive on the bus; webhook ``debtor.monitored_activity``)."""
        reference = claim.debtor.reference
        if not reference:
            return
        monitored = [other.claim_id for other in self.store.claims_of_debtor(claim.tenant_id, reference)
                     if other.status is ClaimStatus.DEBT_MONITORING and other.claim_id != claim.claim_id]
        if monitored:
            self._publish(claim.tenant_id, "MonitoredDebtorActive", {
                "debtor_reference": reference, "activity": activity, "claim_id": claim.claim_id,
                "monitored_claims": monitored})

    # -- the optimistic-locking loop -----------------------------------------------------------
    def _update(self, tenant_id: str, claim_id: str,
                change: Callable[[Claim, list[LedgerEntry]], Change[T]]) -> Changed[T]:
        """``change`` decides on the claim as read and its ledger; a conflict reads both again."""
        def gave_up() -> ConflictError:
            return ConflictError(f"claim {claim_id} is being changed by another process; try again")

        return change_claim(self.store, lambda: self.get(tenant_id, claim_id),
                            lambda claim: change(claim, self.store.get_ledger(tenant_id, claim_id)), gave_up=gave_up)

    # -- payments ------------------------------------------------------------------------------
    def pay(self, tenant_id: str, claim_id: str, payment: NewPayment, *, payment_key: str | None = None,
            via: str | None = None) -> PaymentResult:
        """Book a payment on its value date (art. 6:114 lid 2 BW), whenever it is recorded: the account
        is replayed from that day, so a payment recorded late is charged exactly like a timely one;
        a payment dated within a letter's term removes the costs it avoided (art. 6:96 lid 6 BW).
        ``via``: how the money came, where not by the tenant's own word (``portal``: the debtor's page)."""
        key = payment_key or uuid.uuid4().hex
        entry_key = f"payment#{key}"
        tenant = self.tenant(tenant_id)
        paid_at = payment.paid_at_instant
        paid_on = paid_at.date()
        if paid_at > clock.now() + dt.timedelta(minutes=5):
            raise InvalidRequestError("paid_at lies in the future", [{"field": "paid_at", "message": "in the future"}])
        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Booked]:
            booked = next((entry for entry in ledger if entry.key == entry_key), None)
            if booked is not None:
                raise AlreadyDoneError(entry_key)  # a retry: answered below as the first time
            if claim.status in (ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE):
                raise ConflictError(f"claim {claim_id} is {claim.status.value}")
            if paid_on < claim.invoice_date:
                raise InvalidRequestError("paid_at is before the invoice date", [
                    {"field": "paid_at", "message": f"before the invoice date {claim.invoice_date.isoformat()}"}])
            entry = LedgerEntry(key=entry_key, kind=LedgerKind.PAYMENT, amount=payment.amount, booked_at=clock.now(),
                                value_date=paid_on)
            as_of = max(paid_on, claim.interest_until or paid_on)
            was_with_bailiff = claim.status is not ClaimStatus.PAID and _with_bailiff(claim)
            try:
                claim, entries, settlement = settle(
                    claim, ledger, tenant.policy, as_of=as_of, key=entry_key, at=clock.now(), new=[entry],
                    why=f"payment of {payment.amount} dated {paid_on.isoformat()}")
            except PaymentExceedsClaimError as exc:
                raise InvalidRequestError(
                    f"the payment is more than the {exc.outstanding} owed",
                    [{"field": "amount", "message": f"more than the outstanding {exc.outstanding}"}],
                ) from exc
            allocation = settlement.allocations[entry_key]
            # art. 3:318 BW: a payment acknowledges the debt and interrupts limitation.
            claim = claim.model_copy(update={"limitation_interruptions": with_interruption(claim, paid_on)})
            now = clock.now()
            events = [TimelineEvent(at=now, type="payment_received", details={
                "amount": str(payment.amount), "paid_at": paid_at.isoformat(),
                "allocation": allocation.model_dump(mode="json"), **({"via": via} if via else {})})]
            events += [TimelineEvent(at=now, type=_EVENT_OF_KIND[e.kind], details={
                "amount": str(e.amount), "note": e.note or ""}) for e in entries if e.kind in _EVENT_OF_KIND
                and (e.kind is not LedgerKind.COLLECTION_COSTS or e.amount < 0)]
            withdraw = False
            if claim.amounts.outstanding <= 0 and claim.disputed_amount is not None:
                # The undisputed part is paid: the claim waits for the disputed part's resolution.
                claim = claim.model_copy(update={"status": ClaimStatus.PAUSED})
                events.append(TimelineEvent(at=now, type="undisputed_part_paid", details={
                    "disputed": str(claim.disputed_amount)}))
            elif claim.amounts.outstanding <= 0:
                claim = claim.model_copy(update={"status": ClaimStatus.PAID, "next_action_on": None, "waiting_for": None})
                events.append(TimelineEvent(at=now, type="claim_closed", details={"outcome": "paid"}))
                withdraw = was_with_bailiff
            return Change(claim, entries, events, outcome=Booked(allocation, withdraw))

        try:
            changed = self._update(tenant_id, claim_id, change)
        except AlreadyDoneError:
            # The same payment (same Idempotency-Key) was booked before: answer as the first time, or
            # refuse when the retry says something else.
            claim = self.get(tenant_id, claim_id)
            booked = next(e for e in self.store.get_ledger(tenant_id, claim_id) if e.key == entry_key)
            if booked.amount != payment.amount or booked.effective_on != paid_on:
                raise InvalidRequestError("this Idempotency-Key was used for another payment", [
                    {"field": "Idempotency-Key", "message": "used before with another amount or paid_at"}])
            return PaymentResult(allocation=booked.allocation, claim=claim)
        claim, booking = changed.claim, changed.outcome
        assert booking is not None  # a payment is always written
        self._publish(tenant_id, "PaymentReceived", {"claim_id": claim_id, "amount": str(payment.amount),
                                                     "outstanding": str(claim.amounts.outstanding)})
        self._signal_monitored_debtor(claim, "payment")
        if claim.status is ClaimStatus.PAID:
            self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": "paid"})
            if booking.withdraw:
                self._notify(tenant, claim, "bailiff_withdrawal", {"key": entry_key, "paid_on": paid_on})
        self._notify(tenant, claim, "payment_confirmation", {"allocation": booking.allocation, "amount": payment.amount,
                                                             "paid_on": paid_on})
        return PaymentResult(allocation=booking.allocation, claim=claim)

    def _run_now(self, claim: Claim, why: str) -> None:
        """Start the short run that acts on what just changed (nothing waits in the state machine for it);
        named after the claim's version, so a retried start of the same change is the same run."""
        self._start_run(claim.tenant_id, claim.claim_id, f"{claim.phase}-{why}-v{claim.version}")

    # -- disputes ------------------------------------------------------------------------------
    def dispute(self, tenant_id: str, claim_id: str, reason: str, amount: Decimal | None = None) -> Claim:
        """Dispute the claim. Without ``amount`` (or with one that covers the whole open principal) the
        whole claim pauses; with a smaller amount only that part of the principal is held back and the
        trajectory goes on over the rest (docs/law.md, "Disputes in part")."""
        tenant = self.tenant(tenant_id)
        if amount is not None and amount <= 0:
            raise InvalidRequestError("a disputed amount must be more than 0.00",
                                      [{"field": "amount", "message": "must be more than 0.00"}])

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            if claim.is_closed:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}; it cannot be disputed")
            if claim.status is ClaimStatus.PAUSED or claim.disputed_amount is not None:
                raise ConflictError(f"claim {claim_id} is already disputed")
            now, today = clock.now(), clock.today()
            part = None
            if amount is not None:
                # What is owed today (interest up to today included), as GET shows it.
                current, _, _ = settle(claim, ledger, tenant.policy, as_of=max(today, claim.interest_until or today),
                                       key="view", at=now)
                if amount > current.amounts.outstanding:
                    raise InvalidRequestError(
                        f"the disputed amount is more than the {current.amounts.outstanding} outstanding",
                        [{"field": "amount", "message": f"more than the outstanding {current.amounts.outstanding}"}])
                # A dispute concerns the invoice, i.e. its principal; one that covers all the principal still
                # open is a dispute of the whole claim (interest and costs follow the principal).
                if amount < current.collected_principal - current.paid_principal:
                    part = amount
            if part is None:
                details: dict[str, Any] = {"reason": reason}
                if amount is not None:
                    details["amount"] = str(amount)
                return Change(
                    claim.model_copy(update={"status": ClaimStatus.PAUSED, "dispute_reason": reason}),
                    timeline=[TimelineEvent(at=now, type="dispute_opened", details=details)],
                )
            # Only the disputed part pauses: the account is replayed over the undisputed principal, so that
            # what the letters demand, the costs and the bailiff's file are over that alone.
            held = claim.model_copy(update={"disputed_amount": part, "dispute_reason": reason})
            held = held.model_copy(update={"amounts": held.amounts.model_copy(update={
                "principal": held.collected_principal, "disputed": part})})
            held, entries, _ = settle(held, ledger, tenant.policy, as_of=max(today, claim.interest_until or today),
                                      key=f"dispute#{uuid.uuid4().hex}", at=now,
                                      why=f"{part} of the principal disputed")
            return Change(held, entries, [TimelineEvent(at=now, type="dispute_opened", details={
                "reason": reason, "amount": str(part), "scope": "part",
                "undisputed_outstanding": str(held.amounts.outstanding)})])

        claim = self._update(tenant_id, claim_id, change).claim
        detail: dict[str, Any] = {"claim_id": claim_id}
        if claim.disputed_amount is not None:
            detail["disputed_amount"] = str(claim.disputed_amount)
        self._publish(tenant_id, "ClaimDisputed", detail)
        if _with_bailiff(claim):
            # The file is with the bailiff: it must hold what is disputed (docs/law.md, "Disputes in part").
            self._notify(tenant, claim, "bailiff_dispute", {"key": f"dispute#{uuid.uuid4().hex}", "state": "opened",
                                                            "amount": claim.disputed_amount, "reason": reason})
        return claim

    def resolve_dispute(self, tenant_id: str, claim_id: str, outcome: DisputeOutcome) -> Claim:
        tenant = self.tenant(tenant_id)
        disputed: list[Decimal | None] = []  # the part that was disputed (None: the whole claim)

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            disputed[:] = [claim.disputed_amount]
            if claim.disputed_amount is not None:
                return _resolve_part(claim, ledger)
            if claim.status is not ClaimStatus.PAUSED:
                raise ConflictError(f"claim {claim_id} is not disputed")
            if outcome is DisputeOutcome.UPHELD:
                status = ClaimStatus.CANCELLED
            else:
                status = _resumed_status(claim)
            updates: dict[str, Any] = {"status": status}
            if claim.waiting_for == "dispute":  # it waits for nothing now (one with the bailiff still does)
                updates["waiting_for"] = None
            if status is ClaimStatus.CANCELLED:
                updates["next_action_on"] = None
            events = [TimelineEvent(at=clock.now(), type="dispute_resolved", details={"outcome": outcome.value})]
            if status is ClaimStatus.CANCELLED:
                events.append(TimelineEvent(at=clock.now(), type="claim_closed", details={"outcome": "cancelled"}))
            return Change(claim.model_copy(update=updates), timeline=events)

        def _resolve_part(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            part = claim.disputed_amount
            assert part is not None
            now, today = clock.now(), clock.today()
            key = f"dispute-resolved#{uuid.uuid4().hex}"
            entries: list[LedgerEntry] = []
            written_off = claim.principal_written_off
            if outcome is DisputeOutcome.UPHELD:
                # The disputed part was never owed: a correcting entry writes it off from the due date
                # (the ledger is never edited), and the interest on it goes with it.
                written_off += part
                entries.append(LedgerEntry(key=f"{key}#principal", kind=LedgerKind.PRINCIPAL, amount=-part,
                                           booked_at=now, value_date=claim.due_date,
                                           note=f"disputed part of {part} upheld: written off"))
            back = claim.model_copy(update={"disputed_amount": None, "principal_written_off": written_off})
            back = back.model_copy(update={"amounts": back.amounts.model_copy(update={
                "principal": back.collected_principal, "disputed": ZERO})})
            back, settled, _ = settle(back, ledger, tenant.policy, as_of=max(today, claim.interest_until or today),
                                      key=key, at=now, new=entries,
                                      why=f"disputed part of {part} {outcome.value}")
            if outcome is DisputeOutcome.REJECTED:
                back, restored = _costs_restored(back, [*ledger, *settled], tenant, key, now)
                settled += restored
            events = [TimelineEvent(at=now, type="dispute_resolved", details={
                "outcome": outcome.value, "amount": str(part), "scope": "part"})]
            updates: dict[str, Any] = {}
            if back.amounts.outstanding <= 0:
                # Nothing remains: the rest was paid and the disputed part is written off.
                updates = {"status": ClaimStatus.CANCELLED, "next_action_on": None}
                events.append(TimelineEvent(at=now, type="claim_closed", details={"outcome": "cancelled"}))
            elif back.status is ClaimStatus.PAUSED:  # the rest was paid while the part was disputed
                updates = {"status": _resumed_status(back)}
            if back.waiting_for == "dispute":
                updates["waiting_for"] = None
            return Change(back.model_copy(update=updates), settled, events)

        claim = self._update(tenant_id, claim_id, change).claim
        if claim.status is ClaimStatus.CANCELLED:
            self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": "cancelled"})
        if _with_bailiff(claim):
            self._notify(tenant, claim, "bailiff_dispute", {"key": f"dispute-resolved#{uuid.uuid4().hex}",
                                                            "state": outcome.value, "amount": disputed[0]})
        if not claim.is_closed and claim.status is not ClaimStatus.PAUSED and claim.next_action_on is None:
            self._run_now(claim, "resumed")  # it waited for this: the escalation resumes now
        return claim

    # -- arrangements --------------------------------------------------------------------------
    def arrange(self, tenant_id: str, claim_id: str, instalments: list[Instalment]) -> Claim:
        tenant = self.tenant(tenant_id)
        today = clock.today()

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            if claim.is_closed or claim.status is ClaimStatus.PAUSED:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}; no arrangement possible")
            monitored = claim.status is ClaimStatus.DEBT_MONITORING
            notice = claim.notice
            if notice is not None and not notice.flat_fee and notice.sent_on <= today <= notice.ends_on:
                # Agreed within the letter's term: the arrangement covers what the letter demanded, as
                # paying it would have (docs/law.md, "Arrangements"); GET shows the same amount.
                claim = claim.model_copy(update={"interest_free": [*claim.interest_free, InterestFreePeriod(
                    start=notice.sent_on + dt.timedelta(days=1), end=today, reason=ARRANGED_IN_TERM)]})
            # The instalments cover what is owed today, interest up to today included.
            claim, entries, _ = settle(claim, ledger, tenant.policy, as_of=max(today, claim.interest_until or today),
                                       key=f"arrangement#{uuid.uuid4().hex}", at=clock.now())
            total = sum((i.amount for i in instalments), Decimal("0"))
            if total != claim.amounts.outstanding:
                raise InvalidRequestError(
                    f"the instalments sum to {total}, the outstanding amount is {claim.amounts.outstanding}",
                    [{"field": "instalments", "message": f"must sum to {claim.amounts.outstanding}"}],
                )
            problem = instalments_problem(instalments, today)
            if problem:
                raise InvalidRequestError(problem, [{"field": "instalments", "message": problem}])
            arrangement = Arrangement(instalments=list(instalments), agreed_at=clock.now(),
                                      paid_at_start=claim.amounts.paid)
            # While the arrangement is kept no interest runs (the instalments are the agreed amount); the
            # agreement acknowledges the debt (art. 3:318 BW).
            free = [*claim.interest_free, InterestFreePeriod(start=today + dt.timedelta(days=1), end=None,
                                                             reason=ARRANGEMENT_KEPT)]
            extra: dict[str, Any] = {}
            if monitored:  # out of debt monitoring: a new run of the trajectory follows the instalments
                extra = {"next_action_on": today + dt.timedelta(days=1), "phase": claim.phase + 1}
            return Change(
                recompute(claim, status=ClaimStatus.ARRANGEMENT, arrangement=arrangement, interest_free=free,
                          limitation_interruptions=with_interruption(claim, today), **extra),
                entries,
                [TimelineEvent(at=clock.now(), type="arrangement_agreed", details={
                    "instalments": [i.model_dump(mode="json") for i in arrangement.instalments]})],
            )

        claim = self._update(tenant_id, claim_id, change).claim
        self._publish(tenant_id, "ArrangementAgreed", {"claim_id": claim_id})
        self._notify(tenant, claim, "arrangement_confirmation", {})
        return claim

    def record_proposal(self, tenant_id: str, claim_id: str, instalments: list[Instalment], why: str) -> Claim:
        """A debtor's arrangement proposal beyond the policy's limits, left on the claim's timeline for the
        tenant to agree (``arrange``) or refuse (``refuse_arrangement``). Written with the claim's version,
        so that the proposal, its agreement and its refusal keep their order on the timeline."""
        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            return Change(claim.model_copy(), timeline=[TimelineEvent(at=clock.now(), type="arrangement_proposed", details={
                "instalments": [i.model_dump(mode="json") for i in instalments], "beyond_policy": why,
                "source": "portal"})])

        return self._update(tenant_id, claim_id, change).claim

    def refuse_arrangement(self, tenant_id: str, claim_id: str, reason: str) -> Claim:
        """The tenant refuses the debtor's arrangement proposal that waits on the claim (one the portal
        left for the tenant): the proposal closes on the timeline, the debtor is told why, and the
        trajectory goes on as it stood (ArrangementRefused; webhook ``arrangement.refused``)."""
        tenant = self.tenant(tenant_id)
        refused: dict[str, Any] = {}

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            proposal = open_proposal(self.store.get_timeline(tenant_id, claim_id))
            if proposal is None or claim.is_closed or claim.status is ClaimStatus.ARRANGEMENT:
                raise ConflictError(f"claim {claim_id} has no arrangement proposal waiting")
            refused.update(instalments=proposal.details.get("instalments", []), proposed_at=proposal.at.isoformat())
            # Written with the claim's version: a refusal and an acceptance racing each other cannot both land.
            return Change(claim.model_copy(), timeline=[TimelineEvent(at=clock.now(), type="arrangement_refused", details={
                "reason": reason, "proposed_at": proposal.at.isoformat()})])

        claim = self._update(tenant_id, claim_id, change).claim
        self._publish(tenant_id, "ArrangementRefused", {"claim_id": claim_id})
        self._notify(tenant, claim, "arrangement_refused", {"reason": reason, "instalments": refused["instalments"],
                                                            "key": refused["proposed_at"]})
        return claim

    # -- the legal phase: the tenant's approval ------------------------------------------------
    def approve_legal(self, tenant_id: str, claim_id: str) -> Claim:
        """The tenant approves court action on the legal review's advice: a run starts at once and hands
        the claim to the bailiff (a new phase of its trajectory); the claim is due today as well, so the
        next sweep starts it should that run be lost."""
        today = clock.today()

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            if claim.status is not ClaimStatus.AWAITING_APPROVAL:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}, not awaiting approval")
            return Change(claim.model_copy(update={"status": ClaimStatus.IN_COLLECTION, "legal_approved_on": today,
                                                   "next_action_on": today, "phase": claim.phase + 1}),
                          timeline=[TimelineEvent(at=clock.now(), type="legal_approved", details={})])

        claim = self._update(tenant_id, claim_id, change).claim
        self._publish(tenant_id, "LegalApproved", {"claim_id": claim_id})
        self._run_now(claim, "approved")
        return claim

    def decline_legal(self, tenant_id: str, claim_id: str, reason: str) -> Claim:
        """The tenant declines court action: the claim closes as uncollectible, with the reason."""

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            if claim.status is not ClaimStatus.AWAITING_APPROVAL:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}, not awaiting approval")
            now = clock.now()
            return Change(claim.model_copy(update={"status": ClaimStatus.UNCOLLECTIBLE, "next_action_on": None}),
                          timeline=[TimelineEvent(at=now, type="legal_declined", details={"reason": reason}),
                                    TimelineEvent(at=now, type="claim_closed", details={"outcome": "uncollectible"})])

        claim = self._update(tenant_id, claim_id, change).claim
        self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": "uncollectible"})
        return claim

    # -- the bailiff's updates -----------------------------------------------------------------
    def bailiff_update(self, tenant_id: str, claim_id: str, kind: BailiffUpdateKind, note: str = "") -> Claim:
        tenant = self.tenant(tenant_id)

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            if Stage.BAILIFF_FILING.value not in claim.step_dates:
                raise ConflictError(f"claim {claim_id} is not with the bailiff")
            if claim.is_closed or claim.status is ClaimStatus.DEBT_MONITORING:
                raise ConflictError(f"claim {claim_id} is {claim.status.value}")
            updates: dict[str, Any] = {"stage": Stage(kind.value) if kind is not BailiffUpdateKind.UNCOLLECTIBLE else claim.stage}
            if kind is BailiffUpdateKind.UNCOLLECTIBLE:
                updates.update(status=ClaimStatus.UNCOLLECTIBLE, next_action_on=None, waiting_for=None)
            elif kind is BailiffUpdateKind.EXECUTED and claim.amounts.outstanding > 0:
                # Execution did not collect everything: keep an eye on the debtor (debt monitoring).
                updates.update(status=ClaimStatus.DEBT_MONITORING, phase=claim.phase + 1, waiting_for=None,
                               next_action_on=clock.today() + dt.timedelta(days=tenant.policy.debt_monitoring_interval_days))
            return Change(claim.model_copy(update=updates), timeline=[
                TimelineEvent(at=clock.now(), type=f"bailiff_{kind.value}", details={"note": note} if note else {})])

        claim = self._update(tenant_id, claim_id, change).claim
        if kind in (BailiffUpdateKind.EXECUTED, BailiffUpdateKind.UNCOLLECTIBLE):
            # Nothing to run: the claim is closed, or in debt monitoring with its first check-in on the due index.
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

        def change(claim: Claim, ledger: list[LedgerEntry]) -> Change[Any]:
            if claim.call_at is None or claim.is_closed:
                raise ConflictError(f"claim {claim_id} has no planned call")
            updates: dict[str, Any] = {"call_at": None}
            details: dict[str, Any] = {"outcome": outcome.value}
            if outcome is CallOutcome.NO_ANSWER:
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
            return Change(claim.model_copy(update=updates),
                          timeline=[TimelineEvent(at=clock.now(), type="call_outcome", details=details)])

        claim = self._update(tenant_id, claim_id, change).claim
        if outcome is CallOutcome.DISPUTE:
            claim = self.dispute(tenant_id, claim_id, reason)
        elif outcome is CallOutcome.ARRANGEMENT:
            claim = self.arrange(tenant_id, claim_id, list(instalments or []))
        return claim
