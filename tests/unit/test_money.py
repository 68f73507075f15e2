from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from incasso.money import Money, MoneyError, format_amount, format_eur, from_cents, money, round_cents, to_cents


class _Body(BaseModel):
    amount: Money


def test_rounding_is_half_up_to_cents():
    # given amounts exactly halfway between two cents / when rounded / then they go up
    assert round_cents(Decimal("0.005")) == Decimal("0.01")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")
    assert round_cents(Decimal("-0.005")) == Decimal("-0.01")


@pytest.mark.parametrize("value", [1.5, float("nan"), True, "abc", "1.234", "Infinity", None])
def test_invalid_amounts_are_refused(value):
    # given a float, a boolean, garbage or a sub-cent amount / when parsed / then refused
    with pytest.raises(MoneyError):
        money(value)


def test_float_is_refused_at_the_pydantic_boundary():
    # given a body with a float amount / when validated / then it is a validation error
    with pytest.raises(ValidationError):
        _Body(amount=12.5)
    # and a string amount serializes as the contract's two-decimal string
    assert _Body(amount="12.5").model_dump(mode="json") == {"amount": "12.50"}


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_cents_round_trip(cents):
    assert to_cents(from_cents(cents)) == cents


def test_formats():
    assert format_amount(Decimal("425")) == "425.00"
    assert format_eur(Decimal("1234.56"), "nl") == "€ 1.234,56"
    assert format_eur(Decimal("1234.56"), "en") == "€1,234.56"
