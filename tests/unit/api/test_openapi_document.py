"""docs/openapi.json is generated from the code and kept current."""

import json
from pathlib import Path

from incasso.api.openapi import openapi_document

DOCUMENT = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_the_committed_openapi_document_is_current():
    # when the document is generated from the routes and models
    generated = openapi_document()
    # then it is what is committed (regenerate: python -m incasso.api.openapi > docs/openapi.json)
    assert DOCUMENT.read_text() == generated


def test_the_document_covers_every_route_of_the_contract():
    paths = json.loads(openapi_document())["paths"]
    expected = {
        ("post", "/v1/claims"), ("get", "/v1/claims"), ("get", "/v1/claims/{claim_id}"),
        ("post", "/v1/claims/{claim_id}/payments"), ("post", "/v1/claims/{claim_id}/dispute"),
        ("post", "/v1/claims/{claim_id}/dispute/resolve"), ("post", "/v1/claims/{claim_id}/arrangement"),
        ("post", "/v1/claims/{claim_id}/arrangement/refuse"),
        ("post", "/v1/claims/{claim_id}/bailiff"), ("get", "/v1/calls"), ("post", "/v1/claims/{claim_id}/call"),
        ("post", "/v1/imports"), ("get", "/v1/imports/{import_id}"),
        ("get", "/v1/reports/summary"), ("get", "/v1/reports/history"),
        ("get", "/v1/tenant"), ("put", "/v1/tenant/profile"), ("put", "/v1/tenant/policy"),
        ("post", "/v1/webhooks"), ("get", "/v1/webhooks"), ("delete", "/v1/webhooks/{webhook_id}"),
        ("get", "/v1/webhooks/{webhook_id}/deliveries"),
        ("get", "/v1/debtors/{reference}/export"), ("post", "/v1/debtors/{reference}/erase"),
        ("post", "/v1/debtors/{reference}/payments"),
        ("get", "/v1/debtors"), ("get", "/v1/debtors/{reference}"), ("patch", "/v1/debtors/{reference}"),
        ("get", "/v1/debtors/{reference}/credit"),
        ("post", "/v1/claims/{claim_id}/legal/approve"), ("post", "/v1/claims/{claim_id}/legal/decline"),
        ("post", "/v1/bank-statements"), ("get", "/v1/bank-statements/unmatched"),
        ("get", "/v1/bank-statements/{statement_id}"),
        ("post", "/v1/bank-statements/{statement_id}/entries/{entry_id}/assign"),
        ("post", "/v1/claims/{claim_id}/portal/revoke"),
        ("get", "/v1/claims/{claim_id}/preview/{kind}"), ("get", "/v1/claims/{claim_id}/messages"),
        ("get", "/v1/claims/{claim_id}/documents/{name}"),
        ("post", "/v1/tenant/users"), ("get", "/v1/tenant/users"), ("put", "/v1/tenant/users/{user_id}"),
        ("delete", "/v1/tenant/users/{user_id}"),
        ("post", "/v1/tenant/clients"), ("get", "/v1/tenant/clients"), ("delete", "/v1/tenant/clients/{client_id}"),
    }
    assert {(m, p) for p, ops in paths.items() for m in ops} == expected
    # amounts are documented as strings, errors in the contract's shape
    schemas = json.loads(openapi_document())["components"]["schemas"]
    assert schemas["AmountsOut"]["properties"]["outstanding"]["type"] == "string"
    assert set(schemas["ErrorInfo"]["properties"]) == {"code", "message", "details"}
    assert paths["/v1/claims"]["post"]["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
