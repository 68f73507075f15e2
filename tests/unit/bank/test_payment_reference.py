"""The betalingskenmerk: 16 digits, the first the weighted modulus-11 check digit of the other fifteen."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from incasso.domain import payment_reference as ref
from incasso.domain.models import Claim, Debtor, DebtorType


def test_the_published_example_of_the_betaalvereniging_is_valid():
    # Given the example of the specification: (5)000 0567 8901 2345, check digit 5 (sum 215, 215 mod 11 = 6)
    # Then its check digit is computed as published, and it validates as people write it
    assert ref.check_digit("000056789012345") == 5
    assert ref.is_valid("5000056789012345")
    assert ref.is_valid("5000 0567 8901 2345")
    assert ref.is_valid("5000-0567-8901-2345")


@pytest.mark.parametrize("body, expected", [
    ("000000000000001", 9),   # 1*2 = 2 -> 11 - 2
    ("000000000000005", 1),   # 5*2 = 10 -> 11 - 10 = 1
    ("000000000000000", 0),   # 0 -> 11 -> 0
    ("000000000000010", 7),   # 1*4 = 4 -> 7
    ("000000000010000", 1),   # 1*10 = 10 -> 1
    ("100000000000000", 1),   # the 15th digit from the right weighs 10 again
])
def test_a_check_of_11_is_0_and_a_check_of_10_is_1(body, expected):
    assert ref.check_digit(body) == expected


def test_a_wrong_digit_or_length_is_refused():
    assert not ref.is_valid("4000056789012345")
    assert not ref.is_valid("5000056789012354")  # two digits swapped
    assert not ref.is_valid("500005678901234")
    assert not ref.is_valid("5000O56789012345")
    assert not ref.is_valid("")


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.integers(0, 14), st.integers(1, 9))
def test_property_a_single_digit_typo_is_caught_unless_both_sums_fold_onto_check_digit_1(body, position, delta):
    # Each weight is prime to 11, so changing one digit always changes the sum modulo 11; only the rule
    # "10 becomes 1" lets remainders 1 and 10 share check digit 1. The matcher never relies on the check
    # digit alone: a reference must also be one of the tenant's claims.
    good = ref.with_check_digit(body)
    digits = list(good)
    digits[position + 1] = str((int(digits[position + 1]) + delta) % 10)
    assert ref.is_valid(good)
    assert not ref.is_valid("".join(digits)) or good[0] == "1"


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.integers(1, 13))
def test_property_swapping_two_neighbours_is_caught_unless_they_are_equal(body, position):
    good = ref.with_check_digit(body)
    digits = list(good)
    digits[position], digits[position + 1] = digits[position + 1], digits[position]
    if good[position] == good[position + 1]:
        assert ref.is_valid("".join(digits))
    else:
        assert not ref.is_valid("".join(digits)) or good[0] == "1"


def test_a_claim_has_its_reference_and_one_stored_without_it_gets_the_same_on_read():
    # Given a claim as stored before references existed (no payment_reference attribute)
    stored = dict(tenant_id="acme", claim_id="clm_0001", invoice_number="F-1", principal=Decimal("10.00"),
                  debtor=Debtor(name="A", type=DebtorType.CONSUMER, email="a@example.nl"),
                  invoice_date=dt.date(2025, 1, 1), due_date=dt.date(2025, 1, 31),
                  created_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc),
                  updated_at=dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    # When read
    claim = Claim(**stored)
    # Then it has a valid reference, derived from tenant and claim id: the same on every read
    assert ref.is_valid(claim.payment_reference)
    assert claim.payment_reference == Claim(**stored).payment_reference == ref.for_claim("acme", "clm_0001")
    # and another claim or another tenant has another one
    assert Claim(**{**stored, "claim_id": "clm_0002"}).payment_reference != claim.payment_reference
    assert Claim(**{**stored, "tenant_id": "other"}).payment_reference != claim.payment_reference


def test_references_of_many_claims_of_one_tenant_are_all_different():
    references = {ref.for_claim("acme", f"clm_{n:020x}") for n in range(50_000)}
    assert len(references) == 50_000 and all(ref.is_valid(r) for r in references)
