"""How letters write dates, times, amounts and IBANs, in Dutch and English, without the OS locale.

The OS locale is not a dependency we control in Lambda (it is "C" there), so month and weekday names
are spelled out here. Dates and amounts are what the court reads: "5 juni 2025", "€ 1.234,56".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from incasso.clock import AMSTERDAM
from incasso.money import format_eur

MONTHS = {
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
}
WEEKDAYS = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def _language(language: str) -> str:
    code = str(getattr(language, "value", language))
    if code not in MONTHS:
        raise ValueError(f"no date format for language {language!r}")
    return code


def format_date(day: dt.date, language: str, *, weekday: bool = False) -> str:
    """``5 juni 2025`` / ``5 June 2025``; with ``weekday``: ``donderdag 5 juni 2025`` / ``Thursday 5 June 2025``."""
    code = _language(language)
    if isinstance(day, dt.datetime):
        day = day.date()
    text = f"{day.day} {MONTHS[code][day.month - 1]} {day.year}"
    if weekday:
        text = f"{WEEKDAYS[code][day.weekday()]} {text}"
    return text


def format_slot(at: dt.datetime, language: str) -> str:
    """A call slot in Dutch local time: ``donderdag 3 juli 2025 om 10:30`` / ``Thursday 3 July 2025 at 10:30``."""
    if at.tzinfo is None:
        raise ValueError("a call slot needs a timezone-aware datetime")
    local = at.astimezone(ZoneInfo(AMSTERDAM))
    code = _language(language)
    joiner = "om" if code == "nl" else "at"
    return f"{format_date(local.date(), code, weekday=True)} {joiner} {local:%H:%M}"


def format_money(amount: Decimal, language: str) -> str:
    """``€ 1.234,56`` in Dutch, ``€1,234.56`` in English (``incasso.money.format_eur``)."""
    return format_eur(amount, _language(language))


def format_iban(iban: str) -> str:
    """An IBAN in groups of four, as printed on Dutch payment forms: ``NL44 RABO 0123 4567 89``."""
    compact = iban.replace(" ", "").upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def format_percent(rate: Decimal, language: str) -> str:
    """``21%`` / ``10,15%`` (Dutch decimal comma) / ``10.15%``."""
    text = format(rate.normalize(), "f")
    if _language(language) == "nl":
        text = text.replace(".", ",")
    return f"{text}%"
