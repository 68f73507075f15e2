"""A tenant's users through the API (CONTRACT.md §7): a manager invites, lists, re-roles and removes its
own users; on AWS each is a Cognito user with the caller's tenant bound (moto's cognito-idp here)."""

from __future__ import annotations

import pytest

from api_support import TENANT_A, TENANT_B, call, setup_client
from incasso.adapters.aws import reset_clients
from incasso.services import wiring
from incasso.settings import reset_settings


@pytest.fixture
def user_pool(api, monkeypatch):
    cognito = setup_client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="incasso-users", UsernameAttributes=["email"], Schema=[
        {"Name": "tenant_id", "AttributeDataType": "String", "Mutable": False},
        {"Name": "role", "AttributeDataType": "String", "Mutable": True}])["UserPool"]["Id"]
    monkeypatch.setenv("USER_POOL_ID", pool)
    reset_settings()
    reset_clients()
    wiring.reset()
    return pool


def attributes(pool: str, username: str) -> dict[str, str]:
    user = setup_client("cognito-idp").admin_get_user(UserPoolId=pool, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def test_locally_a_manager_invites_lists_re_roles_and_removes_a_user(api):
    # When a manager invites a clerk
    invited = call("POST", "/v1/tenant/users", TENANT_A, {"email": "Piet@Acme.example", "role": "clerk"})
    # Then the user is recorded for the caller's tenant
    assert invited.status == 201, invited.body
    user_id = invited.body["user_id"]
    assert (invited.body["email"], invited.body["role"]) == ("piet@acme.example", "clerk")
    assert [u["user_id"] for u in call("GET", "/v1/tenant/users", TENANT_A).body["items"]] == [user_id]
    assert call("GET", "/v1/tenant/users", TENANT_B).body["items"] == []
    # And the same address again is a conflict
    assert call("POST", "/v1/tenant/users", TENANT_A, {"email": "piet@acme.example", "role": "viewer"}).status == 409
    # When the role changes and the user is removed
    changed = call("PUT", f"/v1/tenant/users/{user_id}", TENANT_A, {"role": "manager"})
    assert changed.status == 200 and changed.body["role"] == "manager"
    assert call("DELETE", f"/v1/tenant/users/{user_id}", TENANT_A).status == 204
    # Then it is gone
    assert call("GET", "/v1/tenant/users", TENANT_A).body["items"] == []
    assert call("DELETE", f"/v1/tenant/users/{user_id}", TENANT_A).status == 404


def test_on_aws_an_invited_user_is_a_cognito_user_bound_to_the_callers_tenant(user_pool):
    # When acme's manager invites a viewer
    invited = call("POST", "/v1/tenant/users", TENANT_A, {"email": "anna@acme.example", "role": "viewer"})
    assert invited.status == 201, invited.body
    # Then Cognito holds the user with acme's tenant id and the role
    bound = attributes(user_pool, invited.body["user_id"])
    assert (bound["email"], bound["custom:tenant_id"], bound["custom:role"]) == ("anna@acme.example", TENANT_A, "viewer")
    # When the role changes / Then Cognito's custom:role follows
    assert call("PUT", f"/v1/tenant/users/{invited.body['user_id']}", TENANT_A, {"role": "clerk"}).status == 200
    assert attributes(user_pool, invited.body["user_id"])["custom:role"] == "clerk"
    # And an address that is a user already (here of another tenant) is a conflict, creating nothing
    assert call("POST", "/v1/tenant/users", TENANT_B, {"email": "anna@acme.example", "role": "manager"}).status == 409
    assert call("GET", "/v1/tenant/users", TENANT_B).body["items"] == []
    # When the user is removed / Then Cognito no longer has it
    assert call("DELETE", f"/v1/tenant/users/{invited.body['user_id']}", TENANT_A).status == 204
    with pytest.raises(Exception, match="UserNotFound"):
        attributes(user_pool, invited.body["user_id"])


@pytest.mark.parametrize("body, field", [
    ({"email": "not-an-address", "role": "clerk"}, "email"),
    ({"email": "a@acme.example", "role": "owner"}, "role"),
    ({"email": "a@acme.example", "role": "clerk", "tenant_id": "globex"}, "tenant_id"),
])
def test_a_bad_invitation_is_422_naming_the_field_and_the_tenant_is_never_taken_from_the_body(api, body, field):
    answer = call("POST", "/v1/tenant/users", TENANT_A, body)
    assert answer.status == 422, answer.body
    assert field in {d["field"] for d in answer.body["error"]["details"]}


@pytest.mark.parametrize("role", ["viewer", "clerk"])
def test_only_a_manager_may_see_or_invite_users(api, role):
    assert call("POST", "/v1/tenant/users", TENANT_A, {"email": "x@acme.example", "role": "viewer"},
                role=role).status == 403
    assert call("GET", "/v1/tenant/users", TENANT_A, role=role).status == 403
