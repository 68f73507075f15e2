"""The trajectory end to end: real ASL on moto's interpreter, real step Lambdas, simulated clock."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from incasso.domain.models import ClaimStatus, Instalment, Stage
from incasso.services.claim_commands import BailiffUpdateKind, DisputeOutcome, NewPayment

START = dt.date(2026, 1, 5)  # the local stack starts on Monday 5 Jan 2026

DAY = dt.timedelta(days=1)


def test_consumer_claim_runs_the_whole_route_and_the_bailiff_closes_it(world):
    # given a tenant with the default policy and a consumer claim of 3,000.00 due today (Mon 5 Jan 2026)
    world.tenant()
    claim = world.claim()
    # when the clock runs to just before the first reminder / then nothing has happened
    world.until(START + 6 * DAY)
    assert world.get(claim).stage is Stage.NONE and world.sent(claim) == []
    # when it runs through the policy's days (7, 21, 28, 35)
    world.until(START + 7 * DAY)
    assert world.get(claim).stage is Stage.REMINDER_1
    world.until(START + 21 * DAY)
    assert world.get(claim).stage is Stage.REMINDER_2
    world.until(START + 28 * DAY)
    assert world.get(claim).stage is Stage.CALL_SCHEDULED
    world.until(START + 35 * DAY)  # Mon 9 Feb: the 14-day letter, posted
    letter_day = world.get(claim)
    assert letter_day.stage is Stage.FOURTEEN_DAY_LETTER
    # then the letter names the exact WIK amount for 3,000.00 (EUR 425.00) and no cost is booked yet
    assert letter_day.announced_costs == Decimal("425.00")
    assert letter_day.amounts.collection_costs == Decimal("0.00")
    # posted Mon 9 Feb -> presumed delivered Wed 11 Feb -> term 12-25 Feb (art. 6:96 lid 6 BW)
    assert letter_day.term_ends_on == dt.date(2026, 2, 25)
    world.until(dt.date(2026, 2, 25))
    assert world.get(claim).stage is Stage.FOURTEEN_DAY_LETTER
    # when the term has run out unpaid: legal review books the costs and files with the bailiff
    world.until(dt.date(2026, 2, 26))
    filed = world.get(claim)
    assert filed.stage is Stage.BAILIFF_FILING
    assert filed.amounts.collection_costs == Decimal("425.00")
    # and no execution stays open while the claim is with the bailiff: it waits on its record, not on a token
    assert filed.waiting_for == "bailiff" and filed.task_token is None and world.stack.running_executions == 0
    assert world.sent(claim) == ["reminder_1", "reminder_2", "call_scheduled", "fourteen_day_letter", "bailiff_filing"]
    # when the bailiff reports: served, judgment, then everything is paid through him
    world.claims.bailiff_update("acme", claim.claim_id, BailiffUpdateKind.SERVED)
    world.claims.bailiff_update("acme", claim.claim_id, BailiffUpdateKind.JUDGMENT)
    world.until(dt.date(2026, 3, 10))
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=dt.date(2026, 3, 10)))
    world.until(dt.date(2026, 3, 11))
    # then the claim is closed as paid, the execution has ended, nothing more went out
    closed = world.get(claim)
    assert closed.status is ClaimStatus.PAID and closed.amounts.outstanding == Decimal("0.00")
    timeline = world.store.get_timeline("acme", claim.claim_id)
    assert [e.type for e in timeline].count("claim_closed") == 1
    assert world.stack.running_executions == 0
    assert world.sent(claim)[-1] == "payment_confirmation"


def test_business_claim_takes_the_business_route_with_commercial_interest(world):
    # given a business debtor without a phone
    world.tenant()
    claim = world.claim(debtor_type="business", phone=None, principal="1000.00")
    # when the clock runs past the notice day
    world.until(START + 35 * DAY)
    # then: two reminders and a notice of default; no call, no 14-day letter
    assert world.sent(claim) == ["reminder_1", "reminder_2", "notice_of_default"]
    current = world.get(claim)
    assert current.stage is Stage.NOTICE_OF_DEFAULT
    # commercial rate 2026 (10.15 %) over 1,000.00 for 35 days = 9.73
    assert current.amounts.interest == Decimal("9.73")


def test_payment_in_full_after_the_first_reminder_stops_everything(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 8 * DAY)
    assert world.sent(claim) == ["reminder_1"]
    # when the debtor pays everything owed
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=START + 8 * DAY))
    world.until(START + 90 * DAY)
    # then: paid, no costs, no further letters, the execution ended
    final = world.get(claim)
    assert final.status is ClaimStatus.PAID
    assert final.amounts.collection_costs == Decimal("0.00")
    assert world.sent(claim) == ["reminder_1", "payment_confirmation"]
    assert world.stack.running_executions == 0


def test_partial_payment_is_allocated_and_escalation_continues(world):
    world.tenant()
    claim = world.claim(principal="3000.00")
    world.until(START + 22 * DAY)
    before = world.get(claim)
    # when 1,000.00 is paid after reminder 2
    result = world.claims.pay("acme", claim.claim_id, NewPayment(amount=Decimal("1000.00"), paid_at=START + 22 * DAY))
    # then interest first (no costs booked yet), the rest to principal (art. 6:44 BW)
    assert result.allocation.costs == Decimal("0.00")
    assert result.allocation.interest == result.claim.amounts.interest
    assert result.allocation.principal == Decimal("1000.00") - result.allocation.interest
    assert result.claim.amounts.outstanding == before.amounts.outstanding + (result.claim.amounts.interest - before.amounts.interest) - Decimal("1000.00")
    # and the 14-day letter names the staffel over the unpaid principal
    world.until(START + 35 * DAY)
    letter = world.get(claim)
    assert letter.stage is Stage.FOURTEEN_DAY_LETTER
    unpaid = letter.amounts.principal - letter.paid_principal
    from incasso.law.wik import collection_costs

    assert letter.announced_costs == collection_costs(unpaid)


def test_dispute_pauses_and_rejected_resumes_where_it_stopped(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 8 * DAY)
    world.claims.dispute("acme", claim.claim_id, "goods not delivered")
    # when the clock runs well past reminder 2 / then nothing more is sent
    world.until(START + 40 * DAY)
    paused = world.get(claim)
    assert paused.status is ClaimStatus.PAUSED and paused.waiting_for == "dispute"
    assert world.sent(claim) == ["reminder_1"]
    # when the dispute is rejected / then the escalation resumes with the next step
    world.claims.resolve_dispute("acme", claim.claim_id, DisputeOutcome.REJECTED)
    world.until(START + 41 * DAY)
    assert world.sent(claim) == ["reminder_1", "reminder_2"]
    assert world.get(claim).status is ClaimStatus.IN_COLLECTION


def test_dispute_upheld_cancels_the_claim(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 8 * DAY)
    world.claims.dispute("acme", claim.claim_id, "already paid in cash")
    world.until(START + 9 * DAY)
    world.claims.resolve_dispute("acme", claim.claim_id, DisputeOutcome.UPHELD)
    world.until(START + 60 * DAY)
    assert world.get(claim).status is ClaimStatus.CANCELLED
    assert world.sent(claim) == ["reminder_1"]
    assert world.stack.running_executions == 0


def test_arrangement_kept_then_missed_instalment_resumes_escalation(world):
    world.tenant()
    claim = world.claim(principal="600.00")
    world.until(START + 8 * DAY)
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    first, second = (owed / 2).quantize(Decimal("0.01")), owed - (owed / 2).quantize(Decimal("0.01"))
    world.claims.arrange("acme", claim.claim_id, [Instalment(due_date=START + 20 * DAY, amount=first),
                                                  Instalment(due_date=START + 50 * DAY, amount=second)])
    # when the first instalment is paid on time / then no escalation
    world.until(START + 19 * DAY)
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=first, paid_at=START + 19 * DAY))
    world.until(START + 50 * DAY)
    assert world.get(claim).status is ClaimStatus.ARRANGEMENT
    assert "reminder_2" not in world.sent(claim)
    # and while it is kept, no interest accrues on top of the agreed instalments
    assert world.claims.current("acme", claim.claim_id).amounts.outstanding == second
    # when the second is missed (grace of 3 days) / then escalation resumes with reminder 2
    world.until(START + 54 * DAY)
    assert world.get(claim).status is ClaimStatus.IN_COLLECTION
    assert "reminder_2" in world.sent(claim)


def state_transitions(world, claim) -> int:
    """State transitions of the claim's runs, as AWS bills them for Standard (one per state entered)."""
    sfn = world.stack.client("stepfunctions")
    total = 0
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=world.stack.names["escalation"]):
        for execution in page["executions"]:
            history = sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)
            if json.loads(history["events"][0]["executionStartedEventDetails"]["input"])["claim_id"] == claim.claim_id:
                total += sum(1 for e in history["events"] if e["type"].endswith("StateEntered"))
    return total


def test_full_consumer_route_costs_at_most_40_state_transitions(world, capsys):
    # given a consumer claim that runs the whole route to the bailiff and is then paid
    world.tenant()
    claim = world.claim()
    world.until(dt.date(2026, 2, 26))
    assert world.get(claim).stage is Stage.BAILIFF_FILING
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=dt.date(2026, 2, 26)))
    world.until(dt.date(2026, 2, 27))
    # when its execution history is counted
    transitions = state_transitions(world, claim)
    with capsys.disabled():
        print(f"\ntransitions_consumer_route: {transitions}")
    # then it stays within the budget that keeps the AWS cost per claim low
    assert world.stack.running_executions == 0
    assert 10 < transitions <= 40


def test_every_step_invoked_twice_books_and_sends_nothing_twice(world):
    # given a consumer claim past its legal review (costs booked, letters sent)
    world.tenant(bailiff_enabled=False)
    claim = world.claim()
    world.until(dt.date(2026, 2, 26))
    sent, ledger = world.sent(claim), world.ledger_keys(claim)
    assert "legal_review#costs" in ledger and "fourteen_day_letter" in sent
    # when every step Lambda is invoked again, twice, with the same input
    event = {"tenant_id": "acme", "claim_id": claim.claim_id}
    for _ in range(2):
        for step in ("reminder_1", "reminder_2", "fourteen_day_letter"):
            world.stack.invoke("send_message", {**event, "step": step})
        world.stack.invoke("schedule_call", {**event, "step": "call_scheduled"})
        world.stack.invoke("legal_review", {**event, "step": "legal_review"})
        world.stack.invoke("check_claim", event)
    # then no message went out again and no ledger entry was booked again
    assert world.sent(claim) == sent
    assert world.ledger_keys(claim) == ledger
    assert sorted(set(ledger)) == sorted(ledger)


def test_a_step_that_cannot_be_sent_parks_the_claim_with_its_reason(world):
    # given a consumer without any address, e-mail or phone: no channel can reach the debtor
    world.tenant()
    from incasso.domain.models import Debtor
    from incasso.services.claim_commands import NewClaim

    # (intake refuses such a debtor now; a claim stored before that rule, or migrated, can still be one)
    new = NewClaim.model_construct(invoice_number="F-9", debtor=Debtor(name="Unknown", type="consumer"),
                                   principal=Decimal("100.00"), currency="EUR", invoice_date=START - 30 * DAY,
                                   due_date=START, consumer_sale=False)
    claim = world.store.create_claim(world.claims.build_claim(world.claims.tenant("acme"), new))
    # when the first reminder is due
    world.until(START + 8 * DAY)
    # then the claim is parked, with the reason on its timeline, and the execution failed visibly
    parked = world.get(claim)
    assert parked.status is ClaimStatus.NEEDS_ATTENTION
    events = [e for e in world.store.get_timeline("acme", claim.claim_id) if e.type == "claim_parked"]
    assert len(events) == 1 and events[0].details["error"] == "PermanentSendError"
    assert world.sent(claim) == []


def test_a_send_that_keeps_failing_is_retried_then_parks_the_claim(world, monkeypatch):
    # given an e-mail service that is throttling every call
    from incasso.adapters import message_sending as messaging

    calls = []

    def throttled(self, message):
        calls.append(message.kind)
        raise messaging.TransientSendError("Throttling: rate exceeded")

    monkeypatch.setattr(messaging.MessageSender, "send", throttled)
    world.tenant()
    claim = world.claim()
    # when the first reminder is due and the retries (60 s, 2 min, 4 min, 8 min) have run
    world.until(START + 8 * DAY)
    # then it was tried five times (1 + 4 retries), then parked with the reason; nothing counted as sent
    assert calls == ["reminder_1"] * 5
    parked = world.get(claim)
    assert parked.status is ClaimStatus.NEEDS_ATTENTION
    assert parked.pending_messages == ["reminder_1"]
    assert world.sent(claim) == []


def test_an_arrangement_paid_on_time_closes_the_claim_with_nothing_left(world):
    # given a claim on an arrangement of two instalments
    world.tenant()
    claim = world.claim(principal="600.00")
    world.until(START + 8 * DAY)
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    first = (owed / 2).quantize(Decimal("0.01"))
    world.claims.arrange("acme", claim.claim_id, [Instalment(due_date=START + 20 * DAY, amount=first),
                                                  Instalment(due_date=START + 50 * DAY, amount=owed - first)])
    # when both are paid on their due dates
    world.until(START + 20 * DAY)
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=first, paid_at=START + 20 * DAY))
    world.until(START + 50 * DAY)
    result = world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed - first, paid_at=START + 50 * DAY))
    world.until(START + 51 * DAY)
    # then it is paid with nothing outstanding, and no collection message went out after the arrangement
    final = world.get(claim)
    assert result.claim.amounts.outstanding == Decimal("0.00")
    assert final.status is ClaimStatus.PAID and final.amounts.outstanding == Decimal("0.00")
    assert world.sent(claim) == ["reminder_1", "arrangement_confirmation", "payment_confirmation", "payment_confirmation"]
