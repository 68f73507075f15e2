"""Schedules on the simulated clock: EventBridge scheduled rules and EventBridge Scheduler schedules.

moto stores both and never fires them. ``ScheduleSource`` is a timer source of the clock: it finds the
enabled schedules in moto's backends whenever the clock asks what is due next, and fires each
occurrence at its moment of simulated time, in order, once.

Expressions: ``cron(minutes hours day-of-month month day-of-week year)`` with numbers, names,
``*``, ``?``, lists, ranges and steps (not ``L``, ``W`` or ``#``); ``rate(N minute|hour|day[s])``;
``at(yyyy-mm-ddThh:mm:ss)`` (Scheduler one-time schedules).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc
LOG = logging.getLogger(__name__)
_SEARCH_DAYS = 366 * 8

_MONTHS = {name: i for i, name in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), 1)}
_WEEKDAYS = {name: i for i, name in enumerate("SUN MON TUE WED THU FRI SAT".split(), 1)}


class ScheduleExpressionError(ValueError):
    pass


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int] | None:
    """The values a cron field allows; None for ``*`` or ``?`` (anything)."""
    if text in ("*", "?"):
        return None
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step > 1 else start
        if not (low <= start <= high and low <= end <= high) or step < 1:
            raise ScheduleExpressionError(f"cron field {text!r} is out of range {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleExpressionError(f"unsupported cron value {text!r} (L, W and # are not supported locally)")
    return int(text)


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    months: frozenset[int] | None
    days_of_week: frozenset[int] | None  # 1 = Sunday, as in EventBridge
    years: frozenset[int] | None

    @classmethod
    def parse(cls, body: str) -> Cron:
        parts = body.split()
        if len(parts) != 6:
            raise ScheduleExpressionError(f"cron needs 6 fields, got {body!r}")
        minutes = _field(parts[0], 0, 59)
        hours = _field(parts[1], 0, 23)
        return cls(
            minutes=minutes if minutes is not None else frozenset(range(60)),
            hours=hours if hours is not None else frozenset(range(24)),
            days_of_month=_field(parts[2], 1, 31),
            months=_field(parts[3], 1, 12, _MONTHS),
            days_of_week=_field(parts[4], 1, 7, _WEEKDAYS),
            years=_field(parts[5], 1970, 2199),
        )

    def _day_matches(self, day: dt.date) -> bool:
        if self.months is not None and day.month not in self.months:
            return False
        if self.years is not None and day.year not in self.years:
            return False
        if self.days_of_month is not None and day.day not in self.days_of_month:
            return False
        weekday = day.isoweekday() % 7 + 1  # Sunday -> 1 ... Saturday -> 7
        return self.days_of_week is None or weekday in self.days_of_week

    def next_after(self, after: dt.datetime, tz: dt.tzinfo = UTC) -> dt.datetime | None:
        local = after.astimezone(tz)
        day = local.date()
        hours, minutes = sorted(self.hours), sorted(self.minutes)
        for _ in range(_SEARCH_DAYS):
            if self._day_matches(day):
                for hour in hours:
                    for minute in minutes:
                        moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                        if moment > after:
                            return moment.astimezone(UTC)
            day += dt.timedelta(days=1)
        return None


@dataclass(frozen=True)
class Rate:
    every: dt.timedelta

    def next_after(self, after: dt.datetime, tz: dt.tzinfo = UTC) -> dt.datetime | None:
        return after + self.every


@dataclass(frozen=True)
class At:
    local: dt.datetime  # naive, in the schedule's time zone

    def next_after(self, after: dt.datetime, tz: dt.tzinfo = UTC) -> dt.datetime | None:
        moment = self.local.replace(tzinfo=tz).astimezone(UTC)
        return moment if moment > after else None


_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


@lru_cache(maxsize=1024)
def parse_schedule(expression: str) -> Cron | Rate | At:
    expression = expression.strip()
    if expression.startswith("cron(") and expression.endswith(")"):
        return Cron.parse(expression[5:-1])
    match = _RATE.match(expression)
    if match:
        unit = match.group(2).rstrip("s")
        return Rate(dt.timedelta(seconds=int(match.group(1)) * _UNITS[unit]))
    if expression.startswith("at(") and expression.endswith(")"):
        return At(dt.datetime.fromisoformat(expression[3:-1]))
    raise ScheduleExpressionError(f"unsupported schedule expression {expression!r}")


# -- the timer source ----------------------------------------------------------------------------------


@dataclass
class _Entry:
    """A schedule as last seen: when the clock first saw it and when it last fired."""

    expression: str
    tz: dt.tzinfo
    last: dt.datetime  # armed time, then the last occurrence fired
    fire: Callable[[dt.datetime], None]


class ScheduleSource:
    """Fires moto's enabled scheduled rules and Scheduler schedules on the simulated clock."""

    def __init__(
        self,
        account_id: str,
        region: str,
        now: Callable[[], dt.datetime],
        deliver: Callable[[str, Any], None],
        send_rule_event: Callable[[Any, dict[str, Any]], None],  # (rule, event in moto's shape)
    ) -> None:
        self._account_id = account_id
        self._region = region
        self._now = now
        self._deliver = deliver  # (target arn, payload) for Scheduler targets
        self._send_rule_event = send_rule_event  # (rule, event) for scheduled rules
        self._entries: dict[str, _Entry] = {}
        self.fired: list[tuple[str, dt.datetime]] = []  # (schedule key, occurrence), for tests and demos

    def _scan(self) -> dict[str, _Entry]:
        now = self._now()
        seen: dict[str, _Entry] = {}
        for key, expression, tz, fire in self._schedules():
            entry = self._entries.get(key)
            if entry is None or entry.expression != expression:
                entry = _Entry(expression, tz, now, fire)
            else:
                entry.fire = fire
            seen[key] = entry
        self._entries = seen
        return seen

    def _schedules(self) -> Iterator[tuple[str, str, dt.tzinfo, Callable[[dt.datetime], None]]]:
        """(key, expression, time zone, fire) of every enabled schedule in moto's backends."""
        from moto.events.models import events_backends
        from moto.scheduler.models import scheduler_backends

        events = events_backends[self._account_id][self._region]
        for bus in list(events.event_buses.values()):
            for rule in list(bus.rules.values()):
                if rule.scheduled_expression and rule.state == "ENABLED":
                    yield rule.arn, rule.scheduled_expression, UTC, self._rule_firer(rule)
        scheduler = scheduler_backends[self._account_id][self._region]
        for group in list(scheduler.schedule_groups.values()):
            for schedule in list(group.schedules.values()):
                if schedule.state != "ENABLED":
                    continue
                tz = ZoneInfo(schedule.schedule_expression_timezone or "UTC")
                yield schedule.arn, schedule.schedule_expression, tz, self._schedule_firer(group, schedule)

    def _rule_firer(self, rule: Any) -> Callable[[dt.datetime], None]:
        def fire(at: dt.datetime) -> None:
            event = {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": self._account_id,
                "time": at.timestamp(),  # moto's shape; delivery gives targets AWS's ISO form
                "region": self._region,
                "resources": [rule.arn],
                "detail": {},
            }
            self._send_rule_event(rule, event)

        return fire

    def _schedule_firer(self, group: Any, schedule: Any) -> Callable[[dt.datetime], None]:
        def fire(at: dt.datetime) -> None:
            target = schedule.target
            raw = target.get("Input")
            payload = json.loads(raw) if raw else {}
            self._deliver(target["Arn"], payload)
            if schedule.schedule_expression.startswith("at(") and schedule.action_after_completion == "DELETE":
                group.schedules.pop(schedule.name, None)

        return fire

    def next_due(self) -> dt.datetime | None:
        due = [moment for moment, _ in self._due_entries().values() if moment is not None]
        return min(due) if due else None

    def _due_entries(self) -> dict[str, tuple[dt.datetime | None, _Entry]]:
        result = {}
        for key, entry in self._scan().items():
            try:
                moment = parse_schedule(entry.expression).next_after(entry.last, entry.tz)
            except ScheduleExpressionError as exc:
                LOG.warning("schedule %s is not run locally: %s", key, exc)
                moment = None
            result[key] = (moment, entry)
        return result

    def fire_due(self, now: dt.datetime) -> None:
        for key, (moment, entry) in sorted(self._due_entries().items(), key=lambda item: (item[1][0] or now, item[0])):
            if moment is None or moment > now:
                continue
            entry.last = moment
            self.fired.append((key, moment))
            try:
                entry.fire(moment)
            except Exception:  # a schedule's target failing must not stop time
                LOG.exception("schedule %s failed to deliver at %s", key, moment)
