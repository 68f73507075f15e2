"""The debtor routes on moto: the view, the list page by page (a Query of the debtor records, no Scan),
the credit check, the explicit change of the details, the 409 of a conflicting claim, bad references
(422), and who may do what."""

import pytest

from api_support import TENANT_A, call, claim_body


def debtor_claim(invoice: str, reference: str = "K-1001", principal: str = "425.00", **debtor) -> dict:
    body = claim_body(invoice, principal)
    body["debtor"] = {**body["debtor"], "reference": reference, **debtor}
    answer = call("POST", "/v1/claims", TENANT_A, body)
    assert answer.status == 201, answer.body
    return answer.body


def test_the_view_shows_the_debtors_claims_totals_and_payment_behaviour(api):
    # given two claims of K-1001, the first paid in full, and a claim of another debtor
    first, second = debtor_claim("F-1"), debtor_claim("F-2", principal="100.00")
    debtor_claim("F-3", reference="K-2002")
    owed = call("GET", f"/v1/claims/{first['claim_id']}", TENANT_A).body["amounts"]["outstanding"]
    assert call("POST", f"/v1/claims/{first['claim_id']}/payments", TENANT_A,
                {"amount": owed, "paid_at": "2025-06-02"}).status == 201
    # when K-1001 is viewed
    answer = call("GET", "/v1/debtors/K-1001", TENANT_A)
    # then its two claims, their totals (amounts as strings), and one paid claim 32 days late
    assert answer.status == 200, answer.body
    view = answer.body
    assert [(c["invoice_number"], c["status"]) for c in view["claims"]] == [("F-1", "paid"), ("F-2", "open")]
    assert view["totals"]["principal"] == "525.00" and view["totals"]["paid"] == owed
    behaviour = view["payment_behaviour"]
    assert behaviour["paid_claims"][0]["days_late"] == 32 and behaviour["average_days_late"] == "32.0"
    assert behaviour["open_amount"] == view["claims"][1]["amounts"]["outstanding"]
    assert view["debtor"]["reference"] == "K-1001" and second["claim_id"] == view["claims"][1]["claim_id"]
    # and an unknown reference is 404
    assert call("GET", "/v1/debtors/K-404", TENANT_A).status == 404


def test_the_list_pages_through_the_tenants_debtors(api):
    # given five debtors, one with two claims
    for n in range(5):
        debtor_claim(f"F-{n}", reference=f"K-{n}")
    debtor_claim("F-9", reference="K-3", principal="75.00")
    # when they are listed two at a time
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": "2", **({"next_token": token} if token else {})}
        page = call("GET", "/v1/debtors", TENANT_A, query=query)
        assert page.status == 200, page.body
        seen += page.body["items"]
        pages += 1
        token = page.body["next_token"]
        if not token:
            break
    # then each debtor once, by reference, with its claims and open amount
    assert [d["reference"] for d in seen] == ["K-0", "K-1", "K-2", "K-3", "K-4"] and pages == 3
    assert next(d for d in seen if d["reference"] == "K-3")["claims"] == 2
    assert next(d for d in seen if d["reference"] == "K-3")["open_amount"] == "500.00"
    # and a token that was changed is 422
    assert call("GET", "/v1/debtors", TENANT_A, query={"next_token": "x" + (token or "abc")}).status == 422


def test_the_credit_check_gives_a_score_a_term_a_limit_reasons_and_sources(api):
    # given a debtor with one open claim
    debtor_claim("F-1", type="business")
    # when the credit check is asked for
    answer = call("GET", "/v1/debtors/K-1001/credit", TENANT_A)
    # then a score within 0-100, a term in days, a limit in euros, reasons in words, and the sources
    assert answer.status == 200, answer.body
    credit = answer.body
    assert 0 <= credit["score"] <= 60 and credit["payment_term_days"] in (0, 7, 14, 30)
    assert credit["credit_limit"].count(".") == 1 and len(credit["credit_limit"].split(".")[1]) == 2
    assert credit["reasons"] and all(isinstance(r, str) for r in credit["reasons"])
    assert [(s["name"], s["used"]) for s in credit["sources"]] == [("payment_record", True), ("credit_bureau", False)]


def test_a_claim_with_another_debtor_type_is_409_until_the_debtor_is_changed_explicitly(api):
    # given K-1001 as a consumer in Dutch
    claim = debtor_claim("F-1")
    # when a claim says K-1001 is a business writing English
    refused = call("POST", "/v1/claims", TENANT_A, {**claim_body("F-2"), "debtor": {
        **claim_body()["debtor"], "reference": "K-1001", "type": "business", "language": "en"}})
    # then 409 naming both details
    assert refused.status == 409
    assert {d["field"] for d in refused.body["error"]["details"]} == {"debtor.type", "debtor.language"}
    # when a clerk changes the debtor explicitly
    changed = call("PATCH", "/v1/debtors/K-1001", TENANT_A, {"type": "business", "language": "en"}, role="clerk")
    # then the open claim follows, and the claim is accepted now
    assert changed.status == 200, changed.body
    assert changed.body["updated_claims"] == [claim["claim_id"]]
    after = call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body
    assert (after["debtor"]["type"], after["debtor"]["language"]) == ("business", "en")
    assert after["timeline"][-1]["type"] == "debtor_updated"
    assert call("POST", "/v1/claims", TENANT_A, {**claim_body("F-2"), "debtor": {
        **claim_body()["debtor"], "reference": "K-1001", "type": "business", "language": "en"}}).status == 201


@pytest.mark.parametrize("reference", ["K" * 65, "K-1\u0007", "K-1\u202e"])
def test_a_bad_reference_is_422_naming_the_reference(api, reference):
    # when a claim carries the reference / then 422 naming debtor.reference
    answer = call("POST", "/v1/claims", TENANT_A, {**claim_body(), "debtor": {**claim_body()["debtor"],
                                                                              "reference": reference}})
    assert answer.status == 422
    assert any("reference" in d["field"] for d in answer.body["error"]["details"])


def test_a_reference_of_65_characters_in_the_path_is_422(api):
    # when a debtor route names a reference no claim can carry / then 422 naming the reference
    for method, path in (("GET", "/v1/debtors/" + "K" * 65), ("GET", "/v1/debtors/" + "K" * 65 + "/credit")):
        answer = call(method, path, TENANT_A)
        assert answer.status == 422 and answer.body["error"]["details"][0]["field"] == "reference"


def test_viewers_read_clerks_change_and_export_stays_with_managers(api):
    # given a debtor
    debtor_claim("F-1")
    # then a viewer reads the view, the list and the credit check, but may not change or export
    for path in ("/v1/debtors", "/v1/debtors/K-1001", "/v1/debtors/K-1001/credit"):
        assert call("GET", path, TENANT_A, role="viewer").status == 200, path
    assert call("PATCH", "/v1/debtors/K-1001", TENANT_A, {"name": "J. de Vries"}, role="viewer").status == 403
    assert call("GET", "/v1/debtors/K-1001/export", TENANT_A, role="clerk").status == 403
    # and an empty change is 422
    assert call("PATCH", "/v1/debtors/K-1001", TENANT_A, {}, role="clerk").status == 422
