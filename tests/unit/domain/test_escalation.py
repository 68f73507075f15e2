"""The trajectory's decisions, without AWS: which step comes next for a claim, and when."""

import datetime as dt
from decimal import Decimal

from incasso.domain.escalation import Action, decide, route, scheduled_on, step_instant
from incasso.domain.ledger import book_costs, open_claim_amounts, settle
from incasso.domain.models import (
    Arrangement,
    Claim,
    ClaimStatus,
    Debtor,
    Instalment,
    LedgerEntry,
    LedgerKind,
    Policy,
    Stage,
)

AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
DUE = dt.date(2026, 1, 1)


def make_claim(debtor_type="consumer", phone="+31612345678", principal="1000.00", **changes) -> Claim:
    claim = Claim(tenant_id="acme", claim_id="c1", invoice_number="F1",
                  debtor=Debtor(name="Jan", type=debtor_type, phone=phone),
                  invoice_date=dt.date(2025, 12, 1), due_date=DUE, principal=Decimal(principal),
                  amounts=open_claim_amounts(Decimal(principal)), created_at=AT, updated_at=AT)
    return claim.model_copy(update=changes)


def pay(claim: Claim, amount: str, key: str, *, on: dt.date = DUE, ledger=()):
    """Book a payment of ``amount`` dated ``on`` the way the claim service does: the account replayed."""
    entry = LedgerEntry(key=key, kind=LedgerKind.PAYMENT, amount=Decimal(amount), booked_at=AT, value_date=on)
    paid, entries, settlement = settle(claim, list(ledger), Policy(), as_of=on, key=key, at=AT, new=[entry])
    return paid, settlement.allocations[key], [*ledger, *entries]


def taken(*steps_and_days) -> dict:
    return {step.value: DUE + dt.timedelta(days=day) for step, day in steps_and_days}


def test_consumer_route_follows_the_default_policy_days():
    # given a consumer with a phone and the default policy
    claim, policy = make_claim(), Policy()
    # when the route is laid out / then it is reminder, reminder, call, 14-day letter at 7/21/28/35 days
    assert route(claim, policy) == [(Stage.REMINDER_1, 7), (Stage.REMINDER_2, 21),
                                    (Stage.CALL_SCHEDULED, 28), (Stage.FOURTEEN_DAY_LETTER, 35)]


def test_business_route_ends_in_a_notice_of_default_and_skips_the_call_without_phone():
    claim = make_claim(debtor_type="business", phone=None)
    assert [s for s, _ in route(claim, Policy())] == [Stage.REMINDER_1, Stage.REMINDER_2, Stage.NOTICE_OF_DEFAULT]


def test_before_the_first_reminder_the_decision_is_to_wait_until_its_morning():
    # given a claim on its due date / when decided / then wait until due + 7 at 08:00 Dutch time
    decision = decide(make_claim(), Policy(), DUE)
    assert decision.action is Action.WAIT and decision.step is Stage.REMINDER_1
    assert decision.wait_until == step_instant(DUE + dt.timedelta(days=7))
    assert decision.wait_until == dt.datetime(2026, 1, 8, 7, 0, tzinfo=dt.timezone.utc)  # CET = UTC+1


def test_a_due_step_is_taken_and_a_taken_step_is_not_taken_again():
    claim = make_claim()
    assert decide(claim, Policy(), DUE + dt.timedelta(days=7)).step is Stage.REMINDER_1
    after = claim.model_copy(update={"step_dates": taken((Stage.REMINDER_1, 7))})
    decision = decide(after, Policy(), DUE + dt.timedelta(days=7))
    assert decision.action is Action.WAIT and decision.step is Stage.REMINDER_2


def test_a_late_claim_keeps_the_gaps_between_steps():
    # given a claim handed over 60 days after its due date, reminder 1 taken that day
    claim = make_claim(step_dates=taken((Stage.REMINDER_1, 60)))
    # when the next step is planned / then reminder 2 comes 14 days later, not the same day
    assert scheduled_on(claim, Policy(), Stage.REMINDER_2) == DUE + dt.timedelta(days=74)


def test_legal_review_waits_for_the_day_after_the_term():
    claim = make_claim(step_dates=taken((Stage.REMINDER_1, 7), (Stage.REMINDER_2, 21), (Stage.CALL_SCHEDULED, 28),
                                        (Stage.FOURTEEN_DAY_LETTER, 35)), term_ends_on=dt.date(2026, 2, 23),
                       status=ClaimStatus.IN_COLLECTION)
    assert decide(claim, Policy(), dt.date(2026, 2, 23)).action is Action.WAIT
    assert decide(claim, Policy(), dt.date(2026, 2, 24)).step is Stage.LEGAL_REVIEW


def test_after_legal_review_the_bailiff_only_when_worth_it():
    steps = taken((Stage.REMINDER_1, 7), (Stage.REMINDER_2, 21), (Stage.CALL_SCHEDULED, 28),
                  (Stage.FOURTEEN_DAY_LETTER, 35), (Stage.LEGAL_REVIEW, 54))
    big = make_claim(step_dates=steps, status=ClaimStatus.IN_COLLECTION, term_ends_on=DUE)
    small = make_claim(principal="100.00", step_dates=steps, status=ClaimStatus.IN_COLLECTION, term_ends_on=DUE)
    today = DUE + dt.timedelta(days=54)
    assert decide(big, Policy(), today).step is Stage.BAILIFF_FILING
    decision = decide(small, Policy(), today)
    assert decision.action is Action.CLOSE and decision.outcome is ClaimStatus.DEBT_MONITORING
    assert decide(big, Policy(bailiff_enabled=False), today).outcome is ClaimStatus.DEBT_MONITORING


def test_paid_disputed_and_cancelled_claims():
    claim = make_claim()
    paid, _, _ = pay(claim, "1000.00", "p")
    assert decide(paid, Policy(), DUE).outcome is ClaimStatus.PAID
    assert decide(claim.model_copy(update={"status": ClaimStatus.PAUSED}), Policy(), DUE).action is Action.PAUSE
    assert decide(claim.model_copy(update={"status": ClaimStatus.CANCELLED}), Policy(), DUE).outcome is ClaimStatus.CANCELLED


def test_arrangement_kept_missed_and_completed():
    instalments = [Instalment(due_date=dt.date(2026, 3, 1), amount=Decimal("500.00")),
                   Instalment(due_date=dt.date(2026, 4, 1), amount=Decimal("500.00"))]
    claim = make_claim(status=ClaimStatus.ARRANGEMENT, arrangement=Arrangement(instalments=instalments, agreed_at=AT))
    # kept: before the first deadline, wait until the day after its grace period
    kept = decide(claim, Policy(), dt.date(2026, 3, 2))
    assert kept.action is Action.WAIT and kept.wait_until == step_instant(dt.date(2026, 3, 5))
    # missed: nothing paid three days after the first due date
    assert decide(claim, Policy(), dt.date(2026, 3, 5)).action is Action.RESUME
    # first paid: next deadline is the second instalment
    first, _, ledger = pay(claim, "500.00", "p1")
    assert decide(first, Policy(), dt.date(2026, 3, 10)).wait_until == step_instant(dt.date(2026, 4, 5))
    # all paid: closed as paid
    both, _, _ = pay(first, "500.00", "p2", ledger=ledger)
    assert decide(both, Policy(), dt.date(2026, 4, 2)).outcome is ClaimStatus.PAID


def test_payment_allocation_follows_art_6_44_and_amounts_add_up():
    # given a claim of 3000.00 with costs (incl. VAT) owed from its due date and 61 days of interest (4 %)
    claim, costs = book_costs(make_claim(principal="3000.00"), costs=Decimal("425.00"), vat=Decimal("89.25"), key="k",
                              at=AT, note="costs", value_date=DUE)
    # when 600.00 is paid on 3 March 2026
    paid, allocation, ledger = pay(claim, "600.00", "p", on=dt.date(2026, 3, 3), ledger=costs)
    # then costs first (514.25), then interest (20.05), then principal (65.70)
    assert (allocation.costs, allocation.interest, allocation.principal) == (Decimal("514.25"), Decimal("20.05"), Decimal("65.70"))
    assert paid.amounts.paid == Decimal("600.00")
    assert paid.amounts.outstanding == Decimal("3000.00") + Decimal("514.25") + Decimal("20.05") - Decimal("600.00")
    entry = next(e for e in ledger if e.key == "p")
    assert entry.allocation == allocation
