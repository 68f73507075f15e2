"""Schedule expressions of EventBridge rules and Scheduler, as the simulated clock fires them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from infra.local.schedules import ScheduleExpressionError, parse_schedule

UTC = dt.timezone.utc


def at(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 5 * * ? *)", at(2026, 1, 5, 8, 0), at(2026, 1, 6, 5, 0)),  # daily 05:00, already past today
        ("cron(0 5 * * ? *)", at(2026, 1, 5, 4, 59), at(2026, 1, 5, 5, 0)),
        ("cron(0 5 * * ? *)", at(2026, 1, 5, 5, 0), at(2026, 1, 6, 5, 0)),  # strictly after
        ("cron(0 9 ? * MON-FRI *)", at(2026, 1, 9, 10, 0), at(2026, 1, 12, 9, 0)),  # Friday -> Monday
        ("cron(0 9 ? * 1 *)", at(2026, 1, 5, 0, 0), at(2026, 1, 11, 9, 0)),  # 1 = Sunday
        ("cron(*/15 * * * ? *)", at(2026, 1, 5, 8, 1), at(2026, 1, 5, 8, 15)),
        ("cron(0 6 1 * ? *)", at(2026, 1, 5, 0, 0), at(2026, 2, 1, 6, 0)),  # first of the month
        ("rate(1 day)", at(2026, 1, 5, 8, 0), at(2026, 1, 6, 8, 0)),
        ("rate(15 minutes)", at(2026, 1, 5, 8, 0), at(2026, 1, 5, 8, 15)),
    ],
)
def test_next_occurrence(expression, after, expected):
    # given an expression and a moment / then the next occurrence is the one EventBridge would run
    assert parse_schedule(expression).next_after(after) == expected


def test_cron_in_a_time_zone_follows_daylight_saving():
    # given 09:00 Amsterdam time daily / then it is 08:00 UTC in winter and 07:00 UTC in summer
    amsterdam = ZoneInfo("Europe/Amsterdam")
    daily = parse_schedule("cron(0 9 * * ? *)")
    assert daily.next_after(at(2026, 3, 28, 12, 0), amsterdam) == at(2026, 3, 29, 7, 0)
    assert daily.next_after(at(2026, 3, 27, 12, 0), amsterdam) == at(2026, 3, 28, 8, 0)


def test_one_time_schedule_fires_once():
    # given at() / then it is due once, and never after that moment
    once = parse_schedule("at(2026-01-07T12:00:00)")
    assert once.next_after(at(2026, 1, 5, 0, 0)) == at(2026, 1, 7, 12, 0)
    assert once.next_after(at(2026, 1, 7, 12, 0)) is None


@pytest.mark.parametrize("expression", ["cron(0 5 L * ? *)", "cron(0 5 * *)", "cron(61 5 * * ? *)", "every day"])
def test_unsupported_expressions_are_refused(expression):
    with pytest.raises(ScheduleExpressionError):
        parse_schedule(expression)
