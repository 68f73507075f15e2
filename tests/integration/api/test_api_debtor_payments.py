"""POST /v1/debtors/{reference}/payments on moto: a payment naming the debtor is divided over its open
invoices in the order of art. 6:43 BW, each part booked on its claim (art. 6:44 BW within it)."""

from api_support import TENANT_A, TENANT_B, call, claim_body


def claim_of(reference: str, number: str, principal: str, due: str, tenant: str = TENANT_A) -> dict:
    body = claim_body(number, principal, invoice_date="2025-03-01", due_date=due)
    body["debtor"] = {**body["debtor"], "reference": reference}
    answer = call("POST", "/v1/claims", tenant, body)
    assert answer.status == 201, answer.body
    return answer.body


def test_art_6_43_a_debtor_payment_settles_the_oldest_invoices_and_part_of_the_next(api):
    # given three invoices of customer K-1, due on three different days
    oldest = claim_of("K-1", "F-1", "100.00", "2025-04-01")
    middle = claim_of("K-1", "F-2", "200.00", "2025-04-15")
    newest = claim_of("K-1", "F-3", "300.00", "2025-05-01")
    # when 400.00 is paid naming only the customer, dated on the first due date (no interest has run yet)
    answer = call("POST", "/v1/debtors/K-1/payments", TENANT_A, {"amount": "400.00", "paid_at": "2025-04-01"},
                  headers={"Idempotency-Key": "bank-2025-04-01-1"})
    # then the invoices are paid oldest first: the first two in full, 100.00 of the third
    assert answer.status == 201, answer.body
    paid = [(i["invoice_number"], i["amount"]) for i in answer.body["invoices"]]
    assert paid == [("F-1", "100.00"), ("F-2", "200.00"), ("F-3", "100.00")]
    assert answer.body["invoices"][0]["claim"]["status"] == "paid"
    assert answer.body["invoices"][2]["claim"]["amounts"]["outstanding"] == "200.00"
    # when the same request is retried / then nothing more is booked and the answer is the same division
    again = call("POST", "/v1/debtors/K-1/payments", TENANT_A, {"amount": "400.00", "paid_at": "2025-04-01"},
                 headers={"Idempotency-Key": "bank-2025-04-01-1"})
    assert again.status == 201 and [(i["invoice_number"], i["amount"]) for i in again.body["invoices"]] == paid
    assert call("GET", f"/v1/claims/{newest['claim_id']}", TENANT_A).body["amounts"]["paid"] == "100.00"
    assert (oldest["claim_id"], middle["claim_id"]) == tuple(i["claim_id"] for i in answer.body["invoices"][:2])


def test_more_than_the_debtor_owes_is_422_and_nothing_is_booked(api):
    claim = claim_of("K-2", "G-1", "100.00", "2025-04-01")
    answer = call("POST", "/v1/debtors/K-2/payments", TENANT_A, {"amount": "1000.00", "paid_at": "2025-04-01"})
    assert answer.status == 422 and answer.body["error"]["details"][0]["field"] == "amount"
    assert call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body["amounts"]["paid"] == "0.00"


def test_an_unknown_debtor_or_another_tenants_is_404(api):
    claim_of("K-3", "H-1", "100.00", "2025-04-01", tenant=TENANT_B)
    for reference in ("K-3", "K-unknown"):
        answer = call("POST", f"/v1/debtors/{reference}/payments", TENANT_A, {"amount": "10.00", "paid_at": "2025-04-01"})
        assert answer.status == 404
