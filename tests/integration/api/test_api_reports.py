"""GET /v1/reports/summary on moto: the tenant's claims, paged out of the store, added up."""

from api_support import TENANT_A, call, claim_body


def test_the_summary_adds_up_the_tenants_claims(api):
    # given three claims, one half paid, one paid, and one disputed
    ids = [call("POST", "/v1/claims", TENANT_A, claim_body(f"F-{n}", principal="100.00")).body["claim_id"]
           for n in range(3)]
    call("POST", f"/v1/claims/{ids[0]}/payments", TENANT_A, {"amount": "50.00", "paid_at": "2025-05-01"})
    call("POST", f"/v1/claims/{ids[1]}/payments", TENANT_A, {"amount": "100.00", "paid_at": "2025-05-01"})
    call("POST", f"/v1/claims/{ids[2]}/dispute", TENANT_A, {"reason": "wrong amount"})
    # when the summary is asked for
    answer = call("GET", "/v1/reports/summary", TENANT_A)
    # then counts and amounts per status, collected, outstanding and DSO are there
    assert answer.status == 200
    summary = answer.body
    assert summary["claims"] == 3
    assert summary["by_status"]["open"]["count"] == 1 and summary["by_status"]["paid"]["count"] == 1
    assert summary["by_status"]["paused"]["outstanding"] == "100.00"
    assert summary["by_stage"]["none"]["count"] == 3
    assert summary["collected"] == "150.00"
    assert summary["outstanding"] == "150.00"
    # 150.00 open principal of 300.00 invoiced since 1 April, on 2 June (62 days)
    assert summary["dso"] == 31.0


def test_the_summary_pages_through_more_claims_than_one_page(api):
    # given more claims than one page of the store holds (written in one batch, as an import does)
    from incasso.services.claim_commands import NewClaim
    from incasso.services.wiring import claim_service, claims_store

    service = claim_service()
    claims = [service.build_claim(service.tenant(TENANT_A), NewClaim.model_validate(claim_body(f"F-{n:03}", principal="10.00")))
              for n in range(105)]
    claims_store().create_claims_batch(claims)
    # when summarized / then all of them count
    summary = call("GET", "/v1/reports/summary", TENANT_A).body
    assert summary["claims"] == 105
    assert summary["principal"] == "1050.00"
