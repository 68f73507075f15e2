"""Reading single values: amounts (Decimal, never float), dates, types, languages, currency."""

import datetime as dt
from decimal import Decimal

import pytest

from incasso.domain.models import DebtorType, Language
from incasso.invoice_csv.fields import (
    FieldError,
    header_key,
    parse_amount,
    parse_currency,
    parse_date,
    parse_debtor_type,
    parse_language,
)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("€ 1.234,56", "1234.56"),
        ("€1234", "1234.00"),
        ("1,234.56", "1234.56"),
        ("EUR 12,50", "12.50"),
        ("  12,50 EUR  ", "12.50"),
        ("12,50 €", "12.50"),
        ("eur12.5", "12.50"),
        ("1234,5", "1234.50"),
        ("0,01", "0.01"),
        ("1,234,567.89", "1234567.89"),
        ("1.234.567", "1234567.00"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),  # a no-break space between thousands
        ("10.000.000,00", "10000000.00"),
        ("007", "7.00"),
    ],
)
def test_accepted_amounts(text, amount):
    # given an amount as exports write it / when read / then the exact Decimal
    value = parse_amount(text)
    assert value == Decimal(amount) and isinstance(value, Decimal)
    assert value.as_tuple().exponent == -2  # whole cents


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "missing"),
        ("   ", "missing"),
        ("1.2.3", "ambiguous"),
        ("10.005", "ambiguous"),  # 10005.00 or 10.005? never guessed
        ("12,500", "ambiguous"),
        ("12,345,67", "ambiguous"),
        ("1.234,567", "mixes thousands separators"),
        ("1234.567", "ambiguous"),
        ("0.125", "ambiguous"),
        ("1,23,456", "ambiguous"),
        ("1.234 567", "mixes thousands separators"),
        ("12.3456", "more than two decimals"),
        ("-12,50", "negative"),
        ("€ -12,50", "negative"),
        ("-€ 12,50", "negative"),
        ("12,50-", "negative"),
        ("(12,50)", "negative"),
        ("0", "zero"),
        ("0,00", "zero"),
        ("10.000.000,01", "maximum of 10,000,000.00"),
        ("99999999999", "maximum"),
        ("USD 12.50", "not in euros"),
        ("$12.50", "not in euros"),
        ("12.50 GBP", "not in euros"),
        ("abc", "not an amount"),
        ("1,23E+05", "not an amount"),
        ("12-50", "not an amount"),
        (",50", "not an amount"),
        ("١٢", "not an amount"),  # Arabic-Indic digits are digits to Python, not to an invoice
        ("1" * 41, "not an amount"),
        ("€", "not an amount"),
    ],
)
def test_rejected_amounts(text, why):
    # given garbage, ambiguous, negative, zero or too large amounts / when read / then a clear refusal
    with pytest.raises(FieldError, match=why):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2025-12-31", dt.date(2025, 12, 31)),
        ("31-12-2025", dt.date(2025, 12, 31)),
        ("31/12/2025", dt.date(2025, 12, 31)),
        ("1-2-2025", dt.date(2025, 2, 1)),
        ("01/02/2025", dt.date(2025, 2, 1)),  # day first, never the US month first
        (" 2024-02-29 ", dt.date(2024, 2, 29)),
    ],
)
def test_accepted_dates(text, date):
    assert parse_date(text, "invoice date") == date


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "the due date is missing"),
        ("31-02-2025", "not a valid date"),
        ("2025-02-29", "not a valid date"),
        ("12/31/2025", "not a valid date"),  # US order: there is no month 31
        ("31-12-25", "not a date"),
        ("31-12/2025", "not a date"),
        ("2025.12.31", "not a date"),
        ("0025-12-31", "the year is 25"),
        ("yesterday", "not a date"),
    ],
)
def test_rejected_dates(text, why):
    with pytest.raises(FieldError, match=why):
        parse_date(text, "due date")


@pytest.mark.parametrize(
    ("text", "debtor_type"),
    [("consumer", DebtorType.CONSUMER), ("Particulier", DebtorType.CONSUMER),
     ("BUSINESS", DebtorType.BUSINESS), (" zakelijk ", DebtorType.BUSINESS)],
)
def test_debtor_types_in_either_language(text, debtor_type):
    assert parse_debtor_type(text) is debtor_type


def test_unknown_debtor_type_is_refused():
    with pytest.raises(FieldError, match="use consumer or business"):
        parse_debtor_type("b2b")


def test_language_defaults_to_dutch_and_accepts_nl_or_en():
    assert (parse_language(""), parse_language("NL"), parse_language(" en ")) == (Language.NL, Language.NL, Language.EN)
    with pytest.raises(FieldError, match="use nl or en"):
        parse_language("de")


def test_currency_defaults_to_eur_and_only_eur():
    assert (parse_currency(""), parse_currency("eur"), parse_currency("€")) == ("EUR", "EUR", "EUR")
    with pytest.raises(FieldError, match="only EUR"):
        parse_currency("GBP")


def test_header_keys_ignore_case_spaces_hyphens_and_bom():
    assert header_key("\ufeff Invoice Number ") == header_key("INVOICE-NUMBER") == "invoice_number"
    assert header_key("E-mail") == header_key("e_mail")
