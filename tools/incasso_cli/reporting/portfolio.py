"""What the tenant report shows, computed from the claims as the API returns them (with their
timelines) and the API's summary. Pure: no AWS, no clock; the day of the report is the summary's.

- positions over time: where each claim stood at the end of each day, replayed from its timeline
  (a step taken, a dispute opened, an arrangement agreed, the claim closed ...), grouped for a chart;
- money over time: principal still open and everything collected so far, from the payments on the
  timelines (each payment carries its allocation, art. 6:44 BW);
- recovery rate: collected / (collected + still owed) over claims not cancelled;
- ageing: what is still owed on open claims by days past the due date;
- DSO and the counts by status come from the summary (``GET /v1/reports/summary``), not recomputed;
- customers: one row per debtor (``GET /v1/debtors``, each debtor's view and credit check): open amount,
  average days late, score.

With the API's history (``GET /v1/reports/history``, the tenant's day buckets) the two series over time
come from it instead of replaying every claim's timeline: the positions and amounts at the end of each day
as the product recorded them when they changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from incasso.money import ZERO, to_decimal

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CLOSED = frozenset({"paid", "cancelled", "uncollectible"})


@dataclass(frozen=True)
class Group:
    """A band of the stage chart: the positions it gathers, its label and its colour."""

    key: str
    label: str
    color: str


# Bottom to top of the stacked chart: the trajectory in order, then the side tracks, then the ends.
GROUPS: tuple[Group, ...] = (
    Group("open", "Not yet escalated", "#cbd5e1"),
    Group("reminder", "Reminders", "#93c5fd"),
    Group("call", "Call scheduled", "#60a5fa"),
    Group("notice", "14-day letter / notice of default", "#2563eb"),
    Group("legal", "Legal review", "#f59e0b"),
    Group("bailiff", "With the bailiff", "#ea580c"),
    Group("dispute", "Disputed (paused)", "#a855f7"),
    Group("arrangement", "Payment arrangement", "#14b8a6"),
    Group("monitoring", "Debt monitoring", "#64748b"),
    Group("attention", "Needs attention", "#e11d48"),
    Group("paid", "Paid", "#16a34a"),
    Group("cancelled", "Cancelled", "#d1d5db"),
    Group("uncollectible", "Uncollectible", "#7f1d1d"),
)
GROUP_KEYS = tuple(group.key for group in GROUPS)

_STAGE_GROUP = {
    "none": "open",
    "reminder_1": "reminder",
    "reminder_2": "reminder",
    "call_scheduled": "call",
    "fourteen_day_letter": "notice",
    "notice_of_default": "notice",
    "legal_review": "legal",
    "bailiff_filing": "bailiff",
    "served": "bailiff",
    "judgment": "bailiff",
    "executed": "bailiff",
    "debt_monitoring": "monitoring",
    "closed": "paid",
}
_STATUS_GROUP = {
    "paused": "dispute",
    "arrangement": "arrangement",
    "debt_monitoring": "monitoring",
    "needs_attention": "attention",
    "paid": "paid",
    "cancelled": "cancelled",
    "uncollectible": "uncollectible",
}


def dutch_day(at: str | dt.datetime) -> dt.date:
    """The Dutch calendar day of a timeline instant (the API gives UTC)."""
    moment = dt.datetime.fromisoformat(at.replace("Z", "+00:00")) if isinstance(at, str) else at
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(AMSTERDAM).date()


def group_of(status: str, stage: str) -> str:
    """The chart group of a claim with this status and stage (the status wins where it says more)."""
    return _STATUS_GROUP.get(status) or _STAGE_GROUP.get(stage, "open")


def claim_field(claim: Any, name: str) -> Any:
    """A field of a claim given as the API's JSON (a dict) or as its model."""
    value = claim.get(name) if isinstance(claim, Mapping) else getattr(claim, name)
    return getattr(value, "value", value)


def amounts_of(claim: Any) -> dict[str, Decimal]:
    amounts = claim_field(claim, "amounts")
    if not isinstance(amounts, Mapping):
        amounts = amounts.model_dump()
    return {name: to_decimal(value) for name, value in amounts.items()}


def timeline_of(claim: Any) -> list[dict[str, Any]]:
    return list(claim_field(claim, "timeline") or [])


def positions(claim: Any) -> list[tuple[dt.date, str]]:
    """Where the claim stood, as (day, group) from each day something changed, replayed from its
    timeline; the last entry is the claim's own status and stage as the API gives them now."""
    changes: list[tuple[dt.date, str]] = []
    stage_group = "open"
    side: str | None = None  # dispute / arrangement / monitoring / attention, over the stage
    arrangement_before_dispute: str | None = None
    closed: str | None = None
    for event in timeline_of(claim):
        kind = event.get("type", "")
        if kind == "step_taken":
            stage_group = _STAGE_GROUP.get(str(event.get("step", "")), stage_group)
            if side in ("arrangement", "monitoring", "attention"):
                side = None
        elif kind.startswith("bailiff_"):
            if kind == "bailiff_uncollectible":
                closed = "uncollectible"
            else:
                stage_group = "bailiff"
        elif kind == "dispute_opened":
            arrangement_before_dispute, side = side if side == "arrangement" else None, "dispute"
        elif kind == "dispute_resolved":
            side = arrangement_before_dispute
        elif kind == "arrangement_agreed":
            side = "arrangement"
        elif kind == "arrangement_broken":
            side = None
        elif kind == "debt_monitoring_started":
            side = "monitoring"
        elif kind == "claim_parked":
            side = "attention"
        elif kind == "claim_closed":
            outcome = str(event.get("outcome", "paid"))
            closed = outcome if outcome in CLOSED else "paid"
        elif kind != "claim_created":
            continue  # messages, check-ins, payments: the claim stays where it is
        group = closed or side or stage_group
        day = dutch_day(event["at"])
        if changes and changes[-1][0] == day:
            changes[-1] = (day, group)
        elif not changes or changes[-1][1] != group:
            changes.append((day, group))
    # The claim as it stands wins over the replay (an event this replay does not know, say).
    current = group_of(str(claim_field(claim, "status")), str(claim_field(claim, "stage")))
    if changes and changes[-1][1] != current:
        last_day = dutch_day(timeline_of(claim)[-1]["at"])
        if changes[-1][0] == last_day:
            changes[-1] = (last_day, current)
        else:
            changes.append((last_day, current))
    return changes


def first_day(claims: Sequence[Any]) -> dt.date | None:
    """The first day any claim was known (its first timeline event)."""
    days = [dutch_day(timeline_of(claim)[0]["at"]) for claim in claims if timeline_of(claim)]
    return min(days) if days else None


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


@dataclass(frozen=True)
class StageSeries:
    days: list[dt.date]
    counts: dict[str, list[int]]  # group key -> claims in that group at the end of each day


def stage_series(claims: Sequence[Any], as_of: dt.date) -> StageSeries:
    start = first_day(claims)
    if start is None or start > as_of:
        return StageSeries(days=[], counts={key: [] for key in GROUP_KEYS})
    days = days_between(start, as_of)
    counts = {key: [0] * len(days) for key in GROUP_KEYS}
    for claim in claims:
        changes = positions(claim)
        for index, (day, group) in enumerate(changes):
            until = changes[index + 1][0] if index + 1 < len(changes) else as_of + dt.timedelta(days=1)
            begin, end = max((day - start).days, 0), min((until - start).days, len(days))
            for position in range(begin, end):
                counts[group][position] += 1
    return StageSeries(days=days, counts=counts)


@dataclass(frozen=True)
class MoneySeries:
    days: list[dt.date]
    open_principal: list[Decimal]  # principal not yet paid on claims neither cancelled nor written off
    collected: list[Decimal]  # everything paid so far (costs, interest and principal)


def money_series(claims: Sequence[Any], as_of: dt.date) -> MoneySeries:
    start = first_day(claims)
    if start is None or start > as_of:
        return MoneySeries(days=[], open_principal=[], collected=[])
    days = days_between(start, as_of)
    principal_delta = [ZERO] * (len(days) + 1)
    collected_delta = [ZERO] * (len(days) + 1)

    def index(day: dt.date) -> int:
        return min(max((day - start).days, 0), len(days))

    for claim in claims:
        events = timeline_of(claim)
        if not events:
            continue
        principal = amounts_of(claim)["principal"]
        created = index(dutch_day(events[0]["at"]))
        principal_delta[created] += principal
        remaining = principal
        for event in events:
            day = index(dutch_day(event["at"]))
            if event.get("type") == "payment_received":
                amount = to_decimal(event.get("amount", "0"))
                on_principal = to_decimal((event.get("allocation") or {}).get("principal", "0"))
                collected_delta[day] += amount
                principal_delta[day] -= on_principal
                remaining -= on_principal
            elif event.get("type") in ("claim_closed", "bailiff_uncollectible") and remaining > 0:
                outcome = "uncollectible" if event["type"] == "bailiff_uncollectible" else event.get("outcome")
                if outcome in ("cancelled", "uncollectible"):
                    principal_delta[day] -= remaining  # no longer expected: off the open book
                    remaining = ZERO
    open_principal, collected = [], []
    running_principal, running_collected = ZERO, ZERO
    for position in range(len(days)):
        running_principal += principal_delta[position]
        running_collected += collected_delta[position]
        open_principal.append(running_principal)
        collected.append(running_collected)
    return MoneySeries(days=days, open_principal=open_principal, collected=collected)


def _history_days(history: Mapping[str, Any], as_of: dt.date) -> tuple[list[dt.date], list[Mapping[str, Any]]]:
    """Every day from the history's first to ``as_of``, each with the history's latest entry up to it."""
    entries = [dict(entry) for entry in history.get("days") or []]
    for entry in entries:
        entry["date"] = dt.date.fromisoformat(entry["date"]) if isinstance(entry["date"], str) else entry["date"]
    entries = [entry for entry in entries if entry["date"] <= as_of]
    if not entries:
        return [], []
    days = days_between(entries[0]["date"], as_of)
    standing, index, current = [], 0, entries[0]
    for day in days:
        while index < len(entries) and entries[index]["date"] <= day:
            current, index = entries[index], index + 1
        standing.append(current)
    return days, standing


def stage_series_from_history(history: Mapping[str, Any], as_of: dt.date) -> StageSeries:
    days, standing = _history_days(history, as_of)
    counts = {key: [0] * len(days) for key in GROUP_KEYS}
    for position, entry in enumerate(standing):
        for pair, count in (entry.get("positions") or {}).items():
            status, _, stage = pair.partition("|")
            counts[group_of(status, stage)][position] += int(count)
    return StageSeries(days=days, counts=counts)


def money_series_from_history(history: Mapping[str, Any], as_of: dt.date) -> MoneySeries:
    days, standing = _history_days(history, as_of)
    return MoneySeries(days=days, open_principal=[to_decimal(entry["open_principal"]) for entry in standing],
                       collected=[to_decimal(entry["collected"]) for entry in standing])


@dataclass(frozen=True)
class AgeingBucket:
    label: str
    count: int
    amount: Decimal


# (label, first day past due, last day past due or None)
AGEING_BANDS: tuple[tuple[str, int | None, int | None], ...] = (
    ("not yet due", None, 0),
    ("1-30 days", 1, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("91-180 days", 91, 180),
    ("over 180 days", 181, None),
)


def ageing(claims: Iterable[Any], as_of: dt.date) -> list[AgeingBucket]:
    """What is still owed on claims not closed, by days past the due date on ``as_of``."""
    counts = [0] * len(AGEING_BANDS)
    amounts = [ZERO] * len(AGEING_BANDS)
    for claim in claims:
        if str(claim_field(claim, "status")) in CLOSED:
            continue
        outstanding = amounts_of(claim)["outstanding"]
        if outstanding <= 0:
            continue
        due = claim_field(claim, "due_date")
        due = dt.date.fromisoformat(due) if isinstance(due, str) else due
        late = (as_of - due).days
        for position, (_, low, high) in enumerate(AGEING_BANDS):
            if (low is None or late >= low) and (high is None or late <= high):
                counts[position] += 1
                amounts[position] += outstanding
                break
    return [AgeingBucket(label, count, amount) for (label, _, _), count, amount in zip(AGEING_BANDS, counts, amounts)]


def recovery_rate(claims: Iterable[Any]) -> Decimal | None:
    """Collected / (collected + still owed) over claims not cancelled, as a fraction (4 decimals);
    None when nothing was owed. Interest and costs count: they are owed as much as the principal."""
    collected, owed = ZERO, ZERO
    for claim in claims:
        if str(claim_field(claim, "status")) == "cancelled":
            continue
        amounts = amounts_of(claim)
        collected += amounts["paid"]
        owed += amounts["paid"] + amounts["outstanding"]
    if owed <= 0:
        return None
    return (collected / owed).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Totals:
    claims: int
    principal: Decimal
    interest: Decimal
    costs: Decimal  # collection costs with their VAT
    collected: Decimal
    outstanding: Decimal  # on claims not closed


def totals(claims: Iterable[Any]) -> Totals:
    count, principal, interest, costs, collected, outstanding = 0, ZERO, ZERO, ZERO, ZERO, ZERO
    for claim in claims:
        amounts = amounts_of(claim)
        count += 1
        principal += amounts["principal"]
        interest += amounts["interest"]
        costs += amounts["collection_costs"] + amounts["collection_costs_vat"]
        collected += amounts["paid"]
        if str(claim_field(claim, "status")) not in CLOSED:
            outstanding += amounts["outstanding"]
    return Totals(count, principal, interest, costs, collected, outstanding)


@dataclass(frozen=True)
class Customer:
    """A row of the customers table: one debtor of the tenant."""

    reference: str
    name: str
    claims: int
    open_amount: Decimal
    average_days_late: Decimal | None  # None: no invoice paid yet
    score: int
    payment_term_days: int


def customer_of(listed: Mapping[str, Any], view: Mapping[str, Any], credit: Mapping[str, Any]) -> Customer:
    """A customer row from the API's answers: the list's line, the debtor's view and its credit check."""
    late = view["payment_behaviour"].get("average_days_late")
    return Customer(reference=str(listed["reference"]), name=str(listed["name"]), claims=int(listed["claims"]),
                    open_amount=to_decimal(listed["open_amount"]),
                    average_days_late=None if late is None else Decimal(str(late)),
                    score=int(credit["score"]), payment_term_days=int(credit["payment_term_days"]))


@dataclass(frozen=True)
class Portfolio:
    """Everything the report shows."""

    title: str
    as_of: dt.date
    totals: Totals
    recovery_rate: Decimal | None
    dso: float | None
    by_status: dict[str, dict[str, Any]]
    ageing: list[AgeingBucket]
    stages: StageSeries
    money: MoneySeries
    claims: list[Any]
    customers: list[Customer] = field(default_factory=list)


def build_portfolio(claims: Sequence[Any], summary: Mapping[str, Any], *, title: str,
                    customers: Sequence[Customer] = (), history: Mapping[str, Any] | None = None) -> Portfolio:
    """The report's figures from the claims (API JSON or ``ClaimOut``), the API's summary and the customers
    (largest open amount first); the series over time from the API's history where given, else replayed
    from the claims' timelines."""
    as_of = summary["as_of"]
    as_of = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    by_status = {status: dict(values) for status, values in (summary.get("by_status") or {}).items()
                 if int(values.get("count", 0)) > 0}
    return Portfolio(
        title=title,
        as_of=as_of,
        totals=totals(claims),
        recovery_rate=recovery_rate(claims),
        dso=summary.get("dso"),
        by_status=by_status,
        ageing=ageing(claims, as_of),
        stages=stage_series_from_history(history, as_of) if history is not None else stage_series(claims, as_of),
        money=money_series_from_history(history, as_of) if history is not None else money_series(claims, as_of),
        claims=list(claims),
        customers=sorted(customers, key=lambda c: (-c.open_amount, c.reference)),
    )
