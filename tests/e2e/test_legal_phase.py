"""The legal phase on the local stack (CONTRACT §6): with the policy's approval required a claim waits
with the legal advice until the tenant approves (then the bailiff) or declines (uncollectible); without
it, a blocking reason (no postal address) parks the claim instead of handing it over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import ClaimStatus, Debtor, Recommendation, Stage
from incasso.services.claim_commands import NewClaim

START = dt.date(2026, 1, 5)
TERM_OVER = dt.date(2026, 2, 26)  # the 14-day letter of 9 Feb, posted: term up to and including 25 Feb


def test_with_approval_required_a_claim_waits_with_the_advice_then_goes_to_the_bailiff_once_approved(world):
    # given a tenant whose policy asks for approval before court action
    world.tenant(require_approval_for_legal=True)
    claim = world.claim()
    # when the letter's term runs out unpaid
    world.until(TERM_OVER)
    waiting = world.get(claim)
    # then the claim waits, with the advice, and nothing goes to the bailiff
    assert waiting.status is ClaimStatus.AWAITING_APPROVAL and waiting.stage is Stage.LEGAL_REVIEW
    advice = waiting.legal_advice
    assert advice.recommendation is Recommendation.PROCEED and advice.court == "kantonrechter"
    assert advice.court_fee > 0 and advice.bailiff_costs > 0 and advice.address_known
    assert advice.limitation_date > TERM_OVER
    queue, _ = world.store.list_claims("acme", ClaimStatus.AWAITING_APPROVAL, 10, None)
    assert [c.claim_id for c in queue] == [claim.claim_id]
    world.until(TERM_OVER + dt.timedelta(days=3))
    assert "bailiff_filing" not in world.sent(claim)
    # when the tenant approves / then the claim goes to the bailiff at the next sweep
    world.claims.approve_legal("acme", claim.claim_id)
    world.until(TERM_OVER + dt.timedelta(days=4))
    filed = world.get(claim)
    assert filed.stage is Stage.BAILIFF_FILING and "bailiff_filing" in world.sent(claim)


def test_declined_court_action_closes_the_claim_as_uncollectible(world):
    world.tenant(require_approval_for_legal=True)
    claim = world.claim()
    world.until(TERM_OVER)
    world.claims.decline_legal("acme", claim.claim_id, "the debtor is in debt restructuring (Wsnp)")
    world.until(TERM_OVER + dt.timedelta(days=10))
    closed = world.get(claim)
    assert closed.status is ClaimStatus.UNCOLLECTIBLE and "bailiff_filing" not in world.sent(claim)
    types = [e.type for e in world.store.get_timeline("acme", claim.claim_id)]
    assert "legal_declined" in types and types.count("claim_closed") == 1


def test_without_approval_a_debtor_without_a_postal_address_is_parked_not_handed_over(world):
    # given a debtor reachable by e-mail only: the 14-day letter goes by e-mail, but no summons can be served
    world.tenant()
    debtor = Debtor(name="J. de Vries", type="consumer", email="jan@example.nl")
    claim = world.claims.create("acme", NewClaim(invoice_number="F-2", debtor=debtor, principal=Decimal("3000.00"),
                                                 invoice_date=START - dt.timedelta(days=30), due_date=START))
    world.until(TERM_OVER + dt.timedelta(days=5))
    parked = world.get(claim)
    assert parked.status is ClaimStatus.NEEDS_ATTENTION
    assert parked.legal_advice.recommendation is Recommendation.WRITE_OFF and not parked.legal_advice.address_known
    events = [e for e in world.store.get_timeline("acme", claim.claim_id) if e.type == "claim_parked"]
    assert len(events) == 1 and "postal address" in events[0].details["reason"]
    assert "bailiff_filing" not in world.sent(claim)


def test_art_6_96_lid_5_agreed_costs_of_a_business_debtor_are_announced_as_agreed_and_booked_after_the_term(world):
    from incasso.domain.models import Address, AgreedCollectionCosts

    # given a business debtor with whom 15 % collection costs (at least 150.00) were agreed
    world.tenant(business_flat_fee=True)
    debtor = Debtor(name="Bakkerij Jansen B.V.", type="business", email="info@jansen.example",
                    address=Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht"))
    claim = world.claims.create("acme", NewClaim(
        invoice_number="B-1", debtor=debtor, principal=Decimal("3000.00"), invoice_date=START - dt.timedelta(days=30),
        due_date=START, agreed_collection_costs=AgreedCollectionCosts(percentage=Decimal("15"),
                                                                      minimum=Decimal("150.00"))))
    # when the trajectory runs until well after the notice of default's term
    world.until(START + dt.timedelta(days=90))
    after = world.get(claim)
    # then the notice of default announced the agreed 450.00 (not the staffel's 425.00, not the flat 40.00) as agreed
    letters = [r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "notice_of_default"]
    assert len(letters) == 1
    assert "de met u overeengekomen buitengerechtelijke incassokosten verschuldigd van € 450,00" in letters[0]["body"]
    assert "Besluit" not in letters[0]["body"] and "vaste vergoeding" not in letters[0]["body"]
    # and, the term having run out unpaid, exactly those costs were booked once, with no VAT uplift
    assert after.amounts.collection_costs == Decimal("450.00") and after.amounts.collection_costs_vat == 0
    costs = [e for e in world.store.get_ledger("acme", claim.claim_id) if e.key == "legal_review#costs"]
    assert len(costs) == 1 and costs[0].note.startswith("agreed collection costs (art. 6:96 lid 5 BW)")
    # and the legal advice warns that a court may reduce the 25.00 above the staffel
    assert any("25.00 above the staffel" in reason for reason in after.legal_advice.reasons)
