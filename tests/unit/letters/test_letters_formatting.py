import datetime as dt
from decimal import Decimal

import pytest

from incasso.letters.formatting import format_date, format_iban, format_money, format_percent, format_slot


def test_dates_are_written_out_in_dutch_and_english_without_a_locale():
    # given a date / when formatted / then month names are the language's own, day without a leading zero
    assert format_date(dt.date(2025, 6, 5), "nl") == "5 juni 2025"
    assert format_date(dt.date(2025, 6, 5), "en") == "5 June 2025"
    assert format_date(dt.date(2025, 3, 1), "nl", weekday=True) == "zaterdag 1 maart 2025"
    assert format_date(dt.date(2025, 6, 5), "en", weekday=True) == "Thursday 5 June 2025"


def test_every_month_has_its_dutch_name():
    names = [format_date(dt.date(2025, month, 1), "nl").split()[1] for month in range(1, 13)]
    assert names == ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
                     "oktober", "november", "december"]


def test_call_slot_is_shown_in_dutch_local_time():
    # given 08:30 UTC in summer (CEST, UTC+2) and 09:00 UTC in winter (CET, UTC+1)
    summer = dt.datetime(2025, 7, 3, 8, 30, tzinfo=dt.timezone.utc)
    winter = dt.datetime(2025, 1, 9, 9, 0, tzinfo=dt.timezone.utc)
    # then the slot reads as the debtor's clock shows it
    assert format_slot(summer, "nl") == "donderdag 3 juli 2025 om 10:30"
    assert format_slot(winter, "en") == "Thursday 9 January 2025 at 10:00"
    with pytest.raises(ValueError):
        format_slot(dt.datetime(2025, 1, 9, 9, 0), "nl")


def test_amounts_iban_and_percent():
    assert format_money(Decimal("1234.56"), "nl") == "€ 1.234,56"
    assert format_money(Decimal("1234.56"), "en") == "€1,234.56"
    assert format_iban("NL44RABO0123456789") == "NL44 RABO 0123 4567 89"
    assert format_percent(Decimal("10.15"), "nl") == "10,15%"
    assert format_percent(Decimal("21"), "en") == "21%"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="language"):
        format_date(dt.date(2025, 1, 1), "de")
