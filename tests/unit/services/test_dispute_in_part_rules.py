"""Disputes in part (docs/law.md, "Disputes in part"): only the disputed part of the principal pauses;
the trajectory, its letters, costs and the bailiff's file go on over the undisputed rest."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import TENANT, TODAY, new_claim

from incasso.domain.escalation import Action, decide
from incasso.domain.models import ClaimStatus, LedgerKind
from incasso.domain.notices import notice_costs
from incasso.law.wik import compute_collection_costs
from incasso.services.claim_commands import DisputeOutcome, NewPayment
from incasso.services.errors import ConflictError, InvalidRequestError
from tenant_profiles import ready_tenant


def _claim(claims, principal="1000.00"):
    return claims.create(TENANT, new_claim(principal=principal, days_overdue=40))


def test_art_6_52_bw_a_dispute_in_part_pauses_only_that_part(claims, events):
    # given a claim of 1000.00, 40 days overdue
    claim = _claim(claims)
    # when the debtor disputes 400.00 of it
    disputed = claims.dispute(TENANT, claim.claim_id, "400 was never delivered", Decimal("400.00"))
    # then the claim is not paused: 600.00 is collected, 400.00 is held back, and the tenant is told
    assert disputed.status is ClaimStatus.OPEN and disputed.disputed_amount == Decimal("400.00")
    assert disputed.amounts.principal == Decimal("600.00") and disputed.amounts.disputed == Decimal("400.00")
    assert disputed.amounts.outstanding == Decimal("600.00") + disputed.amounts.interest
    assert events.events[-1] == (TENANT, "ClaimDisputed", {"claim_id": claim.claim_id, "disputed_amount": "400.00"})
    assert decide(disputed, ready_tenant(TENANT).policy, TODAY).action is not Action.PAUSE


def test_art_6_119_bw_interest_runs_over_the_undisputed_principal_only(claims):
    # given two claims of 1000.00 on the same days, one with 400.00 disputed
    whole = claims.current(TENANT, _claim(claims).claim_id)
    part = claims.create(TENANT, new_claim("INV-2", principal="1000.00", days_overdue=40))
    part = claims.dispute(TENANT, part.claim_id, "partly wrong", Decimal("400.00"))
    # when both are read today
    part = claims.current(TENANT, part.claim_id)
    # then the disputed one's interest is 60 % of the other's (within a cent)
    assert whole.amounts.interest > 0
    assert abs(part.amounts.interest - whole.amounts.interest * Decimal("0.6")) <= Decimal("0.01")


def test_besluit_bik_art_2_the_letters_costs_are_over_the_undisputed_principal(claims):
    # given a claim of 3000.00 with 1000.00 disputed
    claim = _claim(claims, principal="3000.00")
    disputed = claims.dispute(TENANT, claim.claim_id, "partly wrong", Decimal("1000.00"))
    # when the 14-day letter's costs are computed
    costs = notice_costs(disputed, ready_tenant(TENANT).policy)
    # then they follow the staffel over the 2000.00 undisputed, not the 3000.00
    assert costs.costs == compute_collection_costs([Decimal("2000.00")], debtor_type="consumer").costs
    assert costs.costs != compute_collection_costs([Decimal("3000.00")], debtor_type="consumer").costs


def test_art_6_52_bw_the_undisputed_part_paid_leaves_the_claim_waiting_for_the_disputed_part(claims, events):
    # given 400.00 of 1000.00 disputed
    claim = _claim(claims)
    claims.dispute(TENANT, claim.claim_id, "partly wrong", Decimal("400.00"))
    owed = claims.current(TENANT, claim.claim_id).amounts.outstanding
    # when the debtor pays all of the undisputed part
    paid = claims.pay(TENANT, claim.claim_id, NewPayment(amount=owed, paid_at=TODAY), payment_key="p1").claim
    # then the claim is not paid: it waits (paused) for the disputed part, and the trajectory pauses
    assert paid.status is ClaimStatus.PAUSED and paid.amounts.outstanding == 0
    assert paid.amounts.disputed == Decimal("400.00")
    assert "ClaimClosed" not in events.types()
    assert decide(paid, ready_tenant(TENANT).policy, TODAY).action is Action.PAUSE


def test_art_6_119_bw_a_dispute_in_part_rejected_brings_the_part_back_with_its_interest(claims, workflows):
    # given 400.00 of 1000.00 disputed, and the same claim undisputed for comparison
    whole = claims.current(TENANT, claims.create(TENANT, new_claim("INV-2", principal="1000.00",
                                                                    days_overdue=40)).claim_id)
    claim = _claim(claims)
    claims.dispute(TENANT, claim.claim_id, "partly wrong", Decimal("400.00"))
    # when the tenant rejects the dispute
    back = claims.resolve_dispute(TENANT, claim.claim_id, DisputeOutcome.REJECTED)
    # then the whole principal is collected again, with the interest it bore all along (the debtor was in
    # default over it from the due date)
    assert back.disputed_amount is None and back.amounts.disputed == 0
    assert back.amounts.principal == Decimal("1000.00") and back.amounts.interest == whole.amounts.interest
    assert back.status is ClaimStatus.OPEN


def test_a_dispute_in_part_upheld_is_written_off_by_a_correcting_ledger_entry(claims, store):
    # given 400.00 of 1000.00 disputed
    claim = _claim(claims)
    claims.dispute(TENANT, claim.claim_id, "partly wrong", Decimal("400.00"))
    # when the tenant upholds the dispute
    done = claims.resolve_dispute(TENANT, claim.claim_id, DisputeOutcome.UPHELD)
    # then 400.00 is written off by a PRINCIPAL entry of -400.00 (never an edit), the rest is collected on
    ledger = store.get_ledger(TENANT, claim.claim_id)
    assert [(e.kind, e.amount) for e in ledger if e.kind is LedgerKind.PRINCIPAL] == [
        (LedgerKind.PRINCIPAL, Decimal("-400.00"))]
    assert done.principal == Decimal("1000.00") and done.principal_written_off == Decimal("400.00")
    assert done.amounts.principal == Decimal("600.00") and done.status is ClaimStatus.OPEN
    assert done.amounts.outstanding > 0


def test_a_dispute_in_part_upheld_with_the_rest_paid_closes_the_claim_cancelled(claims, events, workflows):
    # given 400.00 of 1000.00 disputed and the undisputed part paid
    claim = _claim(claims)
    claims.dispute(TENANT, claim.claim_id, "partly wrong", Decimal("400.00"))
    owed = claims.current(TENANT, claim.claim_id).amounts.outstanding
    claims.pay(TENANT, claim.claim_id, NewPayment(amount=owed, paid_at=TODAY), payment_key="p1")
    # when the dispute is upheld
    done = claims.resolve_dispute(TENANT, claim.claim_id, DisputeOutcome.UPHELD)
    # then nothing remains: the claim closes cancelled and the tenant is told
    assert done.status is ClaimStatus.CANCELLED and done.amounts.outstanding == 0
    assert events.events[-1] == (TENANT, "ClaimClosed", {"claim_id": claim.claim_id, "outcome": "cancelled"})


@pytest.mark.parametrize("amount", ["0.00", "-5.00", "5000.00"])
def test_a_disputed_amount_not_positive_or_above_the_outstanding_is_refused_naming_amount(claims, amount):
    # given a claim of 1000.00
    claim = _claim(claims)
    # when a dispute names an impossible amount / then it is refused, naming the field, and nothing changed
    with pytest.raises(InvalidRequestError) as refused:
        claims.dispute(TENANT, claim.claim_id, "wrong", Decimal(amount))
    assert refused.value.details[0]["field"] == "amount"
    assert claims.get(TENANT, claim.claim_id).status is ClaimStatus.OPEN


def test_a_disputed_amount_covering_all_the_open_principal_disputes_the_whole_claim(claims):
    # given a claim of 1000.00 with interest accrued
    claim = _claim(claims)
    # when 1000.00 is disputed (less than the outstanding, but all of the principal)
    disputed = claims.dispute(TENANT, claim.claim_id, "all wrong", Decimal("1000.00"))
    # then it is a dispute of the whole claim: paused, nothing held back in part
    assert disputed.status is ClaimStatus.PAUSED and disputed.disputed_amount is None


def test_a_second_dispute_while_a_part_is_disputed_is_a_conflict(claims):
    # given 400.00 disputed
    claim = _claim(claims)
    claims.dispute(TENANT, claim.claim_id, "partly wrong", Decimal("400.00"))
    # when another dispute comes / then it is refused until the first is resolved
    with pytest.raises(ConflictError, match="already disputed"):
        claims.dispute(TENANT, claim.claim_id, "and more", Decimal("100.00"))
