"""ClaimService on the fakes: what a tenant's action writes, publishes, confirms and resumes."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import TENANT, new_claim

from incasso.domain.models import ClaimStatus, Instalment, LedgerKind
from incasso.services.claim_commands import DisputeOutcome, NewPayment
from incasso.services.errors import ConflictError, InvalidRequestError


def test_a_new_claim_is_stored_and_published(claims, store, events):
    # when a claim is created
    claim = claims.create(TENANT, new_claim())
    # then it is open, stored, and ClaimCreated went out once
    assert claim.status is ClaimStatus.OPEN and store.get_claim(TENANT, claim.claim_id) == claim
    assert events.events == [(TENANT, "ClaimCreated", {"claim_id": claim.claim_id, "invoice_number": "INV-1"})]


def test_the_same_invoice_number_twice_is_a_conflict_naming_the_first_claim(claims):
    # given a claim for INV-1
    first = claims.create(TENANT, new_claim())
    # when INV-1 comes again / then it is refused with the claim that holds it
    with pytest.raises(ConflictError) as refused:
        claims.create(TENANT, new_claim())
    assert refused.value.details[0]["claim_id"] == first.claim_id


def test_a_payment_in_full_closes_the_claim_confirms_it_and_publishes(claims, store, events, messenger):
    # given a claim of 250.00 without costs
    claim = claims.create(TENANT, new_claim())
    owed = claims.current(TENANT, claim.claim_id).amounts.outstanding
    # when all of it is paid today
    result = claims.pay(TENANT, claim.claim_id, NewPayment(amount=owed, paid_at=dt.date(2025, 6, 2)), payment_key="p1")
    # then the claim is paid, the payment booked once, confirmed, and both events published
    assert result.claim.status is ClaimStatus.PAID and result.claim.amounts.outstanding == 0
    assert result.allocation.total == owed
    assert [e.kind for e in store.get_ledger(TENANT, claim.claim_id)].count(LedgerKind.PAYMENT) == 1
    assert messenger.notified == [(claim.claim_id, "payment_confirmation")]
    assert events.types()[-2:] == ["PaymentReceived", "ClaimClosed"]


def test_a_retried_payment_answers_as_the_first_time_and_books_nothing_more(claims, store):
    # given a payment booked under key p1
    claim = claims.create(TENANT, new_claim())
    payment = NewPayment(amount=Decimal("100.00"), paid_at=dt.date(2025, 6, 1))
    first = claims.pay(TENANT, claim.claim_id, payment, payment_key="p1")
    # when the same payment comes again under p1
    again = claims.pay(TENANT, claim.claim_id, payment, payment_key="p1")
    # then the answer is the same and the ledger holds one payment; another amount under p1 is refused
    assert again.allocation == first.allocation
    assert [e.key for e in store.get_ledger(TENANT, claim.claim_id)].count("payment#p1") == 1
    with pytest.raises(InvalidRequestError, match="Idempotency-Key"):
        claims.pay(TENANT, claim.claim_id, NewPayment(amount=Decimal("5.00"), paid_at=dt.date(2025, 6, 1)),
                   payment_key="p1")


def test_a_version_conflict_reads_again_and_decides_again(claims, store):
    # given a claim that two other writers change before the dispute is written
    claim = claims.create(TENANT, new_claim())
    store.conflicts = 2
    # when the tenant disputes it / then the dispute lands on the third attempt, once
    disputed = claims.dispute(TENANT, claim.claim_id, "never delivered")
    assert disputed.status is ClaimStatus.PAUSED and disputed.version == claim.version + 1
    assert [e.type for e in store.get_timeline(TENANT, claim.claim_id)].count("dispute_opened") == 1


def test_a_claim_that_keeps_changing_is_a_conflict_to_try_again(claims, store):
    # given a claim changed by someone else at every attempt
    claim = claims.create(TENANT, new_claim())
    store.conflicts = 100
    # when disputed / then the tenant is told to try again; nothing was written
    with pytest.raises(ConflictError, match="try again"):
        claims.dispute(TENANT, claim.claim_id, "never delivered")
    assert store.get_claim(TENANT, claim.claim_id).status is ClaimStatus.OPEN


def test_a_dispute_upheld_cancels_the_claim_and_starts_no_run(claims, store, workflows, events):
    # given a disputed claim that waits for the resolution
    claim = claims.create(TENANT, new_claim())
    claims.dispute(TENANT, claim.claim_id, "never delivered")
    # when the dispute is upheld
    resolved = claims.resolve_dispute(TENANT, claim.claim_id, DisputeOutcome.UPHELD)
    # then the claim is cancelled, ClaimClosed published, and nothing is left for a run to do
    assert resolved.status is ClaimStatus.CANCELLED and resolved.next_action_on is None
    assert events.events[-1] == (TENANT, "ClaimClosed", {"claim_id": claim.claim_id, "outcome": "cancelled"})
    assert workflows.started == []


def test_a_dispute_rejected_starts_the_run_that_resumes_the_escalation_now(claims, store, workflows):
    # given a disputed claim that a run took off the due index (it waits for the resolution)
    claim = claims.create(TENANT, new_claim())
    claims.dispute(TENANT, claim.claim_id, "never delivered")
    paused = store.get_claim(TENANT, claim.claim_id)
    store.save_claim(paused.model_copy(update={"waiting_for": "dispute", "next_action_on": None}),
                     expected_version=paused.version)
    # when the dispute is rejected
    resolved = claims.resolve_dispute(TENANT, claim.claim_id, DisputeOutcome.REJECTED)
    # then it waits for nothing, and one run starts at once, named after the claim's version
    assert resolved.waiting_for is None and resolved.status is not ClaimStatus.PAUSED
    assert workflows.started == [(TENANT, claim.claim_id, f"1-resumed-v{resolved.version}")]


def test_refusing_a_waiting_arrangement_proposal_closes_it_tells_the_debtor_and_the_tenant(claims, store, events,
                                                                                            messenger):
    # given a claim with a debtor's proposal left for the tenant on its timeline
    claim = claims.create(TENANT, new_claim())
    claims.record_proposal(TENANT, claim.claim_id, [Instalment(due_date=dt.date(2025, 7, 1), amount="250.00")],
                           "too many")
    # when the tenant refuses it
    claims.refuse_arrangement(TENANT, claim.claim_id, "not in one go this late")
    # then the proposal is closed, the debtor is told, ArrangementRefused is published; once only
    assert [e.type for e in store.get_timeline(TENANT, claim.claim_id)][-1] == "arrangement_refused"
    assert messenger.notified[-1] == (claim.claim_id, "arrangement_refused")
    assert events.events[-1] == (TENANT, "ArrangementRefused", {"claim_id": claim.claim_id})
    with pytest.raises(ConflictError, match="no arrangement proposal"):
        claims.refuse_arrangement(TENANT, claim.claim_id, "again")


def test_without_a_waiting_proposal_there_is_nothing_to_refuse(claims):
    # given a claim on which no proposal was made / when refused / then a conflict
    claim = claims.create(TENANT, new_claim())
    with pytest.raises(ConflictError, match="no arrangement proposal"):
        claims.refuse_arrangement(TENANT, claim.claim_id, "no")


def test_court_action_approved_starts_the_run_that_hands_the_claim_over_now(claims, store, workflows):
    # given a claim that waits for the tenant's approval after its legal review
    claim = claims.create(TENANT, new_claim())
    current = store.get_claim(TENANT, claim.claim_id)
    store.save_claim(current.model_copy(update={"status": ClaimStatus.AWAITING_APPROVAL, "next_action_on": None}),
                     expected_version=current.version)
    # when the tenant approves
    approved = claims.approve_legal(TENANT, claim.claim_id)
    # then one run starts at once, of the claim's new phase, and the claim is due today for the sweep as well
    assert workflows.started == [(TENANT, claim.claim_id, f"{approved.phase}-approved-v{approved.version}")]
    assert approved.next_action_on == dt.date(2025, 6, 2) and approved.status is ClaimStatus.IN_COLLECTION


def test_a_dispute_in_part_rejected_after_the_rest_was_paid_resumes_at_once(claims, store, workflows):
    # given a claim of 250.00 with 100.00 disputed, the rest paid, and a run that paused it for the dispute
    claim = claims.create(TENANT, new_claim())
    claims.dispute(TENANT, claim.claim_id, "one item never arrived", Decimal("100.00"))
    owed = claims.current(TENANT, claim.claim_id).amounts.outstanding
    claims.pay(TENANT, claim.claim_id, NewPayment(amount=owed, paid_at=dt.date(2025, 6, 2)))
    paused = store.get_claim(TENANT, claim.claim_id)
    assert paused.status is ClaimStatus.PAUSED
    store.save_claim(paused.model_copy(update={"waiting_for": "dispute", "next_action_on": None}),
                     expected_version=paused.version)
    # when the disputed part is rejected
    resolved = claims.resolve_dispute(TENANT, claim.claim_id, DisputeOutcome.REJECTED)
    # then it waits for nothing and its run starts now, for the part that is owed again
    assert resolved.waiting_for is None and resolved.status is not ClaimStatus.PAUSED
    assert workflows.started == [(TENANT, claim.claim_id, f"{resolved.phase}-resumed-v{resolved.version}")]
