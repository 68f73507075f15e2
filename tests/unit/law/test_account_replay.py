"""The account replayed by value date (incasso.law.replay): art. 6:114 lid 2, 6:44, 6:119 / 6:119a BW."""

from datetime import date
from decimal import Decimal as D

import pytest

from incasso.law.interest import InterestKind, compute_interest
from incasso.law.replay import Charge, InterestFree, Payment, replay

B2B, B2C = InterestKind.COMMERCIAL, InterestKind.CONSUMER


def test_without_payments_the_replay_is_compute_interest_to_the_cent():
    # given 10,000.00 B2B from 1 Jan 2025, over a rate change and an anniversary
    for as_of in (date(2025, 3, 31), date(2025, 12, 31), date(2026, 6, 30)):
        # when replayed / then the same interest as the statutory calculation, cent for cent
        expected = compute_interest(D("10000.00"), due_date=date(2024, 12, 31), as_of=as_of, kind=B2B)
        account = replay(D("10000.00"), due_date=date(2024, 12, 31), as_of=as_of, kind=B2B)
        assert (account.interest, account.capitalised) == (expected.interest, expected.capitalised)


def test_art_6_119a_lid_3_paid_capitalised_interest_leaves_the_base():
    # given 10,000.00 B2B in default from 1 Jan 2025: 1,064.59 capitalised on 1 Jan 2026
    due = date(2024, 12, 31)
    owed = replay(D("10000.00"), due_date=due, as_of=date(2026, 1, 15), kind=B2B)
    assert owed.capitalised == D("1064.59")
    # when all interest is paid on 15 Jan 2026
    account = replay(D("10000.00"), due_date=due, as_of=date(2026, 6, 30), kind=B2B,
                     payments=[Payment("p", date(2026, 1, 15), owed.interest)])
    # then interest from 16 Jan to 30 Jun 2026 runs on 10,000.00, not on 11,064.59
    later = [segment for segment in account.segments if segment.start >= date(2026, 1, 16)]
    assert later and all(segment.base == D("10000.00") for segment in later)
    assert account.allocations["p"].interest == owed.interest and account.allocations["p"].principal == 0
    assert account.open_principal == D("10000.00")


def test_art_6_114_lid_2_a_payment_counts_on_its_value_date_whatever_the_order_it_is_given_in():
    # given two payments, given in either order
    payments = [Payment("a", date(2026, 2, 22), D("5000.00")), Payment("b", date(2026, 1, 20), D("1000.00"))]
    first = replay(D("10000.00"), due_date=date(2025, 12, 10), as_of=date(2026, 4, 1), kind=B2C, payments=payments)
    second = replay(D("10000.00"), due_date=date(2025, 12, 10), as_of=date(2026, 4, 1), kind=B2C,
                    payments=list(reversed(payments)))
    # then the account is the same, and the earlier payment was allocated first
    assert first == second
    assert first.allocations["b"].interest > 0


def test_art_6_44_costs_then_interest_then_principal_and_costs_only_from_their_day():
    # given costs owed from 1 March 2026
    charges = [Charge(date(2026, 3, 1), D("425.00"))]
    # when one payment falls before that day and one after it
    account = replay(D("3000.00"), due_date=date(2026, 1, 1), as_of=date(2026, 3, 10), kind=B2C, charges=charges,
                     payments=[Payment("early", date(2026, 2, 1), D("100.00")),
                               Payment("late", date(2026, 3, 5), D("500.00"))])
    # then the early one went to interest and principal only; the late one to the costs first
    assert account.allocations["early"].costs == 0
    assert account.allocations["late"].costs == D("425.00")
    assert account.paid == D("600.00")


def test_a_reversed_charge_is_as_if_never_owed():
    # given costs charged and reversed in full from the same day
    charges = [Charge(date(2026, 3, 1), D("425.00")), Charge(date(2026, 3, 1), D("-425.00"))]
    account = replay(D("3000.00"), due_date=date(2026, 1, 1), as_of=date(2026, 3, 10), kind=B2C, charges=charges,
                     payments=[Payment("p", date(2026, 3, 5), D("500.00"))])
    # then the payment went to interest and principal
    assert account.costs == 0 and account.allocations["p"].costs == 0


def test_interest_free_days_accrue_nothing():
    # given a kept arrangement from 1 Feb up to and including 28 Feb 2026
    free = [InterestFree(date(2026, 2, 1), date(2026, 2, 28), "arrangement kept")]
    account = replay(D("3650.00"), due_date=date(2026, 1, 1), as_of=date(2026, 3, 31), kind=B2C, interest_free=free)
    # then interest runs 30 days in January (from the 2nd) and 31 in March only: 4 % of 3,650 = 0.40 a day
    assert account.interest == D("12.00") + D("12.40")


def test_a_payment_above_everything_owed_on_its_day_is_reported_as_excess():
    account = replay(D("100.00"), due_date=date(2026, 1, 1), as_of=date(2026, 1, 1), kind=B2C,
                     payments=[Payment("p", date(2026, 1, 1), D("150.00"))])
    assert account.excess == {"p": D("50.00")} and account.outstanding == 0


def test_a_non_positive_payment_is_refused():
    with pytest.raises(ValueError):
        replay(D("100.00"), due_date=date(2026, 1, 1), as_of=date(2026, 1, 5), kind=B2C,
               payments=[Payment("p", date(2026, 1, 2), D("0.00"))])
