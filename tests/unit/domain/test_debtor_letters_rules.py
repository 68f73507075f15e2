"""One debtor, many invoices (CONTRACT.md §6; docs/law.md "One debtor, many invoices"): the staffel once
over the sum of a combined letter's invoices (Besluit BIK art. 2), divided in proportion to principal,
the odd cents to the largest claim; after the term, the staffel over what stayed unpaid (HR 2016)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_costs_owed_rules import make_claim

from incasso.domain.debtor_letters import (
    MemberAtTermEnd,
    contact_of,
    decide_group,
    shared_term_costs,
    split_in_proportion,
)
from incasso.domain.models import AgreedCollectionCosts, MessageKind, Policy
from incasso.law.wik import collection_costs

DAY = dt.date(2026, 2, 9)


def test_split_in_proportion_rounds_down_and_gives_the_odd_cents_to_the_largest_claim():
    # given 100.00 over three equal claims and a larger one
    shares = split_in_proportion(Decimal("100.00"), {"a": Decimal("1"), "b": Decimal("1"), "c": Decimal("1")})
    # then 33.33 each and the odd cent to the first of the equals
    assert shares == {"a": Decimal("33.34"), "b": Decimal("33.33"), "c": Decimal("33.33")}
    shares = split_in_proportion(Decimal("305.00"), {"x": Decimal("33.33"), "y": Decimal("2000.00")})
    assert shares == {"x": Decimal("4.99"), "y": Decimal("300.01")}


@given(total=st.decimals(min_value=Decimal("0"), max_value=Decimal("10000"), places=2),
       weights=st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
                        min_size=1, max_size=8))
def test_property_the_shares_add_up_to_the_total_and_none_is_negative(total, weights):
    shares = split_in_proportion(total, {f"c{i}": w for i, w in enumerate(weights)})
    assert sum(shares.values()) == total and all(share >= 0 for share in shares.values())


def test_besluit_bik_art_2_two_invoices_of_100_in_one_letter_owe_the_minimum_once():
    # given two claims of 100.00 of one debtor taking the 14-day letter today
    first = make_claim("100.00").model_copy(update={"claim_id": "a"})
    second = first.model_copy(update={"claim_id": "b", "invoice_number": "F2"})
    # when the first decides the group
    group = decide_group("acme", first, MessageKind.FOURTEEN_DAY_LETTER, DAY, [second], Policy())
    # then the staffel over 200.00 (EUR 40 minimum) once, 20.00 each
    assert group.members == ["a", "b"] and group.costs == Decimal("40.00") and group.basis == Decimal("200.00")
    assert {k: v.costs for k, v in group.shares.items()} == {"a": Decimal("20.00"), "b": Decimal("20.00")}


def test_a_claim_with_other_contact_details_or_agreed_costs_is_not_combined():
    first = make_claim("100.00").model_copy(update={"claim_id": "a"})
    other_mail = first.model_copy(update={"claim_id": "b", "debtor": first.debtor.model_copy(
        update={"email": "other@example.nl"})})
    agreed = first.model_copy(update={"claim_id": "c", "debtor": first.debtor.model_copy(update={"type": "business"}),
                                      "agreed_collection_costs": AgreedCollectionCosts(fixed=Decimal("50"))})
    assert contact_of(first) != contact_of(other_mail)
    group = decide_group("acme", first, MessageKind.FOURTEEN_DAY_LETTER, DAY, [other_mail, agreed], Policy())
    assert group.members == ["a"] and not group.combined and group.shares == {}


def test_reminders_are_combined_without_costs():
    first = make_claim("100.00").model_copy(update={"claim_id": "a"})
    group = decide_group("acme", first, MessageKind.REMINDER_1, DAY, [first.model_copy(update={"claim_id": "b"})],
                         Policy())
    assert group.members == ["a", "b"] and group.costs == 0 and group.shares == {}


@pytest.mark.parametrize("unpaid_a, unpaid_b, expected_a", [
    ("100.00", "100.00", "20.00"),  # staffel over 200.00 = 40.00, halved: never 40.00 + 40.00
    ("100.00", "0.00", "40.00"),    # b paid in the term: a alone owes the minimum, capped by its 150.00
    ("0.00", "100.00", "0.00"),     # a paid in time owes nothing
    ("1000.00", "1000.00", "150.00"),  # nothing paid: what was announced
])
def test_hr_2016_after_a_combined_term_the_staffel_over_the_sum_still_unpaid(unpaid_a, unpaid_b, expected_a):
    members = {"a": MemberAtTermEnd(principal=Decimal("1000.00"), unpaid=Decimal(unpaid_a),
                                    announced_costs=Decimal("150.00")),
               "b": MemberAtTermEnd(principal=Decimal("1000.00"), unpaid=Decimal(unpaid_b),
                                    announced_costs=Decimal("150.00"))}
    share = shared_term_costs("a", members, debtor_type="consumer", creditor_vat_deductible=True)
    assert share.costs == Decimal(expected_a)


@given(unpaid=st.lists(st.decimals(min_value=Decimal("0"), max_value=Decimal("5000"), places=2), min_size=2,
                       max_size=5))
def test_property_a_combined_letter_never_costs_more_than_the_staffel_over_what_stayed_unpaid(unpaid):
    # given invoices of 5,000.00 each, announced as one letter, and what stayed of each at the term's end
    principal = Decimal("5000.00")
    announced = split_in_proportion(collection_costs(principal * len(unpaid)), {str(i): principal for i in range(len(unpaid))})
    members = {str(i): MemberAtTermEnd(principal=principal, unpaid=u, announced_costs=announced[str(i)])
               for i, u in enumerate(unpaid)}
    total = sum(shared_term_costs(key, members, debtor_type="consumer", creditor_vat_deductible=True).costs
                for key in members)
    left = sum(unpaid, Decimal("0"))
    # then the costs owed in all are at most the staffel over the sum unpaid, and at most what was announced
    assert total <= (collection_costs(left) if left > 0 else 0) and total <= sum(announced.values())
