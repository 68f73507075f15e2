"""Machine credentials through the API (CONTRACT.md §7): a manager creates, lists and revokes them; the
secret is shown once; a revoked client's token is refused on the next request; on AWS each is a Cognito
app client with the client-credentials grant (moto's cognito-idp here)."""

from __future__ import annotations

import pytest

from api_support import TENANT_A, TENANT_B, call, setup_client
from incasso.adapters.aws import reset_clients
from incasso.api.app import handle
from incasso.api.proxy import proxy_event
from incasso.services import wiring
from incasso.settings import reset_settings


def as_client(method: str, path: str, client_id: str, role: str = "clerk", tenant_id: str = TENANT_A) -> int:
    """A request carrying a machine client's access token, as the authorizer passes its claims on."""
    return int(handle(proxy_event(method, path, tenant_id=tenant_id, role=role, client_id=client_id), None)["statusCode"])


def test_a_manager_creates_lists_and_revokes_a_client_and_the_secret_is_shown_once(api):
    # when acme's manager creates a client
    created = call("POST", "/v1/tenant/clients", TENANT_A, {"name": "Exact Online", "role": "clerk"})
    # then the answer holds the secret (not to be cached), the list never does
    assert created.status == 201, created.body
    assert created.body["client_secret"] and created.headers["Cache-Control"] == ["no-store"]
    listed = call("GET", "/v1/tenant/clients", TENANT_A).body["items"]
    assert [c["client_id"] for c in listed] == [created.body["client_id"]]
    assert "client_secret" not in listed[0] and "secret_hash" not in listed[0]
    # and another tenant sees none of it and cannot revoke it
    assert call("GET", "/v1/tenant/clients", TENANT_B).body["items"] == []
    assert call("DELETE", f"/v1/tenant/clients/{created.body['client_id']}", TENANT_B).status == 404
    # when acme revokes it / then it is listed as revoked
    assert call("DELETE", f"/v1/tenant/clients/{created.body['client_id']}", TENANT_A).status == 204
    assert call("GET", "/v1/tenant/clients", TENANT_A).body["items"][0]["revoked_at"] is not None


def test_a_revoked_clients_token_is_refused_on_the_next_request(api):
    # given a clerk client whose token works
    client_id = call("POST", "/v1/tenant/clients", TENANT_A, {"name": "ERP"}).body["client_id"]
    assert as_client("GET", "/v1/claims", client_id) == 200
    # when it is revoked / then the same token is 401, as if it had none
    assert call("DELETE", f"/v1/tenant/clients/{client_id}", TENANT_A).status == 204
    assert as_client("GET", "/v1/claims", client_id) == 401


def test_a_token_naming_a_client_of_another_tenant_is_refused(api):
    # given acme's client; when a token claims it for globex / then it is no client of globex's: 401
    client_id = call("POST", "/v1/tenant/clients", TENANT_A, {"name": "ERP"}).body["client_id"]
    assert as_client("GET", "/v1/claims", client_id, tenant_id=TENANT_B) == 401


def test_a_client_acts_with_its_role_and_never_manages_the_account(api):
    client_id = call("POST", "/v1/tenant/clients", TENANT_A, {"name": "BI", "role": "viewer"}).body["client_id"]
    assert as_client("GET", "/v1/claims", client_id, role="viewer") == 200
    assert as_client("POST", "/v1/tenant/clients", client_id, role="viewer") == 403


@pytest.mark.parametrize("body, field", [
    ({"name": "ERP", "role": "manager"}, "role"),
    ({"name": "", "role": "clerk"}, "name"),
    ({"name": "x" * 65}, "name"),
    ({"name": "ERP", "tenant_id": "globex"}, "tenant_id"),
])
def test_bad_input_is_422_naming_the_field(api, body, field):
    answer = call("POST", "/v1/tenant/clients", TENANT_A, body)
    assert answer.status == 422 and any(field in d["field"] for d in answer.body["error"]["details"]), answer.body


@pytest.mark.parametrize("role", ["viewer", "clerk"])
def test_only_a_manager_manages_credentials(api, role):
    assert call("POST", "/v1/tenant/clients", TENANT_A, {"name": "ERP"}, role=role).status == 403
    assert call("GET", "/v1/tenant/clients", TENANT_A, role=role).status == 403


@pytest.fixture
def user_pool(api, monkeypatch):
    cognito = setup_client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="incasso-users")["UserPool"]["Id"]
    cognito.create_resource_server(UserPoolId=pool, Identifier="incasso", Name="incasso API",
                                   Scopes=[{"ScopeName": "api", "ScopeDescription": "the tenant API"}])
    monkeypatch.setenv("USER_POOL_ID", pool)
    reset_settings()
    reset_clients()
    wiring.reset()
    return pool


def test_on_aws_a_client_is_a_cognito_app_client_with_the_client_credentials_grant(user_pool):
    # when acme's manager creates a clerk client
    created = call("POST", "/v1/tenant/clients", TENANT_A, {"name": "Exact Online", "role": "clerk"})
    assert created.status == 201, created.body
    # then Cognito holds an app client with a secret, the grant and the scope, its name binding it to acme
    app = setup_client("cognito-idp").describe_user_pool_client(
        UserPoolId=user_pool, ClientId=created.body["client_id"])["UserPoolClient"]
    assert app["ClientSecret"] == created.body["client_secret"]
    assert app["AllowedOAuthFlows"] == ["client_credentials"] and app["AllowedOAuthScopes"] == ["incasso/api"]
    assert app["ClientName"] == "incasso:acme:clerk:Exact Online"
    # and incasso keeps no secret of its own
    assert wiring.api_client_service().list(TENANT_A)[0].secret_hash is None
    # when it is revoked / then the app client is gone
    assert call("DELETE", f"/v1/tenant/clients/{created.body['client_id']}", TENANT_A).status == 204
    clients = setup_client("cognito-idp").list_user_pool_clients(UserPoolId=user_pool, MaxResults=60)
    assert clients["UserPoolClients"] == []
