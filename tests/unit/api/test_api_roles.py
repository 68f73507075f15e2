"""Roles (CONTRACT.md §7): viewer reads, clerk also works claims, manager also the account."""

from __future__ import annotations

import datetime as dt

import pytest

from incasso.api.auth import local_token_identity, mint_local_token, role_from_event
from incasso.api.proxy import proxy_event
from incasso.api.roles import allows, required_role

SECRET = "s3cret"
NOW = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("method, path, needed", [
    ("GET", "/v1/claims", "viewer"), ("GET", "/v1/claims/clm_1", "viewer"), ("GET", "/v1/tenant", "viewer"),
    ("POST", "/v1/claims", "clerk"), ("POST", "/v1/claims/clm_1/payments", "clerk"),
    ("POST", "/v1/imports", "clerk"), ("POST", "/v1/claims/clm_1/dispute", "clerk"),
    ("PUT", "/v1/tenant/profile", "manager"), ("PUT", "/v1/tenant/policy", "manager"),
    ("GET", "/v1/webhooks", "manager"), ("POST", "/v1/webhooks", "manager"),
    ("DELETE", "/v1/webhooks/wh_1", "manager"), ("POST", "/v1/claims/clm_1/legal/approve", "manager"),
    ("GET", "/v1/tenants", "viewer"),  # not the tenant's account: no prefix match on a longer word
    ("POST", "/v1/debtors/K-1/payments", "clerk"), ("GET", "/v1/debtors/K-1/export", "manager"),
    ("POST", "/v1/debtors/K-1/erase", "manager"),
])
def test_each_route_needs_its_role(method, path, needed):
    assert required_role(method, path) == needed


def test_roles_are_ordered():
    assert allows("manager", "clerk") and allows("clerk", "viewer") and allows("viewer", "viewer")
    assert not allows("viewer", "clerk") and not allows("clerk", "manager") and not allows(None, "viewer")


def test_a_token_carries_its_role_and_one_without_acts_as_manager():
    token = mint_local_token("acme", SECRET, now=NOW, role="clerk")
    assert local_token_identity(token, SECRET, now=NOW) == ("acme", "clerk")
    plain = mint_local_token("acme", SECRET, now=NOW)
    assert local_token_identity(plain, SECRET, now=NOW) == ("acme", None)
    assert role_from_event(proxy_event("GET", "/v1/claims", tenant_id="acme")) == "manager"
    assert role_from_event(proxy_event("GET", "/v1/claims", tenant_id="acme", role="viewer")) == "viewer"
    assert role_from_event(proxy_event("GET", "/v1/claims", tenant_id="acme", role="admin")) is None
    with pytest.raises(ValueError):
        mint_local_token("acme", SECRET, now=NOW, role="admin")
