"""Business days, presumed delivery (HR 25-11-2016), the 14-day term (art. 6:96 lid 6 BW), call slots."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.models import Channel
from incasso.law.terms import (
    FourteenDayTerm,
    business_day_on_or_after,
    fourteen_day_term,
    is_business_day,
    is_public_holiday,
    next_business_day,
    next_call_slot,
    presumed_delivery,
)

date = dt.date
AMS = ZoneInfo("Europe/Amsterdam")
UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2025, 1, 1), True),  # Nieuwjaarsdag
        (date(2025, 4, 18), True),  # Goede Vrijdag (art. 3 lid 2 Atw)
        (date(2025, 4, 21), True),  # tweede Paasdag
        (date(2025, 4, 26), True),  # Koningsdag (27 April is a Sunday)
        (date(2026, 5, 5), True),  # Bevrijdingsdag, every year under the Atw
        (date(2025, 5, 29), True),  # Hemelvaartsdag
        (date(2025, 6, 9), True),  # tweede Pinksterdag
        (date(2025, 12, 26), True),  # tweede Kerstdag
        (date(2025, 6, 3), False),
        (date(2025, 5, 30), False),  # Friday after Ascension: a working day
    ],
)
def test_public_holidays_come_from_the_dutch_calendar(day, holiday):
    assert is_public_holiday(day) is holiday


def test_business_days_are_weekdays_that_are_not_holidays():
    assert is_business_day(date(2025, 6, 3))  # Tuesday
    assert not is_business_day(date(2025, 6, 7))  # Saturday
    assert not is_business_day(date(2025, 6, 8))  # Sunday
    assert not is_business_day(date(2025, 4, 21))  # Easter Monday


def test_next_business_day_is_strictly_after_and_on_or_after_may_be_the_same_day():
    # given Thursday 17 April 2025, before Good Friday and Easter Monday
    assert next_business_day(date(2025, 4, 17)) == date(2025, 4, 22)
    assert business_day_on_or_after(date(2025, 4, 17)) == date(2025, 4, 17)
    assert business_day_on_or_after(date(2025, 4, 19)) == date(2025, 4, 22)


@pytest.mark.parametrize(
    ("posted", "delivered"),
    [
        (date(2025, 6, 3), date(2025, 6, 5)),  # Tue -> Thu: the fact sheet's example
        (date(2025, 6, 13), date(2025, 6, 17)),  # Fri -> Sat counts, Sun and Mon do not -> Tue
        (date(2025, 6, 14), date(2025, 6, 18)),  # Sat -> (Sun, Mon skipped) Tue, Wed
        (date(2025, 5, 27), date(2025, 5, 30)),  # Tue -> Wed, Ascension Thursday skipped -> Fri
        (date(2025, 4, 24), date(2025, 4, 29)),  # Thu -> Fri, Koningsdag Sat, Sun, Mon skipped -> Tue
        (date(2025, 12, 23), date(2025, 12, 27)),  # Tue -> Wed, both Christmas days skipped -> Sat
        (date(2025, 6, 6), date(2025, 6, 10)),  # Fri -> Sat, Whit Sunday and Whit Monday skipped -> Tue
    ],
)
def test_presumed_delivery_second_day_after_posting(posted, delivered):
    # given a letter posted / then presumed delivered on the second counting day (HR 25-11-2016)
    assert presumed_delivery(posted) == delivered


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_presumed_delivery_never_falls_on_a_sunday_monday_or_holiday(posted):
    delivered = presumed_delivery(posted)
    assert delivered.weekday() not in (6, 0)
    assert not is_public_holiday(delivered)
    assert date.fromordinal(posted.toordinal() + 2) <= delivered <= date.fromordinal(posted.toordinal() + 7)


def test_fourteen_day_term_of_the_fact_sheet():
    # given a letter posted Tuesday 3 June 2025
    term = fourteen_day_term(date(2025, 6, 3), channel=Channel.LETTER)
    # then delivered 5 June, the term runs 6–19 June and costs are due from 20 June
    assert term == FourteenDayTerm(
        sent_on=date(2025, 6, 3),
        delivered_on=date(2025, 6, 5),
        starts_on=date(2025, 6, 6),
        ends_on=date(2025, 6, 19),
        costs_due_from=date(2025, 6, 20),
    )


def test_term_ending_on_a_saturday_runs_to_monday():
    # given a letter posted Thu 12 June 2025, delivered Sat 14 June / then the term 15–28 June ends on
    # a Saturday and runs on to Monday 30 June
    term = fourteen_day_term(date(2025, 6, 12), channel=Channel.LETTER)
    assert (term.delivered_on, term.starts_on, term.ends_on, term.costs_due_from) == (
        date(2025, 6, 14), date(2025, 6, 15), date(2025, 6, 30), date(2025, 7, 1),
    )


def test_term_ending_on_a_holiday_runs_to_the_next_business_day():
    # given an e-mail received Mon 13 April 2026 / then 14–27 April, 27 April is Koningsdag -> 28 April
    term = fourteen_day_term(date(2026, 4, 13), channel=Channel.EMAIL)
    assert (term.delivered_on, term.starts_on, term.ends_on, term.costs_due_from) == (
        date(2026, 4, 13), date(2026, 4, 14), date(2026, 4, 28), date(2026, 4, 29),
    )


def test_term_ending_on_the_friday_after_ascension_runs_to_monday():
    # given an e-mail received Fri 1 May 2026 / then the term would end Fri 15 May, the bridge day after
    # Ascension (equated with a holiday in practice, art. 3 lid 3 Atw ⚠️) -> Monday 18 May
    term = fourteen_day_term(date(2026, 5, 1), channel=Channel.EMAIL)
    assert (term.ends_on, term.costs_due_from) == (date(2026, 5, 18), date(2026, 5, 19))


def test_email_counts_as_delivered_after_the_configured_days():
    term = fourteen_day_term(date(2025, 6, 2), channel=Channel.EMAIL, email_delivery_days=1)
    assert (term.delivered_on, term.starts_on, term.ends_on, term.costs_due_from) == (
        date(2025, 6, 3), date(2025, 6, 4), date(2025, 6, 17), date(2025, 6, 18),
    )


def test_sms_cannot_carry_a_fourteen_day_letter():
    with pytest.raises(ValueError):
        fourteen_day_term(date(2025, 6, 2), channel=Channel.SMS)
    with pytest.raises(ValueError):
        fourteen_day_term(date(2025, 6, 2), channel=Channel.EMAIL, email_delivery_days=-1)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.sampled_from([Channel.LETTER, Channel.EMAIL]))
def test_term_is_never_shorter_than_fourteen_days_and_ends_on_a_business_day(sent_on, channel):
    term = fourteen_day_term(sent_on, channel=channel)
    assert term.starts_on == date.fromordinal(term.delivered_on.toordinal() + 1)
    assert (term.ends_on - term.starts_on).days >= 13
    assert is_business_day(term.ends_on)
    assert term.costs_due_from == date.fromordinal(term.ends_on.toordinal() + 1)


def _ams(*args):
    return dt.datetime(*args, tzinfo=AMS)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Friday 16:45 -> Monday 09:00 (summer time: 07:00 UTC)
        (_ams(2025, 6, 13, 16, 45), dt.datetime(2025, 6, 16, 7, 0, tzinfo=UTC)),
        # Friday before Whit Monday -> Tuesday
        (_ams(2025, 6, 6, 16, 45), dt.datetime(2025, 6, 10, 7, 0, tzinfo=UTC)),
        # Thursday before Good Friday and Easter Monday -> Tuesday
        (_ams(2025, 4, 17, 16, 45), dt.datetime(2025, 4, 22, 7, 0, tzinfo=UTC)),
        # Christmas Eve evening -> Monday 29 December 09:00 (winter time: 08:00 UTC)
        (_ams(2025, 12, 24, 17, 30), dt.datetime(2025, 12, 29, 8, 0, tzinfo=UTC)),
        # across the change to summer time (30 March 2025): 09:00 CEST is 07:00 UTC
        (_ams(2025, 3, 28, 16, 45), dt.datetime(2025, 3, 31, 7, 0, tzinfo=UTC)),
        # across the change to winter time (26 October 2025): 09:00 CET is 08:00 UTC
        (_ams(2025, 10, 24, 16, 45), dt.datetime(2025, 10, 27, 8, 0, tzinfo=UTC)),
        # within business hours: the next half-hour slot; a slot start itself is kept
        (_ams(2025, 6, 3, 10, 10), dt.datetime(2025, 6, 3, 8, 30, tzinfo=UTC)),
        (_ams(2025, 6, 3, 9, 0), dt.datetime(2025, 6, 3, 7, 0, tzinfo=UTC)),
        (_ams(2025, 6, 3, 16, 30), dt.datetime(2025, 6, 3, 14, 30, tzinfo=UTC)),  # last slot 16:30–17:00
        (_ams(2025, 6, 3, 16, 31), dt.datetime(2025, 6, 4, 7, 0, tzinfo=UTC)),
        # early morning -> 09:00 the same day
        (_ams(2025, 6, 3, 7, 0), dt.datetime(2025, 6, 3, 7, 0, tzinfo=UTC)),
        # given in UTC rather than Amsterdam time: 14:45 UTC on a Friday is 16:45 there
        (dt.datetime(2025, 6, 13, 14, 45, tzinfo=UTC), dt.datetime(2025, 6, 16, 7, 0, tzinfo=UTC)),
    ],
)
def test_next_call_slot_in_dutch_business_hours(after, expected):
    slot = next_call_slot(after, start=dt.time(9, 0), end=dt.time(17, 0))
    assert slot == expected
    assert slot.utcoffset() == dt.timedelta(0)


def test_call_slots_must_fit_before_the_end_of_business_hours():
    # given 45-minute slots from 09:00 until 17:00 the last one starts at 15:45 / then 16:00 -> next day
    slot = next_call_slot(_ams(2025, 6, 3, 16, 0), start=dt.time(9, 0), end=dt.time(17, 0), slot_minutes=45)
    assert slot == dt.datetime(2025, 6, 4, 7, 0, tzinfo=UTC)


def test_call_slot_refuses_naive_times_and_impossible_hours():
    with pytest.raises(ValueError):
        next_call_slot(dt.datetime(2025, 6, 3, 10, 0), start=dt.time(9), end=dt.time(17))
    with pytest.raises(ValueError):
        next_call_slot(_ams(2025, 6, 3, 10, 0), start=dt.time(9), end=dt.time(9, 15), slot_minutes=30)
    with pytest.raises(ValueError):
        next_call_slot(_ams(2025, 6, 3, 10, 0), start=dt.time(9), end=dt.time(17), slot_minutes=0)
