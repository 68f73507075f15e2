"""Payments over costs, interest and principal (art. 6:44 BW)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incasso.domain.models import Allocation
from incasso.law.allocation import OverpaymentError, allocate

D = Decimal


@pytest.mark.parametrize(
    ("payment", "costs", "interest", "principal", "expected"),
    [
        # costs (incl. VAT) first, then interest, then principal
        ("100.00", "514.25", "30.00", "3000.00", ("100.00", "0.00", "0.00")),
        ("530.00", "514.25", "30.00", "3000.00", ("514.25", "15.75", "0.00")),
        ("1000.00", "514.25", "30.00", "3000.00", ("514.25", "30.00", "455.75")),
        ("3544.25", "514.25", "30.00", "3000.00", ("514.25", "30.00", "3000.00")),  # exactly everything
        ("50.00", "0.00", "0.00", "3000.00", ("0.00", "0.00", "50.00")),  # nothing but principal open
        ("0.01", "0.00", "0.01", "0.00", ("0.00", "0.01", "0.00")),
    ],
)
def test_payment_goes_to_costs_then_interest_then_principal(payment, costs, interest, principal, expected):
    # given the open amounts / when a payment is allocated / then per art. 6:44 BW
    result = allocate(D(payment), costs_open=D(costs), interest_open=D(interest), principal_open=D(principal))
    assert result == Allocation(costs=D(expected[0]), interest=D(expected[1]), principal=D(expected[2]))
    assert result.total == D(payment)


def test_overpayment_is_refused_with_the_excess():
    # given 100 open in all / when 100.50 is paid / then an OverpaymentError naming the 0.50 too much
    with pytest.raises(OverpaymentError) as raised:
        allocate(D("100.50"), costs_open=D("40.00"), interest_open=D("10.00"), principal_open=D("50.00"))
    assert raised.value.excess == D("0.50")
    assert raised.value.open_total == D("100.00")
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("payment", [D("0.00"), D("-5.00"), D("1.005")])
def test_payment_must_be_positive_whole_cents(payment):
    with pytest.raises(ValueError):
        allocate(payment, costs_open=D("10.00"), interest_open=D("0.00"), principal_open=D("100.00"))


def test_open_amounts_cannot_be_negative_or_floats():
    with pytest.raises(ValueError):
        allocate(D("1.00"), costs_open=D("-1.00"), interest_open=D("0.00"), principal_open=D("100.00"))
    with pytest.raises(TypeError):
        allocate(D("1.00"), costs_open=1.0, interest_open=D("0.00"), principal_open=D("100.00"))


amounts = st.integers(min_value=0, max_value=10**8).map(lambda cents: D(cents) / 100)


@given(amounts, amounts, amounts, st.data())
def test_allocation_adds_up_and_respects_every_bucket(costs, interest, principal, data):
    total_cents = int((costs + interest + principal) * 100)
    if total_cents == 0:
        return
    payment = D(data.draw(st.integers(min_value=1, max_value=total_cents))) / 100
    result = allocate(payment, costs_open=costs, interest_open=interest, principal_open=principal)
    # the parts add up to the payment and none exceeds its bucket
    assert result.costs + result.interest + result.principal == payment
    assert 0 <= result.costs <= costs and 0 <= result.interest <= interest and 0 <= result.principal <= principal
    # and a later bucket only receives money once the earlier ones are paid off
    if result.interest > 0:
        assert result.costs == costs
    if result.principal > 0:
        assert (result.costs, result.interest) == (costs, interest)
