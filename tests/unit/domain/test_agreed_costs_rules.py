"""Collection costs agreed with a business debtor (art. 6:96 lid 5 BW; HR 10-07-2015,
ECLI:NL:HR:2015:1868): they replace the staffel for business debtors only, the letter calls them
agreed, the term still decides whether they are owed, and the legal advice warns that a court may
reduce them to the staffel."""

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from test_costs_owed_rules import LETTER_DAY, book_announced_costs, make_claim, payment, send_letter

from incasso.domain.ledger import term_outcome
from incasso.domain.legal_advice import legal_advice
from incasso.domain.models import AgreedCollectionCosts, Policy, Tenant
from incasso.law.wik import agreed_collection_costs, compute_collection_costs

FIFTEEN_PERCENT = AgreedCollectionCosts(percentage=Decimal("15"), minimum=Decimal("150.00"))


def test_art_6_96_lid_5_agreed_percentage_with_its_minimum_rounded_half_up():
    # given an agreement of 15 % with a minimum of 150.00
    # when the costs are computed over principals above and below the minimum's break-even
    # then the percentage applies above it, the minimum below, cents half up
    assert agreed_collection_costs(FIFTEEN_PERCENT, Decimal("3000.00")) == Decimal("450.00")
    assert agreed_collection_costs(FIFTEEN_PERCENT, Decimal("500.00")) == Decimal("150.00")
    assert agreed_collection_costs(AgreedCollectionCosts(percentage=Decimal("12.5")),
                                   Decimal("1000.03")) == Decimal("125.00")
    assert agreed_collection_costs(AgreedCollectionCosts(fixed=Decimal("95.00")), Decimal("10.00")) == Decimal("95.00")


def test_art_6_96_lid_5_agreed_costs_replace_the_staffel_and_the_flat_fee_for_a_business_debtor():
    # given a business debtor with agreed costs, and a tenant whose policy would use the flat EUR 40
    # when the costs are computed
    costs = compute_collection_costs([Decimal("3000.00")], debtor_type="business", business_flat_fee=True,
                                     creditor_vat_deductible=False, agreed=FIFTEEN_PERCENT)
    # then the agreement counts, without the Besluit's VAT uplift, and says it is agreed
    assert (costs.costs, costs.vat, costs.agreed, costs.flat_fee) == (Decimal("450.00"), Decimal("0"), True, False)


def test_art_6_96_lid_5_agreed_costs_are_refused_for_a_consumer_in_the_law_engine():
    # given a consumer / when agreed costs are passed / then the law engine refuses: the staffel is mandatory
    with pytest.raises(ValueError, match="business debtors only"):
        compute_collection_costs([Decimal("3000.00")], debtor_type="consumer", agreed=FIFTEEN_PERCENT)


def test_art_6_96_lid_5_agreed_costs_for_a_consumer_are_refused_at_intake_naming_the_field():
    from incasso.services.claim_commands import NewClaim

    body = {"invoice_number": "F1", "debtor": {"name": "Jan", "type": "consumer", "email": "jan@example.nl"},
            "principal": "100.00", "invoice_date": dt.date(2025, 6, 1), "due_date": dt.date(2025, 7, 1),
            "agreed_collection_costs": {"percentage": "15"}}
    # when a consumer's claim names agreed costs / then 422-worthy: the field is named
    with pytest.raises(ValidationError) as error:
        NewClaim.model_validate(body)
    assert [e["loc"][0] for e in error.value.errors()] == ["agreed_collection_costs"]
    # and a business debtor's claim keeps the agreement
    business = NewClaim.model_validate({**body, "debtor": {**body["debtor"], "type": "business"}})
    assert business.agreed_collection_costs == AgreedCollectionCosts(percentage=Decimal("15"))


@pytest.mark.parametrize("terms", [{}, {"percentage": "15", "fixed": "100.00"}, {"fixed": "100.00", "minimum": "50"},
                                   {"percentage": "0"}, {"percentage": "60"}, {"fixed": "-1.00"}])
def test_an_agreement_names_either_a_percentage_or_a_fixed_sum_within_bounds(terms):
    with pytest.raises(ValidationError):
        AgreedCollectionCosts.model_validate(terms)


def test_art_6_96_lid_5_the_notice_of_default_announces_the_agreed_costs_and_the_term_decides_them():
    # given a business claim of 3,000.00 with 15 % agreed, and its notice of default
    policy = Policy(business_flat_fee=True)
    claim, ledger = send_letter(make_claim(debtor_type="business", agreed_collection_costs=FIFTEEN_PERCENT), policy)
    # then the notice announces the agreed costs, as agreed ones, and no flat fee
    assert (claim.notice.costs, claim.notice.agreed, claim.notice.flat_fee) == (Decimal("450.00"), True, False)
    # when 2,000.00 is paid within the term (the interest to the letter's date first, then principal)
    outcome = term_outcome(claim, [*ledger, payment("2000.00", LETTER_DAY + dt.timedelta(days=3))], policy)
    # then 15 % of the principal that stayed unpaid
    assert outcome.costs == (outcome.unpaid_principal * Decimal("0.15")).quantize(Decimal("0.01"))
    assert outcome.costs > Decimal("150.00")
    # and when 2,900.00 is paid, the agreed minimum of 150.00
    outcome = term_outcome(claim, [*ledger, payment("2900.00", LETTER_DAY + dt.timedelta(days=3))], policy)
    assert outcome.costs == Decimal("150.00")


def test_hr_10_07_2015_the_legal_advice_warns_that_agreed_costs_above_the_staffel_may_be_reduced():
    # given a business claim whose agreed costs (450.00) exceed the staffel (425.00) and are booked
    claim, ledger = send_letter(make_claim(debtor_type="business", agreed_collection_costs=FIFTEEN_PERCENT), Policy())
    claim, _ = book_announced_costs(claim, ledger)
    tenant = Tenant(tenant_id="acme")
    # when the legal review advises
    advice = legal_advice(claim, tenant, LETTER_DAY + dt.timedelta(days=30))
    # then a reason names the excess and the ruling, and the expected recovery leaves it out
    warning = [r for r in advice.reasons if "ECLI:NL:HR:2015:1868" in r]
    assert warning and "25.00 above the staffel" in warning[0]
    plain = legal_advice(claim.model_copy(update={"notice": claim.notice.model_copy(update={"agreed": False})}),
                         tenant, LETTER_DAY + dt.timedelta(days=30))
    assert plain.expected_net_recovery - advice.expected_net_recovery == Decimal("25.00")
