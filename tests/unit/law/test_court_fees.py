"""Griffierecht estimate: tariff by the creditor's type, band by the claim's value, table as data."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from incasso.domain.models import CreditorType
from incasso.law.court_fees import (
    DEFAULT_FILE,
    GRIFFIERECHT_FILE_ENV,
    CourtFeeTableError,
    clear_court_fee_cache,
    competent_court,
    court_fee_tariffs,
    estimate_court_fee,
)

IN_2024 = dt.date(2024, 9, 1)
IN_2026 = dt.date(2026, 3, 1)


@pytest.mark.parametrize("value, company, individual", [
    ("0.01", "130.00", "87.00"),
    ("500.00", "130.00", "87.00"),
    ("500.01", "328.00", "218.00"),
    ("2500.00", "372.00", "248.00"),
    ("3437.34", "496.00", "248.00"),
    ("12500.00", "524.00", "248.00"),
    ("12500.01", "1409.00", "706.00"),
    ("25000.00", "1409.00", "706.00"),
])
def test_2024_bands_per_creditor_type(value, company, individual):
    # given a claim value (hoofdsom + BIK + interest) in 2024 / then the fee of its band, by who sues
    assert estimate_court_fee(Decimal(value), CreditorType.COMPANY, IN_2024).fee == Decimal(company)
    assert estimate_court_fee(Decimal(value), CreditorType.INDIVIDUAL, IN_2024).fee == Decimal(individual)


def test_2026_row_applies_from_2026_and_2024_row_covers_2025():
    assert estimate_court_fee(Decimal("3437.34"), CreditorType.COMPANY, IN_2026).fee == Decimal("529.00")
    estimate_2025 = estimate_court_fee(Decimal("3437.34"), CreditorType.COMPANY, dt.date(2025, 6, 1))
    assert estimate_2025.fee == Decimal("496.00")
    assert estimate_2025.tariff_valid_from == dt.date(2024, 1, 1)


def test_every_row_is_marked_unverified_with_a_source():
    raw = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    assert [row["valid_from"] for row in raw["tariffs"]] == ["2024-01-01", "2026-01-01"]
    for row in raw["tariffs"]:
        assert row["verified"] is False and row["source"]
    estimate = estimate_court_fee(Decimal("1000.00"), CreditorType.COMPANY, IN_2024)
    assert estimate.verified is False and "unverified" in estimate.note and "wvhl.nl" in estimate.source


def test_above_25000_the_rechtbank_is_competent_and_no_kanton_fee_applies():
    assert competent_court(Decimal("25000.00")) == "kantonrechter"
    assert competent_court(Decimal("25000.01")) == "rechtbank"
    estimate = estimate_court_fee(Decimal("30000.00"), CreditorType.COMPANY, IN_2024)
    assert estimate.court == "rechtbank" and estimate.fee is None


def test_operator_overrides_the_table_through_the_environment(tmp_path, monkeypatch):
    # given a corrected table in a file named by INCASSO_GRIFFIERECHT_FILE
    table = json.loads(DEFAULT_FILE.read_text(encoding="utf-8"))
    table["tariffs"][0]["bands"][0]["company"] = "131.00"
    table["tariffs"][0]["verified"] = True
    override = tmp_path / "griffierecht.json"
    override.write_text(json.dumps(table), encoding="utf-8")
    monkeypatch.setenv(GRIFFIERECHT_FILE_ENV, str(override))
    # when a fee is estimated / then the override's figure is used
    estimate = estimate_court_fee(Decimal("100.00"), CreditorType.COMPANY, IN_2024)
    assert estimate.fee == Decimal("131.00") and estimate.verified is True


def test_a_broken_table_is_refused(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"tariffs": [{"valid_from": "2024-01-01", "source": "x", "bands": [
        {"up_to": "500.00", "company": "1.00", "individual": "1.00"}]}]}), encoding="utf-8")
    with pytest.raises(CourtFeeTableError, match="up_to null"):
        court_fee_tariffs(str(broken))
    clear_court_fee_cache()
