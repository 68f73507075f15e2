"""Debt monitoring that does something (the legal phase issue): a check-in before the limitation date
sends a written reservation of the right that interrupts limitation (art. 3:317 BW); an arrangement is
possible from monitoring; a monitored debtor's new claim is signalled to the tenant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fakes import RecordingEventBus
from incasso.domain.limitation import claim_limitation_date
from incasso.domain.models import Address, ClaimStatus, Debtor, Instalment, Stage
from incasso.services.claim_commands import NewClaim, NewPayment
from incasso.services.claims import ClaimService

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)
HOME = Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht")


def monitored_claim(world, *, due: dt.date, invoice: str = "F-M", reference: str | None = "K-7"):
    """A claim that reached debt monitoring long ago (as a migrated file would), its check-in due now."""
    debtor = Debtor(name="J. de Vries", type="consumer", email="jan@example.nl", address=HOME, reference=reference)
    new = NewClaim(invoice_number=invoice, debtor=debtor, principal=Decimal("180.00"),
                   invoice_date=due - 30 * DAY, due_date=due)
    claim = world.claims.build_claim(world.claims.tenant("acme"), new).model_copy(update={
        "status": ClaimStatus.DEBT_MONITORING, "stage": Stage.DEBT_MONITORING, "next_action_on": START + DAY,
        "step_dates": {"reminder_1": due + 7 * DAY, "legal_review": due + 60 * DAY}, "phase": 2})
    return world.store.create_claim(claim)


def test_art_3_317_a_check_in_before_the_limitation_date_sends_a_notice_that_interrupts_it(world):
    # given a monitored claim due 10 March 2021, never interrupted: time-barred after 10 March 2026
    world.tenant()
    claim = monitored_claim(world, due=dt.date(2021, 3, 10))
    assert claim_limitation_date(claim) == dt.date(2026, 3, 10)
    # when its check-in comes
    world.until(START + 2 * DAY)
    # then a written notice went out by post, and limitation runs five years from its presumed delivery
    checked = world.get(claim)
    assert checked.status is ClaimStatus.DEBT_MONITORING
    assert world.sent(claim) == ["limitation_notice"]
    notice = next(r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "limitation_notice")
    assert notice["channel"] == "letter" and "3:317" in notice["body"]
    assert claim_limitation_date(checked) > dt.date(2031, 1, 1)


def test_a_check_in_far_from_the_limitation_date_sends_nothing(world):
    world.tenant()
    claim = monitored_claim(world, due=dt.date(2025, 6, 1))
    world.until(START + 2 * DAY)
    assert world.sent(claim) == [] and world.get(claim).next_action_on == START + 1 * DAY + 90 * DAY


def test_an_arrangement_is_possible_from_debt_monitoring(world):
    world.tenant()
    claim = monitored_claim(world, due=dt.date(2025, 6, 1))
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    arranged = world.claims.arrange("acme", claim.claim_id, [Instalment(due_date=START + 10 * DAY, amount=owed)])
    assert arranged.status is ClaimStatus.ARRANGEMENT
    world.until(START + 10 * DAY)
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=START + 10 * DAY))
    world.until(START + 15 * DAY)
    assert world.get(claim).status is ClaimStatus.PAID


def test_a_new_claim_of_a_monitored_debtor_is_signalled_to_the_tenant(world):
    # given a monitored claim of customer K-7
    world.tenant()
    monitored = monitored_claim(world, due=dt.date(2025, 6, 1))
    events = RecordingEventBus()
    claims = ClaimService(world.store, events=events)
    # when a new invoice of the same customer arrives
    debtor = Debtor(name="J. de Vries", type="consumer", email="jan@example.nl", reference="K-7")
    fresh = claims.create("acme", NewClaim(invoice_number="F-NEW", debtor=debtor, principal=Decimal("50.00"),
                                           invoice_date=START - 5 * DAY, due_date=START + 9 * DAY))
    # then the tenant hears of it (webhook debtor.monitored_activity)
    signals = [detail for _, kind, detail in events.events if kind == "MonitoredDebtorActive"]
    assert signals == [{"debtor_reference": "K-7", "activity": "new_claim", "claim_id": fresh.claim_id,
                        "monitored_claims": [monitored.claim_id]}]
