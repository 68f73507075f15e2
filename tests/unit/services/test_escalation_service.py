"""EscalationService on the fakes: a step decides afresh, writes once, sends what it decided, publishes."""

import datetime as dt

import pytest
from conftest import TENANT, new_claim

from incasso.domain.errors import PermanentSendError
from incasso.domain.models import ClaimStatus, Stage
from incasso.services.claims import NewPayment
from incasso.services.escalation import EscalationService


@pytest.fixture
def escalation(store, messenger, bailiff, events, workflows) -> EscalationService:
    return EscalationService(store, messenger, bailiff, events=events, workflows=workflows)


def test_a_due_first_reminder_is_taken_sent_and_published_once(claims, escalation, store, messenger, events):
    # given a claim ten days overdue (the first reminder is due 7 days after the due date)
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    # when the state machine runs the step, and runs it again (a Lambda retry)
    escalation.run_step(TENANT, claim.claim_id, Stage.REMINDER_1.value)
    escalation.run_step(TENANT, claim.claim_id, Stage.REMINDER_1.value)
    # then the reminder went out once, its record is kept and nothing is left pending
    after = store.get_claim(TENANT, claim.claim_id)
    assert after.stage is Stage.REMINDER_1 and after.status is ClaimStatus.IN_COLLECTION
    assert messenger.delivered == [(claim.claim_id, "reminder_1")]
    assert store.has_message(TENANT, claim.claim_id, "reminder_1") and after.pending_messages == []
    assert events.types().count("ClaimEscalated") == 1


def test_a_step_on_a_paid_claim_does_nothing(claims, escalation, messenger):
    # given a claim paid in full before its reminder
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    owed = claims.current(TENANT, claim.claim_id).amounts.outstanding
    claims.pay(TENANT, claim.claim_id, NewPayment(amount=owed, paid_at=dt.date(2025, 6, 2)))
    # when the reminder step runs / then nothing is sent and the decision says close
    decision = escalation.run_step(TENANT, claim.claim_id, Stage.REMINDER_1.value)
    assert messenger.delivered == [] and decision["action"] == "close"


def test_a_send_that_cannot_succeed_leaves_the_message_pending_for_the_catch(claims, escalation, store, messenger):
    # given a messenger that rejects the message for good
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    messenger.failing = PermanentSendError("no address", claim_id=claim.claim_id, kind="reminder_1")
    # when the step runs / then the error reaches the state machine and the message stays pending
    with pytest.raises(PermanentSendError):
        escalation.run_step(TENANT, claim.claim_id, Stage.REMINDER_1.value)
    assert store.get_claim(TENANT, claim.claim_id).pending_messages == ["reminder_1"]


def test_a_claim_not_for_the_bailiff_resumes_the_task_at_once(claims, escalation, workflows, bailiff):
    # given a claim that is not at the bailiff's step
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    # when the bailiff task runs / then no dossier goes out and the execution is resumed to decide again
    escalation.file_with_bailiff(TENANT, claim.claim_id, "token-9")
    assert bailiff.handed_over == []
    assert workflows.resumed == [("token-9", {"signal": "not_for_bailiff"})]


def test_a_parked_claim_is_parked_and_published_once(claims, escalation, store, events):
    # given a claim whose step failed for good
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    # when the Catch parks it, twice (a retried task)
    escalation.park(TENANT, claim.claim_id, "PermanentSendError", "no address")
    escalation.park(TENANT, claim.claim_id, "PermanentSendError", "no address")
    # then it needs attention, with the reason on its timeline, and ClaimParked went out once
    assert store.get_claim(TENANT, claim.claim_id).status is ClaimStatus.NEEDS_ATTENTION
    assert [e.type for e in store.get_timeline(TENANT, claim.claim_id)].count("claim_parked") == 1
    assert events.types().count("ClaimParked") == 1


def test_closing_publishes_once_and_clears_the_task_token(claims, escalation, store, events):
    # given a claim waiting on a task token
    claim = claims.create(TENANT, new_claim())
    store.save_claim(claim.model_copy(update={"task_token": "t"}), expected_version=claim.version)
    # when the machine closes it as uncollectible, twice
    assert escalation.close(TENANT, claim.claim_id, "uncollectible") == {"status": "uncollectible"}
    escalation.close(TENANT, claim.claim_id, "uncollectible")
    # then the token is gone and ClaimClosed was published once
    assert store.get_claim(TENANT, claim.claim_id).task_token is None
    assert events.types().count("ClaimClosed") == 1
