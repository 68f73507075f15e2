"""A debtor's personal data (AVG / GDPR) on moto: the export of art. 15, erasure on request (art. 17)
refused while a claim is open, and erasure by the daily sweep after the retention period."""

import datetime as dt

import pytest

from api_support import NOW, TENANT_A, TENANT_B, call, claim_body, setup_client
from fakes import RecordingWorkflows
from incasso.clock import FixedClock, set_clock
from incasso.services import wiring
from infra.topology import DOCUMENTS


def debtor_claim(invoice: str, reference: str = "K-1001", tenant: str = TENANT_A) -> dict:
    body = claim_body(invoice)
    body["debtor"] = {**body["debtor"], "reference": reference, "phone": "+31612345678"}
    answer = call("POST", "/v1/claims", tenant, body)
    assert answer.status == 201, answer.body
    return answer.body


def pay_in_full(claim: dict) -> None:
    owed = call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body["amounts"]["outstanding"]
    answer = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, {"amount": owed, "paid_at": "2025-06-02"})
    assert answer.status == 201, answer.body


def put_letter(claim: dict) -> str:
    key = f"tenants/{TENANT_A}/documents/{claim['claim_id']}/reminder_2.pdf"
    setup_client("s3").put_object(Bucket=DOCUMENTS.name, Key=key, Body=b"%PDF-1.4 Jan de Vries")
    return key


def test_art_15_the_export_holds_everything_about_one_debtor_and_nothing_of_another(api):
    # given two claims of debtor K-1001, one of another debtor, and one of K-1001 at another tenant
    first, second = debtor_claim("F-1"), debtor_claim("F-2")
    debtor_claim("F-3", reference="K-2002")
    debtor_claim("F-9", tenant=TENANT_B)
    call("POST", f"/v1/claims/{first['claim_id']}/dispute", TENANT_A, {"reason": "Jan says: never ordered"})
    # when tenant A asks for K-1001's data
    answer = call("GET", "/v1/debtors/K-1001/export", TENANT_A)
    # then both of its claims, with their timelines, and the debtor's contact details
    assert answer.status == 200, answer.body
    export = answer.body
    assert {c["claim"]["claim_id"] for c in export["claims"]} == {first["claim_id"], second["claim_id"]}
    assert export["debtor"]["email"] == "jan@example.nl" and export["debtor"]["reference"] == "K-1001"
    assert any(e["type"] == "dispute_opened" for c in export["claims"] for e in c["timeline"])
    # and an unknown debtor, or one of another tenant, is 404
    assert call("GET", "/v1/debtors/K-404/export", TENANT_A).status == 404
    assert call("GET", "/v1/debtors/K-2002/export", TENANT_B).status == 404


def test_art_17_erasure_on_request_is_refused_while_a_claim_is_open(api):
    debtor_claim("F-1")
    answer = call("POST", "/v1/debtors/K-1001/erase", TENANT_A)
    assert answer.status == 409 and answer.body["error"]["details"][0]["field"] == "reference"


def test_art_17_erasure_removes_the_person_and_keeps_the_books(api):
    # given a debtor whose claim is paid, with a letter in S3 and a dispute reason on the timeline
    claim = debtor_claim("F-1")
    call("POST", f"/v1/claims/{claim['claim_id']}/dispute", TENANT_A, {"reason": "Jan says: wrong address"})
    call("POST", f"/v1/claims/{claim['claim_id']}/dispute/resolve", TENANT_A, {"outcome": "rejected"})
    key = put_letter(claim)
    pay_in_full(claim)
    # when the tenant erases the debtor
    answer = call("POST", "/v1/debtors/K-1001/erase", TENANT_A)
    # then name, contact details, customer number, free text and documents are gone; the amounts stay
    assert answer.status == 200 and answer.body["claims"] == [claim["claim_id"]]
    after = call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body
    assert after["debtor"]["name"] == "[erased]" and after["debtor"]["email"] is None
    assert after["debtor"]["address"] is None and after["debtor"]["phone"] is None
    assert after["debtor"]["reference"].startswith("erased-")
    assert after["amounts"]["outstanding"] == "0.00" and after["amounts"]["principal"] == "425.00"
    assert after["status"] == "paid"
    assert all(event.get("reason") in (None, "[erased]") for event in after["timeline"])
    assert "personal_data_erased" in [event["type"] for event in after["timeline"]]
    for record in wiring.claims_store().list_messages(TENANT_A, claim["claim_id"]):
        assert record["body"] == "[erased]" and "Jan" not in record["subject"]
    listed = setup_client("s3").list_object_versions(Bucket=DOCUMENTS.name, Prefix=key)
    assert not listed.get("Versions") and not listed.get("DeleteMarkers")
    # and the debtor can no longer be found by the old number
    assert call("GET", "/v1/debtors/K-1001/export", TENANT_A).status == 404


@pytest.mark.parametrize("years_later, erased", [(6, False), (7, True)])
def test_the_sweep_erases_a_debtor_once_the_retention_period_after_the_last_claim_closed_is_over(
        api, years_later, erased):
    from incasso.services.sweep import SweepService

    # given a debtor whose claims were both paid on 2 June 2025 (the default retention: 7 years)
    claims = [debtor_claim("F-1"), debtor_claim("F-2")]
    for claim in claims:
        pay_in_full(claim)
    # when the sweep runs that many years later
    later = NOW.replace(year=NOW.year + years_later)
    set_clock(FixedClock(later))
    sweep = SweepService(wiring.claims_store(), RecordingWorkflows(),
                         erase_expired=wiring.privacy_service().erase_expired)
    result = sweep.run(later.date())
    # then their personal data is erased only once the seven years are over
    names = {call("GET", f"/v1/claims/{c['claim_id']}", TENANT_A).body["debtor"]["name"] for c in claims}
    assert (names == {"[erased]"}) is erased
    assert result.erased == (2 if erased else 0)


def test_the_sweep_keeps_a_debtor_with_one_claim_still_open(api):
    from incasso.services.sweep import SweepService

    closed, still_open = debtor_claim("F-1"), debtor_claim("F-2")
    pay_in_full(closed)
    later = NOW.replace(year=NOW.year + 8)
    set_clock(FixedClock(later))
    sweep = SweepService(wiring.claims_store(), RecordingWorkflows(),
                         erase_expired=wiring.privacy_service().erase_expired)
    assert sweep.run(later.date()).erased == 0
    assert call("GET", f"/v1/claims/{closed['claim_id']}", TENANT_A).body["debtor"]["name"] == "Jan de Vries"
    assert still_open
