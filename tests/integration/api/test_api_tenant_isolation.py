"""Tenant B against tenant A's resources: every route answers 404, exactly like a missing resource,
and nothing of A's changes."""

import json

import pytest

from api_support import TENANT_A, TENANT_B, call, claim_body

ATTEMPTS = [
    ("GET", "/v1/claims/{claim}", None),
    ("POST", "/v1/claims/{claim}/payments", {"amount": "1.00", "paid_at": "2025-05-01"}),
    ("POST", "/v1/claims/{claim}/dispute", {"reason": "not mine"}),
    ("POST", "/v1/claims/{claim}/dispute/resolve", {"outcome": "upheld"}),
    ("POST", "/v1/claims/{claim}/arrangement", {"instalments": [{"due_date": "2025-07-01", "amount": "425.00"}]}),
    ("POST", "/v1/claims/{claim}/bailiff", {"update": "uncollectible"}),
    ("POST", "/v1/claims/{claim}/call", {"outcome": "no_answer"}),
    ("GET", "/v1/imports/{import}", None),
    ("GET", "/v1/webhooks/{webhook}/deliveries", None),
    ("DELETE", "/v1/webhooks/{webhook}", None),
    ("GET", "/v1/bank-statements/{statement}", None),
    ("POST", "/v1/bank-statements/{statement}/entries/ent_x/assign", {"claim_id": "clm_x"}),
    ("GET", "/v1/claims/{claim}/preview/reminder_1", None),
    ("GET", "/v1/claims/{claim}/messages", None),
    ("GET", "/v1/claims/{claim}/documents/reminder_2.pdf", None),
    ("PUT", "/v1/tenant/users/{user}", {"role": "viewer"}),
    ("DELETE", "/v1/tenant/users/{user}", None),
    ("DELETE", "/v1/tenant/clients/{client}", None),
    ("POST", "/v1/debtors/{debtor}/payments", {"amount": "1.00", "paid_at": "2025-05-01"}),
    ("GET", "/v1/debtors/{debtor}", None),
    ("GET", "/v1/debtors/{debtor}/credit", None),
    ("PATCH", "/v1/debtors/{debtor}", {"name": "Not Jan", "type": "business"}),
    ("GET", "/v1/debtors/{debtor}/export", None),
    ("POST", "/v1/debtors/{debtor}/erase", None),
]
DEBTOR = "K-1001"
MISSING_DEBTOR = "K-0000"



@pytest.fixture
def tenant_a_resources(api):
    body = claim_body()
    claim = call("POST", "/v1/claims", TENANT_A, {**body, "debtor": {**body["debtor"], "reference": DEBTOR}}).body
    imported = call("POST", "/v1/imports", TENANT_A, {"filename": "facturen.csv"}).body
    webhook = call("POST", "/v1/webhooks", TENANT_A, {"url": "https://hooks.example.com/acme"}).body
    statement = call("POST", "/v1/bank-statements", TENANT_A, {"filename": "juni.xml"}).body
    user = call("POST", "/v1/tenant/users", TENANT_A, {"email": "piet@acme.example", "role": "clerk"}).body
    client = call("POST", "/v1/tenant/clients", TENANT_A, {"name": "ERP"}).body
    return {"claim": claim["claim_id"], "import": imported["import_id"], "webhook": webhook["webhook_id"],
            "statement": statement["statement_id"], "user": user["user_id"], "client": client["client_id"],
            "debtor": DEBTOR}


def body_name() -> str:
    return claim_body()["debtor"]["name"]


@pytest.mark.parametrize("method,template,body", ATTEMPTS)
def test_another_tenants_resource_is_404_like_a_missing_one(tenant_a_resources, method, template, body):
    # given tenant A's claim and import
    path = template.format(**tenant_a_resources)
    missing = template.format(claim="clm_00000000000000000000", webhook="wh_00000000000000000000",
                              statement="stm_00000000000000000000", user="usr_00000000000000000000",
                              client="cli.acme.00000000000000000000000000000000", debtor=MISSING_DEBTOR,
                              **{"import": "imp_00000000000000000000"})
    # when tenant B tries the route on A's resource, and on one that does not exist
    theirs = call(method, path, TENANT_B, body)
    nothing = call(method, missing, TENANT_B, body)
    # then both are the same 404 (the same answer, but for the id it names)
    assert (theirs.status, nothing.status) == (404, 404)
    def anonymous(body, *ids):
        text = json.dumps(body)
        for resource_id in ids:
            text = text.replace(resource_id, "ID")
        return text
    assert anonymous(theirs.body, *tenant_a_resources.values()) == \
        anonymous(nothing.body, "clm_00000000000000000000", "imp_00000000000000000000", "wh_00000000000000000000",
                  "stm_00000000000000000000", "usr_00000000000000000000", "cli.acme.00000000000000000000000000000000",
                  MISSING_DEBTOR)
    # and A's resources are untouched
    claim = call("GET", f"/v1/claims/{tenant_a_resources['claim']}", TENANT_A).body
    assert claim["status"] == "open" and claim["amounts"]["paid"] == "0.00"
    assert claim["debtor"]["name"] == body_name() and claim["debtor"]["type"] == "consumer"
    assert [w["webhook_id"] for w in call("GET", "/v1/webhooks", TENANT_A).body["items"]] == [
        tenant_a_resources["webhook"]]
    assert [(u["user_id"], u["role"]) for u in call("GET", "/v1/tenant/users", TENANT_A).body["items"]] == [
        (tenant_a_resources["user"], "clerk")]


def test_lists_and_reports_show_only_the_callers_claims(tenant_a_resources):
    # given A has a claim and B has none
    # when B lists and summarizes
    listed = call("GET", "/v1/claims", TENANT_B).body
    summary = call("GET", "/v1/reports/summary", TENANT_B).body
    debtors = call("GET", "/v1/debtors", TENANT_B).body
    # then B sees nothing of A
    assert listed == {"items": [], "next_token": None} and debtors == {"items": [], "next_token": None}
    assert [d["reference"] for d in call("GET", "/v1/debtors", TENANT_A).body["items"]] == [DEBTOR]
    assert summary["claims"] == 0 and summary["principal"] == "0.00"


def test_a_page_token_of_one_tenant_is_useless_to_another(api):
    for n in range(3):
        call("POST", "/v1/claims", TENANT_A, claim_body(f"F-{n}"))
    token = call("GET", "/v1/claims", TENANT_A, query={"limit": "1"}).body["next_token"]
    assert token
    stolen = call("GET", "/v1/claims", TENANT_B, query={"next_token": token})
    # then B gets nothing of A's: an invalid token, or B's own (empty) list
    assert stolen.status in (200, 422)
    if stolen.status == 200:
        assert stolen.body["items"] == []


def test_the_tenant_in_a_body_or_query_is_not_obeyed(api):
    answer = call("POST", "/v1/claims", TENANT_B, {**claim_body(), "tenant_id": TENANT_A})
    assert answer.status == 422
    listed = call("GET", "/v1/claims", TENANT_B, query={"tenant_id": TENANT_A})
    assert listed.status == 200 and listed.body["items"] == []
