"""No input makes the API answer 500: every route gets arbitrary JSON bodies, arbitrary text, odd
headers and odd query strings; every answer is below 500 and in the contract's error shape."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import TENANT_A, call, claim_body

ROUTES = [
    ("POST", "/v1/claims"),
    ("GET", "/v1/claims"),
    ("GET", "/v1/claims/{claim}"),
    ("POST", "/v1/claims/{claim}/payments"),
    ("POST", "/v1/claims/{claim}/dispute"),
    ("POST", "/v1/claims/{claim}/dispute/resolve"),
    ("POST", "/v1/claims/{claim}/arrangement"),
    ("POST", "/v1/claims/{claim}/bailiff"),
    ("POST", "/v1/imports"),
    ("GET", "/v1/imports/{import}"),
    ("GET", "/v1/reports/summary"),
]
FIELD_NAMES = ["invoice_number", "debtor", "principal", "currency", "invoice_date", "due_date", "amount", "paid_at",
               "reason", "outcome", "instalments", "update", "note", "filename", "name", "type", "email", "address"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                    st.sampled_from(["425.00", "-1", "1e309", "2025-02-30", "consumer", "upheld", "served", "EUR",
                                     "0.001", "NaN", "Infinity", "\u0000", "../x", "a" * 300]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=6)),
    max_leaves=20)
# Bodies near the valid ones find the deep paths (services, store) as well as the validation.
VALID = [claim_body(), {"amount": "10.00", "paid_at": "2025-05-01"}, {"reason": "not ordered"},
         {"outcome": "rejected"}, {"instalments": [{"due_date": "2025-07-01", "amount": "425.00"}]},
         {"update": "served"}, {"filename": "f.csv"}]
near_valid = st.builds(lambda valid, changes: {**valid, **changes}, st.sampled_from(VALID),
                       st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=2))
bodies = st.one_of(json_values.map(json.dumps), near_valid.map(json.dumps), st.text(max_size=60),
                   st.binary(max_size=40), st.none())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(route=st.sampled_from(ROUTES), body=bodies,
       content_type=st.sampled_from([None, "application/json", "text/plain", "application/x-www-form-urlencoded",
                                     "application/json; charset=latin-1"]),
       query=st.dictionaries(st.sampled_from(["status", "limit", "next_token", "x"]), st.text(max_size=12), max_size=3),
       idempotency_key=st.one_of(st.none(), st.text(max_size=10)),
       path_id=st.one_of(st.just("own"), st.text(min_size=1, max_size=20).filter(lambda s: "/" not in s)))
def test_no_input_answers_500(fuzz_resources, route, body, content_type, query, idempotency_key, path_id):
    method, template = route
    ids = fuzz_resources if path_id == "own" else {"claim": path_id, "import": path_id}
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    answer = call(method, template.format(**ids), TENANT_A, body, headers=headers, query=query)
    assert answer.status < 500, (route, body, answer.body)
    if answer.status >= 400:
        assert set(answer.body) == {"error"} and {"code", "message", "details"} <= set(answer.body["error"])
