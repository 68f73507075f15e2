"""Collection costs (BIK): the staffel of art. 2 Besluit BIK and the rules around it (domain-facts §1)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.models import DebtorType
from incasso.law.wik import (
    CollectionCosts,
    collection_costs,
    collection_costs_after_partial_payment,
    compute_collection_costs,
    staffel,
)

D = Decimal


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        # the fact sheet's worked examples
        ("150.00", "40.00"),  # 22.50 by the staffel, so the minimum applies
        ("1000.00", "150.00"),
        ("3000.00", "425.00"),
        ("6000.00", "675.00"),  # 375 + 250 + 50, Exact's own example
        ("10000.00", "875.00"),
        ("200000.00", "2775.00"),
        ("1000000.00", "6775.00"),
        ("2500000.00", "6775.00"),  # above EUR 1,000,000 the maximum holds
        # the minimum and its border: 15% of 266.67 = 40.0005
        ("0.01", "40.00"),
        ("266.66", "40.00"),
        ("266.67", "40.00"),
        ("266.70", "40.01"),  # 40.005 rounds half up
        ("266.73", "40.01"),
        # band borders and one cent either side
        ("2499.99", "375.00"),  # 374.9985
        ("2500.00", "375.00"),
        ("2500.01", "375.00"),  # 375.001
        ("2600.00", "385.00"),
        ("4999.99", "625.00"),  # 624.999
        ("5000.00", "625.00"),
        ("5000.01", "625.00"),  # 625.0005
        ("9999.99", "875.00"),  # 874.9995
        ("10000.00", "875.00"),
        ("10000.01", "875.00"),  # 875.0001
        ("199999.99", "2775.00"),
        ("200000.01", "2775.00"),  # 2775.00005
        ("999999.99", "6775.00"),  # 6774.99995
        ("1000000.01", "6775.00"),
        # ordinary amounts with cents
        ("1234.56", "185.18"),  # 185.184
        ("7777.77", "763.89"),  # 625 + 138.8885
    ],
)
def test_staffel_gives_the_statutory_amount(principal, expected):
    # given a hoofdsom / when the staffel is applied / then the costs are the Besluit's, to the cent
    assert collection_costs(D(principal)) == D(expected)


def test_staffel_data_file_carries_its_source():
    # given the shipped staffel / then it names the Besluit and has the five bands of art. 2
    table = staffel()
    assert "Stb. 2012, 141" in table.source
    assert [band.rate for band in table.bands] == [D("0.15"), D("0.10"), D("0.05"), D("0.01"), D("0.005")]
    assert (table.minimum, table.maximum) == (D("40.00"), D("6775.00"))


@pytest.mark.parametrize("bad", [D("0"), D("-1.00"), D("100.001"), D("NaN")])
def test_staffel_refuses_what_is_not_a_principal(bad):
    with pytest.raises(ValueError):
        collection_costs(bad)


def test_staffel_refuses_floats():
    with pytest.raises(TypeError):
        collection_costs(3000.0)


def test_vat_uplift_only_for_a_creditor_that_cannot_deduct_vat():
    # given EUR 3,000 owed by a consumer
    # when the creditor cannot deduct VAT / then 21% is added: 425.00 + 89.25 = 514.25
    with_vat = compute_collection_costs([D("3000.00")], debtor_type=DebtorType.CONSUMER, creditor_vat_deductible=False)
    assert with_vat == CollectionCosts(costs=D("425.00"), vat=D("89.25"), total=D("514.25"), basis=D("3000.00"))
    # when the creditor can deduct VAT / then nothing is added
    without = compute_collection_costs([D("3000.00")], debtor_type=DebtorType.CONSUMER)
    assert (without.costs, without.vat, without.total) == (D("425.00"), D("0.00"), D("425.00"))


def test_several_invoices_in_one_letter_are_added_up_before_the_staffel():
    # given two invoices of 1,000 and 2,000 / when charged in one letter / then the staffel of 3,000
    result = compute_collection_costs([D("1000.00"), D("2000.00")], debtor_type=DebtorType.CONSUMER)
    assert result.costs == D("425.00")  # not 150 + 300 = 450
    assert result.basis == D("3000.00")


def test_capitalised_interest_counts_towards_the_hoofdsom_after_a_year():
    # given EUR 1,000 with 106.46 capitalised after a year of default (the fact sheet's example)
    result = compute_collection_costs([D("1000.00")], debtor_type=DebtorType.BUSINESS, capitalised_interest=D("106.46"))
    # then the staffel runs over 1,106.46: 15% = 165.969
    assert result.basis == D("1106.46")
    assert result.costs == D("165.97")


def test_business_flat_fee_is_forty_euros_without_vat():
    # given a business debtor and a tenant that charges the flat fee of art. 6:96 lid 4 BW
    result = compute_collection_costs(
        [D("50000.00")], debtor_type=DebtorType.BUSINESS, business_flat_fee=True, creditor_vat_deductible=False
    )
    # then EUR 40 whatever the amount, and no VAT on it
    assert (result.costs, result.vat, result.total, result.flat_fee) == (D("40.00"), D("0.00"), D("40.00"), True)


def test_flat_fee_never_applies_to_a_consumer():
    # given the flat-fee policy but a consumer debtor / then the mandatory staffel applies
    result = compute_collection_costs([D("3000.00")], debtor_type=DebtorType.CONSUMER, business_flat_fee=True)
    assert (result.costs, result.flat_fee) == (D("425.00"), False)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"principals": []},
        {"principals": [D("0.00")]},
        {"principals": [D("100.00"), D("-5.00")]},
        {"principals": [D("100.00")], "capitalised_interest": D("-1.00")},
        {"principals": [D("100.00")], "vat_rate": D("21")},
    ],
)
def test_compute_collection_costs_refuses_bad_input(kwargs):
    with pytest.raises(ValueError):
        compute_collection_costs(debtor_type=DebtorType.CONSUMER, **kwargs)


def test_collection_costs_total_must_add_up():
    with pytest.raises(ValueError):
        CollectionCosts(costs=D("425.00"), vat=D("89.25"), total=D("500.00"))


@pytest.mark.parametrize(
    ("principal", "paid", "expected"),
    [
        ("3000.00", "1000.00", "300.00"),  # the staffel over the unpaid 2,000
        ("3000.00", "0.00", "425.00"),
        ("3000.00", "2900.00", "40.00"),  # unpaid 100: the minimum
        ("3000.00", "3000.00", "0.00"),  # all paid within the term: no costs
    ],
)
def test_partial_payment_within_the_term_reduces_the_basis(principal, paid, expected):
    assert collection_costs_after_partial_payment(D(principal), D(paid)) == D(expected)


def test_partial_payment_cannot_exceed_the_principal():
    with pytest.raises(ValueError):
        collection_costs_after_partial_payment(D("100.00"), D("100.01"))


cents = st.integers(min_value=1, max_value=5_000_000_00)


@given(cents)
def test_costs_stay_between_minimum_and_maximum(amount_cents):
    costs = collection_costs(D(amount_cents) / 100)
    assert D("40.00") <= costs <= D("6775.00")
    assert costs == costs.quantize(D("0.01"))


@given(cents, cents)
def test_costs_never_fall_when_the_principal_rises(a, b):
    low, high = sorted((a, b))
    assert collection_costs(D(low) / 100) <= collection_costs(D(high) / 100)
