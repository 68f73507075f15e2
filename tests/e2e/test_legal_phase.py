"""The legal phase on the local stack (CONTRACT §6): with the policy's approval required a claim waits
with the legal advice until the tenant approves (then the bailiff) or declines (uncollectible); without
it, a blocking reason (no postal address) parks the claim instead of handing it over."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import ClaimStatus, Debtor, Recommendation, Stage
from incasso.services.claims import NewClaim

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
