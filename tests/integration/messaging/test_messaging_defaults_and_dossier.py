"""The default wiring (settings, lazily created clients) and the dossier's delivery to the bailiff."""

import datetime as dt
import json

import pytest

from incasso.adapters.documents import DocumentStore, deliver_dossier
from incasso.adapters import aws
from incasso.adapters.message_sending import default_sender, reset_clients
from incasso.domain.models import Channel, MessageKind
from incasso.letters.dossier import build_dossier
from incasso.letters.message_text import compose
from incasso.settings import reset_settings
from messaging_support import BUCKET, REGION, SENDER, letter_context


@pytest.fixture
def environment(aws, clock, monkeypatch):
    monkeypatch.setenv("DOCUMENTS_BUCKET", BUCKET)
    monkeypatch.setenv("SENDER_EMAIL", SENDER)
    reset_settings()
    reset_clients()
    yield
    monkeypatch.undo()
    reset_settings()
    reset_clients()


def test_default_sender_reads_settings_and_reuses_its_clients(environment):
    # given the environment a Lambda gets
    sender = default_sender()
    # when a letter goes out by post through the default sender
    sent = sender.send(compose(letter_context(), Channel.LETTER))
    # then it went to the configured bucket, and the process keeps one client per service
    assert DocumentStore().get(sent.document).startswith(b"%PDF")
    assert default_sender() is sender
    assert aws.client("sesv2") is aws.client("sesv2")
    assert aws.client("sesv2").meta.region_name == REGION


def test_dossier_is_delivered_to_the_bailiffs_inbox(environment):
    # given letters sent for a claim and the dossier built from them
    sender = default_sender()
    ctx = letter_context()
    sent = [sender.send(compose(letter_context(MessageKind.REMINDER_1), Channel.EMAIL)),
            sender.send(compose(ctx, Channel.LETTER))]
    dossier = build_dossier(ctx.tenant, ctx.claim, [], [], sent, limitation_date=dt.date(2030, 5, 1),
                            as_of=dt.date(2025, 6, 25))
    # when it is delivered
    key = deliver_dossier(dossier)
    # then the bailiff finds it in the tenant's inbox, with the letters and their PDFs
    assert key == "tenants/acme/bailiff-inbox/c-2025-001/dossier.json"
    data = json.loads(DocumentStore().get(key))
    assert data["claim_id"] == "c-2025-001"
    assert [letter["kind"] for letter in data["letters"]] == ["reminder_1", "fourteen_day_letter"]
    assert data["letters"][1]["document"] == "tenants/acme/documents/c-2025-001/fourteen_day_letter.pdf"
    assert data["court_fee"]["fee"] == "496.00"  # EUR 3,000 in 2025: 2024 company tariff, 2,500.01–5,000
