"""Every route of the committed OpenAPI document, fuzzed against ``incasso serve`` over HTTP: bodies
generated from the document's own request schemas (``openapi_strategies``), near-valid and hostile
values, path ids that exist and that do not. No answer may be a 5xx, and every error is the contract's
JSON error shape."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openapi_strategies import SchemaStrategies
from tenant_profiles import PROFILE_BODY
from test_serve import Served, call, new_claim, token

DOCUMENT = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
HOSTILE = st.sampled_from(["1e400", "-1E+40", "9" * 400, "２０２５-01-01", "2000-01-01", "\u0000", "\u202e",
                           "", " ", "../../x", "NaN", None, 10 ** 30, -1, True, [], {}])


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation) for path, item in sorted(DOCUMENT["paths"].items())
            for method, operation in sorted(item.items()) if method in ("get", "post", "put", "delete")]


def body_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return None
    return content["schema"]


def mutate(body: Any, data) -> Any:
    """A generated body with, sometimes, one field replaced by something hostile."""
    if isinstance(body, dict) and body and data.draw(st.booleans()):
        field = data.draw(st.sampled_from(sorted(body)))
        return {**body, field: data.draw(HOSTILE)}
    return body


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    served = Served("--start-date", "2026-01-05", tmp_path=tmp_path_factory.mktemp("fuzz"))
    acme = token("acme")
    assert call(served.api, "PUT", "/v1/tenant/profile", PROFILE_BODY, bearer=acme)[0] == 200
    status, claim = call(served.api, "POST", "/v1/claims", new_claim("F-FUZZ", "2025-12-20"), bearer=acme)
    assert status == 201, claim
    yield served, acme, {"claim_id": claim["claim_id"]}
    served.kill()


def send(base: str, method: str, path: str, body: Any, bearer: str) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {bearer}", **({"Content-Type": "application/json"} if data is not None else {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw and response.headers.get_content_type() == "application/json" else raw
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


@pytest.mark.parametrize("method, path, operation", operations(), ids=lambda value: str(value)[:60])
def test_no_route_of_the_openapi_document_answers_5xx(server, method, path, operation):
    served, bearer, own = server
    schema = body_schema(operation)
    bodies = SchemaStrategies(DOCUMENT).for_schema(schema) if schema else st.none()
    ids = st.one_of(st.sampled_from(sorted(own.values())), st.text(
        alphabet=st.characters(min_codepoint=48, max_codepoint=122), min_size=1, max_size=24))

    @settings(max_examples=30 if schema else 10, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.function_scoped_fixture])
    @given(body=bodies, identifier=ids, data=st.data())
    def fuzz(body, identifier, data):
        concrete = path
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            concrete = concrete.replace("{" + name + "}", own.get(name, identifier) if data.draw(st.booleans())
                                        else identifier)
        status, answer = send(served.api, method, concrete, mutate(body, data), bearer)
        # then never a server error, and every error in the contract's shape
        assert status < 500, (method, concrete, body, answer)
        if status >= 400:
            assert isinstance(answer, dict) and set(answer) == {"error"}, answer
            assert {"code", "message", "details"} <= set(answer["error"])

    fuzz()
