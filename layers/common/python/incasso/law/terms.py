"""Terms, business days and Dutch public holidays.

Public holidays are those of the Algemene termijnenwet (Atw) art. 3: Nieuwjaarsdag, Goede Vrijdag
(lid 2), tweede Paas- en Pinksterdag, Hemelvaartsdag, Koningsdag, 5 mei (every year) and both
Kerstdagen — taken from the ``holidays`` package's Netherlands calendar (its "public" category plus
the "optional" one, which holds 5 May in the years the "public" one leaves it out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from incasso.clock import AMSTERDAM
from incasso.domain.models import Channel
from incasso.law import _checks as checks

ONE_DAY = dt.timedelta(days=1)
# art. 6:96 lid 6 BW — "een termijn van veertien dagen, aanvangende de dag na aanmaning".
FOURTEEN_DAY_TERM_DAYS = 14
# HR 25-11-2016, ECLI:NL:HR:2016:2704 — ordinary mail is presumed delivered on the second day after
# posting, Sundays, Mondays and public holidays not counted (no delivery, no sorting on those days).
PRESUMED_DELIVERY_DAYS = 2
_NO_POST_WEEKDAYS = frozenset({6, 0})  # Sunday, Monday


@lru_cache(maxsize=1)
def _holiday_calendar():  # the package is imported on first use: the Lambda import path stays light
    import holidays  # deferred (the comment above)

    return holidays.country_holidays("NL", categories=("public", "optional"))


def is_public_holiday(day: dt.date) -> bool:
    """A Dutch algemeen erkende feestdag (art. 3 Atw) or Goede Vrijdag."""
    return checks.date_only("day", day) in _holiday_calendar()


def is_business_day(day: dt.date) -> bool:
    """Monday to Friday and not a public holiday."""
    day = checks.date_only("day", day)
    return day.weekday() < 5 and not is_public_holiday(day)


def next_business_day(day: dt.date) -> dt.date:
    """The first business day strictly after ``day``."""
    return business_day_on_or_after(checks.date_only("day", day) + ONE_DAY)


def business_day_on_or_after(day: dt.date) -> dt.date:
    """``day`` itself when it is a business day, otherwise the next one."""
    day = checks.date_only("day", day)
    while not is_business_day(day):
        day += ONE_DAY
    return day


def _is_probable_equated_day(day: dt.date) -> bool:
    """⚠️ A working day between two days off, such as the Friday after Hemelvaartsdag.

    Art. 3 lid 3 Atw lets the government equate extra days with holidays (decided every three years,
    Staatscourant); in practice these are exactly such bridge days. The decrees themselves are not in
    the ``holidays`` package, so for ending a term we treat every bridge day as one: it can only make
    a term end later, never earlier, than the law says.
    """
    return (
        is_business_day(day)
        and not is_business_day(day - ONE_DAY)
        and not is_business_day(day + ONE_DAY)
    )


def _term_may_end_on(day: dt.date) -> bool:
    return is_business_day(day) and not _is_probable_equated_day(day)


def presumed_delivery(posted: dt.date) -> dt.date:
    """The day ordinary mail posted on ``posted`` is presumed delivered (HR 25-11-2016, Fa-Med):
    the second day after posting, where Sundays, Mondays and public holidays count neither as
    intervening nor as delivery days. Posted Tuesday 3 June 2025 -> Thursday 5 June 2025."""
    day = checks.date_only("posted", posted)
    counted = 0
    while counted < PRESUMED_DELIVERY_DAYS:
        day += ONE_DAY
        if day.weekday() in _NO_POST_WEEKDAYS or is_public_holiday(day):
            continue
        counted += 1
    return day


@dataclass(frozen=True)
class FourteenDayTerm:
    """The term of a 14-day letter: all dates inclusive; costs are owed from ``costs_due_from``."""

    sent_on: dt.date
    delivered_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    costs_due_from: dt.date


def fourteen_day_term(sent_on: dt.date, *, channel: Channel, email_delivery_days: int = 0) -> FourteenDayTerm:
    """The 14-day term of art. 6:96 lid 6 BW for a letter sent on ``sent_on``.

    - The term begins the day after receipt (art. 3:37 lid 3 BW; HR 25-11-2016): a posted letter is
      received on its presumed delivery day, an e-mail ``email_delivery_days`` after sending (⚠️
      e-mail counts as written, but receipt is harder to prove).
    - 14 days, the first being the day after delivery: posted 3 June 2025 -> delivered 5 June ->
      term 6–19 June -> costs due from 20 June.
    - ⚠️ A term that would end on a Saturday, Sunday, public holiday (art. 1 Atw) or a probable
      equated day (art. 3 lid 3 Atw) runs on to the next business day — whether the Atw applies to
      this term is unverified; extending it is the safe choice, since costs claimed one day too early
      are not owed at all.
    - An SMS is refused: it cannot carry the letter's mandatory contents.
    """
    sent_on = checks.date_only("sent_on", sent_on)
    channel = Channel(channel)
    if channel is Channel.LETTER:
        delivered_on = presumed_delivery(sent_on)
    elif channel is Channel.EMAIL:
        if isinstance(email_delivery_days, bool) or not isinstance(email_delivery_days, int) or email_delivery_days < 0:
            raise ValueError(f"email_delivery_days must be a whole number of days >= 0, got {email_delivery_days!r}")
        delivered_on = sent_on + dt.timedelta(days=email_delivery_days)
    else:
        raise ValueError(f"a 14-day letter cannot be sent by {channel.value}; use a letter or an e-mail")
    starts_on = delivered_on + ONE_DAY
    ends_on = starts_on + dt.timedelta(days=FOURTEEN_DAY_TERM_DAYS - 1)
    while not _term_may_end_on(ends_on):  # art. 1 lid 1 Atw
        ends_on += ONE_DAY
    return FourteenDayTerm(
        sent_on=sent_on,
        delivered_on=delivered_on,
        starts_on=starts_on,
        ends_on=ends_on,
        costs_due_from=ends_on + ONE_DAY,
    )


def next_call_slot(after: dt.datetime, *, start: dt.time, end: dt.time, slot_minutes: int = 30) -> dt.datetime:
    """The first call slot starting at or after ``after``, as an aware UTC datetime.

    Slots are ``slot_minutes`` long, laid out from ``start`` on each business day (Europe/Amsterdam
    wall-clock time, so the same local hours in summer and winter time); a slot must end by ``end``.
    Weekends and public holidays have no slots.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be a timezone-aware datetime")
    if isinstance(slot_minutes, bool) or not isinstance(slot_minutes, int) or slot_minutes <= 0:
        raise ValueError(f"slot_minutes must be a positive whole number, got {slot_minutes!r}")
    slot = dt.timedelta(minutes=slot_minutes)
    day_length = dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
    if day_length < slot:
        raise ValueError(f"no {slot_minutes}-minute slot fits between {start} and {end}")
    slots_per_day = day_length // slot

    zone = ZoneInfo(AMSTERDAM)
    local_after = after.astimezone(zone)
    day = local_after.date()
    while True:
        if is_business_day(day):
            first = dt.datetime.combine(day, start)
            for index in range(slots_per_day):
                candidate = (first + index * slot).replace(tzinfo=zone)
                if candidate >= local_after:
                    return candidate.astimezone(dt.timezone.utc)
        day += ONE_DAY

