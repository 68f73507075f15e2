"""Disputes in part on the local stack (docs/law.md, "Disputes in part"): only the disputed part
pauses; the letters, the costs and the bailiff's file are over the undisputed rest."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from incasso.domain.models import ClaimStatus, LedgerKind, Stage
from incasso.services.claim_commands import DisputeOutcome, NewPayment
from incasso.settings import get_settings

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)



def dossier(world, claim) -> dict:
    key = f"tenants/acme/bailiff-inbox/{claim.claim_id}/dossier.json"
    body = world.stack.client("s3").get_object(Bucket=get_settings().documents_bucket, Key=key)["Body"].read()
    return json.loads(body)


def test_a_part_disputed_the_letter_costs_and_bailiff_go_on_over_the_undisputed_rest(world):
    # given a consumer claim of 3000.00 whose first reminder went out
    world.tenant()
    claim = world.claim()
    world.until(START + 8 * DAY)
    # when the tenant records a dispute of 1000.00 of it
    status, body = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute",
                       {"reason": "one of three pallets never arrived", "amount": "1000.00"})
    # then the claim is not paused: 2000.00 is collected on, 1000.00 held back
    assert status == 200, body
    assert body["status"] == "in_collection"
    assert body["amounts"]["principal"] == "2000.00" and body["disputed_amount"] == "1000.00"
    # when the trajectory runs on to the 14-day letter
    world.until(START + 35 * DAY)
    letter_day = world.get(claim)
    # then the letter came and announces the staffel over 2000.00 (EUR 300.00), not over 3000.00 (425.00)
    assert world.sent(claim)[-1] == "fourteen_day_letter"
    assert letter_day.announced_costs == Decimal("300.00")
    assert letter_day.notice.demanded == letter_day.amounts.outstanding
    assert letter_day.notice.demanded < Decimal("2100.00")
    # when the term runs out unpaid: the bailiff gets the undisputed part only
    world.until(dt.date(2026, 2, 26))
    filed = world.get(claim)
    assert filed.stage is Stage.BAILIFF_FILING and filed.amounts.collection_costs == Decimal("300.00")
    handed = dossier(world, claim)
    assert handed["claim"]["amounts"]["principal"] == "2000.00"
    assert handed["claim"]["amounts"]["disputed"] == "1000.00"
    assert any("1000.00 of the principal is disputed" in warning for warning in handed["warnings"])
    # when the tenant upholds the dispute
    status, body = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute/resolve", {"outcome": "upheld"})
    # then the part is written off by a correcting entry and the rest stays with the bailiff
    assert status == 200 and body["status"] == "in_collection" and body["disputed_amount"] is None
    assert body["amounts"]["principal"] == "2000.00"
    written_off = [e for e in world.store.get_ledger("acme", claim.claim_id) if e.kind is LedgerKind.PRINCIPAL]
    assert [e.amount for e in written_off] == [Decimal("-1000.00")]


def test_the_undisputed_part_paid_the_claim_waits_and_an_upheld_dispute_closes_it_cancelled(world):
    # given a claim of 1200.00 with 200.00 disputed after the first reminder
    world.tenant()
    claim = world.claim(principal="1200.00")
    world.until(START + 8 * DAY)
    world.claims.dispute("acme", claim.claim_id, "wrong hourly rate", Decimal("200.00"))
    # when the debtor pays all of the undisputed part
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=START + 8 * DAY))
    world.until(START + 40 * DAY)
    # then the claim waits for the disputed part: paused, nothing more sent, not closed
    waiting = world.get(claim)
    assert waiting.status is ClaimStatus.PAUSED and waiting.amounts.disputed == Decimal("200.00")
    assert world.sent(claim) == ["reminder_1", "payment_confirmation"]
    # when the dispute is upheld / then nothing remains: cancelled, and the execution ends
    world.claims.resolve_dispute("acme", claim.claim_id, DisputeOutcome.UPHELD)
    world.until(START + 41 * DAY)
    assert world.get(claim).status is ClaimStatus.CANCELLED
    assert world.stack.running_executions == 0


def test_a_part_disputed_then_rejected_is_collected_again_with_its_interest(world):
    # given a claim of 1200.00 with 200.00 disputed, and the trajectory run on
    world.tenant()
    claim = world.claim(principal="1200.00", phone=None)
    world.until(START + 8 * DAY)
    world.claims.dispute("acme", claim.claim_id, "wrong hourly rate", Decimal("200.00"))
    world.until(START + 20 * DAY)
    # when the dispute is rejected
    back = world.claims.resolve_dispute("acme", claim.claim_id, DisputeOutcome.REJECTED)
    # then the whole principal is collected again and the trajectory goes on
    assert back.amounts.principal == Decimal("1200.00") and back.amounts.disputed == 0
    world.until(START + 36 * DAY)
    assert world.sent(claim)[-1] == "fourteen_day_letter"
    assert world.get(claim).announced_costs == Decimal("180.00")  # 15 % of 1200.00


def test_the_api_refuses_an_impossible_disputed_amount_and_keeps_the_whole_claim_dispute(world):
    # given a claim of 3000.00
    world.tenant()
    claim = world.claim()
    # when a dispute names more than is outstanding, or nothing / then 422 naming amount
    for amount in ("3500.00", "0.00", "-1.00"):
        status, body = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute", {"reason": "x", "amount": amount})
        assert status == 422, (amount, body)
        assert any("amount" in str(d.get("field", d.get("loc", ""))) for d in body["error"]["details"]), body
    # when a dispute names no amount / then the whole claim pauses, as the contract says
    status, body = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute", {"reason": "not ordered"})
    assert status == 200 and body["status"] == "paused" and body["disputed_amount"] is None
    status, body = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute/resolve", {"outcome": "upheld"})
    assert status == 200 and body["status"] == "cancelled"


def test_a_part_disputed_after_the_hand_over_the_bailiff_is_told_and_its_dossier_corrected(world):
    # given a claim of 3000.00 whose file went to the bailiff after the 14-day letter's term
    world.tenant()
    claim = world.claim()
    world.until(dt.date(2026, 2, 26))
    assert world.get(claim).stage is Stage.BAILIFF_FILING
    assert dossier(world, claim)["claim"]["amounts"]["disputed"] == "0.00"
    # when the debtor disputes 1000.00 of the principal, recorded by the tenant
    status, _ = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute",
                    {"reason": "one of three pallets never arrived", "amount": "1000.00"})
    assert status == 200
    # then the bailiff gets a letter in its inbox to hold that part, and the dossier shows the dispute
    told = [r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "bailiff_dispute"]
    assert len(told) == 1 and "bailiff-inbox" in told[0]["document"]
    assert "€ 1.000,00 van de hoofdsom" in told[0]["body"] and "pallets" in told[0]["body"]
    corrected = dossier(world, claim)["claim"]["amounts"]
    assert (corrected["principal"], corrected["disputed"]) == ("2000.00", "1000.00")
    # when the tenant upholds the dispute / then the bailiff is told the part is written off
    status, _ = world.api("POST", f"/v1/claims/{claim.claim_id}/dispute/resolve", {"outcome": "upheld"})
    assert status == 200
    told = [r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "bailiff_dispute"]
    assert len(told) == 2 and any("toegewezen" in r["subject"] for r in told)
    assert dossier(world, claim)["claim"]["amounts"]["disputed"] == "0.00"
