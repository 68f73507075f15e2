"""The send window: no e-mail or SMS to a debtor at night, on a Sunday or on a Dutch public holiday.

Times are the debtor's: Europe/Amsterdam unless the debtor's address names a country with a time zone of
its own (one zone per country; a country spanning several keeps Amsterdam's). A message due outside the
window waits for the next opening; a letter by post is not affected (it is printed and posted, not
delivered at the hour of the step). The policy switches it on (``Policy.send_window``) and sets the hours.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from incasso.domain.channels import LEGAL_NOTICE_KINDS, channel_for
from incasso.domain.models import Channel, Debtor, MessageKind, Policy
from incasso.law.terms import is_public_holiday

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SUNDAY = 6
# Countries (ISO 3166 alpha-2, and the Dutch and English names a CSV may carry) with one time zone.
_ZONES = {
    "NL": "Europe/Amsterdam", "BE": "Europe/Brussels", "LU": "Europe/Luxembourg", "DE": "Europe/Berlin",
    "FR": "Europe/Paris", "GB": "Europe/London", "UK": "Europe/London", "IE": "Europe/Dublin",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "IT": "Europe/Rome", "AT": "Europe/Vienna",
    "CH": "Europe/Zurich", "DK": "Europe/Copenhagen", "SE": "Europe/Stockholm", "NO": "Europe/Oslo",
    "FI": "Europe/Helsinki", "PL": "Europe/Warsaw", "CZ": "Europe/Prague", "GR": "Europe/Athens",
    "TR": "Europe/Istanbul", "MA": "Africa/Casablanca", "CW": "America/Curacao", "AW": "America/Aruba",
    "SX": "America/Lower_Princes", "BQ": "America/Kralendijk", "SR": "America/Paramaribo",
    "JP": "Asia/Tokyo", "CN": "Asia/Shanghai", "IN": "Asia/Kolkata", "ZA": "Africa/Johannesburg",
}
_NAMES = {
    "NEDERLAND": "NL", "NETHERLANDS": "NL", "THE NETHERLANDS": "NL", "BELGIE": "BE", "BELGIË": "BE",
    "BELGIUM": "BE", "DUITSLAND": "DE", "GERMANY": "DE", "FRANKRIJK": "FR", "FRANCE": "FR",
    "VERENIGD KONINKRIJK": "GB", "UNITED KINGDOM": "GB", "SPANJE": "ES", "SPAIN": "ES", "CURACAO": "CW",
    "CURAÇAO": "CW", "ARUBA": "AW", "SURINAME": "SR", "LUXEMBURG": "LU", "LUXEMBOURG": "LU",
}
# Never searched further than this for an opening (a window of at least a minute opens within days).
_SEARCH_DAYS = 14


def debtor_zone(debtor: Debtor) -> ZoneInfo:
    """The debtor's time zone: its address's country where that has one zone, else Amsterdam."""
    country = (debtor.address.country if debtor.address is not None else "NL").strip().upper()
    code = _NAMES.get(country, country)
    return ZoneInfo(_ZONES[code]) if code in _ZONES else AMSTERDAM


def sending_day(day: dt.date) -> bool:
    """Whether e-mail and SMS may go out on ``day`` at all: not a Sunday, not a Dutch public holiday."""
    return day.weekday() != SUNDAY and not is_public_holiday(day)


def next_opening(instant: dt.datetime, zone: ZoneInfo, start: dt.time, end: dt.time) -> dt.datetime:
    """``instant`` itself when the window is open then, else the (UTC) moment it next opens."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(zone)
    for _ in range(_SEARCH_DAYS):
        day = local.date()
        if sending_day(day):
            opens = dt.datetime.combine(day, start, tzinfo=zone)
            closes = dt.datetime.combine(day, end, tzinfo=zone)
            if local < opens:
                return opens.astimezone(dt.timezone.utc)
            if local < closes:
                return instant
        local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)
    raise ValueError(f"no opening of the send window within {_SEARCH_DAYS} days of {instant.isoformat()}")


def policy_channel(policy: Policy, kind: MessageKind) -> Channel:
    """The policy's channel for ``kind``: the legal notices by the notice channel, the rest (the
    reminders, the pre-due reminder, the call's announcement, confirmations) by the reminder channel."""
    return policy.notice_channel if MessageKind(kind) in LEGAL_NOTICE_KINDS else policy.reminder_channel


def held_until(policy: Policy, debtor: Debtor, kind: MessageKind, instant: dt.datetime) -> dt.datetime | None:
    """When a message of ``kind`` due at ``instant`` may go instead, or None when it may go now: the
    window is off, the message goes by post (or not at all), or the window is open."""
    if not policy.send_window:
        return None
    channel = channel_for(policy_channel(policy, kind), debtor, kind)
    if channel not in (Channel.EMAIL, Channel.SMS):
        return None
    opening = next_opening(instant, debtor_zone(debtor), policy.send_window_start, policy.send_window_end)
    return None if opening == instant else opening
