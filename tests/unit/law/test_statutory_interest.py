"""Statutory interest (art. 6:119 / 6:119a BW): rate table, segments, capitalisation, day count."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.models import DebtorType
from incasso.law.interest import (
    RATES_FILE_ENV,
    InterestKind,
    RateNotKnownError,
    RateRow,
    RateTable,
    RateTableError,
    Segment,
    clear_rate_table_cache,
    compute_interest,
    default_rate_table,
    interest_kind_for,
    load_rate_table,
)

D = Decimal
date = dt.date
B2B = InterestKind.COMMERCIAL
B2C = InterestKind.CONSUMER


@pytest.fixture(autouse=True)
def _no_rate_override(monkeypatch):
    monkeypatch.delenv(RATES_FILE_ENV, raising=False)
    clear_rate_table_cache()
    yield
    clear_rate_table_cache()


# --------------------------------------------------------------------------- the rate table


@pytest.mark.parametrize(
    ("day", "consumer", "commercial"),
    [  # domain-facts §3, row by row
        (date(2015, 1, 1), "2.00", "8.05"),
        (date(2015, 7, 1), "2.00", "8.05"),
        (date(2016, 1, 1), "2.00", "8.05"),
        (date(2016, 7, 1), "2.00", "8.00"),
        (date(2022, 12, 31), "2.00", "8.00"),
        (date(2023, 1, 1), "4.00", "10.50"),
        (date(2023, 7, 1), "6.00", "12.00"),
        (date(2024, 1, 1), "7.00", "12.50"),
        (date(2024, 7, 1), "7.00", "12.25"),
        (date(2025, 1, 1), "6.00", "11.15"),
        (date(2025, 7, 1), "6.00", "10.15"),
        (date(2026, 1, 1), "4.00", "10.15"),
    ],
)
def test_rate_table_holds_the_fact_sheet_rates(day, consumer, commercial):
    table = load_rate_table()
    assert table.rate_on(day, B2C).rate == D(consumer)
    assert table.rate_on(day, B2B).rate == D(commercial)


def test_rate_table_reaches_back_to_2001_and_art_6_119a_from_1_december_2002():
    # given the shipped table
    table = load_rate_table()
    # then the consumer rate (art. 6:119 BW) is known from 2001 and the commercial rate from the day
    # art. 6:119a BW came into force (Stb. 2002, 545); earlier days are errors, never a guess
    assert table.rate_on(date(2012, 7, 1), B2C).rate == D("3.00")
    assert table.rate_on(date(2014, 12, 31), B2C).rate == D("3.00")
    assert table.rate_on(date(2001, 1, 1), B2C).rate == D("8.00")
    assert table.rate_on(date(2009, 7, 1), B2C).rate == D("4.00")  # Stb. 2009, 262
    assert table.rate_on(date(2014, 12, 31), B2B).rate == D("8.15")  # ECB 0.15 % + 8 pp
    assert table.rate_on(date(2013, 1, 1), B2B).rate == D("7.75")  # ECB 0.75 % + 7 pp, before 16 March 2013
    with pytest.raises(RateNotKnownError, match="2001-01-01"):
        table.rate_on(date(2000, 12, 31), B2C)
    with pytest.raises(RateNotKnownError, match="2002-12-01"):
        table.rate_on(date(2002, 11, 30), B2B)


def test_unverified_rows_are_marked_with_their_source():
    # given the shipped rows / then the fact sheet's ⚠️ rows are unverified, and every row has a source
    rows = load_rate_table().rows
    unverified = {row.from_date for row in rows if not row.verified}
    assert {date(2015, 7, 1), date(2025, 7, 1), date(2026, 1, 1)} <= unverified
    assert date(2013, 3, 16) in unverified  # 8.75 % seen in one table only
    assert all(row.source for row in rows)
    assert all(row.note for row in rows if not row.verified)


def test_debtor_type_maps_to_the_article():
    assert interest_kind_for(DebtorType.CONSUMER) is InterestKind.CONSUMER  # art. 6:119
    assert interest_kind_for("business") is InterestKind.COMMERCIAL  # art. 6:119a


def _write(tmp_path, content):
    path = tmp_path / "rates.json"
    path.write_text(json.dumps(content) if not isinstance(content, str) else content, encoding="utf-8")
    return str(path)


def test_override_file_replaces_a_row_and_adds_one(tmp_path):
    # given an operator's file correcting 2025-H2 and adding 2026-H2
    path = _write(
        tmp_path,
        {
            "rows": [
                {"from": "2025-07-01", "consumer": "5.00", "commercial": "10.15", "verified": True, "source": "Stb. test"},
                {"from": "2026-07-01", "consumer": "4.00", "commercial": "10.40", "verified": False, "source": "x"},
            ]
        },
    )
    # when loaded
    table = load_rate_table(path)
    # then the corrected and the new rows apply, the others stay
    assert table.rate_on(date(2025, 8, 1), B2C).rate == D("5.00")
    assert table.rate_on(date(2026, 8, 1), B2B).rate == D("10.40")
    assert table.rate_on(date(2025, 2, 1), B2B).rate == D("11.15")


def test_override_file_from_the_environment_is_used_by_default(tmp_path, monkeypatch):
    # given INCASSO_INTEREST_RATES_FILE naming a file that corrects 2025-H1
    path = _write(tmp_path, [{"from": "2025-01-01", "consumer": "6.00", "commercial": "20.00", "verified": True, "source": "t"}])
    monkeypatch.setenv(RATES_FILE_ENV, path)
    # when interest is computed without an explicit table
    result = compute_interest(D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2025, 1, 10), kind=B2B)
    # then the corrected rate is used: 1000 x 20% x 10/365 = 5.479
    assert result.segments[0].rate == D("20.00")
    assert result.interest == D("5.48")
    assert default_rate_table().rate_on(date(2025, 1, 1), B2B).rate == D("20.00")


def test_override_file_can_replace_the_whole_table(tmp_path):
    path = _write(tmp_path, {"replace": True, "rows": [{"from": "2020-01-01", "consumer": "1", "commercial": "2", "source": "t"}]})
    table = load_rate_table(path)
    assert [row.from_date for row in table.rows] == [date(2020, 1, 1)]
    assert table.rows[0].verified is False  # a row that does not say so is not verified


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        {"rows": "nope"},
        [{"from": "2025-13-01", "consumer": "1", "commercial": "1", "source": "s"}],
        [{"from": "2025-07-01", "consumer": "-1", "commercial": "1", "source": "s"}],
        [{"from": "2025-07-01", "consumer": "abc", "commercial": "1", "source": "s"}],
        [{"from": "2025-07-01", "consumer": "1", "commercial": "1"}],
        [{"from": "2025-07-01", "consumer": "1", "commercial": "1", "source": "s", "verified": "yes"}],
        [{"from": "2025-07-01", "consumer": "1", "commercial": "1", "source": "s"}] * 2,
    ],
)
def test_malformed_override_file_is_refused(tmp_path, content):
    with pytest.raises(RateTableError):
        load_rate_table(_write(tmp_path, content))


def test_missing_override_file_is_refused(tmp_path):
    with pytest.raises(RateTableError, match="cannot read"):
        load_rate_table(str(tmp_path / "missing.json"))


def test_duplicate_rows_are_refused():
    row = RateRow(date(2025, 1, 1), D("1"), D("2"), "s", True)
    with pytest.raises(RateTableError):
        RateTable([row, row])


# --------------------------------------------------------------------------- the calculation


def test_fact_sheet_example_across_a_rate_change_and_a_capitalisation_year():
    # given EUR 1,000 B2B in default from 1 Jan 2025 (last payment day 31 Dec 2024)
    # when interest runs to 1 Jan 2026
    result = compute_interest(D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2026, 1, 1), kind=B2B)
    # then 181 days at 11.15% = 55.29 and 184 days at 10.15% = 51.17; 106.46 joins the base on 1 Jan 2026
    first, second, third = result.segments
    assert first == Segment(date(2025, 1, 1), date(2025, 6, 30), 181, D("1000.00"), D("11.15"), D("55.29"), True)
    assert (second.start, second.end, second.days, second.rate, second.amount) == (
        date(2025, 7, 1), date(2025, 12, 31), 184, D("10.15"), D("51.17"),
    )
    assert second.verified is False  # the 2025-H2 rate is ⚠️
    assert result.capitalised == D("106.46")
    # and the first day of the second year runs on 1,106.46: 1106.46 x 10.15% / 365 = 0.3077
    assert (third.start, third.end, third.base, third.amount) == (date(2026, 1, 1), date(2026, 1, 1), D("1106.46"), D("0.31"))
    assert result.interest == D("106.77")
    assert result.verified is False


def test_a_year_counts_as_full_on_its_last_day():
    # given the same claim up to and including 31 Dec 2025 / then the whole year is capitalised
    result = compute_interest(D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2025, 12, 31), kind=B2B)
    assert (result.interest, result.capitalised) == (D("106.46"), D("106.46"))
    # and one day earlier nothing is capitalised yet: 55.29 + 1000 x 10.15% x 183/365 (50.889)
    earlier = compute_interest(D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2025, 12, 30), kind=B2B)
    assert (earlier.interest, earlier.capitalised) == (D("106.18"), D("0.00"))


def test_capitalisation_counts_from_the_start_of_default_not_the_calendar_year():
    # given a consumer in default from 1 July 2016 at a constant 2%
    result = compute_interest(D("1000.00"), due_date=date(2016, 6, 30), as_of=date(2020, 6, 30), kind=B2C)
    # then each year from 1 July is capitalised: 20.00, 20.40, 20.81 (20.808); the fourth year holds
    # 29 Feb 2020, so 366 days: 1061.21 x 2% x 366/365 = 21.282
    assert [(s.start, s.end, s.days, s.base, s.amount) for s in result.segments] == [
        (date(2016, 7, 1), date(2017, 6, 30), 365, D("1000.00"), D("20.00")),
        (date(2017, 7, 1), date(2018, 6, 30), 365, D("1020.00"), D("20.40")),
        (date(2018, 7, 1), date(2019, 6, 30), 365, D("1040.40"), D("20.81")),
        (date(2019, 7, 1), date(2020, 6, 30), 366, D("1061.21"), D("21.28")),
    ]
    assert result.capitalised == result.interest == D("82.49")


def test_leap_year_counts_each_day_as_one_365th():
    # given EUR 1,000 owed by a consumer through the whole of 2024 (7% in both halves)
    result = compute_interest(D("1000.00"), due_date=date(2023, 12, 31), as_of=date(2024, 12, 31), kind=B2C)
    # then one segment of 366 days: 1000 x 7% x 366/365 = 70.19 (not 70.00)
    assert [(s.days, s.rate, s.amount) for s in result.segments] == [(366, D("7.00"), D("70.19"))]
    # and B2B the rate changes on 1 July: 182 days at 12.50% (62.329) + 184 days at 12.25% (61.753)
    b2b = compute_interest(D("1000.00"), due_date=date(2023, 12, 31), as_of=date(2024, 12, 31), kind=B2B)
    assert [(s.days, s.amount) for s in b2b.segments] == [(182, D("62.33")), (184, D("61.75"))]
    assert b2b.interest == D("124.08")


def test_default_starting_on_29_february_completes_its_year_on_28_february():
    # given default from 29 Feb 2024 (last payment day 28 Feb)
    result = compute_interest(D("1000.00"), due_date=date(2024, 2, 28), as_of=date(2025, 3, 31), kind=B2C)
    # then the first year runs to 28 Feb 2025 (7% 307 days = 58.88, 6% 59 days = 9.70) and the base
    # grows on 1 March 2025
    first_year = [s for s in result.segments if s.end <= date(2025, 2, 28)]
    assert [(s.start, s.end, s.amount) for s in first_year] == [
        (date(2024, 2, 29), date(2024, 12, 31), D("58.88")),
        (date(2025, 1, 1), date(2025, 2, 28), D("9.70")),
    ]
    last = result.segments[-1]
    assert (last.start, last.base) == (date(2025, 3, 1), D("1068.58"))
    assert result.capitalised == D("68.58")


def test_consumer_rate_change_from_three_to_two_percent_in_2015():
    # given 1,000 in default from 1 Dec 2014 to 31 Jan 2015
    result = compute_interest(D("1000.00"), due_date=date(2014, 11, 30), as_of=date(2015, 1, 31), kind=B2C)
    # then 31 days at 3% (2.548) and 31 days at 2% (1.699)
    assert [(s.days, s.rate, s.amount) for s in result.segments] == [(31, D("3.00"), D("2.55")), (31, D("2.00"), D("1.70"))]


def test_rows_with_the_same_rate_make_one_segment():
    # given B2B default over 2015 (rows on 1 Jan, 1 Jul 2015 and 1 Jan 2016 all 8.05%)
    result = compute_interest(D("1000.00"), due_date=date(2014, 12, 31), as_of=date(2015, 12, 31), kind=B2B)
    # then one segment: 1000 x 8.05% = 80.50; unverified because the 2015-H2 row is derived
    assert [(s.days, s.amount, s.verified) for s in result.segments] == [(365, D("80.50"), False)]


def test_rates_carried_past_the_last_half_year_are_unverified():
    # given a table whose last verified row is 1 Jan 2025
    table = RateTable([RateRow(date(2025, 1, 1), D("6.00"), D("11.15"), "s", True)])
    # then the first half year is verified, a period running beyond 30 June 2025 is not
    inside = compute_interest(D("100.00"), due_date=date(2024, 12, 31), as_of=date(2025, 6, 30), kind=B2B, rates=table)
    beyond = compute_interest(D("100.00"), due_date=date(2024, 12, 31), as_of=date(2025, 7, 1), kind=B2B, rates=table)
    assert inside.verified is True
    assert beyond.verified is False


def test_before_the_table_starts_is_an_error():
    with pytest.raises(RateNotKnownError):
        compute_interest(D("1000.00"), due_date=date(2002, 11, 1), as_of=date(2003, 6, 30), kind=B2B)
    with pytest.raises(RateNotKnownError):
        compute_interest(D("1000.00"), due_date=date(2000, 12, 1), as_of=date(2001, 7, 5), kind=B2C)
    # and from the first day the table covers, it works: 184 days at 3% = 15.12
    first = compute_interest(D("1000.00"), due_date=date(2012, 6, 30), as_of=date(2012, 12, 31), kind=B2C)
    assert first.interest == D("15.12")


@pytest.mark.parametrize("as_of", [date(2025, 3, 1), date(2025, 2, 28)])
def test_no_interest_until_the_day_after_the_due_date(as_of):
    result = compute_interest(D("1000.00"), due_date=date(2025, 3, 1), as_of=as_of, kind=B2B)
    assert (result.interest, result.capitalised, result.segments) == (D("0.00"), D("0.00"), [])


def test_first_day_of_default_bears_interest():
    # given due 1 Mar 2025 and as of 2 Mar / then one day: 1000 x 11.15% / 365 = 0.305
    result = compute_interest(D("1000.00"), due_date=date(2025, 3, 1), as_of=date(2025, 3, 2), kind=B2B)
    assert [(s.start, s.days, s.amount) for s in result.segments] == [(date(2025, 3, 2), 1, D("0.31"))]


def test_higher_contractual_rate_replaces_the_statutory_rate():
    # given an agreed 12% B2B over 2025 (statutory 11.15% then 10.15%)
    result = compute_interest(D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2025, 12, 31), kind=B2B, contractual_rate=D("12"))
    # then 12% all year, one segment: 120.00
    assert [(s.days, s.rate, s.amount, s.contractual) for s in result.segments] == [(365, D("12"), D("120.00"), True)]


def test_lower_contractual_rate_does_not_displace_the_statutory_rate():
    # given an agreed 10.50% B2B over 2025: higher than 10.15% only in the second half (art. 6:119 lid 3)
    result = compute_interest(D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2025, 12, 31), kind=B2B, contractual_rate=D("10.50"))
    # then 181 days statutory 11.15% (55.29) and 184 days at 10.50% (52.93)
    assert [(s.rate, s.contractual, s.amount) for s in result.segments] == [
        (D("11.15"), False, D("55.29")),
        (D("10.50"), True, D("52.93")),
    ]


def test_payment_on_principal_lowers_the_base_from_the_next_day():
    # given 1,000 B2B from 1 Jan 2025 and 400 paid on principal on 31 March 2025
    result = compute_interest(
        D("1000.00"),
        due_date=date(2024, 12, 31),
        as_of=date(2025, 6, 30),
        kind=B2B,
        principal_changes=[(date(2025, 3, 31), D("-400.00")), (date(2025, 9, 1), D("-600.00"))],
    )
    # then 90 days on 1,000 (27.493) and 91 days on 600 (16.679); the change after as_of is ignored
    assert [(s.start, s.end, s.base, s.amount) for s in result.segments] == [
        (date(2025, 1, 1), date(2025, 3, 31), D("1000.00"), D("27.49")),
        (date(2025, 4, 1), date(2025, 6, 30), D("600.00"), D("16.68")),
    ]
    assert result.interest == D("44.17")


def test_principal_change_before_default_sets_the_starting_base():
    result = compute_interest(
        D("1000.00"), due_date=date(2024, 12, 31), as_of=date(2025, 1, 10), kind=B2B,
        principal_changes=[(date(2024, 12, 1), D("-500.00"))],
    )
    assert result.segments[0].base == D("500.00")


def test_principal_can_never_go_below_zero():
    with pytest.raises(ValueError):
        compute_interest(
            D("100.00"), due_date=date(2024, 12, 31), as_of=date(2025, 6, 30), kind=B2B,
            principal_changes=[(date(2025, 2, 1), D("-100.01"))],
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"principal": D("-1.00")},
        {"principal": 1000.0},
        {"contractual_rate": D("-1")},
        {"contractual_rate": D("100")},
        {"as_of": dt.datetime(2025, 6, 30, 12, 0)},
    ],
)
def test_bad_arguments_are_refused(kwargs):
    arguments = {"principal": D("1000.00"), "due_date": date(2024, 12, 31), "as_of": date(2025, 6, 30), "kind": B2B}
    arguments.update(kwargs)
    principal = arguments.pop("principal")
    with pytest.raises((ValueError, TypeError)):
        compute_interest(principal, **arguments)


def test_zero_principal_bears_no_interest():
    result = compute_interest(D("0.00"), due_date=date(2024, 12, 31), as_of=date(2025, 6, 30), kind=B2B)
    assert result.interest == D("0.00")


days_in_table = st.dates(min_value=date(2015, 1, 1), max_value=date(2027, 12, 31))
principals = st.integers(min_value=0, max_value=10**9).map(lambda cents: D(cents) / 100)


@given(principals, days_in_table, st.integers(min_value=-30, max_value=2000), st.sampled_from(list(InterestKind)))
def test_interest_is_never_negative_and_in_whole_cents(principal, due, length, kind):
    result = compute_interest(principal, due_date=due, as_of=due + dt.timedelta(days=length), kind=kind)
    assert result.interest >= 0
    assert result.interest == result.interest.quantize(D("0.01"))
    assert result.capitalised <= result.interest
    assert sum(s.days for s in result.segments) == max(length, 0)


@given(principals, days_in_table, st.integers(min_value=0, max_value=1500), st.integers(min_value=0, max_value=400), st.sampled_from(list(InterestKind)))
def test_interest_never_falls_as_time_goes_on(principal, due, length, more, kind):
    as_of = due + dt.timedelta(days=length)
    earlier = compute_interest(principal, due_date=due, as_of=as_of, kind=kind)
    later = compute_interest(principal, due_date=due, as_of=as_of + dt.timedelta(days=more), kind=kind)
    assert later.interest >= earlier.interest
