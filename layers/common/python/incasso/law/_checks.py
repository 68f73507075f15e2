"""Argument checks shared by the law modules: amounts are Decimals (never floats), dates are dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from incasso.money import CENT


def amount(name: str, value: Any, *, whole_cents: bool = True) -> Decimal:
    """``value`` as a finite ``Decimal``; an int is accepted, a float or bool never."""
    if isinstance(value, (float, bool)) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite amount: {value}")
    if whole_cents and value != value.quantize(CENT):
        raise ValueError(f"{name} must be in whole cents (at most two decimals): {value}")
    return value


def date_only(name: str, value: Any) -> dt.date:
    """``value`` if it is a date — a datetime is refused, since a day is meant."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise TypeError(f"{name} must be a date, not {type(value).__name__}")
    return value
