"""The pre-token-generation trigger: the tenant in every access token, from the user's attributes or the
machine client's binding, never from the request."""

import pytest

from incasso.api.token_claims import UnboundClientError, add_tenant_claims
from incasso.domain.api_clients import client_name


def added(event: dict) -> dict:
    return event["response"]["claimsAndScopeOverrideDetails"]["accessTokenGeneration"]["claimsToAddOrOverride"]


def test_a_machine_client_gets_the_tenant_and_role_it_was_created_with():
    # given an app client that acme's manager created as a viewer
    names = {("eu-west-1_pool", "abc123"): client_name("acme", "viewer", "Power BI")}
    event = {"triggerSource": "TokenGeneration_ClientCredentials", "userPoolId": "eu-west-1_pool",
             "callerContext": {"clientId": "abc123"}, "request": {"userAttributes": {}, "scopes": ["incasso/api"]},
             "response": {}}
    # when Cognito asks before issuing its token / then the token carries acme and viewer
    assert added(add_tenant_claims(event, lambda pool, cid: names[(pool, cid)])) == {
        "custom:tenant_id": "acme", "custom:role": "viewer"}


def test_an_app_client_no_tenant_created_gets_no_token():
    event = {"triggerSource": "TokenGeneration_ClientCredentials", "userPoolId": "p",
             "callerContext": {"clientId": "x"}, "request": {}, "response": {}}
    with pytest.raises(UnboundClientError):
        add_tenant_claims(event, lambda pool, cid: "someone-elses-app")


def test_a_persons_access_token_carries_the_tenant_of_their_attributes():
    event = {"triggerSource": "TokenGeneration_Authentication", "userPoolId": "p", "callerContext": {"clientId": "spa"},
             "request": {"userAttributes": {"custom:tenant_id": "acme", "custom:role": "clerk", "email": "a@b.nl"}},
             "response": {}}
    assert added(add_tenant_claims(event, lambda pool, cid: "")) == {"custom:tenant_id": "acme", "custom:role": "clerk"}
