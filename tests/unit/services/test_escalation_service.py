"""EscalationService on the fakes: a step decides afresh, writes once, sends what it decided, publishes."""

import datetime as dt

import pytest
from conftest import TENANT, TODAY, new_claim

from incasso.domain.errors import PermanentSendError
from incasso.domain.models import ClaimStatus, Stage
from incasso.services.claim_commands import NewPayment
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


def test_a_claim_not_for_the_bailiff_hands_nothing_over_and_answers_its_decision(claims, escalation, workflows,
                                                                                 bailiff):
    # given a claim that is not at the bailiff's step
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    # when the bailiff task runs / then no dossier goes out and the machine gets the claim's own decision
    decision = escalation.file_with_bailiff(TENANT, claim.claim_id)
    assert bailiff.handed_over == []
    assert decision["action"] == "step" and decision["step"] == "reminder_1"


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


def test_closing_publishes_once_and_clears_what_the_claim_waited_for(claims, escalation, store, events):
    # given a claim that waits for the bailiff
    claim = claims.create(TENANT, new_claim())
    store.save_claim(claim.model_copy(update={"waiting_for": "bailiff"}), expected_version=claim.version)
    # when the machine closes it as uncollectible, twice
    assert escalation.close(TENANT, claim.claim_id, "uncollectible") == {"status": "uncollectible"}
    escalation.close(TENANT, claim.claim_id, "uncollectible")
    # then it waits for nothing, is off the due index, and ClaimClosed was published once
    closed = store.get_claim(TENANT, claim.claim_id)
    assert closed.waiting_for is None and closed.next_action_on is None
    assert events.types().count("ClaimClosed") == 1

# -- nothing waits in the state machine: the claim records its next run (docs/scale.md) --------------

def test_a_step_records_the_day_of_the_next_run_in_its_own_write(claims, escalation, store):
    # given a claim ten days overdue, on the due index for today (its first reminder is due)
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    before = store.get_claim(TENANT, claim.claim_id)
    # when the run takes the first reminder
    decision = escalation.run_step(TENANT, claim.claim_id, Stage.REMINDER_1.value)
    # then the run ends on a wait, and the claim names the day of reminder 2 (the policy's gap of 14 days
    # after reminder 1, taken late today): the sweep's key
    after = store.get_claim(TENANT, claim.claim_id)
    assert decision["action"] == "wait" and decision["step"] == "reminder_2"
    assert after.next_action_on == TODAY + dt.timedelta(days=14)
    # and it took one write for the step and one to confirm its message: none more to plan the next run
    assert after.version == before.version + 2


def test_a_check_that_finds_the_step_not_yet_due_moves_the_claim_to_its_day(claims, escalation, store, workflows):
    # given a claim due two days ago whose record says its next run is today (the first reminder is at due + 7)
    claim = claims.create(TENANT, new_claim(days_overdue=2))
    current = store.get_claim(TENANT, claim.claim_id)
    store.save_claim(current.model_copy(update={"next_action_on": TODAY}), expected_version=current.version)
    # when a run checks it
    decision = escalation.check(TENANT, claim.claim_id)
    # then the run ends and the claim waits on the due index for the reminder's day; no minute is planned
    assert decision["action"] == "wait"
    assert store.get_claim(TENANT, claim.claim_id).next_action_on == TODAY + dt.timedelta(days=5)
    assert workflows.planned == []


def test_a_message_held_by_the_send_window_until_later_today_plans_a_run_at_that_minute(claims, escalation, store,
                                                                                        workflows):
    # given a tenant whose send window opens at 14:00 Dutch time, and a claim whose first reminder is due now
    # (09:00 UTC = 11:00 in Amsterdam, Monday 2 June 2025)
    tenant = store.get_tenant(TENANT)
    store.put_tenant(tenant.model_copy(update={"policy": tenant.policy.model_copy(update={
        "send_window": True, "send_window_start": dt.time(14, 0)})}))
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    # when a run checks it, twice (two sweeps, a retried Lambda)
    first = escalation.check(TENANT, claim.claim_id)
    escalation.check(TENANT, claim.claim_id)
    # then the run ends on a wait until 12:00 UTC, planned once as a one-time run, and the claim stays due
    # today (the next sweep starts it should the schedule be lost)
    assert first["action"] == "wait" and first["wait_until"] == "2025-06-02T12:00:00Z"
    assert workflows.planned == [(TENANT, claim.claim_id, "1-20250602T1200",
                                  dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.timezone.utc))]
    assert store.get_claim(TENANT, claim.claim_id).next_action_on == TODAY


def test_a_disputed_claim_leaves_the_due_index_and_waits_for_the_resolution(claims, escalation, store):
    # given a disputed claim whose run reaches it
    claim = claims.create(TENANT, new_claim(days_overdue=10))
    claims.dispute(TENANT, claim.claim_id, "never delivered")
    decision = escalation.check(TENANT, claim.claim_id)
    # when the machine pauses it, twice (a retried task)
    escalation.pause(TENANT, claim.claim_id)
    escalation.pause(TENANT, claim.claim_id)
    # then it waits for the dispute, off the due index, with one escalation_paused on its timeline
    paused = store.get_claim(TENANT, claim.claim_id)
    assert decision["action"] == "pause"
    assert paused.waiting_for == "dispute" and paused.next_action_on is None
    assert [e.type for e in store.get_timeline(TENANT, claim.claim_id)].count("escalation_paused") == 1


def test_the_bailiff_filing_ends_the_run_with_the_claim_off_the_due_index(claims, escalation, store, bailiff):
    # given a claim whose legal review found court action worthwhile today
    claim = claims.create(TENANT, new_claim(principal="3000.00", days_overdue=10))
    current = store.get_claim(TENANT, claim.claim_id)
    steps = {step: TODAY for step in ("reminder_1", "reminder_2", "fourteen_day_letter", "legal_review")}
    store.save_claim(current.model_copy(update={"step_dates": steps, "status": ClaimStatus.IN_COLLECTION,
                                                "next_action_on": TODAY}), expected_version=current.version)
    # when the machine files it, twice (a retried task)
    decision = escalation.file_with_bailiff(TENANT, claim.claim_id)
    escalation.file_with_bailiff(TENANT, claim.claim_id)
    # then the dossier went once, the run ends, and the claim waits for the bailiff with no run planned
    filed = store.get_claim(TENANT, claim.claim_id)
    assert len(bailiff.handed_over) == 1 and decision["action"] == "end"
    assert filed.waiting_for == "bailiff" and filed.next_action_on is None and filed.task_token is None
