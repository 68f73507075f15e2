"""The report's series over time from the API's history (the tenant's day buckets), not from a replay."""

import datetime as dt
from decimal import Decimal

from incasso_cli.reporting.portfolio import money_series_from_history, stage_series_from_history

HISTORY = {"as_of": "2026-01-04", "days": [
    {"date": "2026-01-01", "positions": {"open|none": 2}, "open_principal": "300.00", "collected": "0.00"},
    {"date": "2026-01-03", "positions": {"in_collection|reminder_1": 1, "paid|none": 1},
     "open_principal": "100.00", "collected": "200.00"},
]}


def test_days_without_a_change_stand_as_the_day_before():
    # given a history with changes on 1 and 3 January
    # when the series run to 4 January
    stages = stage_series_from_history(HISTORY, dt.date(2026, 1, 4))
    money = money_series_from_history(HISTORY, dt.date(2026, 1, 4))
    # then 2 January is as 1 January, 4 January as 3 January, each pair in its chart group
    assert stages.days == [dt.date(2026, 1, d) for d in range(1, 5)]
    assert stages.counts["open"] == [2, 2, 0, 0]
    assert stages.counts["reminder"] == [0, 0, 1, 1]
    assert stages.counts["paid"] == [0, 0, 1, 1]
    assert money.open_principal == [Decimal("300.00"), Decimal("300.00"), Decimal("100.00"), Decimal("100.00")]
    assert money.collected[-1] == Decimal("200.00")


def test_an_empty_history_has_no_days():
    assert stage_series_from_history({"days": []}, dt.date(2026, 1, 4)).days == []
