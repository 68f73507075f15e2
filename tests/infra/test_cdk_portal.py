"""The debtor's portal in the template (CONTRACT.md §8): its routes are public and go to the portal
function, the tenant routes keep the Cognito authorizer, the WAF rate-limits the portal's paths per IP, and
the portal function reads the payment provider's key from a secret."""

from __future__ import annotations

import pytest
from conftest import refs
from test_cdk_api import _methods

from infra.cdk.portal import PORTAL_REQUESTS_PER_IP_PER_5_MINUTES
from infra.topology import TOPOLOGY

pytestmark = pytest.mark.xdist_group("cdk")


def test_portal_routes_have_no_authorizer_and_tenant_routes_keep_theirs(synthesized):
    # Given every method but the CORS preflights
    portal = synthesized.logical_id(synthesized.stack.functions.functions["portal"])
    methods = {(verb, path): properties for verb, path, properties in _methods(synthesized) if verb != "OPTIONS"}
    public = {(route.method, route.path) for route in TOPOLOGY.api_routes if route.public}
    # Then the portal's routes (and only they) are public and proxied to the portal function
    assert public >= {("GET", "/p/{token}"), ("POST", "/p/{token}/pay"), ("POST", "/p/webhooks/payments")}
    for key, properties in methods.items():
        if key in public:
            assert properties["AuthorizationType"] == "NONE", key
            assert "AuthorizerId" not in properties, key
            assert portal in refs(properties["Integration"]["Uri"]), key
        else:
            assert properties["AuthorizationType"] == "COGNITO_USER_POOLS", key
            assert key[1].startswith("/v1/"), key


def test_the_firewall_rate_limits_the_portal_per_ip(synthesized):
    (acl,) = synthesized.of_type("AWS::WAFv2::WebACL").values()
    (rule,) = [r for r in acl["Properties"]["Rules"] if r["Name"] == "PortalRequestsPerIp"]
    statement = rule["Statement"]["RateBasedStatement"]
    assert statement["Limit"] == PORTAL_REQUESTS_PER_IP_PER_5_MINUTES and statement["AggregateKeyType"] == "IP"
    assert statement["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"] == "/p/"
    assert "Block" in rule["Action"]


def test_the_portal_function_reads_the_provider_key_from_a_secret(synthesized):
    portal = synthesized.resources[synthesized.logical_id(synthesized.stack.functions.functions["portal"])]
    variables = portal["Properties"]["Environment"]["Variables"]
    assert "INCASSO_PAYMENT_API_KEY_SECRET" in variables
    assert "INCASSO_PAYMENT_API_KEY" not in variables
    assert synthesized.of_type("AWS::SecretsManager::Secret")
