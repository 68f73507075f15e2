"""The legal review's advice (domain/legal_advice.py): art. 93 Rv (the competent court), art. 45-47 Rv
(a summons needs an address), art. 3:307 BW (limitation), the court fee and the bailiff's fees."""

import datetime as dt
from decimal import Decimal

from incasso.domain.legal_advice import legal_advice
from incasso.domain.ledger import open_claim_amounts
from incasso.domain.models import Address, Claim, Debtor, Policy, Recommendation, Tenant

AT = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
TODAY = dt.date(2026, 3, 1)
HOME = Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht")


def make_claim(principal="3000.00", address=HOME, due=dt.date(2026, 1, 1), **changes) -> Claim:
    claim = Claim(tenant_id="acme", claim_id="c1", invoice_number="F1",
                  debtor=Debtor(name="Jan", type="consumer", email="jan@example.nl", address=address),
                  invoice_date=due - dt.timedelta(days=30), due_date=due, principal=Decimal(principal),
                  amounts=open_claim_amounts(Decimal(principal)), created_at=AT, updated_at=AT)
    return claim.model_copy(update=changes)


def test_art_93_rv_a_claim_worth_court_action_is_advised_proceed_before_the_kantonrechter():
    advice = legal_advice(make_claim(), Tenant(tenant_id="acme"), TODAY)
    assert advice.recommendation is Recommendation.PROCEED and advice.court == "kantonrechter"
    assert advice.expected_net_recovery == Decimal("3000.00") - advice.court_fee - advice.bailiff_costs
    assert not advice.verified  # the 2026 court fees and the 2024 bailiff tariffs are ⚠️ figures


def test_art_93_rv_above_25000_the_rechtbank():
    assert legal_advice(make_claim("30000.00"), Tenant(tenant_id="acme"), TODAY).court == "rechtbank"


def test_art_45_rv_without_a_postal_address_no_summons_can_be_served():
    advice = legal_advice(make_claim(address=None), Tenant(tenant_id="acme"), TODAY)
    assert advice.recommendation is Recommendation.WRITE_OFF and "postal address" in advice.blocking[0]


def test_art_3_307_a_claim_about_to_be_time_barred_is_blocked():
    # due 1 March 2021: time-barred from 2 March 2026, the day after today
    advice = legal_advice(make_claim(due=dt.date(2021, 3, 1)), Tenant(tenant_id="acme"), TODAY)
    assert advice.recommendation is Recommendation.WRITE_OFF and "time-barred" in advice.blocking[0]


def test_costs_that_take_half_of_what_is_owed_advise_a_settlement():
    advice = legal_advice(make_claim("600.00"), Tenant(tenant_id="acme"), TODAY)
    assert advice.recommendation is Recommendation.SETTLE and advice.blocking == []


def test_below_the_policys_minimum_write_off_without_blocking_debt_monitoring_instead():
    tenant = Tenant(tenant_id="acme", policy=Policy(bailiff_min_outstanding=Decimal("5000.00")))
    advice = legal_advice(make_claim(), tenant, TODAY)
    assert advice.recommendation is Recommendation.WRITE_OFF and advice.blocking == []
