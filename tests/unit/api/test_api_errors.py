"""Error answers of the API that need no data: authentication, routing, malformed and invalid bodies.

Each is the contract's JSON shape {"error": {"code", "message", "details"}}; none is a 500.
"""

import json

import pytest

from incasso.api.app import handle
from incasso.api.proxy import proxy_event

VALID_CLAIM = {
    "invoice_number": "F-1",
    "debtor": {"name": "Jan", "type": "consumer"},
    "principal": "425.00",
    "invoice_date": "2025-01-01",
    "due_date": "2025-01-31",
}


def call(method, path, **kwargs):
    response = handle(proxy_event(method, path, **kwargs), None)
    body = json.loads(response["body"])
    return response["statusCode"], body, response


def fields(body):
    return {detail["field"] for detail in body["error"]["details"]}


@pytest.mark.parametrize("method,path", [
    ("GET", "/v1/claims"), ("POST", "/v1/claims"), ("GET", "/v1/claims/clm_1"),
    ("POST", "/v1/claims/clm_1/payments"), ("POST", "/v1/imports"), ("GET", "/v1/reports/summary"),
    ("GET", "/v1/unknown"),
])
def test_without_authorizer_claims_every_request_is_401(method, path):
    # given a request without a (valid) token, even with a body that is not valid
    status, body, response = call(method, path, body="{not json")
    # then 401 in the contract's error shape, before routing or validation
    assert status == 401
    assert body["error"]["code"] == "unauthorized"
    assert response["multiValueHeaders"]["WWW-Authenticate"] == ["Bearer"]


def test_a_tenant_claim_that_is_not_a_tenant_id_is_401():
    event = proxy_event("GET", "/v1/claims", tenant_id="acme")
    event["requestContext"]["authorizer"]["claims"]["custom:tenant_id"] = "acme#CLAIM#x"
    assert handle(event, None)["statusCode"] == 401


def test_an_unknown_route_is_404_json():
    status, body, _ = call("GET", "/v1/nothing-here", tenant_id="acme")
    assert status == 404
    assert body == {"error": {"code": "not_found", "message": "no such resource", "details": []}}


def test_a_wrong_method_is_405_json_with_allow():
    status, body, response = call("DELETE", "/v1/claims", tenant_id="acme")
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"
    assert response["multiValueHeaders"]["Allow"] == ["GET, POST"]


@pytest.mark.parametrize("raw", ["{not json", "", "[1, 2", "null", "[]", "\"text\"", "1"])
def test_a_body_that_is_not_a_json_object_is_422(raw):
    status, body, _ = call("POST", "/v1/claims", tenant_id="acme", body=raw or None)
    assert status == 422
    assert body["error"]["code"] == "validation_error"
    assert body["error"]["details"]


def test_a_body_that_cannot_be_decoded_is_422():
    # given bytes that are not UTF-8, and JSON nested too deep for any parser
    for raw in (b"\xff\xfe\x00", "[" * 100_000):
        status, body, _ = call("POST", "/v1/claims", tenant_id="acme", body=raw)
        assert status == 422
        assert fields(body) == {"body"}


def test_an_invalid_claim_names_every_field_at_fault():
    # given a claim with a wrong debtor type, a float amount and no dates
    bad = {"invoice_number": "F-1", "debtor": {"name": "Jan", "type": "robot"}, "principal": 10.5}
    # when it is posted
    status, body, _ = call("POST", "/v1/claims", tenant_id="acme", body=json.dumps(bad))
    # then 422 names each field, dotted, with a reason a person can read
    assert status == 422
    assert fields(body) == {"debtor.type", "principal", "invoice_date", "due_date"}
    principal = next(d for d in body["error"]["details"] if d["field"] == "principal")
    assert "not floating point" in principal["message"]


@pytest.mark.parametrize("change,field", [
    ({"principal": 100.0}, "principal"),
    ({"principal": "1.005"}, "principal"),
    ({"principal": "-5.00"}, "principal"),
    ({"principal": "0"}, "principal"),
    ({"principal": "NaN"}, "principal"),
    ({"principal": True}, "principal"),
    ({"currency": "USD"}, "currency"),
    ({"due_date": "2024-12-01"}, "due_date"),  # before the invoice date
    ({"invoice_date": "31-01-2025"}, "invoice_date"),
    ({"invoice_number": ""}, "invoice_number"),
    ({"invoice_number": "a#b"}, "invoice_number"),
    ({"debtor": {"name": "Jan", "type": "consumer", "email": "no"}}, "debtor.email"),
    ({"debtor": {"name": "Jan", "type": "consumer", "language": "de"}}, "debtor.language"),
    ({"debtor": {"name": "Jan", "type": "consumer", "address": {"street": "x"}}}, "debtor.address.postal_code"),
    ({"tenant_id": "other"}, "tenant_id"),
])
def test_each_bad_claim_field_is_422_for_that_field(change, field):
    status, body, _ = call("POST", "/v1/claims", tenant_id="acme", body=json.dumps({**VALID_CLAIM, **change}))
    assert status == 422
    assert field in fields(body)


def test_query_parameters_are_validated():
    for query, field in (({"limit": "abc"}, "limit"), ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"),
                         ({"status": "lost"}, "status")):
        status, body, _ = call("GET", "/v1/claims", tenant_id="acme", query=query)
        assert status == 422, query
        assert fields(body) == {field}


def test_a_non_json_content_type_is_415():
    status, body, _ = call("POST", "/v1/claims", tenant_id="acme", body="x", headers={"content-type": "text/csv"})
    assert status == 415
    assert body["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("path,payload,field", [
    ("/v1/claims/clm_1/payments", {"amount": 12.5, "paid_at": "2025-02-01"}, "amount"),
    ("/v1/claims/clm_1/payments", {"amount": "12.50"}, "paid_at"),
    ("/v1/claims/clm_1/dispute", {"reason": ""}, "reason"),
    ("/v1/claims/clm_1/dispute/resolve", {"outcome": "maybe"}, "outcome"),
    ("/v1/claims/clm_1/arrangement", {"instalments": []}, "instalments"),
    ("/v1/claims/clm_1/arrangement", {"instalments": [{"due_date": "2025-03-01", "amount": 1.5}]}, "instalments.0.amount"),
    ("/v1/claims/clm_1/bailiff", {"update": "arrested"}, "update"),
    ("/v1/imports", {"filename": "../../etc/passwd"}, "filename"),
    ("/v1/imports", {}, "filename"),
])
def test_every_body_is_validated_before_anything_happens(path, payload, field):
    status, body, _ = call("POST", path, tenant_id="acme", body=json.dumps(payload))
    assert status == 422
    assert field in fields(body)


def test_an_idempotency_key_must_be_visible_ascii():
    status, body, _ = call("POST", "/v1/claims", tenant_id="acme", body=json.dumps(VALID_CLAIM),
                           headers={"Idempotency-Key": "x" * 300})
    assert status == 422
    assert "Idempotency-Key" in fields(body)


def test_an_unexpected_failure_is_500_json_without_internals(monkeypatch):
    # given a service that fails in a way nobody planned for
    from incasso.services import wiring

    def broken():
        raise RuntimeError("connection to table incasso-claims at 10.0.0.7 refused")

    monkeypatch.setattr(wiring, "claim_service", broken)
    # when a valid request reaches it
    status, body, _ = call("GET", "/v1/claims/clm_1", tenant_id="acme")
    # then 500 in the contract's shape, telling nothing of the inside
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "10.0.0.7" not in json.dumps(body) and "incasso-claims" not in json.dumps(body)
