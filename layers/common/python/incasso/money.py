"""One money type for the whole code base: ``Decimal`` euros, quantized to cents, half up.

Floats are refused everywhere: a float cannot hold 0.10 exactly and a claim must add up to the cent.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# No amount the engine handles comes near this; anything larger is a typing error (or an attack).
MAX_ABS_AMOUNT = Decimal(10) ** 15
# A plain decimal in ASCII digits: no exponent ("1e3"), no "_" separators, no full-width digits.
_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]{1,16}(\.[0-9]{1,20})?")


class MoneyError(ValueError):
    """An amount that is not a valid money value."""


def round_cents(value: Decimal) -> Decimal:
    """Round to whole cents, half up (the rounding the law engine and the ledger use)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def to_decimal(value: Any) -> Decimal:
    """Turn an int, a ``Decimal`` or a string like ``"425.00"`` into a ``Decimal``; refuse floats."""
    if isinstance(value, bool):
        raise MoneyError("a boolean is not an amount")
    if isinstance(value, float):
        raise MoneyError("amounts must be given as strings or integers, not floating point numbers")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise MoneyError(f"not a plain decimal amount such as \"425.00\": {value[:40]!r}")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid decimals
            raise MoneyError(f"not an amount: {value[:40]!r}") from exc
    else:
        raise MoneyError(f"not an amount: {str(value)[:40]!r}")
    if not result.is_finite():
        raise MoneyError(f"not a finite amount: {str(value)[:40]!r}")
    if abs(result) >= MAX_ABS_AMOUNT:
        raise MoneyError("the amount is implausibly large")
    return result


def money(value: Any) -> Decimal:
    """Parse an amount and check it has at most two decimals; returns it quantized to cents."""
    result = to_decimal(value)
    if result != result.quantize(CENT):
        raise MoneyError(f"amounts have at most two decimals: {value!r}")
    return result.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    """Euros (``Decimal``) to integer cents, for storage; the amount must already be whole cents."""
    return int(money(amount) * 100)


def from_cents(cents: int) -> Decimal:
    """Integer cents (as stored) back to a ``Decimal`` euro amount."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        if isinstance(cents, Decimal) and cents == cents.to_integral_value():
            cents = int(cents)
        else:
            raise MoneyError(f"cents must be an integer: {cents!r}")
    return (Decimal(cents) / 100).quantize(CENT)


def format_amount(amount: Decimal) -> str:
    """The contract's JSON form: a string with two decimals, e.g. ``"425.00"``."""
    return f"{round_cents(amount):.2f}"


def format_eur(amount: Decimal, language: str = "nl") -> str:
    """Human form for letters: ``€ 1.234,56`` in Dutch, ``€1,234.56`` in English."""
    text = f"{round_cents(amount):,.2f}"
    if language == "nl":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"€ {text}"
    return f"€{text}"


# pydantic field type: accepts "12.34", 12, Decimal; refuses floats and sub-cent amounts;
# serializes as the contract's two-decimal string.
Money = Annotated[
    Decimal,
    BeforeValidator(money),
    PlainSerializer(format_amount, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["425.00"]}),
]
