"""The steps of the trajectory, as the state machine's Lambdas run them.

Every step function first decides afresh (``incasso.domain.escalation.decide``) from the claim as it
is now: a payment, a dispute or a duplicate invocation that arrived in between makes the step a no-op
that only answers the current decision. A step's effects (stage, ledger, pending message) are written
in one transaction conditional on the claim's version; the message goes out afterwards and is marked
sent under its own key, so a retry sends what is pending and nothing twice.

A run does what is due now and ends: nothing waits in the state machine. The claim records the day of its
next run (``next_action_on``, the sparse due index the daily sweep reads) in the same write as the step
that makes it, and a wait that ends later the same day (the send window's opening) also gets a one-time
schedule for its minute (``Workflows.plan_run``). A dispute, the bailiff and a tenant's approval end the
run too; the API's answer to them starts the next one.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from collections.abc import Callable
from dataclasses import replace
from enum import Enum, auto
from typing import Any, TYPE_CHECKING, TypeVar

from incasso import clock
from incasso.domain.arrangements import ARRANGEMENT_KEPT, missed_instalment
from incasso.domain.channels import BAILIFF_DOSSIER, COLLECTION_KINDS, channel_for
from incasso.domain.errors import ConcurrentModificationError, TransientSendError
from incasso.domain.escalation import TIME_BARRED, Action, Decision, bailiff_worthwhile, decide, next_action_day
from incasso.domain.incidents import parked_incident
from incasso.domain.ledger import book_costs, close_interest_free, recompute, settle, term_outcome
from incasso.domain.legal_advice import legal_advice
from incasso.domain.limitation import (
    claim_limitation_date,
    is_time_barred,
    limitation_notice_due,
    received_on,
    with_interruption,
)
from incasso.domain.debtor_letters import (
    COMBINED_KINDS,
    LetterGroup,
    LetterInvoice,
    MemberAtTermEnd,
    capped,
    decide_group,
    earlier_small_letters,
    shared_term_costs,
    takes_step_today,
)
from incasso.domain.notices import build_notice, notice_costs
from incasso.domain.models import (
    Claim,
    ClaimStatus,
    LedgerKind,
    MessageKind,
    Stage,
    Tenant,
    TimelineEvent,
)
from incasso.law.terms import next_call_slot
from incasso.law.cumulation import room_under_cap
from incasso.law.wik import CollectionCosts
from incasso.money import ZERO
from incasso.services.versioned import Change, Changed, change_claim
from incasso.settings import get_settings

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import Bailiff, ClaimsStore, EventBus, Messenger, TransientErrors, Workflows

MESSAGE_STEPS = (Stage.REMINDER_1, Stage.REMINDER_2, Stage.FOURTEEN_DAY_LETTER, Stage.NOTICE_OF_DEFAULT)
# Writing the record of a message that has left (real seconds; the SDK's own DynamoDB retries come first).
RECORD_ATTEMPTS = 10
RECORD_BACKOFF_SECONDS = 0.025
# How long one claim may take to send the debtor's combined letter before another may take it over.
COMBINED_SEND_LEASE = dt.timedelta(minutes=5)


T = TypeVar("T")


class Then(Enum):
    """What a step's write leaves to do once it is written."""

    FILED = auto()  # the dossier is decided: publish, then deliver it
    CLOSED = auto()  # the claim closed: publish it
    PARKED = auto()  # parked for a person: publish it


def decision_payload(decision: Decision) -> dict[str, str]:
    """The decision as the state machine reads it: strings only (Choice rules compare strings)."""
    return {
        "action": decision.action.value,
        "step": decision.step.value if decision.step else "",
        "wait_until": decision.wait_until.strftime("%Y-%m-%dT%H:%M:%SZ") if decision.wait_until else "",
        "outcome": decision.outcome.value if decision.outcome else "",
        "reason": decision.reason,
    }


class EscalationService:
    def __init__(self, store: ClaimsStore, messenger: Messenger, bailiff: Bailiff | None = None, *,
                 events: EventBus | None = None, workflows: Workflows | None = None,
                 transient: TransientErrors = lambda error: False) -> None:
        """``transient`` tells a failed write of a message's record worth trying again (the adapter's
        ``is_retryable``); ``events`` and ``workflows`` left out: nothing is published or planned."""
        self.store = store
        self.messenger = messenger
        self.bailiff = bailiff
        self._publish = events.publish if events else (lambda tenant_id, detail_type, detail: None)
        self._plan_run = workflows.plan_run if workflows else (lambda tenant_id, claim_id, key, at: None)
        self._transient = transient

    # -- plumbing ------------------------------------------------------------------------------
    def _load(self, tenant_id: str, claim_id: str) -> tuple[Tenant, Claim]:
        claim = self._load_claim(tenant_id, claim_id)
        tenant = self.store.get_tenant(tenant_id, max_age=get_settings().tenant_max_age_seconds) or \
            Tenant(tenant_id=tenant_id)
        return tenant, claim

    def _load_claim(self, tenant_id: str, claim_id: str) -> Claim:
        claim = self.store.get_claim(tenant_id, claim_id)
        if claim is None:
            raise LookupError(f"claim {claim_id} of tenant {tenant_id} does not exist")
        return claim

    def _transact(self, tenant_id: str, claim_id: str, change: Callable[[Tenant, Claim], Change[T] | None], *,
                  tenant: Tenant | None = None, claim: Claim | None = None) -> tuple[Tenant, Changed[T]]:
        """Read, change, write conditionally; on a conflict read again and decide again.

        ``tenant`` and ``claim``, when the caller holds them already, save the first read: the write is
        conditional on the claim's version, so a claim that moved on since is read again all the same."""
        if tenant is None:
            tenant, claim = self._load(tenant_id, claim_id)
        known = tenant

        def gave_up() -> ConcurrentModificationError:
            return ConcurrentModificationError(f"claim {claim_id} kept changing; the step will be retried")

        return tenant, change_claim(self.store, lambda: self._load_claim(tenant_id, claim_id),
                                    lambda claim: change(known, claim), first=claim, gave_up=gave_up)

    # -- messages ------------------------------------------------------------------------------
    def flush_messages(self, tenant_id: str, claim_id: str, *, tenant: Tenant | None = None,
                       claim: Claim | None = None, fresh: frozenset[str] = frozenset()) -> tuple[Tenant, Claim]:
        """Send what a step decided but did not confirm (after a crash or a failed send); answers the
        claim as it is afterwards.

        ``fresh``: keys this invocation has just made pending in its own conditional write, so no record
        of them can exist yet and the look-up is skipped. Any other pending key is looked up first: a
        crashed attempt may have sent it without confirming it."""
        if tenant is None or claim is None:
            tenant, claim = self._load(tenant_id, claim_id)
        elif claim.pending_messages:  # the last check before sending: a payment may have landed since
            claim = self._load_claim(tenant_id, claim_id)
        for key in list(claim.pending_messages):
            kind = key.split("#", 1)[0]
            if kind in COLLECTION_KINDS and claim.amounts.outstanding <= 0:
                claim = self._confirm(tenant, claim, key, None, "cancelled: paid before sending")
                continue
            group = self._group_letter(claim, kind)
            if kind == BAILIFF_DOSSIER:
                record = {"channel": "bailiff", "document": self._bailiff().hand_over(tenant, claim)}
            elif group is not None:
                # Checked before ``fresh``: the debtor's letter may have gone out with another claim.
                record = self._send_combined(tenant, claim, key, group)
                self._keep_record(tenant_id, claim_id, key, record)
            elif key in fresh or not self.store.has_message(tenant_id, claim_id, key):
                record = self.messenger.deliver(tenant, claim, kind, {})
                self._keep_record(tenant_id, claim_id, key, record)
            else:
                record = None
            claim = self._confirm(tenant, claim, key, record, "sent")
        return tenant, claim

    def _group_letter(self, claim: Claim, kind: str) -> LetterGroup | None:
        """The combined letter of the debtor that this pending message belongs to, if any."""
        reference = claim.debtor.reference
        day = claim.step_dates.get(kind)
        if not reference or day is None or kind not in COMBINED_KINDS:
            return None
        group = self.store.letter_group(claim.tenant_id, reference, kind, day)
        return group if group is not None and group.combined and claim.claim_id in group.members else None

    def _send_combined(self, tenant: Tenant, claim: Claim, key: str, group: LetterGroup) -> dict[str, Any]:
        """One letter for the debtor's invoices of the group (CONTRACT.md §6): the first of its claims
        to get here sends it, for all of them, under a lease; the others keep its record."""
        taken = self.store.take_letter_send(group, claim.claim_id, now=clock.now(), lease=COMBINED_SEND_LEASE)
        if isinstance(taken, dict):
            return {**taken, "claim_id": claim.claim_id}
        if taken is False:
            raise TransientSendError("the debtor's combined letter is being sent with another of its claims",
                                     claim_id=claim.claim_id, kind=group.kind.value)
        invoices = self._letter_invoices(tenant, claim, group)
        record = self.messenger.deliver(tenant, claim, group.kind.value,
                                        {"invoices": invoices} if len(invoices) > 1 else {})
        self.store.finish_letter_send(group, record)
        for invoice in invoices:
            if invoice.claim.claim_id != claim.claim_id:  # each claim's outbox shows the one letter
                self._keep_record(claim.tenant_id, invoice.claim.claim_id, key,
                                  {**record, "claim_id": invoice.claim.claim_id})
        return record

    def _letter_invoices(self, tenant: Tenant, claim: Claim, group: LetterGroup) -> list[LetterInvoice]:
        """The group's invoices as the letter lists them: each member that took the step today, or
        still takes it (then as its step will leave it: that step is computed here, not written),
        while something is owed; the oldest due first (the order a payment of the total goes in)."""
        step, now = Stage(group.kind.value), clock.now()
        invoices: list[LetterInvoice] = []
        for claim_id in [claim.claim_id, *(m for m in group.members if m != claim.claim_id)]:
            member = claim if claim_id == claim.claim_id else self.store.get_claim(claim.tenant_id, claim_id)
            if member is None or not takes_step_today(member, tenant, step, group.day, now):
                continue
            if member.step_dates.get(step.value) != group.day:
                member = self._take(tenant, member, step, group.day).claim
            if member.amounts.outstanding <= 0:
                continue
            invoices.append(LetterInvoice(claim=member, amounts=member.amounts, costs=member.announced_costs or ZERO,
                                          vat=member.announced_costs_vat or ZERO))
        return sorted(invoices, key=lambda i: (i.claim.due_date, i.claim.invoice_date, i.claim.invoice_number))

    def _bailiff(self) -> Bailiff:
        if self.bailiff is None:
            raise RuntimeError("no bailiff hand-over is wired: the dossier cannot be delivered")
        return self.bailiff

    def _keep_record(self, tenant_id: str, claim_id: str, key: str, record: dict) -> None:
        """The message has left: its record must be written, or a retry of the step sends it again.
        A throttled write is tried again here, with backoff, instead of failing the step."""
        for attempt in range(RECORD_ATTEMPTS):
            try:
                self.store.put_message(tenant_id, claim_id, key, record)
                return
            except Exception as error:
                if attempt + 1 == RECORD_ATTEMPTS or not self._transient(error):
                    raise
                time.sleep(min(RECORD_BACKOFF_SECONDS * 2 ** attempt, 1.0))

    def _confirm(self, tenant: Tenant, claim: Claim, key: str, record: dict | None, what: str) -> Claim:
        def change(tenant: Tenant, claim: Claim):
            if key not in claim.pending_messages:
                return None
            details: dict[str, Any] = {"message": key, "result": what}
            if record:
                details.update({k: record[k] for k in ("channel", "document") if record.get(k)})
            return Change(claim.model_copy(update={"pending_messages": [k for k in claim.pending_messages if k != key]}),
                          timeline=[TimelineEvent(at=clock.now(), type="message_sent" if what == "sent"
                                                  else "message_cancelled", details=details)])

        return self._transact(claim.tenant_id, claim.claim_id, change, tenant=tenant, claim=claim)[1].claim

    # -- the state machine's entry points ------------------------------------------------------
    def check(self, tenant_id: str, claim_id: str) -> dict[str, str]:
        """Decide what comes next; handles the start of an execution and a missed instalment."""
        tenant, claim = self.flush_messages(tenant_id, claim_id)
        today = clock.today()

        def change(tenant: Tenant, claim: Claim):
            decision = decide(claim, tenant.policy, today, ready=tenant.ready, now=clock.now())
            updates: dict[str, Any] = {}
            events = []
            if decision.action is Action.WAIT and claim.status is not ClaimStatus.DEBT_MONITORING \
                    and claim.next_action_on != next_action_day(decision, today):
                updates["next_action_on"] = next_action_day(decision, today)  # the run ends; the sweep starts the next
            if decision.action is Action.RESUME:
                updates.update(self._arrangement_broken(claim, today))
                events.append(TimelineEvent(at=clock.now(), type="arrangement_broken", details={
                    "reason": decision.reason, "interest_from": str(updates["interest_resumes_on"]),
                    "new_notice": "notice" in updates}))
                del updates["interest_resumes_on"]
            if claim.status is ClaimStatus.DEBT_MONITORING and claim.next_action_on and claim.next_action_on <= today:
                policy = tenant.policy
                interval = dt.timedelta(days=policy.debt_monitoring_interval_days)
                updates.update(next_action_on=today + interval, phase=claim.phase + 1)
                details: dict[str, Any] = {"outstanding": str(claim.amounts.outstanding)}
                if limitation_notice_due(claim, today, policy.debt_monitoring_interval_days):
                    # art. 3:317 BW: a written reservation of the right, received before limitation runs out.
                    kind = MessageKind.LIMITATION_NOTICE
                    channel = channel_for(policy.notice_channel, claim.debtor, kind)
                    received = received_on(today, channel, email_delivery_days=policy.email_delivery_days,
                                           posting_days=policy.letter_posting_days) if channel else None
                    updates.update(pending_messages=[*claim.pending_messages, f"{kind.value}#{today.isoformat()}"],
                                   limitation_interruptions=with_interruption(claim, received))
                    details["limitation_notice"] = str(received) if received else "no written channel"
                events.append(TimelineEvent(at=clock.now(), type="debt_monitoring_checkin", details=details))
            if not updates:
                return None
            return Change(claim.model_copy(update=updates), timeline=events)

        before = frozenset(claim.pending_messages)
        tenant, changed = self._transact(tenant_id, claim_id, change, tenant=tenant, claim=claim)
        claim = changed.claim
        fresh = frozenset(claim.pending_messages) - before
        if fresh:  # a check-in's limitation notice goes out now
            tenant, claim = self.flush_messages(tenant_id, claim_id, tenant=tenant, claim=claim, fresh=fresh)
        return self._planned(tenant, claim, decide(claim, tenant.policy, today, ready=tenant.ready, now=clock.now()))

    def _planned(self, tenant: Tenant, claim: Claim, decision: Decision) -> dict[str, str]:
        """The decision a run ends on, with its next run planned: the claim's ``next_action_on`` (where the
        step's own write did not already record it) and, for a wait that ends later today, after the
        morning's sweep, a one-time schedule at its minute. Answers the decision as the machine reads it."""
        today = clock.today()
        if decision.action is Action.WAIT and decision.wait_until is not None:
            day = next_action_day(decision, today)

            def change(tenant: Tenant, claim: Claim):
                if claim.next_action_on == day or claim.is_closed:
                    return None
                return Change(claim.model_copy(update={"next_action_on": day}))

            if claim.next_action_on != day:
                claim = self._transact(claim.tenant_id, claim.claim_id, change, tenant=tenant, claim=claim)[1].claim
            if day is not None and day <= today:
                at = decision.wait_until
                self._plan_run(claim.tenant_id, claim.claim_id, f"{claim.phase}-{at:%Y%m%dT%H%M}", at)
        return decision_payload(decision)

    @staticmethod
    def _arrangement_broken(claim: Claim, today: dt.date) -> dict[str, Any]:
        """Back into collection (docs/law.md, "Arrangements"): interest runs again from the day after
        the missed instalment's due date; the kept days stay free of it. A 14-day letter whose term
        the arrangement cut short is sent anew before its costs can be owed."""
        missed = missed_instalment(claim, today)
        end = missed.due_date if missed is not None else today
        updates: dict[str, Any] = {"status": ClaimStatus.IN_COLLECTION,
                                   "interest_free": close_interest_free(claim, ARRANGEMENT_KEPT, end),
                                   "interest_resumes_on": end + dt.timedelta(days=1)}
        notice, arrangement = claim.notice, claim.arrangement
        if (notice is not None and arrangement is not None and not notice.flat_fee
                and Stage.LEGAL_REVIEW.value not in claim.step_dates
                and arrangement.agreed_at.date() <= notice.ends_on):
            updates.update(notice=None, announced_costs=None, announced_costs_vat=None, term_ends_on=None,
                           step_dates={k: v for k, v in claim.step_dates.items() if k != notice.step.value})
        return updates

    def run_step(self, tenant_id: str, claim_id: str, step: str) -> dict[str, str]:
        """Take ``step`` if it is (still) due; answer the decision that follows."""
        tenant, claim = self.flush_messages(tenant_id, claim_id)
        today = clock.today()
        wanted = Stage(step)

        def change(tenant: Tenant, claim: Claim):
            decision = decide(claim, tenant.policy, today, ready=tenant.ready, now=clock.now())
            if decision.action is not Action.STEP or decision.step is not wanted:
                return None  # paid, disputed, already done: nothing to do
            taken = self._take(tenant, claim, wanted, today)
            # The next run's day goes into the step's own write: no second write to plan it.
            after = decide(taken.claim, tenant.policy, today, ready=tenant.ready, now=clock.now())
            return replace(taken, claim=taken.claim.model_copy(update={"next_action_on": next_action_day(after, today)}))

        before = frozenset(claim.pending_messages)
        tenant, changed = self._transact(tenant_id, claim_id, change, tenant=tenant, claim=claim)
        claim, taken = changed.claim, changed.outcome
        if taken is not None:  # published once the step is written: a step that lost a race was never taken
            self._publish(tenant_id, "ClaimEscalated", {"claim_id": claim_id, "stage": taken.value})
        fresh = frozenset(claim.pending_messages) - before if taken is not None else frozenset()
        tenant, claim = self.flush_messages(tenant_id, claim_id, tenant=tenant, claim=claim, fresh=fresh)
        return self._planned(tenant, claim, decide(claim, tenant.policy, today, ready=tenant.ready, now=clock.now()))

    def _take(self, tenant: Tenant, claim: Claim, step: Stage, today: dt.date) -> Change[Stage]:
        policy = tenant.policy
        at = clock.now()
        details: dict[str, Any] = {"step": step.value}
        ledger = self.store.get_ledger(claim.tenant_id, claim.claim_id)
        # The account is settled up to today at every step (interest booked under the key claim + step).
        claim, ledger_entries, _ = settle(claim, ledger, policy, as_of=today, key=step.value, at=at)
        updates: dict[str, Any] = {"stage": step, "status": ClaimStatus.IN_COLLECTION,
                                   "step_dates": {**claim.step_dates, step.value: today}}
        messages: list[str] = []
        if step in (Stage.PRE_DUE_REMINDER, Stage.REMINDER_1, Stage.REMINDER_2):
            # Decided (and kept) now, while the debtor's other claims still take this step: the send reads it.
            self._letter_group(tenant, claim, step, today)
        if step is Stage.PRE_DUE_REMINDER:
            # Before the due date: the claim is not overdue yet (it stays open), nothing is owed but the
            # invoice, and limitation has not begun to run (art. 3:307 BW: from the day after the due date).
            updates["status"] = claim.status
            messages.append(step.value)
        elif step in (Stage.REMINDER_1, Stage.REMINDER_2):
            messages.append(step.value)
            # art. 3:317 BW: a written reminder interrupts limitation once it is received.
            channel = channel_for(policy.reminder_channel, claim.debtor, MessageKind(step.value))
            if channel is not None:
                updates["limitation_interruptions"] = with_interruption(claim, received_on(
                    today, channel, email_delivery_days=policy.email_delivery_days,
                    posting_days=policy.letter_posting_days))
        elif step is Stage.CALL_SCHEDULED:
            self._letter_group(tenant, claim, step, today)  # one call per debtor: the message is combined
            slot = next_call_slot(at, start=policy.business_hours_start, end=policy.business_hours_end)
            updates["call_at"] = slot
            details["call_at"] = slot.isoformat()
            messages.append(step.value)
        elif step in (Stage.FOURTEEN_DAY_LETTER, Stage.NOTICE_OF_DEFAULT):
            claim, entries, notice_updates = self._notice(tenant, claim, step, today, at,
                                                          self._letter_group(tenant, claim, step, today))
            ledger_entries += entries
            updates.update(notice_updates)
            notice = notice_updates["notice"]
            details.update({"announced_costs": str(notice.costs), "announced_costs_vat": str(notice.vat),
                            "term_ends_on": str(notice.ends_on), "channel": notice.channel.value,
                            "delivered_on": str(notice.delivered_on), "demanded": str(notice.demanded)})
            messages.append(step.value)
        elif step is Stage.LEGAL_REVIEW:
            claim, entries, review, review_updates = self._legal_review(tenant, claim, [*ledger, *ledger_entries],
                                                                        today, at)
            ledger_entries += entries
            details.update(review)
            updates.update(review_updates)
        updates["pending_messages"] = [*claim.pending_messages, *messages]
        updated = recompute(claim, **updates)
        events = [TimelineEvent(at=at, type="step_taken", details=details)]
        if updated.status is ClaimStatus.AWAITING_APPROVAL:
            events.append(TimelineEvent(at=at, type="awaiting_approval", details={
                "recommendation": updated.legal_advice.recommendation.value}))
        elif step is Stage.LEGAL_REVIEW and updated.status is ClaimStatus.NEEDS_ATTENTION:
            events.append(TimelineEvent(at=at, type="claim_parked", details={
                "error": "legal_review", "reason": details.get("parked", "")}))
        return Change(updated, ledger_entries, events, outcome=step)

    def _letter_group(self, tenant: Tenant, claim: Claim, step: Stage, today: dt.date) -> LetterGroup | None:
        """The letter of ``step`` this claim goes out in, with the debtor's other claims taking the same
        step today (``incasso.domain.debtor_letters``): decided by the first of them and kept, so each
        takes its share from one record. None: the claim has no debtor reference, or a letter of the
        debtor's was decided today without it (it then stands alone)."""
        reference = claim.debtor.reference
        if not reference or MessageKind(step.value) not in COMBINED_KINDS:
            return None
        kind = MessageKind(step.value)
        held = self.store.letter_group(claim.tenant_id, reference, kind.value, today)
        if held is None:
            now = clock.now()
            companions = [other for other in self.store.claims_of_debtor(claim.tenant_id, reference)
                          if other.claim_id != claim.claim_id and takes_step_today(other, tenant, step, today, now)]
            others = self.store.claims_of_debtor(claim.tenant_id, reference)
            earlier = earlier_small_letters(claim, others, exclude=[c.claim_id for c in companions])
            held = self.store.put_letter_group(decide_group(claim.tenant_id, claim, kind, today, companions,
                                                            tenant.policy, earlier))
        return held if claim.claim_id in held.members else None

    def _notice(self, tenant: Tenant, claim: Claim, step: Stage, today: dt.date, at: dt.datetime,
                group: LetterGroup | None = None):
        """The 14-day letter (art. 6:96 lid 6 BW) or notice of default: names the exact costs, and its
        term is computed for the channel it actually goes by (``incasso.domain.notices``). In a
        combined letter the staffel is applied once, over the sum of its invoices, and this claim
        announces its share (``incasso.domain.debtor_letters``)."""
        policy = tenant.policy
        costs = notice_costs(claim, policy)
        share = group.shares.get(claim.claim_id) if group is not None else None
        if share is not None:
            costs = CollectionCosts(costs=share.costs, vat=share.vat, basis=group.basis)
        elif claim.debtor.reference and not costs.flat_fee and not costs.agreed:
            # The stacking cap for small recurring claims (Stb. 2024, 44; ``incasso.law.cumulation``).
            others = self.store.claims_of_debtor(claim.tenant_id, claim.debtor.reference)
            room = room_under_cap(claim.principal, today, earlier_small_letters(claim, others))
            own, vat = capped(costs.costs, costs.vat, room)
            if own != costs.costs:
                costs = CollectionCosts(costs=own, vat=vat, basis=costs.basis)
        entries: list = []
        if costs.flat_fee:
            # art. 6:96 lid 4 BW: in a commercial contract the flat EUR 40 is due without any notice.
            claim, entries = book_costs(claim, costs=costs.costs, vat=costs.vat, key=f"{step.value}#costs", at=at,
                                        note="flat compensation art. 6:96 lid 4 BW")
        notice = build_notice(claim, policy, step, today, costs)
        if share is not None:
            notice = notice.model_copy(update={"shared_with": sorted(group.shares)})
        updates = {"announced_costs": costs.costs, "announced_costs_vat": costs.vat, "term_ends_on": notice.ends_on,
                   "notice": notice,
                   # art. 3:317 BW: the letter interrupts limitation once received.
                   "limitation_interruptions": with_interruption(claim, notice.delivered_on)}
        return claim, entries, updates

    def _shared_term_outcome(self, claim: Claim, ledger: list, policy, outcome):
        """A combined notice's costs after its term: the staffel over what stayed unpaid of all its
        invoices, this claim's share of it (``incasso.domain.debtor_letters.shared_term_costs``)."""
        members: dict[str, MemberAtTermEnd] = {}
        for claim_id in claim.notice.shared_with:
            member = claim if claim_id == claim.claim_id else self.store.get_claim(claim.tenant_id, claim_id)
            if member is None or member.notice is None:
                continue
            at_end = outcome if member is claim else term_outcome(
                member, self.store.get_ledger(claim.tenant_id, claim_id), policy)
            if at_end is None:
                continue
            members[claim_id] = MemberAtTermEnd(principal=member.amounts.principal, unpaid=at_end.unpaid_principal,
                                                announced_costs=member.notice.costs, announced_vat=member.notice.vat)
        share = shared_term_costs(claim.claim_id, members, debtor_type=claim.debtor.type,
                                  creditor_vat_deductible=not policy.vat_uplift)
        return replace(outcome, costs=share.costs, vat=share.vat)

    def _legal_review(self, tenant: Tenant, claim: Claim, ledger: list, today: dt.date, at: dt.datetime):
        """The term has run out unpaid: the costs it announced are now owed (HR 13-06-2014), over what
        was unpaid at its end (HR 2016) — never more than announced."""
        policy = tenant.policy
        entries: list = []
        review: dict[str, Any] = {}
        outcome = term_outcome(claim, ledger, policy)
        if outcome is not None and claim.notice is not None and len(claim.notice.shared_with) > 1:
            outcome = self._shared_term_outcome(claim, ledger, policy, outcome)
        already_booked = any(entry.kind is LedgerKind.COLLECTION_COSTS for entry in ledger)
        if outcome is not None and outcome.costs > 0 and not already_booked:
            assert claim.notice is not None
            claim, entries = book_costs(claim, costs=outcome.costs, vat=outcome.vat, key="legal_review#costs", at=at,
                                        value_date=claim.notice.ends_on + dt.timedelta(days=1),
                                        note=f"{'agreed collection costs (art. 6:96 lid 5 BW)' if claim.notice.agreed else 'collection costs (WIK staffel)'} "
                                             f"over the {outcome.unpaid_principal} unpaid when the term of the notice ended")
            # Payments made after the term went to the costs first (art. 6:44 BW): settle again.
            claim, settled, _ = settle(claim, ledger, policy, as_of=today, key="legal_review#costs-owed", at=at,
                                       new=entries)
            entries = settled
            review["costs_booked"] = str(outcome.costs)
        advice = legal_advice(claim, tenant, today)
        updates: dict[str, Any] = {"legal_advice": advice}
        review.update(limitation_date=advice.limitation_date.isoformat(), recommendation=advice.recommendation.value)
        if policy.require_approval_for_legal:
            # The tenant weighs the advice: POST .../legal/approve or .../legal/decline.
            updates.update(status=ClaimStatus.AWAITING_APPROVAL, next_action_on=None)
            review["bailiff"] = "awaiting approval"
        elif advice.blocking:
            # A reason court action cannot succeed: no automatic hand-over; a person looks at it.
            updates.update(status=ClaimStatus.NEEDS_ATTENTION, next_action_on=None, phase=claim.phase + 1)
            review.update(bailiff="no", parked="; ".join(advice.blocking))
        else:
            review["bailiff"] = "yes" if bailiff_worthwhile(claim, policy) else "no"
        return claim, entries, review, updates

    def file_with_bailiff(self, tenant_id: str, claim_id: str) -> dict[str, str]:
        """Hand the claim to the bailiff; the run ends there. The claim records that it waits for the
        bailiff (``waiting_for``) and leaves the due index: the bailiff's updates come in through the API."""
        today = clock.today()
        self._bailiff()

        def change(tenant: Tenant, claim: Claim):
            decision = decide(claim, tenant.policy, today, ready=tenant.ready, now=clock.now())
            if decision.action is not Action.STEP or decision.step is not Stage.BAILIFF_FILING:
                return None  # not (or no longer) for the bailiff: the machine routes the decision below
            # The dossier goes out after this write, as the debtor's notice does: a payment landing
            # before the write makes the step decide again; one landing after it cancels both.
            updated = recompute(claim, stage=Stage.BAILIFF_FILING, waiting_for="bailiff", next_action_on=None,
                                step_dates={**claim.step_dates, Stage.BAILIFF_FILING.value: today},
                                pending_messages=[*claim.pending_messages, BAILIFF_DOSSIER,
                                                  Stage.BAILIFF_FILING.value])
            return Change(updated, timeline=[TimelineEvent(at=clock.now(), type="step_taken",
                                                           details={"step": "bailiff_filing"})], outcome=Then.FILED)

        tenant, changed = self._transact(tenant_id, claim_id, change)
        claim, result = changed.claim, changed.outcome
        if result is Then.FILED:  # not again when the task is retried after the filing
            self._publish(tenant_id, "ClaimEscalated", {"claim_id": claim_id, "stage": "bailiff_filing"})
        fresh = frozenset({BAILIFF_DOSSIER, Stage.BAILIFF_FILING.value}) if result is Then.FILED else frozenset()
        tenant, claim = self.flush_messages(tenant_id, claim_id, tenant=tenant, claim=claim, fresh=fresh)
        return self._planned(tenant, claim, decide(claim, tenant.policy, today, ready=tenant.ready, now=clock.now()))

    def pause(self, tenant_id: str, claim_id: str) -> dict[str, str]:
        """A disputed claim: record that it waits for the dispute's resolution and take it off the due
        index; the run ends. Resolving the dispute through the API starts the next run."""

        def change(tenant: Tenant, claim: Claim):
            if claim.status is not ClaimStatus.PAUSED:
                return None  # resolved in the meantime: the resolution started its own run
            if claim.waiting_for == "dispute" and claim.next_action_on is None:
                return None  # the task retried after recording it: nothing more to do
            return Change(claim.model_copy(update={"waiting_for": "dispute", "next_action_on": None}), timeline=[
                TimelineEvent(at=clock.now(), type="escalation_paused", details={"reason": claim.dispute_reason or ""})])

        claim = self._transact(tenant_id, claim_id, change)[1].claim
        return {"status": claim.status.value}

    def close(self, tenant_id: str, claim_id: str, outcome: str) -> dict[str, str]:
        status = ClaimStatus(outcome)

        def change(tenant: Tenant, claim: Claim):
            updates: dict[str, Any] = {"task_token": None, "waiting_for": None}
            if status is ClaimStatus.DEBT_MONITORING:
                interval = dt.timedelta(days=tenant.policy.debt_monitoring_interval_days)
                updates.update(status=status, stage=Stage.DEBT_MONITORING, phase=claim.phase + 1,
                               next_action_on=clock.today() + interval)
            else:
                updates.update(status=status, next_action_on=None)
            already = claim.status is status and (
                status is not ClaimStatus.DEBT_MONITORING or claim.stage is Stage.DEBT_MONITORING)
            if already and claim.task_token is None and claim.waiting_for is None:
                return None
            if already:  # closed by the API (a payment, a dispute upheld): only what it waited for is left to clear
                return Change(claim.model_copy(update={"task_token": None, "waiting_for": None}))
            event_type = "debt_monitoring_started" if status is ClaimStatus.DEBT_MONITORING else "claim_closed"
            events = [TimelineEvent(at=clock.now(), type=event_type, details={"outcome": status.value})]
            if status is ClaimStatus.UNCOLLECTIBLE and is_time_barred(claim, clock.today()):
                # art. 3:307 / 7:28 BW: past its limitation date; never charged costs, never to the bailiff.
                events.insert(0, TimelineEvent(at=clock.now(), type=TIME_BARRED, details={
                    "limitation_date": claim_limitation_date(claim).isoformat()}))
            return Change(claim.model_copy(update=updates), timeline=events, outcome=Then.CLOSED)

        changed = self._transact(tenant_id, claim_id, change)[1]
        claim = changed.claim
        if changed.outcome is Then.CLOSED and status is not ClaimStatus.DEBT_MONITORING:  # not again when the task is retried
            self._publish(tenant_id, "ClaimClosed", {"claim_id": claim_id, "outcome": status.value})
        return {"status": claim.status.value}

    def park(self, tenant_id: str, claim_id: str, error: str, cause: str) -> dict[str, str]:
        """A step failed for good: park the claim for manual action, with the reason on its timeline."""

        incident = parked_incident(tenant_id, claim_id, error, cause)  # the trace goes to the logs only

        def change(tenant: Tenant, claim: Claim):
            if claim.status is ClaimStatus.NEEDS_ATTENTION:
                return None  # parked already: the task was retried after parking it
            return Change(claim.model_copy(update={"status": ClaimStatus.NEEDS_ATTENTION, "next_action_on": None,
                                                   "phase": claim.phase + 1}),
                          timeline=[TimelineEvent(at=clock.now(), type="claim_parked",
                                                  details={"error": error, "reason": incident.reason,
                                                           "incident_id": incident.id})],
                          outcome=Then.PARKED)

        if self._transact(tenant_id, claim_id, change)[1].outcome is Then.PARKED:
            self._publish(tenant_id, "ClaimParked", {"claim_id": claim_id, "error": error})
        return {"status": ClaimStatus.NEEDS_ATTENTION.value}
