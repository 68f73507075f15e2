"""Verjaring: 5 years (3:307), 2 years consumer sale (7:28), stuiting (3:317, 3:319), judgments (3:324)."""

import datetime as dt

import pytest

from incasso.law.limitation import is_time_barred, judgment_limitation_date, limitation_date

date = dt.date


@pytest.mark.parametrize(
    ("consumer_sale", "expected"),
    [(False, date(2030, 3, 31)), (True, date(2027, 3, 31))],
)
def test_period_runs_from_the_day_after_the_due_date(consumer_sale, expected):
    # given an invoice due 31 March 2025 / then the period starts 1 April 2025 and ends 5 (2) years on
    assert limitation_date(date(2025, 3, 31), consumer_sale=consumer_sale) == expected


def test_written_reminder_starts_a_new_period_the_next_day():
    # given a reminder received 5 Jan 2027 / then a new 5-year period from 6 Jan 2027 (art. 3:319 lid 1)
    assert limitation_date(date(2025, 3, 31), consumer_sale=False, interruptions=[date(2027, 1, 5)]) == date(2032, 1, 5)
    # and for a consumer sale the new period is again 2 years
    assert limitation_date(date(2025, 3, 31), consumer_sale=True, interruptions=[date(2026, 6, 10)]) == date(2028, 6, 10)


def test_interruptions_chain_in_date_order():
    # given two reminders, given out of order / then the later one counts from its own next day
    result = limitation_date(date(2025, 3, 31), consumer_sale=True, interruptions=[date(2027, 12, 1), date(2026, 1, 10)])
    assert result == date(2029, 12, 1)


def test_interruption_after_the_period_revives_nothing():
    # given a consumer-sale price time-barred after 31 March 2027 / when a reminder follows on 1 April 2027
    result = limitation_date(date(2025, 3, 31), consumer_sale=True, interruptions=[date(2027, 4, 1)])
    # then the claim stays time-barred from 1 April 2027
    assert result == date(2027, 3, 31)
    assert is_time_barred(date(2025, 3, 31), date(2027, 4, 1), consumer_sale=True, interruptions=[date(2027, 4, 1)])


def test_reminder_before_the_period_began_does_not_interrupt():
    assert limitation_date(date(2025, 3, 31), consumer_sale=False, interruptions=[date(2025, 3, 31)]) == date(2030, 3, 31)


def test_interruption_on_the_last_day_still_counts():
    assert limitation_date(date(2025, 3, 31), consumer_sale=True, interruptions=[date(2027, 3, 31)]) == date(2029, 3, 31)


def test_period_starting_on_29_february_ends_on_28_february():
    # given due 28 Feb 2024, the period starts 29 Feb 2024 / then 5 years end on 28 Feb 2029
    assert limitation_date(date(2024, 2, 28), consumer_sale=False) == date(2029, 2, 28)


def test_time_barred_only_after_the_last_day():
    assert not is_time_barred(date(2025, 3, 31), date(2030, 3, 31), consumer_sale=False)
    assert is_time_barred(date(2025, 3, 31), date(2030, 4, 1), consumer_sale=False)


def test_judgment_is_enforceable_for_twenty_years():
    # art. 3:324 lid 1 BW — from the day after the judgment
    assert judgment_limitation_date(date(2025, 6, 30)) == date(2045, 6, 30)


def test_datetimes_are_refused():
    with pytest.raises(TypeError):
        limitation_date(dt.datetime(2025, 3, 31, 12), consumer_sale=False)
