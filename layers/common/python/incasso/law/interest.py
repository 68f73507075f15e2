"""Wettelijke rente: the statutory interest on a late payment.

- art. 6:119 lid 1 BW (consumer rate) / art. 6:119a lid 1 BW (commercial rate, "handelsrente"):
  interest runs "met ingang van de dag volgend op de dag die is overeengekomen als de uiterste dag
  van betaling tot en met de dag waarop de schuldenaar de geldsom heeft voldaan": from the day after
  ``due_date`` up to and including ``as_of`` — and up to and including the day of a payment.
- art. 6:119 lid 2 / 6:119a lid 3 BW: after each full year of verzuim — counted from its first day,
  not the calendar year — that year's interest is added to the base ("rente op rente").
- art. 6:119 lid 3 BW: an agreed rate that is higher replaces the statutory rate; applied to the
  commercial rate in the same way (⚠️ 6:119a has no such sentence of its own; an agreed rate
  lower than the statutory one is not applied, so a claim never falls below the statutory rate).

Day count (no statutory rule, ⚠️ calculators' practice): every day is 1/365 of the yearly rate, also
in a leap year. The period is cut into segments at every change of the applicable rate, at every
anniversary of the start of verzuim and at every change of the principal. Rounding: each segment's
amount is rounded half up to cents, and the sums (capitalised, total) are sums of those rounded
amounts — the way the public calculators do it, and what makes the fact sheet's worked example
(EUR 1,000 B2B from 1 Jan 2025: 55.29 + 51.17 = 106.46) come out.

Rates come from ``data/interest_rates.json`` (a source per row; ⚠️ rows ``"verified": false``),
which an operator overrides without a release through ``INCASSO_INTEREST_RATES_FILE``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any, Callable, Sequence

from incasso.domain.models import DebtorType
from incasso.law import _checks as checks
from incasso.money import ZERO, round_cents

RATES_FILE_ENV = "INCASSO_INTEREST_RATES_FILE"
DAYS_PER_YEAR = Decimal(365)
# Statutory rates are set per half year (6:119: AMvB twice a year; 6:119a: 1 January and 1 July).
_HALF_YEAR_MONTHS = 6


class InterestKind(StrEnum):
    CONSUMER = "consumer"  # art. 6:119 BW
    COMMERCIAL = "commercial"  # art. 6:119a BW — handelsovereenkomst


# A claim on a business debtor comes from a handelsovereenkomst (6:119a applies to contracts
# between businesses); on a consumer the general statutory rate of 6:119 applies.
INTEREST_KIND_BY_DEBTOR_TYPE: dict[DebtorType, InterestKind] = {
    DebtorType.CONSUMER: InterestKind.CONSUMER,
    DebtorType.BUSINESS: InterestKind.COMMERCIAL,
}


def interest_kind_for(debtor_type: DebtorType | str) -> InterestKind:
    return INTEREST_KIND_BY_DEBTOR_TYPE[DebtorType(debtor_type)]


class RateTableError(ValueError):
    """The rate table (or an override file) is malformed."""


class RateNotKnownError(ValueError):
    """No statutory rate is known for a day (before the table starts, or a period left open)."""


# --------------------------------------------------------------------------- rate table


@dataclass(frozen=True)
class RateRow:
    from_date: dt.date
    consumer: Decimal | None  # yearly %, None = not known for this period
    commercial: Decimal | None
    source: str
    verified: bool
    note: str = ""

    def rate(self, kind: InterestKind) -> Decimal | None:
        return self.consumer if kind is InterestKind.CONSUMER else self.commercial


@dataclass(frozen=True)
class RateOn:
    """The statutory rate on one day and the first later day on which it differs."""

    rate: Decimal
    next_change: dt.date | None  # None: the table holds this rate from here on


class RateTable:
    """Statutory rates by date; rows sorted by ``from_date``, each applying until the next row."""

    def __init__(self, rows: Sequence[RateRow]) -> None:
        ordered = sorted(rows, key=lambda row: row.from_date)
        if not ordered:
            raise RateTableError("the interest rate table has no rows")
        for earlier, later in zip(ordered, ordered[1:]):
            if earlier.from_date == later.from_date:
                raise RateTableError(f"two rate rows start on {later.from_date}")
        self.rows: tuple[RateRow, ...] = tuple(ordered)

    def first_day(self, kind: InterestKind) -> dt.date:
        """The first day for which the table knows the ``kind`` rate."""
        for row in self.rows:
            if row.rate(kind) is not None:
                return row.from_date
        raise RateNotKnownError(f"the rate table has no {kind.value} rates")

    def _index_on(self, day: dt.date) -> int:
        index = -1
        for i, row in enumerate(self.rows):
            if row.from_date > day:
                break
            index = i
        return index

    def rate_on(self, day: dt.date, kind: InterestKind) -> RateOn:
        """The ``kind`` rate on ``day``; raises ``RateNotKnownError`` where the table has none."""
        index = self._index_on(day)
        row = self.rows[index] if index >= 0 else None
        if row is None or row.rate(kind) is None:
            raise RateNotKnownError(
                f"no statutory {kind.value} interest rate is known for {day.isoformat()} "
                f"(the rate table covers {kind.value} rates from {self.first_day(kind).isoformat()})"
            )
        rate = row.rate(kind)
        # Rows that carry the same rate are one span (a split there would only move the rounding).
        next_change = next((later.from_date for later in self.rows[index + 1 :] if later.rate(kind) != rate), None)
        return RateOn(rate=rate, next_change=next_change)

    def rows_between(self, start: dt.date, end: dt.date) -> tuple[RateRow, ...]:
        """The rows in force on any day from ``start`` to ``end`` (inclusive)."""
        return self.rows[max(self._index_on(start), 0): self._index_on(end) + 1]

    def known_until(self) -> dt.date:
        """The last day of the half year of the newest row: later days use a rate carried forward."""
        return _add_months(self.rows[-1].from_date, _HALF_YEAR_MONTHS) - dt.timedelta(days=1)

    def verified_between(self, start: dt.date, end: dt.date) -> bool:
        """True when every row in force from ``start`` to ``end`` (inclusive) is verified, and no day
        lies past the half year of the last row (a carried-forward rate nobody has confirmed)."""
        first = max(self._index_on(start), 0)
        last = self._index_on(end)
        if any(not row.verified for row in self.rows[first : last + 1]):
            return False
        return end < _add_months(self.rows[-1].from_date, _HALF_YEAR_MONTHS)


def _parse_rate(value: Any, where: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise RateTableError(f"{where}: a rate is a string such as \"8.05\", got {value!r}")
    try:
        rate = Decimal(str(value))
    except ArithmeticError as exc:
        raise RateTableError(f"{where}: not a rate: {value!r}") from exc
    if not rate.is_finite() or rate < 0 or rate >= 100:
        raise RateTableError(f"{where}: a yearly percentage from 0 to 100 is expected, got {value!r}")
    return rate


def _parse_rows(raw: Any, origin: str) -> tuple[list[RateRow], bool]:
    """Rows of a table file; the bool says the file replaces the base table instead of merging."""
    if isinstance(raw, list):
        raw = {"rows": raw}
    if not isinstance(raw, dict) or not isinstance(raw.get("rows"), list):
        raise RateTableError(f"{origin}: expected an object with a list of \"rows\"")
    rows = []
    for number, item in enumerate(raw["rows"], start=1):
        where = f"{origin} row {number}"
        if not isinstance(item, dict):
            raise RateTableError(f"{where}: expected an object")
        try:
            from_date = dt.date.fromisoformat(str(item["from"]))
        except (KeyError, ValueError) as exc:
            raise RateTableError(f"{where}: \"from\" must be a date YYYY-MM-DD") from exc
        verified = item.get("verified", False)
        if not isinstance(verified, bool):
            raise RateTableError(f"{where}: \"verified\" must be true or false")
        source = item.get("source")
        if not isinstance(source, str) or not source.strip():
            raise RateTableError(f"{where}: every row needs its \"source\"")
        rows.append(
            RateRow(
                from_date=from_date,
                consumer=_parse_rate(item.get("consumer"), f"{where} consumer"),
                commercial=_parse_rate(item.get("commercial"), f"{where} commercial"),
                source=source,
                verified=verified,
                note=str(item.get("note", "")),
            )
        )
    dates = [row.from_date for row in rows]
    if len(dates) != len(set(dates)):
        raise RateTableError(f"{origin}: two rows have the same \"from\" date")
    replace = raw.get("replace", False)
    if not isinstance(replace, bool):
        raise RateTableError(f"{origin}: \"replace\" must be true or false")
    return rows, replace


def _read_json(path: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle, parse_float=Decimal)
    except OSError as exc:
        raise RateTableError(f"cannot read interest rate file {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise RateTableError(f"interest rate file {path} is not valid JSON: {exc}") from exc


@lru_cache(maxsize=1)
def _base_rows() -> tuple[RateRow, ...]:
    text = resources.files("incasso").joinpath("data/interest_rates.json").read_text(encoding="utf-8")
    rows, _ = _parse_rows(json.loads(text, parse_float=Decimal), "incasso/data/interest_rates.json")
    return tuple(rows)


def load_rate_table(path: str | None = None) -> RateTable:
    """The shipped rate table, corrected by an override file.

    The override file is ``path`` or else the file named by ``INCASSO_INTEREST_RATES_FILE``; it has
    the shape of ``data/interest_rates.json``. Its rows replace shipped rows with the same ``from``
    date and add new ones; with ``"replace": true`` it is the whole table.
    """
    rows = {row.from_date: row for row in _base_rows()}
    override = path if path is not None else os.environ.get(RATES_FILE_ENV) or None
    if override:
        extra, replace = _parse_rows(_read_json(override), override)
        if replace:
            rows = {}
        for row in extra:
            rows[row.from_date] = row
    return RateTable(list(rows.values()))


@lru_cache(maxsize=8)
def _cached_table(override: str | None) -> RateTable:
    return load_rate_table(override) if override else RateTable(_base_rows())


def default_rate_table() -> RateTable:
    """The table calculations use when none is passed: cached per override path (a changed override
    file is read again by a new process, e.g. the next Lambda cold start)."""
    return _cached_table(os.environ.get(RATES_FILE_ENV) or None)


def clear_rate_table_cache() -> None:
    _cached_table.cache_clear()


# --------------------------------------------------------------------------- calculation


@dataclass(frozen=True)
class Segment:
    """Days ``start`` .. ``end`` (both inclusive) at one ``base`` and one yearly ``rate`` (%)."""

    start: dt.date
    end: dt.date
    days: int
    base: Decimal
    rate: Decimal
    amount: Decimal
    verified: bool = True  # False when the rate comes from an unverified (⚠️) row
    contractual: bool = False  # True when an agreed higher rate replaced the statutory one


@dataclass(frozen=True)
class InterestResult:
    interest: Decimal  # everything accrued: capitalised + not yet capitalised
    capitalised: Decimal  # interest of every full year of verzuim within the period, added to the base
    segments: list[Segment]

    @property
    def verified(self) -> bool:
        """False when any segment used an unverified rate: show a caveat, confirm the rate."""
        return all(segment.verified for segment in self.segments)


def _add_months(day: dt.date, months: int) -> dt.date:
    """Same day of the month ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last_day))


def add_years(start: dt.date, years: int) -> dt.date:
    """The day ``years`` years after ``start``; a year that starts on 29 February ends on
    28 February, so the next one starts on 1 March."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return dt.date(start.year + years, 3, 1)


def _not_negative(name: str, value: Any) -> Decimal:
    value = checks.amount(name, value, whole_cents=False)
    if value < 0:
        raise ValueError(f"{name} must be zero or more: {value}")
    return value


Applicable = Callable[[dt.date], tuple[Decimal, bool, "dt.date | None"]]


def rate_span(applicable: Applicable, start: dt.date, other_end: dt.date) -> tuple[Decimal, bool, dt.date]:
    """The rate applied from ``start`` (and whether it is a contractual one) and the first day, at
    most ``other_end``, on which the applied rate really changes: rows with the same rate, or a
    contractual rate that outlasts statutory changes, make no cut (a cut would only move the rounding)."""
    rate, contractual, rate_change = applicable(start)
    while rate_change is not None and rate_change < other_end:
        later_rate, later_contractual, later_change = applicable(rate_change)
        if (later_rate, later_contractual) != (rate, contractual):
            break
        rate_change = later_change
    return rate, contractual, other_end if rate_change is None else min(other_end, rate_change)


def compute_interest(
    principal: Decimal,
    *,
    due_date: dt.date,
    as_of: dt.date,
    kind: InterestKind,
    contractual_rate: Decimal | None = None,
    rates: RateTable | None = None,
    principal_changes: Sequence[tuple[dt.date, Decimal]] = (),
) -> InterestResult:
    """Statutory interest on ``principal`` from the day after ``due_date`` up to and including ``as_of``.

    ``contractual_rate`` (yearly %, e.g. ``Decimal("12")``): an agreed rate; where it is higher than
    the statutory rate it replaces it (art. 6:119 lid 3 BW), segment by segment. The yearly
    capitalisation applies to it as well.

    ``principal_changes``: ``(day, delta)`` pairs — the principal changes by ``delta`` (negative for a
    payment allocated to principal) at the end of ``day``: interest for ``day`` itself still runs on
    the old base ("tot en met de dag waarop de schuldenaar de geldsom heeft voldaan", 6:119a lid 1),
    the new base counts from the next day (the same convention as ``due_date``).
    Changes after ``as_of`` are ignored; the base may never become negative.

    ``as_of <= due_date`` gives zero. A day for which no statutory rate is known raises
    ``RateNotKnownError`` (a ``ValueError``).
    """
    base = _not_negative("principal", principal)
    kind = InterestKind(kind)
    if contractual_rate is not None:
        contractual_rate = _not_negative("contractual_rate", contractual_rate)
        if contractual_rate >= 100:
            raise ValueError(f"contractual_rate is a yearly percentage, got {contractual_rate}")
    due_date = checks.date_only("due_date", due_date)
    as_of = checks.date_only("as_of", as_of)

    first_day = due_date + dt.timedelta(days=1)
    if as_of < first_day:
        return InterestResult(interest=ZERO, capitalised=ZERO, segments=[])
    table = rates if rates is not None else default_rate_table()

    # Principal changes take effect on the day after their date.
    changes: dict[dt.date, Decimal] = {}
    for day, delta in principal_changes:
        day = checks.date_only("principal change date", day)
        delta = checks.amount("principal change", delta, whole_cents=False)
        effective = max(day + dt.timedelta(days=1), first_day)
        if effective <= as_of:
            changes[effective] = changes.get(effective, ZERO) + delta
    base += changes.pop(first_day, ZERO)
    if base < 0:
        raise ValueError("principal changes take the principal below zero")

    def applicable(day: dt.date) -> tuple[Decimal, bool, dt.date | None]:
        statutory = table.rate_on(day, kind)
        if contractual_rate is not None and contractual_rate > statutory.rate:
            return contractual_rate, True, statutory.next_change  # art. 6:119 lid 3 BW
        return statutory.rate, False, statutory.next_change

    segments: list[Segment] = []
    capitalised = ZERO
    year_interest = ZERO
    year_number = 1
    next_anniversary = add_years(first_day, year_number)
    start = first_day
    while start <= as_of:
        other_end = min([as_of + dt.timedelta(days=1), next_anniversary, *(day for day in changes if day > start)])
        rate, contractual, end_exclusive = rate_span(applicable, start, other_end)
        end = end_exclusive - dt.timedelta(days=1)

        days = (end - start).days + 1
        amount = round_cents(base * rate * days / (100 * DAYS_PER_YEAR))  # one division, one rounding
        # A contractual rate still leans on the statutory one (it applies only where it is higher).
        verified = table.verified_between(start, end)
        segments.append(Segment(start, end, days, base, rate, amount, verified, contractual))
        year_interest += amount

        start = end_exclusive
        if start == next_anniversary:
            # art. 6:119 lid 2 / 6:119a lid 3 BW — after a full year the year's interest joins the base.
            base += year_interest
            capitalised += year_interest
            year_interest = ZERO
            year_number += 1
            next_anniversary = add_years(first_day, year_number)
        if start in changes:
            base += changes.pop(start)
            if base < 0:
                raise ValueError(f"principal changes take the principal below zero on {start.isoformat()}")

    interest = sum((segment.amount for segment in segments), ZERO)
    return InterestResult(interest=interest, capitalised=capitalised, segments=segments)


def rate_warnings(segments: Sequence[Segment], rates: RateTable | None = None) -> list[str]:
    """The caveats on interest computed in ``segments``: each unverified statutory rate used (⚠️ rows
    of the table, with their note), and days past the last half year the table knows, where the last
    rate is carried forward although no newer one has been published into the table."""
    table = rates if rates is not None else default_rate_table()
    unverified: dict[dt.date, str] = {}
    carried = False
    for segment in segments:
        if segment.verified:
            continue
        for row in table.rows_between(segment.start, segment.end):
            if not row.verified and row.from_date not in unverified:
                unverified[row.from_date] = (f"interest from {row.from_date.isoformat()} uses an unverified "
                                             f"statutory rate: {row.note or row.source}")
        carried = carried or segment.end > table.known_until()
    warnings = [unverified[day] for day in sorted(unverified)]
    if carried:
        warnings.append(f"interest after {table.known_until().isoformat()} uses the last known statutory rate "
                        "carried forward: no rate for the following half year is in the table yet")
    return warnings
