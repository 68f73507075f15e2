"""The bailiff's dossier: complete, as JSON, and with the warnings a court would raise."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from incasso.domain.models import (
    Allocation,
    Channel,
    CreditorType,
    LedgerEntry,
    LedgerKind,
    MessageKind,
    TimelineEvent,
)
from incasso.letters.dossier import build_dossier
from incasso.letters.message_text import SentMessage
from letters_factories import make_claim, make_tenant

UTC = dt.timezone.utc
AS_OF = dt.date(2025, 7, 1)
LIMITATION = dt.date(2030, 5, 1)  # 5 years (art. 3:307 BW), computed by incasso.law.limitation


def sent(kind: str, day: int, month: int = 5, channel: str = "email", claim_id: str = "c-2025-001") -> SentMessage:
    return SentMessage(tenant_id="acme", claim_id=claim_id, kind=kind, channel=channel,
                       sent_at=dt.datetime(2025, month, day, 9, tzinfo=UTC), subject=f"{kind} 2025-001",
                       body="...", document=f"tenants/acme/documents/{claim_id}/{kind}.pdf")


def trajectory():
    messages = [sent("reminder_1", 8), sent("reminder_2", 22), sent("call_scheduled", 29),
                sent("fourteen_day_letter", 3, month=6, channel="letter")]
    ledger = [
        LedgerEntry(key="c-2025-001#principal", kind=LedgerKind.PRINCIPAL, amount=Decimal("3000.00"),
                    booked_at=dt.datetime(2025, 4, 1, tzinfo=UTC)),
        LedgerEntry(key="c-2025-001#payment-1", kind=LedgerKind.PAYMENT, amount=Decimal("100.00"),
                    booked_at=dt.datetime(2025, 6, 10, tzinfo=UTC),
                    allocation=Allocation(principal=Decimal("100.00"))),
        LedgerEntry(key="c-2025-001#costs", kind=LedgerKind.COLLECTION_COSTS, amount=Decimal("425.00"),
                    booked_at=dt.datetime(2025, 6, 20, tzinfo=UTC)),
    ]
    timeline = [TimelineEvent(at=dt.datetime(2025, 6, 3, 9, tzinfo=UTC), type="fourteen_day_letter_sent"),
                TimelineEvent(at=dt.datetime(2025, 5, 8, 9, tzinfo=UTC), type="reminder_1_sent")]
    return messages, ledger, timeline


def test_complete_dossier_for_a_consumer_claim():
    # given a consumer claim that went through the trajectory, costs booked after the 14-day term
    claim = make_claim(costs="425.00", paid="100.00", interest="30.00")
    messages, ledger, timeline = trajectory()
    # when the dossier is built
    dossier = build_dossier(make_tenant(), claim, ledger, list(reversed(timeline)), list(reversed(messages)),
                            limitation_date=LIMITATION, as_of=AS_OF)
    # then it names creditor and debtor, the claim and its value for the court
    assert dossier.creditor.name == "Acme Verhuur B.V." and dossier.creditor.creditor_type is CreditorType.COMPANY
    assert dossier.debtor.name == "Jan de Vries" and dossier.debtor.address.city == "Utrecht"
    assert dossier.claim.invoice_number == "2025-001"
    assert dossier.claim.in_default_since == dt.date(2025, 5, 2)
    assert dossier.claim.claim_value == Decimal("3355.00")  # 3000 + 30 interest + 425 costs - 100 paid
    # and every letter, oldest first, with its date and PDF
    assert [letter.kind for letter in dossier.letters] == [MessageKind.REMINDER_1, MessageKind.REMINDER_2,
                                                           MessageKind.CALL_SCHEDULED, MessageKind.FOURTEEN_DAY_LETTER]
    assert dossier.fourteen_day_letter_sent_at == dt.datetime(2025, 6, 3, 9, tzinfo=UTC)
    assert dossier.letters[-1].channel is Channel.LETTER
    assert dossier.letters[-1].document == "tenants/acme/documents/c-2025-001/fourteen_day_letter.pdf"
    # and the ledger and timeline in time order
    assert [entry.kind for entry in dossier.ledger] == [LedgerKind.PRINCIPAL, LedgerKind.PAYMENT,
                                                        LedgerKind.COLLECTION_COSTS]
    assert [event.type for event in dossier.timeline] == ["reminder_1_sent", "fourteen_day_letter_sent"]
    # and limitation, court and court fee: 3,355 is in the 2,500.01–5,000 band, company tariff 2024
    assert dossier.limitation_date == LIMITATION and dossier.time_barred is False
    assert dossier.kanton_competent is True and dossier.court_fee.court == "kantonrechter"
    assert dossier.court_fee.fee == Decimal("496.00") and dossier.court_fee.verified is False
    assert dossier.warnings == ()


def test_dossier_json_has_contract_shapes():
    claim = make_claim(costs="425.00")
    messages, ledger, timeline = trajectory()
    dossier = build_dossier(make_tenant(), claim, ledger, timeline, messages, limitation_date=LIMITATION, as_of=AS_OF)
    data = json.loads(dossier.to_json())
    assert data["claim"]["amounts"]["collection_costs"] == "425.00"
    assert data["claim"]["claim_value"] == "3437.34"
    assert data["court_fee"]["fee"] == "496.00"
    assert data["limitation_date"] == "2030-05-01"
    assert data["letters"][3] == {"kind": "fourteen_day_letter", "channel": "letter",
                                  "sent_at": "2025-06-03T09:00:00Z", "subject": "fourteen_day_letter 2025-001",
                                  "document": "tenants/acme/documents/c-2025-001/fourteen_day_letter.pdf"}
    assert data["ledger"][0]["amount"] == "3000.00"


def test_individual_creditor_pays_the_individual_tariff():
    tenant = make_tenant(creditor_type="individual")
    messages, ledger, timeline = trajectory()
    dossier = build_dossier(tenant, make_claim(), ledger, timeline, messages, limitation_date=LIMITATION, as_of=AS_OF)
    assert dossier.court_fee.tariff == "individual" and dossier.court_fee.fee == Decimal("248.00")


def test_warnings_name_what_weakens_the_case():
    # given a consumer claim with costs booked but no 14-day letter, no address, close to limitation
    claim = make_claim(costs="425.00", address=None)
    messages = [sent("reminder_1", 8)]
    dossier = build_dossier(make_tenant(), claim, [], [], messages, limitation_date=dt.date(2025, 10, 1), as_of=AS_OF)
    text = " | ".join(dossier.warnings)
    assert "no 14-day letter was sent" in text and "remove the booked costs" in text
    assert "no postal address" in text
    assert "limitation period ends on 2025-10-01" in text
    # given a time-barred business claim above EUR 25,000 without a notice of default
    big = make_claim(debtor_type="business", principal="30000.00")
    late = build_dossier(make_tenant(), big, [], [], [], limitation_date=dt.date(2025, 5, 1), as_of=AS_OF)
    text = " | ".join(late.warnings)
    assert late.time_barred is True and "time-barred since 2025-05-01" in text
    assert "no notice of default" in text
    assert late.kanton_competent is False and "rechtbank" in text and late.court_fee.fee is None


def test_messages_of_another_claim_and_paid_claims_are_refused():
    with pytest.raises(ValueError, match="another claim"):
        build_dossier(make_tenant(), make_claim(), [], [], [sent("reminder_1", 8, claim_id="c-other")],
                      limitation_date=LIMITATION, as_of=AS_OF)
    with pytest.raises(ValueError, match="nothing is outstanding"):
        build_dossier(make_tenant(), make_claim(paid="3012.34"), [], [], [], limitation_date=LIMITATION, as_of=AS_OF)
