"""The columns of an invoice CSV (CONTRACT.md §5) and how each value is read.

Every reader takes the raw cell text and returns the value or raises ``FieldError`` with a message
meant for the finance team that made the export. Amounts are ``Decimal``, never float.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from incasso.domain.models import DebtorType, Language
from incasso.invoice_csv.text import REPLACEMENT_CHARACTER
from incasso.money import MoneyError, money

# The contract's English header names are the canonical field names, in the order errors are reported.
INVOICE_NUMBER = "invoice_number"
DEBTOR_NAME = "debtor_name"
DEBTOR_TYPE = "debtor_type"
EMAIL = "email"
PHONE = "phone"
STREET = "street"
POSTAL_CODE = "postal_code"
CITY = "city"
COUNTRY = "country"
LANGUAGE = "language"
DEBTOR_REFERENCE = "debtor_reference"
PRINCIPAL = "principal"
CURRENCY = "currency"
INVOICE_DATE = "invoice_date"
DUE_DATE = "due_date"

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    INVOICE_NUMBER: ("invoice_number", "factuurnummer"),
    DEBTOR_NAME: ("debtor_name", "naam", "debiteur"),
    DEBTOR_TYPE: ("debtor_type", "type"),
    EMAIL: ("email", "e-mail"),
    PHONE: ("phone", "telefoon"),
    STREET: ("street", "straat"),
    POSTAL_CODE: ("postal_code", "postcode"),
    CITY: ("city", "plaats"),
    COUNTRY: ("country", "land"),
    LANGUAGE: ("language", "taal"),
    DEBTOR_REFERENCE: ("debtor_reference", "klantnummer", "debiteurnummer"),
    PRINCIPAL: ("principal", "amount", "bedrag"),
    CURRENCY: ("currency", "valuta"),
    INVOICE_DATE: ("invoice_date", "factuurdatum"),
    DUE_DATE: ("due_date", "vervaldatum"),
}
FIELD_ORDER = tuple(FIELD_ALIASES)
REQUIRED_FIELDS = (INVOICE_NUMBER, DEBTOR_NAME, DEBTOR_TYPE, PRINCIPAL, INVOICE_DATE, DUE_DATE)
ADDRESS_FIELDS = (STREET, POSTAL_CODE, CITY)

_HEADER_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(header: str) -> str:
    """A header cell reduced for matching: case, outer spaces and ``_``/``-``/space runs don't count,
    so ``Invoice Number``, ``invoice-number`` and ``INVOICE_NUMBER`` are one column."""
    return _HEADER_SEPARATORS.sub("_", header.strip().strip("\ufeff").lower()).strip("_")


HEADER_FIELDS: dict[str, str] = {
    header_key(alias): field for field, aliases in FIELD_ALIASES.items() for alias in aliases
}

MAX_INVOICE_NUMBER_LENGTH = 64  # Claim.invoice_number
MAX_PRINCIPAL = Decimal("10000000.00")
_MAX_AMOUNT_CHARS = 40
_SHOWN_CHARS = 40


class FieldError(ValueError):
    """A cell that cannot be read; the message says why."""


def shortened(value: str) -> str:
    """A cell value for a message, cut short so that one huge cell cannot bloat the error report."""
    value = value.strip()
    return value[: _SHOWN_CHARS - 1] + "…" if len(value) > _SHOWN_CHARS else value


def shown(value: str) -> str:
    """A cell value quoted for a message."""
    return f"'{shortened(value)}'"


_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(raw: str, *, multiline: bool = False) -> str:
    """Trim and fold every run of whitespace into one space. A line break (inside a quoted cell) is
    folded too where a spreadsheet user may type one (``multiline``: a name, a street), else refused."""
    if raw.isascii() and raw.isprintable():
        return raw.strip()
    if REPLACEMENT_CHARACTER in raw:
        raise FieldError("contains bytes that are not valid UTF-8 or Windows-1252 text")
    if not multiline and ("\n" in raw or "\r" in raw):
        raise FieldError(f"{shown(raw)} contains a line break")
    text = _WHITESPACE.sub(" ", raw).strip()
    if _CONTROL.search(text):
        raise FieldError("contains control characters")
    return text


def parse_invoice_number(raw: str) -> str:
    number = clean_text(raw)
    if not number:
        raise FieldError("the invoice number is missing")
    if len(number) > MAX_INVOICE_NUMBER_LENGTH:
        raise FieldError(f"the invoice number is longer than {MAX_INVOICE_NUMBER_LENGTH} characters")
    return number


_DEBTOR_TYPES = {
    "consumer": DebtorType.CONSUMER,
    "particulier": DebtorType.CONSUMER,
    "business": DebtorType.BUSINESS,
    "zakelijk": DebtorType.BUSINESS,
}


def parse_debtor_type(raw: str) -> DebtorType:
    value = clean_text(raw).lower()
    if not value:
        raise FieldError("the debtor type is missing: consumer or business (particulier or zakelijk)")
    try:
        return _DEBTOR_TYPES[value]
    except KeyError:
        raise FieldError(
            f"{shown(raw)} is not a debtor type: use consumer or business (particulier or zakelijk)"
        ) from None


_LANGUAGES = {
    "": Language.NL,  # the default: letters in Dutch
    "nl": Language.NL,
    "en": Language.EN,
}


def parse_language(raw: str) -> Language:
    try:
        return _LANGUAGES[clean_text(raw).lower()]
    except KeyError:
        raise FieldError(f"{shown(raw)} is not a language: use nl or en") from None


def parse_currency(raw: str) -> str:
    value = clean_text(raw).upper()
    if value in ("", "EUR", "€"):
        return "EUR"
    raise FieldError(f"only EUR is accepted, not {shown(raw)}")


_EURO_MARKERS = ("€", "eur")
_NEGATIVE = re.compile(r"[-−].*[0-9].*|\(.*\)|.*[0-9]\s*[-−]")
_OTHER_CURRENCY = re.compile(r"([a-z]{3}|[$£¥₤])\s*[0-9].*|.*[0-9]\s*([a-z]{3}|[$£¥₤])")
_AMOUNT_CHARACTERS = re.compile(r"[0-9][0-9., \u00a0\u202f]*")
_DIGITS = re.compile(r"[0-9]+")
_THOUSANDS_GROUP = re.compile(r"[0-9]{3}")
_SPACES = (" ", "\u00a0", "\u202f")  # spaces some exports put between thousands
_FORMS = "e.g. 1234.56, 1234,56, 1.234,56 or € 1.234,56"


def parse_amount(raw: str) -> Decimal:
    """An amount in the forms Dutch and English exports write it, as a ``Decimal`` of whole cents.

    The last ``.`` or ``,`` is the decimal separator when one or two digits follow it; every other
    separator (``.``, ``,`` or a space, one kind per amount, not the decimal one) must split the
    integer part into groups of three. So ``1.234,56``, ``1,234.56``, ``1234,5`` and ``12.500`` (twelve
    thousand five hundred) are read; ``1.2.3``, ``12,345,67`` and ``1234.567`` are refused as ambiguous.
    A ``€`` or ``EUR`` before or after the number is allowed; the amount must be above zero and at most
    ten million.
    """
    text = raw.strip()
    if not text:
        raise FieldError("the amount is missing")
    if len(text) > _MAX_AMOUNT_CHARS:
        raise FieldError(f"{shown(text)} is not an amount ({_FORMS})")
    body = _without_euro_marker(text)
    if _NEGATIVE.fullmatch(body) or _NEGATIVE.fullmatch(text):
        raise FieldError(f"{shown(text)} is negative: the amount must be more than zero")
    if _OTHER_CURRENCY.fullmatch(body.lower()):
        raise FieldError(f"{shown(text)} is not in euros: only EUR amounts are accepted")
    if not _AMOUNT_CHARACTERS.fullmatch(body):
        raise FieldError(f"{shown(text)} is not an amount ({_FORMS})")
    try:
        amount = money(_plain_number(body, text))
    except MoneyError:  # e.g. twenty digits: larger than any amount the engine takes
        raise FieldError(f"{shown(text)} is more than the maximum of 10,000,000.00 for one invoice") from None
    if amount <= 0:
        raise FieldError(f"{shown(text)} is zero: the amount must be more than zero")
    if amount > MAX_PRINCIPAL:
        raise FieldError(f"{shown(text)} is more than the maximum of 10,000,000.00 for one invoice")
    return amount


def _without_euro_marker(text: str) -> str:
    lowered = text.lower()
    for marker in _EURO_MARKERS:
        if lowered.startswith(marker):
            return text[len(marker) :].strip()
        if lowered.endswith(marker):
            return text[: -len(marker)].strip()
    return text


def _plain_number(body: str, text: str) -> str:
    """``1.234,56`` -> ``1234.56`` by the rules of ``parse_amount``."""
    last = max(body.rfind("."), body.rfind(","))
    decimals = body[last + 1 :] if last >= 0 else ""
    if last >= 0 and 1 <= len(decimals) <= 2 and _DIGITS.fullmatch(decimals):
        decimal_separator, integer = body[last], body[:last]
    elif last >= 0 and len(decimals) > 3 and _DIGITS.fullmatch(decimals):
        raise FieldError(f"{shown(text)} has more than two decimals")
    else:
        decimal_separator, integer, decimals = "", body, ""
    separators = {char for char in integer if not char.isdigit()}
    if decimal_separator in separators:
        raise FieldError(
            f"{shown(text)} is ambiguous: '{decimal_separator}' is both the decimal and the thousands "
            f"separator ({_FORMS})"
        )
    if not separators:
        if not integer:
            raise FieldError(f"{shown(text)} is not an amount ({_FORMS})")
        return f"{integer}.{decimals}" if decimals else integer
    if len(separators) > 1 and not separators <= set(_SPACES):
        raise FieldError(f"{shown(text)} mixes thousands separators ({_FORMS})")
    separator = separators.pop()
    if not decimals and separator in ".," and integer.count(separator) == 1:
        # "10.005": ten thousand and five, or ten and five thousandths typed with one decimal too many?
        # Either reading is plausible, so neither is guessed.
        raise FieldError(
            f"{shown(text)} is ambiguous: one '{separator}' followed by three digits may be a thousands or a "
            f"decimal separator; write it with its cents, e.g. 10.005,00 or 10005.00 ({_FORMS})"
        )
    groups = integer.replace("\u00a0", " ").replace("\u202f", " ").split(" " if separator in _SPACES else separator)
    leading, rest = groups[0], groups[1:]
    if (
        not _DIGITS.fullmatch(leading)
        or len(leading) > 3
        or leading.startswith("0")
        or not all(_THOUSANDS_GROUP.fullmatch(group) for group in rest)
    ):
        raise FieldError(
            f"{shown(text)} is ambiguous: thousands must come in groups of three and an amount has at most "
            f"two decimals ({_FORMS})"
        )
    integer = "".join(groups)
    return f"{integer}.{decimals}" if decimals else integer


_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})([-/])([0-9]{1,2})\2([0-9]{4})")
_DATE_FORMS = "use YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY"
_YEARS = range(1900, 2101)


def parse_date(raw: str, what: str) -> dt.date:
    """``YYYY-MM-DD``, ``DD-MM-YYYY`` or ``DD/MM/YYYY`` (one-digit day or month allowed). Slashed
    dates are always day first, as in the Netherlands: ``01/02/2025`` is 1 February."""
    text = raw.strip()
    if not text:
        raise FieldError(f"the {what} is missing")
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = match.group(1, 2, 3)
    elif match := _DAY_FIRST_DATE.fullmatch(text):
        day, month, year = match.group(1, 3, 4)
    else:
        raise FieldError(f"{shown(text)} is not a date: {_DATE_FORMS}")
    if int(year) not in _YEARS:
        raise FieldError(f"{shown(text)} is not a plausible {what}: the year is {int(year)}")
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise FieldError(f"{shown(text)} is not a valid date (no such day in the calendar)") from None
