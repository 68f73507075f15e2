"""The claims routes of CONTRACT.md §3 on moto: the claim JSON, creating, reading, listing, paying,
disputing, arranging, the bailiff's updates, and idempotent retries."""

import datetime as dt
from decimal import Decimal

import pytest

from api_support import TENANT_A, TENANT_B, call, claim_body, events_on_bus

CLAIM_FIELDS = {"claim_id", "invoice_number", "debtor", "currency", "invoice_date", "due_date", "status", "stage",
                "amounts", "timeline", "payment_reference",
                # beside the contract's fields: the limitation of a consumer sale, caveats on the amounts,
                # what was agreed with a business debtor
                "consumer_sale", "warnings", "legal_advice", "disputed_amount", "agreed_interest_rate",
                "agreed_collection_costs"}
AMOUNT_FIELDS = {"principal", "interest", "collection_costs", "collection_costs_vat", "paid", "outstanding"}


def created(tenant=TENANT_A, **changes) -> dict:
    answer = call("POST", "/v1/claims", tenant, claim_body(**changes))
    assert answer.status == 201, answer.body
    return answer.body


def test_a_created_claim_is_the_contracts_claim_json(api, aws):
    # when a claim is posted
    answer = call("POST", "/v1/claims", TENANT_A, claim_body())
    # then 201 with exactly the contract's fields, amounts as two-decimal strings, nothing internal
    assert answer.status == 201
    claim = answer.body
    assert set(claim) == CLAIM_FIELDS
    assert set(claim["amounts"]) == AMOUNT_FIELDS
    assert claim["amounts"] == {"principal": "425.00", "interest": "0.00", "collection_costs": "0.00",
                                "collection_costs_vat": "0.00", "paid": "0.00", "outstanding": "425.00"}
    assert (claim["status"], claim["stage"], claim["currency"]) == ("open", "none", "EUR")
    # and its betalingskenmerk: 16 digits, the first the check digit of the others
    from incasso.domain.payment_reference import is_valid
    assert is_valid(claim["payment_reference"]) and len(claim["payment_reference"]) == 16
    assert (claim["invoice_date"], claim["due_date"]) == ("2025-04-01", "2025-05-01")
    assert claim["debtor"]["address"]["postal_code"] == "1234 AB"
    for event in claim["timeline"]:
        assert {"at", "type"} <= set(event) and "details" not in event
    # and a ClaimCreated event went to the bus for the tenant
    published = [e for e in events_on_bus(aws) if e["detail-type"] == "ClaimCreated"]
    assert [(e["detail"]["tenant_id"], e["detail"]["claim_id"]) for e in published] == [(TENANT_A, claim["claim_id"])]


def test_a_whole_euro_integer_is_an_amount_but_a_float_is_not(api):
    assert call("POST", "/v1/claims", TENANT_A, claim_body("F-int", principal=100)).body["amounts"]["principal"] == "100.00"
    refused = call("POST", "/v1/claims", TENANT_A, claim_body("F-float", principal=100.5))
    assert refused.status == 422
    assert refused.body["error"]["details"][0]["field"] == "principal"


def test_the_same_invoice_number_again_is_409(api):
    # given a claim for invoice F-1
    first = created(invoice_number="F-1")
    # when the same invoice number is posted again by the same tenant
    again = call("POST", "/v1/claims", TENANT_A, claim_body("F-1", principal="999.00"))
    # then 409, naming the field
    assert again.status == 409
    assert again.body["error"]["code"] == "conflict"
    assert again.body["error"]["details"][0]["field"] == "invoice_number"
    # and another tenant may use the same number
    assert call("POST", "/v1/claims", TENANT_B, claim_body("F-1")).status == 201
    assert call("GET", f"/v1/claims/{first['claim_id']}", TENANT_A).body["amounts"]["principal"] == "425.00"


def test_a_retried_create_with_an_idempotency_key_returns_the_first_answer(api, aws):
    # given a claim created with an Idempotency-Key
    first = call("POST", "/v1/claims", TENANT_A, claim_body("F-7"), headers={"Idempotency-Key": "req-7"})
    # when the same request is retried with the same key
    retry = call("POST", "/v1/claims", TENANT_A, claim_body("F-7"), headers={"Idempotency-Key": "req-7"})
    # then the answer is the first one, not a 409, and one claim exists
    assert (first.status, retry.status) == (201, 201)
    assert retry.body == first.body
    listed = call("GET", "/v1/claims", TENANT_A).body["items"]
    assert [c["invoice_number"] for c in listed] == ["F-7"]
    assert len([e for e in events_on_bus(aws) if e["detail-type"] == "ClaimCreated"]) == 1


def test_an_idempotency_key_reused_for_another_body_is_422(api):
    call("POST", "/v1/claims", TENANT_A, claim_body("F-8"), headers={"Idempotency-Key": "req-8"})
    reused = call("POST", "/v1/claims", TENANT_A, claim_body("F-9"), headers={"Idempotency-Key": "req-8"})
    assert reused.status == 422
    assert reused.body["error"]["code"] == "idempotency_key_reused"


def test_idempotency_records_are_per_tenant(api):
    # given tenant A used key "k" for its invoice F-1
    a = call("POST", "/v1/claims", TENANT_A, claim_body("F-1"), headers={"Idempotency-Key": "k"})
    # when tenant B sends the same key with the same body
    b = call("POST", "/v1/claims", TENANT_B, claim_body("F-1"), headers={"Idempotency-Key": "k"})
    # then B gets its own new claim, not A's answer
    assert (a.status, b.status) == (201, 201)
    assert a.body["claim_id"] != b.body["claim_id"]
    assert call("GET", f"/v1/claims/{a.body['claim_id']}", TENANT_B).status == 404


def test_get_a_claim_and_a_missing_one(api):
    # given a claim created today, a month after its due date
    claim = created()
    # when it is read / then it is the same claim, with the interest accrued up to today in its amounts
    read = call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body
    assert {k: v for k, v in read.items() if k != "amounts"} == {k: v for k, v in claim.items() if k != "amounts"}
    amounts = {k: Decimal(v) for k, v in read["amounts"].items()}
    assert amounts["interest"] > 0
    assert amounts["outstanding"] == amounts["principal"] + amounts["interest"]
    missing = call("GET", "/v1/claims/clm_00000000000000000000", TENANT_A)
    assert missing.status == 404
    assert missing.body["error"]["code"] == "not_found"


def test_list_pages_through_all_claims_and_filters_by_status(api):
    # given five claims, one of them disputed
    ids = [created(invoice_number=f"F-{n}")["claim_id"] for n in range(5)]
    call("POST", f"/v1/claims/{ids[0]}/dispute", TENANT_A, {"reason": "never ordered"})
    # when listed two at a time
    seen, token = [], None
    while True:
        page = call("GET", "/v1/claims", TENANT_A, query={"limit": "2", **({"next_token": token} if token else {})})
        assert page.status == 200 and len(page.body["items"]) <= 2
        seen += [item["claim_id"] for item in page.body["items"]]
        token = page.body["next_token"]
        if token is None:
            break
    # then every claim comes exactly once
    assert sorted(seen) == sorted(ids)
    # and the status filter gives the disputed one only
    paused = call("GET", "/v1/claims", TENANT_A, query={"status": "paused"}).body
    assert [c["claim_id"] for c in paused["items"]] == [ids[0]] and paused["next_token"] is None


def test_a_forged_next_token_is_422(api):
    created()
    answer = call("GET", "/v1/claims", TENANT_A, query={"next_token": "eyJwayI6ICJnbG9iZXgifQ"})
    assert answer.status == 422
    assert answer.body["error"]["details"][0]["field"] == "next_token"


def test_a_payment_is_allocated_and_a_full_one_closes_the_claim(api, aws):
    claim = created()
    # when part is paid
    part = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, {"amount": "100.00", "paid_at": "2025-05-01"})
    # then 201 with the allocation (no costs or interest yet: all to principal) and the claim
    assert part.status == 201
    assert part.body["allocation"] == {"costs": "0.00", "interest": "0.00", "principal": "100.00"}
    assert part.body["claim"]["amounts"]["paid"] == "100.00"
    assert part.body["claim"]["amounts"]["outstanding"] == "325.00"
    assert any(e["type"] == "payment_received" and e["amount"] == "100.00" for e in part.body["claim"]["timeline"])
    # when the rest is paid
    rest = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, {"amount": "325.00", "paid_at": "2025-05-01"})
    # then the claim is paid and PaymentReceived and ClaimClosed went out
    assert rest.body["claim"]["status"] == "paid"
    kinds = [e["detail-type"] for e in events_on_bus(aws)]
    assert kinds.count("PaymentReceived") == 2 and kinds.count("ClaimClosed") == 1


def test_a_payment_above_what_is_owed_is_422(api):
    claim = created()
    answer = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, {"amount": "425.01", "paid_at": "2025-05-01"})
    assert answer.status == 422
    assert answer.body["error"]["details"][0]["field"] == "amount"
    assert call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body["amounts"]["paid"] == "0.00"


def test_a_retried_payment_with_an_idempotency_key_is_booked_once(api):
    claim = created()
    path = f"/v1/claims/{claim['claim_id']}/payments"
    first = call("POST", path, TENANT_A, {"amount": "50.00", "paid_at": "2025-05-01"}, headers={"Idempotency-Key": "pay-1"})
    retry = call("POST", path, TENANT_A, {"amount": "50.00", "paid_at": "2025-05-01"}, headers={"Idempotency-Key": "pay-1"})
    assert (first.status, retry.status) == (201, 201)
    assert retry.body["claim"]["amounts"]["paid"] == "50.00"
    assert retry.body["allocation"] == first.body["allocation"]


def test_a_payment_dated_in_the_future_is_422(api):
    claim = created()
    answer = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, {"amount": "5.00", "paid_at": "2030-01-01"})
    assert answer.status == 422


def test_dispute_pauses_and_resolution_resumes_or_cancels(api, aws):
    one, two = created(invoice_number="F-1"), created(invoice_number="F-2")
    # when both are disputed
    disputed = call("POST", f"/v1/claims/{one['claim_id']}/dispute", TENANT_A, {"reason": "goods damaged"})
    call("POST", f"/v1/claims/{two['claim_id']}/dispute", TENANT_A, {"reason": "never ordered"})
    # then 200, paused, with the reason on the timeline
    assert disputed.status == 200 and disputed.body["status"] == "paused"
    assert any(e["type"] == "dispute_opened" and e["reason"] == "goods damaged" for e in disputed.body["timeline"])
    # and a second dispute is a conflict
    assert call("POST", f"/v1/claims/{one['claim_id']}/dispute", TENANT_A, {"reason": "again"}).status == 409
    # when one dispute is rejected and the other upheld
    rejected = call("POST", f"/v1/claims/{one['claim_id']}/dispute/resolve", TENANT_A, {"outcome": "rejected"})
    upheld = call("POST", f"/v1/claims/{two['claim_id']}/dispute/resolve", TENANT_A, {"outcome": "upheld"})
    # then the first goes on, the second is closed as cancelled
    assert (rejected.status, rejected.body["status"]) == (200, "open")
    assert (upheld.status, upheld.body["status"]) == (200, "cancelled")
    assert "ClaimClosed" in [e["detail-type"] for e in events_on_bus(aws)]


def test_resolving_an_undisputed_claim_is_409(api):
    claim = created()
    assert call("POST", f"/v1/claims/{claim['claim_id']}/dispute/resolve", TENANT_A, {"outcome": "rejected"}).status == 409


def test_an_arrangement_must_sum_to_the_outstanding_amount(api):
    claim = created()
    path = f"/v1/claims/{claim['claim_id']}/arrangement"
    short = call("POST", path, TENANT_A, {"instalments": [{"due_date": "2025-07-01", "amount": "200.00"}]})
    assert short.status == 422 and short.body["error"]["details"][0]["field"] == "instalments"
    past = call("POST", path, TENANT_A, {"instalments": [{"due_date": "2025-01-01", "amount": "425.00"}]})
    assert past.status == 422
    # the instalments cover what is owed today: the principal and the interest accrued since the due date
    owed = Decimal(call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body["amounts"]["outstanding"])
    assert owed > Decimal("425.00")
    agreed = call("POST", path, TENANT_A, {"instalments": [{"due_date": "2025-07-01", "amount": "200.00"},
                                                           {"due_date": "2025-08-01", "amount": str(owed - 200)}]})
    assert agreed.status == 201
    assert agreed.body["status"] == "arrangement"
    assert any(e["type"] == "arrangement_agreed" for e in agreed.body["timeline"])


def test_a_bailiff_update_needs_a_claim_with_the_bailiff(api):
    claim = created()
    answer = call("POST", f"/v1/claims/{claim['claim_id']}/bailiff", TENANT_A, {"update": "served"})
    assert answer.status == 409


def test_bailiff_updates_move_the_stage_and_close_an_uncollectible_claim(api):
    # given a claim handed to the bailiff (as the escalation's bailiff step leaves it)
    from incasso.services import wiring

    claim_id = created()["claim_id"]
    store = wiring.claims_store()
    current = store.get_claim(TENANT_A, claim_id)
    from incasso.domain.models import ClaimStatus, Stage

    store.save_claim(current.model_copy(update={"stage": Stage.BAILIFF_FILING, "status": ClaimStatus.IN_COLLECTION,
                                                "step_dates": {"bailiff_filing": dt.date(2025, 6, 1)},
                                                "waiting_for": "bailiff", "next_action_on": None}),
                     expected_version=current.version, ledger=[], timeline=[])
    # when the bailiff reports service, then that nothing can be collected
    served = call("POST", f"/v1/claims/{claim_id}/bailiff", TENANT_A, {"update": "served", "note": "betekend"})
    gone = call("POST", f"/v1/claims/{claim_id}/bailiff", TENANT_A, {"update": "uncollectible"})
    # then the stage follows and the claim is closed as uncollectible; no run is needed for it
    assert (served.status, served.body["stage"]) == (200, "served")
    assert any(e["type"] == "bailiff_served" and e["note"] == "betekend" for e in served.body["timeline"])
    assert gone.body["status"] == "uncollectible"
    assert api.started == []
    assert "task_token" not in gone.body and "waiting_for" not in gone.body and "version" not in gone.body and "tenant_id" not in gone.body


@pytest.mark.parametrize("claim_id", ["x" * 65, "a%2Fb", "clm_1#x", "..", "ACME#CLAIM"])
def test_odd_claim_ids_are_simply_not_found(api, claim_id):
    assert call("GET", f"/v1/claims/{claim_id}", TENANT_A).status == 404


def test_a_refused_request_is_not_remembered_under_its_idempotency_key(api):
    # given invoice F-1 exists
    created(invoice_number="F-1")
    # when it is posted again with a key, then retried with that key
    first = call("POST", "/v1/claims", TENANT_A, claim_body("F-1"), headers={"Idempotency-Key": "dup"})
    retry = call("POST", "/v1/claims", TENANT_A, claim_body("F-1"), headers={"Idempotency-Key": "dup"})
    # then both are the 409 of the duplicate (a failure is not stored as the answer)
    assert (first.status, retry.status) == (409, 409)
