"""The payment race: a debtor pays in full while a step of the trajectory is under way.

The interleavings are forced, not hoped for: a hook inside the step's own flow (the claims store's
conditional write, the messenger) commits the payment through ``ClaimService`` at the chosen moment,
once. Each order must leave a paid claim with no collection letter sent after the payment:

1. paid after the step read the claim, before its conditional write: the write conflicts, the step
   decides again on the paid claim and takes nothing (no letter, no interest, no event);
2. paid after the step's write, before its message is sent: sending checks the claim again, finds it
   settled and cancels the pending letter.

A payment landing after the bailiff filing is written likewise cancels its dossier. A payment landing after that last check, while the message is being handed to the provider, cannot
be stopped; the last test shows what then happens (docs/reliability.md).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from incasso import clock
from incasso.adapters.claims_store import ClaimsStore
from incasso.adapters.dynamodb.errors import ConcurrentModificationError
from incasso.domain.models import ClaimStatus, Stage
from incasso.services.claim_commands import NewPayment
from incasso.services.message_policy import Notifier
from infra.local import faults

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)
REMINDER_2_DAY = START + 21 * DAY


class PaymentHook:
    """Commits the debtor's full payment once, from inside the step, when ``when(...)`` says so."""

    def __init__(self, world, claim) -> None:
        self.world, self.claim = world, claim
        self.paid = False
        self.refused_writes = 0

    def pay_in_full(self) -> None:
        self.paid = True  # first: the payment's own write goes through the hooked store untouched
        owed = self.world.claims.current("acme", self.claim.claim_id).amounts.outstanding
        # paid today: what is owed today, on today's date (a payment dated earlier would owe less)
        self.world.claims.pay("acme", self.claim.claim_id, NewPayment(amount=owed, paid_at=clock.today()),
                              payment_key="race")


def is_reminder_2_write(claim) -> bool:
    return claim.stage is Stage.REMINDER_2 and "reminder_2" in claim.pending_messages


def run_to_reminder_2(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 8 * DAY)
    assert world.sent(claim) == ["reminder_1"]
    return claim


def test_paid_before_the_steps_conditional_write_the_step_takes_nothing(world, monkeypatch):
    # given a claim past its first reminder, and a hook that pays it in full just before the second
    # reminder's conditional write (after the step read the claim and decided to take it)
    claim = run_to_reminder_2(world)
    hook = PaymentHook(world, claim)
    save = ClaimsStore.save_claim

    def save_claim(store, updated, **kwargs):
        if not hook.paid and world.stack.clock.in_handler() and is_reminder_2_write(updated):
            hook.pay_in_full()
            try:
                return save(store, updated, **kwargs)
            except ConcurrentModificationError:
                hook.refused_writes += 1
                raise
        return save(store, updated, **kwargs)

    monkeypatch.setattr(ClaimsStore, "save_claim", save_claim)
    # when the second reminder's day comes
    with faults.observe(world.stack) as report:
        world.until(REMINDER_2_DAY + DAY)
    # then the payment landed inside the step, and the step's write was refused
    assert hook.paid and hook.refused_writes == 1
    # and the step, deciding again, took nothing: no letter, no interest, no step, no event
    final = world.get(claim)
    assert final.status is ClaimStatus.PAID and final.amounts.outstanding == 0
    assert final.stage is Stage.REMINDER_1 and "reminder_2" not in final.step_dates
    assert final.pending_messages == []
    assert world.sent(claim) == ["reminder_1", "payment_confirmation"]
    assert [d.kind for d in report.deliveries] == ["payment_confirmation"]
    assert "reminder_2#interest" not in world.ledger_keys(claim)
    assert ("ClaimEscalated", "reminder_2") not in {(t, d) for t, d in _events(report)}
    # and the execution closed the claim and ended
    assert world.stack.running_executions == 0


def test_paid_after_the_write_before_the_send_the_letter_is_cancelled(world, monkeypatch):
    # given a claim past its first reminder, and a hook that pays it in full right after the second
    # reminder's conditional write went through (the step is taken, its letter pending)
    claim = run_to_reminder_2(world)
    hook = PaymentHook(world, claim)
    save = ClaimsStore.save_claim

    def save_claim(store, updated, **kwargs):
        saved = save(store, updated, **kwargs)
        if not hook.paid and world.stack.clock.in_handler() and is_reminder_2_write(updated):
            hook.pay_in_full()
        return saved

    monkeypatch.setattr(ClaimsStore, "save_claim", save_claim)
    # when the second reminder's day comes
    with faults.observe(world.stack) as report:
        world.until(REMINDER_2_DAY + DAY)
    # then the step was taken (its interest booked) but its letter was cancelled, not sent
    final = world.get(claim)
    assert hook.paid
    assert final.status is ClaimStatus.PAID and final.amounts.outstanding == 0
    assert final.stage is Stage.REMINDER_2 and final.pending_messages == []
    assert "reminder_2#interest" in world.ledger_keys(claim)
    assert world.sent(claim) == ["reminder_1", "payment_confirmation"]
    assert [d.kind for d in report.deliveries] == ["payment_confirmation"]
    cancelled = [e for e in world.store.get_timeline("acme", claim.claim_id) if e.type == "message_cancelled"]
    assert [(e.details["message"], e.details["result"]) for e in cancelled] == [
        ("reminder_2", "cancelled: paid before sending")]
    assert world.stack.running_executions == 0


def test_paid_while_the_letter_is_handed_to_the_provider_it_goes_out_once_and_the_claim_closes(world, monkeypatch):
    # given a claim past its first reminder, and a hook that pays it in full after the last check,
    # while the second reminder is being rendered and handed to SES (the window no check can close)
    claim = run_to_reminder_2(world)
    hook = PaymentHook(world, claim)
    deliver = Notifier.deliver

    def deliver_during_payment(notifier, tenant, current, kind, extra):
        if not hook.paid and kind == "reminder_2":
            hook.pay_in_full()
        return deliver(notifier, tenant, current, kind, extra)

    monkeypatch.setattr(Notifier, "deliver", deliver_during_payment)
    # when the second reminder's day comes
    with faults.observe(world.stack) as report:
        world.until(REMINDER_2_DAY + DAY)
    # then the reminder that was already on its way went out once, and is on record
    final = world.get(claim)
    assert hook.paid
    assert Counter(d.kind for d in report.deliveries) == {"payment_confirmation": 1, "reminder_2": 1}
    assert sorted(world.sent(claim)) == ["payment_confirmation", "reminder_1", "reminder_2"]
    # and the claim is paid and closed: nothing after it
    assert final.status is ClaimStatus.PAID and final.pending_messages == []
    world.until(REMINDER_2_DAY + 30 * DAY)
    assert sorted(world.sent(claim)) == ["payment_confirmation", "reminder_1", "reminder_2"]
    assert world.stack.running_executions == 0


def _events(report):
    import json

    for detail_type, detail in report.events:
        yield detail_type, json.loads(detail).get("stage")


def _bailiff_inbox(world, claim) -> list[str]:
    from incasso.settings import get_settings

    listed = world.stack.client("s3").list_objects_v2(Bucket=get_settings().documents_bucket,
                                                      Prefix=f"tenants/acme/bailiff-inbox/{claim.claim_id}/")
    return [item["Key"] for item in listed.get("Contents", [])]


def test_paid_after_the_bailiff_filing_is_written_no_dossier_reaches_the_bailiff(world, monkeypatch):
    # given a claim on its way to the bailiff, and a hook that pays it in full right after the filing's
    # conditional write went through (dossier and notice pending, neither delivered)
    world.tenant()
    claim = world.claim()
    hook = PaymentHook(world, claim)
    save = ClaimsStore.save_claim

    def save_claim(store, updated, **kwargs):
        saved = save(store, updated, **kwargs)
        if not hook.paid and world.stack.clock.in_handler() and "bailiff_dossier" in updated.pending_messages:
            hook.pay_in_full()
        return saved

    monkeypatch.setattr(ClaimsStore, "save_claim", save_claim)
    # when the bailiff's day comes
    world.until(START + 53 * DAY)
    # then the claim is paid and closed, and neither the dossier nor the notice went out
    final = world.get(claim)
    assert hook.paid
    assert final.status is ClaimStatus.PAID and final.pending_messages == [] and final.task_token is None
    assert _bailiff_inbox(world, claim) == []
    assert "bailiff_filing" not in world.sent(claim)
    cancelled = [e.details["message"] for e in world.store.get_timeline("acme", claim.claim_id)
                 if e.type == "message_cancelled"]
    assert cancelled == ["bailiff_dossier", "bailiff_filing"]
    assert world.stack.running_executions == 0


def test_a_claim_filed_with_the_bailiff_has_its_dossier_in_the_inbox_once_filed(world):
    # given a claim that nobody pays / when the bailiff's day comes
    world.tenant()
    claim = world.claim()
    world.until(START + 53 * DAY)
    # then the dossier is in the bailiff's inbox, and its delivery is on the claim's timeline
    assert world.get(claim).waiting_for == "bailiff"
    assert _bailiff_inbox(world, claim) == [f"tenants/acme/bailiff-inbox/{claim.claim_id}/dossier.json"]
    delivered = [e.details for e in world.store.get_timeline("acme", claim.claim_id)
                 if e.type == "message_sent" and e.details["message"] == "bailiff_dossier"]
    assert len(delivered) == 1 and delivered[0]["document"].endswith("/dossier.json")
