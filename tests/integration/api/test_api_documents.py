"""A claim's letters through the API (issue 17): a preview renders what a letter would say today without
sending or booking anything; the messages that went out; a short-lived link to a PDF in the tenant's own
prefix, and nothing outside it."""

from __future__ import annotations

import base64
import json

import pytest

from api_support import TENANT_A, TENANT_B, call, claim_body
from incasso.adapters.documents import DocumentStore
from incasso.api.app import handle
from incasso.api.proxy import proxy_event
from incasso.services import wiring


def raw(method: str, path: str, tenant_id: str = TENANT_A, headers: dict | None = None) -> dict:
    return handle(proxy_event(method, path, tenant_id=tenant_id, headers=headers), None)


@pytest.fixture
def claim_id(api):
    created = call("POST", "/v1/claims", TENANT_A, claim_body(debtor={
        "name": "J. <script>alert(1)</script>", "type": "consumer", "email": "jan@example.nl",
        "language": "nl", "address": {"street": "Dorpsstraat 5", "postal_code": "1234 AB", "city": "Utrecht"}}))
    assert created.status == 201, created.body
    return created.body["claim_id"]


def test_a_preview_is_a_pdf_by_default_and_sends_or_books_nothing(claim_id):
    # Given the claim as it stands
    store = wiring.claims_store()
    before = store.get_claim(TENANT_A, claim_id)
    ledger = store.get_ledger(TENANT_A, claim_id)
    # When the tenant previews its 14-day letter
    response = raw("GET", f"/v1/claims/{claim_id}/preview/fourteen_day_letter")
    # Then it is a PDF, base64-encoded for API Gateway
    assert response["statusCode"] == 200, response["body"]
    assert response["isBase64Encoded"] is True
    assert response["multiValueHeaders"]["Content-Type"] == ["application/pdf"]
    assert base64.b64decode(response["body"]).startswith(b"%PDF")
    # And nothing went out, nothing was booked, the claim did not change
    assert store.list_messages(TENANT_A, claim_id) == []
    assert store.get_ledger(TENANT_A, claim_id) == ledger
    assert store.get_claim(TENANT_A, claim_id).version == before.version


def test_a_preview_in_html_names_the_exact_costs_and_escapes_what_the_tenant_typed(claim_id):
    response = raw("GET", f"/v1/claims/{claim_id}/preview/fourteen_day_letter", headers={"Accept": "text/html"})
    assert response["statusCode"] == 200, response["body"]
    assert response["multiValueHeaders"]["Content-Type"] == ["text/html; charset=utf-8"]
    page = response["body"]
    # art. 6:96 lid 6 BW: the letter names the exact costs (15 % of 425.00) and the term
    assert "€ 63,75" in page and "veertien dagen" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("kind", ["pre_due_reminder", "reminder_1", "reminder_2", "call_scheduled"])
def test_every_message_of_the_trajectory_can_be_previewed(claim_id, kind):
    response = raw("GET", f"/v1/claims/{claim_id}/preview/{kind}", headers={"Accept": "text/html"})
    assert response["statusCode"] == 200, response["body"]


@pytest.mark.parametrize("kind", ["notice_of_default", "payment_confirmation", "nonsense"])
def test_a_kind_without_a_preview_for_this_claim_is_422_naming_kind(claim_id, kind):
    answer = call("GET", f"/v1/claims/{claim_id}/preview/{kind}")
    assert answer.status == 422, answer.body
    assert [d["field"] for d in answer.body["error"]["details"]] == ["kind"]


def test_messages_list_what_went_out_and_a_document_is_a_short_lived_link_in_the_tenants_prefix(claim_id):
    # Given a reminder_2 that went out by post (its record and its PDF kept as the sender keeps them)
    store, documents = wiring.claims_store(), DocumentStore()
    key = documents.put_document(TENANT_A, claim_id, "reminder_2", b"%PDF-1.4 test")
    store.put_message(TENANT_A, claim_id, "reminder_2", {
        "tenant_id": TENANT_A, "claim_id": claim_id, "kind": "reminder_2", "channel": "letter",
        "sent_at": "2025-06-02T08:00:00Z", "subject": "Aanmaning", "body": "Betaal", "document": key})
    # When the tenant lists the claim's messages
    listed = call("GET", f"/v1/claims/{claim_id}/messages")
    # Then it sees the message with the name of its PDF
    assert listed.status == 200, listed.body
    assert [(m["kind"], m["channel"], m["document"]) for m in listed.body["items"]] == [
        ("reminder_2", "letter", "reminder_2.pdf")]
    # And asking for that PDF gives a presigned GET of that key, valid for five minutes
    link = call("GET", f"/v1/claims/{claim_id}/documents/reminder_2.pdf")
    assert link.status == 200, link.body
    assert f"/{key}?" in link.body["url"] and "X-Amz-Expires=300" in link.body["url"]
    assert link.body["expires_in"] == 300
    # And B, asking for A's document, learns nothing
    assert call("GET", f"/v1/claims/{claim_id}/documents/reminder_2.pdf", TENANT_B).status == 404


@pytest.mark.parametrize("name", ["reminder_1.pdf", "..%2F..%2Fglobex.pdf", "reminder_2", "REMINDER_2.PDF",
                                  "dossier.json", "a" * 70 + ".pdf"])
def test_an_unknown_or_unsafe_document_name_is_404(claim_id, name):
    DocumentStore().put_document(TENANT_A, claim_id, "reminder_2", b"%PDF-1.4 test")
    answer = call("GET", f"/v1/claims/{claim_id}/documents/{name}")
    assert answer.status == 404, answer.body


def test_a_preview_before_the_profile_is_complete_is_409_naming_what_is_missing(api):
    created = call("POST", "/v1/claims", "initech", claim_body())
    answer = call("GET", f"/v1/claims/{created.body['claim_id']}/preview/reminder_1", "initech")
    assert answer.status == 409, answer.body
    assert "iban" in json.dumps(answer.body)
