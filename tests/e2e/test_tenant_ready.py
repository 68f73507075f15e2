"""The tenant's account end to end (CONTRACT.md §7) on the whole local stack: nothing goes out before the
profile is complete; then the trajectory starts a step at a time with the policy's gaps; and a policy
change applies to a claim mid-trajectory from its next step on."""

from __future__ import annotations

import datetime as dt

from conftest import START
from incasso.services.tenants import ProfileUpdate, TenantService
from tenant_profiles import PROFILE_BODY


def test_claims_wait_for_the_profile_then_start_one_step_a_day_at_the_policys_gaps(world):
    # Given a tenant known only by its token, and a claim long overdue
    claim = world.claim("fresh", due=START - dt.timedelta(days=60), phone=None)
    # When ten days pass
    world.until(START + dt.timedelta(days=10))
    # Then nothing went out, the claim is kept as it was, and its timeline and the account say why
    assert world.sent(claim, "fresh") == []
    kept = world.get(claim, "fresh")
    assert (kept.status.value, kept.stage.value) == ("open", "none")
    waits = [e for e in world.store.get_timeline("fresh", claim.claim_id) if e.type == "waiting_for_profile"]
    assert len(waits) == 1 and "iban" in waits[0].details["missing"]
    tenants = TenantService(world.store)
    assert not tenants.get("fresh").ready
    # When the tenant completes its profile, and forty days pass
    tenants.put_profile("fresh", ProfileUpdate.model_validate(PROFILE_BODY))
    world.until(START + dt.timedelta(days=50))
    # Then the trajectory started at its first step and kept the policy's gaps (14 days, then 14 to the
    # notice: no call without a phone), never two steps on one day
    after = world.get(claim, "fresh")
    assert world.sent(claim, "fresh")[:3] == ["reminder_1", "reminder_2", "fourteen_day_letter"]
    days = [after.step_dates[step] for step in ("reminder_1", "reminder_2", "fourteen_day_letter")]
    assert days[0] == START + dt.timedelta(days=11)  # the first sweep after the profile was set
    assert [(b - a).days for a, b in zip(days, days[1:])] == [14, 14]


def test_a_policy_change_applies_to_a_claim_mid_trajectory_from_its_next_step(world):
    # Given a ready tenant with the default policy and a claim whose first reminder went out (due + 7)
    world.tenant("acme")
    claim = world.claim("acme", phone=None, debtor_type="business")
    world.until(START + dt.timedelta(days=8))
    assert world.sent(claim) == ["reminder_1"]
    # When the tenant moves the notice of default from due + 35 to due + 28
    TenantService(world.store).put_policy("acme", {"notice_days": 28})
    world.until(START + dt.timedelta(days=30))
    # Then the step already planned keeps its day (due + 21), and the one after it follows the new policy
    after = world.get(claim)
    assert world.sent(claim) == ["reminder_1", "reminder_2", "notice_of_default"]
    assert after.step_dates["reminder_2"] == START + dt.timedelta(days=21)
    assert after.step_dates["notice_of_default"] == START + dt.timedelta(days=28)


def test_a_pre_due_reminder_due_on_a_sunday_waits_for_monday_inside_the_send_window(world):
    # Given a tenant asking for a reminder three days before the due date, with the send window on, and a
    # claim due on Wednesday 2026-01-14 (its pre-due day, 2026-01-11, is a Sunday)
    world.tenant("acme", pre_due_reminder_days=3, send_window=True)
    due = START + dt.timedelta(days=9)
    claim = world.claim("acme", due=due, phone=None)
    # When the days pass up to after the first reminder
    world.until(due + dt.timedelta(days=8))
    # Then the friendly reminder went out on Monday (not on Sunday), before the due date, without costs
    after = world.get(claim)
    assert world.sent(claim)[:2] == ["pre_due_reminder", "reminder_1"]
    assert after.step_dates["pre_due_reminder"] == dt.date(2026, 1, 12)
    assert after.step_dates["reminder_1"] == due + dt.timedelta(days=7)
    record = next(r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "pre_due_reminder")
    assert record["channel"] == "email" and record["sent_at"] >= "2026-01-12T07:00"
    assert "geen kosten" in record["body"] and after.amounts.collection_costs == 0


def test_the_local_front_serves_a_preview_as_pdf_bytes_and_a_sent_letters_pdf_by_link(world):
    # Given a ready tenant whose claim's formal reminder (a letter with its PDF) went out
    from infra.local.http import LocalFront
    from incasso.api.auth import local_token_secret, mint_local_token

    world.tenant("acme")
    claim = world.claim("acme", phone=None)
    world.until(START + dt.timedelta(days=22))
    front = LocalFront()
    front.attach(world.stack)
    bearer = {"Authorization": f"Bearer {mint_local_token('acme', local_token_secret())}"}
    # When the tenant previews the notice over the local front / Then the answer is the PDF's bytes
    status, headers, body = front.call_api("GET", f"/v1/claims/{claim.claim_id}/preview/fourteen_day_letter",
                                           {}, bearer, b"")
    assert status == 200 and body.startswith(b"%PDF") and headers["Content-Type"] == "application/pdf"
    # And the messages list the reminder's PDF by name, and its link points into the tenant's prefix
    status, _, listed = front.call_api("GET", f"/v1/claims/{claim.claim_id}/messages", {}, bearer, b"")
    import json

    documents = [m["document"] for m in json.loads(listed)["items"] if m["document"]]
    assert "reminder_2.pdf" in documents
    status, _, link = front.call_api("GET", f"/v1/claims/{claim.claim_id}/documents/reminder_2.pdf", {}, bearer, b"")
    assert status == 200 and f"tenants/acme/documents/{claim.claim_id}/reminder_2.pdf" in json.loads(link)["url"]
