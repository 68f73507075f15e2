"""The policy's additions (issue 17): a reminder before the due date, the send window, and the limits of
what a debtor may propose — pure domain, no AWS."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from incasso.domain.arrangement_limits import proposal_problems, within_limits
from incasso.domain.escalation import Action, decide, first_action_on, step_instant
from incasso.domain.models import Address, Channel, Claim, Debtor, Instalment, MessageKind, Policy, Stage
from incasso.domain.send_window import AMSTERDAM, debtor_zone, held_until, next_opening, sending_day
from incasso.domain.ledger import open_claim_amounts

AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
DUE = dt.date(2026, 1, 14)  # a Wednesday
UTC = dt.timezone.utc


def make_claim(*, country: str | None = "NL", email: str | None = "jan@example.nl", **changes) -> Claim:
    address = Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht", country=country) if country else None
    claim = Claim(tenant_id="acme", claim_id="c1", invoice_number="F1",
                  debtor=Debtor(name="Jan", type="consumer", email=email, phone="+31612345678", address=address),
                  invoice_date=dt.date(2025, 12, 15), due_date=DUE, principal=Decimal("100.00"),
                  amounts=open_claim_amounts(Decimal("100.00")), created_at=AT, updated_at=AT)
    return claim.model_copy(update=changes)


# -- the reminder before the due date ----------------------------------------------------------------
def test_pre_due_reminder_is_off_by_default_and_the_sweep_first_takes_a_claim_up_at_reminder_1():
    # Given the default policy / Then no pre-due reminder and the claim is first taken up at due + 7
    assert Policy().pre_due_reminder_days == 0
    assert first_action_on(DUE, Policy()) == DUE + dt.timedelta(days=7)
    assert decide(make_claim(), Policy(), DUE - dt.timedelta(days=5)).step is Stage.REMINDER_1


def test_pre_due_reminder_is_taken_up_n_days_before_the_due_date_and_sent_then():
    # Given a policy with a reminder three days before the due date
    policy = Policy(pre_due_reminder_days=3)
    claim = make_claim()
    # Then the sweep takes the claim up on due - 3, and the decision before that day is to wait for it
    assert first_action_on(DUE, policy) == DUE - dt.timedelta(days=3)
    early = decide(claim, policy, DUE - dt.timedelta(days=5))
    assert (early.action, early.step, early.wait_until) == (
        Action.WAIT, Stage.PRE_DUE_REMINDER, step_instant(DUE - dt.timedelta(days=3)))
    # When decided on that day / Then the step is taken
    on_the_day = decide(claim, policy, DUE - dt.timedelta(days=3))
    assert (on_the_day.action, on_the_day.step) == (Action.STEP, Stage.PRE_DUE_REMINDER)
    # And once taken the trajectory keeps its own days after the due date
    after = decide(claim.model_copy(update={"step_dates": {"pre_due_reminder": DUE - dt.timedelta(days=3)}}),
                   policy, DUE - dt.timedelta(days=3))
    assert (after.action, after.step, after.wait_until) == (
        Action.WAIT, Stage.REMINDER_1, step_instant(DUE + dt.timedelta(days=7)))


def test_pre_due_reminder_is_never_sent_on_or_after_the_due_date():
    # Given a claim handed over late (its pre-due day has passed), decided on its due date
    decision = decide(make_claim(), Policy(pre_due_reminder_days=3), DUE)
    # Then the pre-due reminder is skipped: the first reminder is next
    assert decision.step is Stage.REMINDER_1


def test_pre_due_reminder_is_a_message_kind_and_a_stage():
    assert MessageKind("pre_due_reminder") and Stage("pre_due_reminder")


@pytest.mark.parametrize("days", [-1, 61])
def test_pre_due_reminder_days_out_of_range_is_refused(days):
    with pytest.raises(ValidationError):
        Policy(pre_due_reminder_days=days)


# -- the send window ------------------------------------------------------------------------------
def test_sending_days_exclude_sundays_and_dutch_public_holidays():
    assert sending_day(dt.date(2026, 1, 5))  # a Monday
    assert not sending_day(dt.date(2026, 1, 11))  # a Sunday
    assert not sending_day(dt.date(2026, 4, 27))  # Koningsdag, a Monday
    assert not sending_day(dt.date(2026, 12, 25))  # Christmas


def test_next_opening_is_now_inside_the_window_and_the_next_morning_outside_it():
    start, end = dt.time(8), dt.time(21)
    inside = dt.datetime(2026, 1, 6, 12, 0, tzinfo=UTC)
    assert next_opening(inside, AMSTERDAM, start, end) == inside
    night = dt.datetime(2026, 1, 6, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam
    assert next_opening(night, AMSTERDAM, start, end) == dt.datetime(2026, 1, 7, 7, 0, tzinfo=UTC)
    saturday_evening = dt.datetime(2026, 1, 10, 21, 0, tzinfo=UTC)
    # Sunday skipped: Monday 08:00 in Amsterdam (07:00 UTC in winter)
    assert next_opening(saturday_evening, AMSTERDAM, start, end) == dt.datetime(2026, 1, 12, 7, 0, tzinfo=UTC)


def test_the_debtors_time_zone_follows_its_country_else_amsterdam():
    assert debtor_zone(make_claim(country="NL").debtor) == AMSTERDAM
    assert debtor_zone(make_claim(country=None).debtor) == AMSTERDAM
    assert debtor_zone(make_claim(country="Curaçao").debtor) == ZoneInfo("America/Curacao")
    assert debtor_zone(make_claim(country="US").debtor) == AMSTERDAM  # several zones: Amsterdam's


def test_a_debtor_abroad_gets_e_mail_in_its_own_morning():
    # Given the window 08:00-21:00 and a debtor on Curaçao (UTC-4), a step at 08:00 in Amsterdam (07:00 UTC)
    policy = Policy(send_window=True)
    debtor = make_claim(country="CW").debtor
    instant = dt.datetime(2026, 1, 6, 7, 0, tzinfo=UTC)  # 03:00 on Curaçao
    # Then the e-mail waits until 08:00 on Curaçao (12:00 UTC)
    assert held_until(policy, debtor, MessageKind.REMINDER_1, instant) == dt.datetime(2026, 1, 6, 12, 0, tzinfo=UTC)


def test_a_step_due_on_a_sunday_waits_for_monday_morning_by_e_mail_but_not_by_post():
    # Given the window on, a reminder due on Sunday 2026-01-11 (due date 2026-01-04 + 7)
    claim = make_claim(due_date=dt.date(2026, 1, 4))
    sunday = dt.date(2026, 1, 11)
    decision = decide(claim, Policy(send_window=True), sunday)
    # Then it waits for Monday 08:00 in Amsterdam
    assert (decision.action, decision.step) == (Action.WAIT, Stage.REMINDER_1)
    assert decision.wait_until == dt.datetime(2026, 1, 12, 7, 0, tzinfo=UTC)
    # And on Monday morning it goes
    monday = decide(claim, Policy(send_window=True), dt.date(2026, 1, 12), now=decision.wait_until)
    assert monday.action is Action.STEP
    # While a reminder by post is not held, nor one without the window
    by_post = Policy(send_window=True, reminder_channel=Channel.LETTER)
    assert decide(claim, by_post, sunday).action is Action.STEP
    assert decide(claim, Policy(), sunday).action is Action.STEP


def test_a_step_at_night_waits_for_the_window_to_open():
    claim = make_claim(due_date=dt.date(2026, 1, 5))
    policy = Policy(send_window=True, send_window_start=dt.time(9, 30))
    # When asked at 08:00 on a Monday (the step's morning) / Then it waits until 09:30
    decision = decide(claim, policy, dt.date(2026, 1, 12))
    assert decision.wait_until == dt.datetime(2026, 1, 12, 8, 30, tzinfo=UTC)


def test_a_send_window_that_closes_before_it_opens_is_refused():
    with pytest.raises(ValidationError, match="send window"):
        Policy(send_window_start=dt.time(21), send_window_end=dt.time(8))


# -- what a debtor may propose ----------------------------------------------------------------------
def _instalments(*amounts: str) -> list[Instalment]:
    return [Instalment(due_date=DUE + dt.timedelta(days=30 * i), amount=Decimal(a)) for i, a in enumerate(amounts)]


def test_a_debtors_proposal_within_the_policys_limits_passes():
    policy = Policy(debtor_max_instalments=3, debtor_min_instalment=Decimal("50.00"))
    # the last instalment settles the rest and may be smaller
    assert within_limits(_instalments("50.00", "50.00", "10.00"), policy)


def test_a_debtors_proposal_with_too_many_or_too_small_instalments_is_refused_naming_the_field():
    policy = Policy(debtor_max_instalments=2, debtor_min_instalment=Decimal("50.00"))
    problems = proposal_problems(_instalments("20.00", "50.00", "50.00"), policy)
    assert {p["field"] for p in problems} == {"instalments", "instalments.0.amount"}


@pytest.mark.parametrize("changes", [{"debtor_max_instalments": 0}, {"debtor_min_instalment": "0.50"},
                                     {"debtor_max_instalments": 121}])
def test_arrangement_limits_out_of_range_are_refused(changes):
    with pytest.raises(ValidationError):
        Policy(**changes)
