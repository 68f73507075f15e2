"""The report's figures, computed from the API's claims and their timelines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso_cli.reporting.portfolio import (
    ageing,
    build_portfolio,
    money_series,
    positions,
    recovery_rate,
    stage_series,
    totals,
)
from report_factories import api_claim, event, summary

D = dt.date


def escalated_then_paid() -> dict:
    return api_claim("F-1", status="paid", stage="reminder_2", principal="300.00", paid="302.00", outstanding="0.00",
                     timeline=[
                         event("2026-01-05T08:00:00Z", "claim_created"),
                         event("2026-01-06T07:00:00Z", "step_taken", step="reminder_1"),
                         event("2026-01-06T07:00:01Z", "message_sent", message="reminder_1", channel="email"),
                         event("2026-01-20T07:00:00Z", "step_taken", step="reminder_2"),
                         event("2026-01-22T10:00:00Z", "payment_received", amount="100.00",
                               allocation={"costs": "0.00", "interest": "1.00", "principal": "99.00"}),
                         event("2026-01-25T10:00:00Z", "payment_received", amount="202.00",
                               allocation={"costs": "0.00", "interest": "1.00", "principal": "201.00"}),
                         event("2026-01-25T10:00:00Z", "claim_closed", outcome="paid"),
                     ])


def disputed_and_resumed() -> dict:
    return api_claim("F-2", status="in_collection", stage="reminder_2", timeline=[
        event("2026-01-05T08:00:00Z", "claim_created"),
        event("2026-01-06T07:00:00Z", "step_taken", step="reminder_1"),
        event("2026-01-08T09:00:00Z", "dispute_opened", reason="damaged"),
        event("2026-01-08T09:00:01Z", "escalation_paused"),
        event("2026-01-29T09:00:00Z", "dispute_resolved", outcome="rejected"),
        event("2026-01-30T07:00:00Z", "step_taken", step="reminder_2"),
    ])


def test_positions_replay_steps_side_tracks_and_the_end():
    # given a claim that was escalated twice and then paid, and one disputed and resumed
    # when their positions are replayed / then each change is dated by its Dutch day
    assert positions(escalated_then_paid()) == [
        (D(2026, 1, 5), "open"), (D(2026, 1, 6), "reminder"), (D(2026, 1, 25), "paid")]
    assert positions(disputed_and_resumed()) == [
        (D(2026, 1, 5), "open"), (D(2026, 1, 6), "reminder"), (D(2026, 1, 8), "dispute"),
        (D(2026, 1, 29), "reminder"), ]


def test_an_event_the_replay_does_not_know_yields_to_the_claims_own_status():
    # given a claim whose timeline stops at reminder 1 but whose status says it is parked
    claim = api_claim("F-3", status="needs_attention", stage="reminder_1", timeline=[
        event("2026-01-05T08:00:00Z", "claim_created"),
        event("2026-01-06T07:00:00Z", "step_taken", step="reminder_1"),
        event("2026-01-07T07:00:00Z", "something_new")])
    # then the last position is the status, from the last event's day
    assert positions(claim)[-1] == (D(2026, 1, 7), "attention")


def test_stage_series_counts_every_claim_once_per_day():
    # given two claims known from 5 January
    claims = [escalated_then_paid(), disputed_and_resumed()]
    # when the series runs to 31 January
    series = stage_series(claims, D(2026, 1, 31))
    # then every day adds up to the two claims, and the bands move on the right days
    assert series.days[0] == D(2026, 1, 5) and series.days[-1] == D(2026, 1, 31)
    assert all(sum(counts[i] for counts in series.counts.values()) == 2 for i in range(len(series.days)))
    day = {d: i for i, d in enumerate(series.days)}
    assert series.counts["open"][day[D(2026, 1, 5)]] == 2
    assert series.counts["dispute"][day[D(2026, 1, 8)]] == 1
    assert series.counts["dispute"][day[D(2026, 1, 29)]] == 0
    assert series.counts["paid"][day[D(2026, 1, 24)]] == 0 and series.counts["paid"][day[D(2026, 1, 25)]] == 1


def test_money_series_follows_the_principal_part_of_each_payment():
    # given the paid claim (300 principal) and a 100.00 claim, both created on 5 January
    claims = [escalated_then_paid(), disputed_and_resumed()]
    series = money_series(claims, D(2026, 1, 31))
    day = {d: i for i, d in enumerate(series.days)}
    # then principal opens at 400, drops by each payment's principal part, collected adds the whole payment
    assert series.open_principal[day[D(2026, 1, 5)]] == Decimal("400.00")
    assert series.open_principal[day[D(2026, 1, 22)]] == Decimal("301.00")
    assert series.collected[day[D(2026, 1, 22)]] == Decimal("100.00")
    assert series.open_principal[day[D(2026, 1, 31)]] == Decimal("100.00")
    assert series.collected[day[D(2026, 1, 31)]] == Decimal("302.00")


def test_a_cancelled_claim_leaves_the_open_principal():
    claim = api_claim("F-4", status="cancelled", principal="250.00", outstanding="250.00", timeline=[
        event("2026-01-05T08:00:00Z", "claim_created"),
        event("2026-01-10T08:00:00Z", "dispute_resolved", outcome="upheld"),
        event("2026-01-10T08:00:00Z", "claim_closed", outcome="cancelled")])
    series = money_series([claim], D(2026, 1, 12))
    assert series.open_principal[0] == Decimal("250.00") and series.open_principal[-1] == Decimal("0.00")


def test_ageing_puts_what_is_owed_in_bands_of_days_past_due():
    # given open claims 0, 30, 31 and 200 days late on 31 January, and a paid one
    as_of = D(2026, 1, 31)
    claims = [
        api_claim("A", status="open", due="2026-01-31", outstanding="10.00"),
        api_claim("B", status="in_collection", due="2026-01-01", outstanding="20.00"),
        api_claim("C", status="in_collection", due="2025-12-31", outstanding="30.00"),
        api_claim("D", status="debt_monitoring", due="2025-07-15", outstanding="40.00"),
        api_claim("E", status="paid", due="2025-12-31", outstanding="0.00"),
    ]
    # when the ageing is computed
    bands = {bucket.label: (bucket.count, bucket.amount) for bucket in ageing(claims, as_of)}
    # then
    assert bands == {"not yet due": (1, Decimal("10.00")), "1-30 days": (1, Decimal("20.00")),
                     "31-60 days": (1, Decimal("30.00")), "61-90 days": (0, Decimal("0.00")),
                     "91-180 days": (0, Decimal("0.00")), "over 180 days": (1, Decimal("40.00"))}


def test_recovery_rate_counts_interest_and_costs_and_leaves_out_cancelled_claims():
    claims = [
        api_claim("A", status="paid", paid="150.00", outstanding="0.00"),
        api_claim("B", status="in_collection", paid="50.00", outstanding="200.00"),
        api_claim("C", status="cancelled", paid="0.00", outstanding="999.00"),
    ]
    # 200 collected of 400 that became owed
    assert recovery_rate(claims) == Decimal("0.5000")
    assert recovery_rate([]) is None


def test_totals_and_the_portfolio_use_the_summary_for_dso_and_statuses():
    claims = [escalated_then_paid(), disputed_and_resumed()]
    figures = totals(claims)
    assert (figures.claims, figures.principal, figures.collected, figures.outstanding) == (
        2, Decimal("400.00"), Decimal("302.00"), Decimal("100.00"))
    portfolio = build_portfolio(claims, summary("2026-01-31", dso=12.5, paid=1, in_collection=1), title="Acme")
    assert portfolio.as_of == D(2026, 1, 31) and portfolio.dso == 12.5
    assert set(portfolio.by_status) == {"paid", "in_collection"}  # statuses without claims are left out
