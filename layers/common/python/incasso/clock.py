"""The one clock. Domain code asks a ``Clock`` for the time and never calls ``datetime.now()``.

In AWS the clock is the system clock; on the local stack it is the simulated clock of its scheduler
(``infra.local.scheduler``), installed process-wide with ``set_clock`` so handlers see simulated time.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from zoneinfo import ZoneInfo

AMSTERDAM = "Europe/Amsterdam"


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for unit tests."""

    def __init__(self, at: dt.datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(dt.timezone.utc)

    def now(self) -> dt.datetime:
        return self._at

    def advance(self, delta: dt.timedelta) -> None:
        self._at += delta


_current: Clock = SystemClock()


def set_clock(clock: Clock) -> Clock:
    """Install ``clock`` process-wide; returns the previous one so callers can restore it."""
    global _current
    previous, _current = _current, clock
    return previous


def now() -> dt.datetime:
    return _current.now()


def today() -> dt.date:
    """Today's date in the Netherlands (terms and due days are Dutch calendar days)."""
    return _current.now().astimezone(ZoneInfo(AMSTERDAM)).date()
