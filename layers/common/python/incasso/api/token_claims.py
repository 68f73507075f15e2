"""Cognito's pre-token-generation trigger (V3_0 event): puts the tenant and the role into every access
token, so that the API's authorizer passes them on as ``custom:tenant_id`` and ``custom:role`` whoever
calls (CONTRACT.md §2, §7).

- A person signing in: from the user's attributes, which only an administrator (or the tenant's manager
  through ``POST /v1/tenant/users``) sets.
- A machine client (``TokenGeneration_ClientCredentials``): from the binding its app client's name holds
  (``incasso.domain.api_clients.client_name``), written when the tenant's manager created it. A client that
  incasso did not make gets no token: the trigger fails, and Cognito issues nothing.

Nothing in the token request can name a tenant: the client id is Cognito's, the binding incasso's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from incasso.api.auth import ROLE_CLAIM, TENANT_CLAIM
from incasso.domain.api_clients import binding_of

CLIENT_CREDENTIALS = "TokenGeneration_ClientCredentials"


class UnboundClientError(Exception):
    """A client-credentials request from an app client no tenant created."""


def add_tenant_claims(event: dict[str, Any], client_name_of: Callable[[str, str], str]) -> dict[str, Any]:
    """The event with its response naming the claims to add; ``client_name_of(pool, client_id)`` reads an
    app client's name (``DescribeUserPoolClient``)."""
    if event.get("triggerSource") == CLIENT_CREDENTIALS:
        client_id = event["callerContext"]["clientId"]
        binding = binding_of(client_name_of(event["userPoolId"], client_id))
        if binding is None:
            raise UnboundClientError(f"app client {client_id} is bound to no tenant")
        tenant_id, role = binding
    else:
        attributes = (event.get("request") or {}).get("userAttributes") or {}
        tenant_id, role = attributes.get(TENANT_CLAIM), attributes.get(ROLE_CLAIM)
        if not tenant_id:
            return event  # no tenant: the API answers 401 to whatever this token asks
    claims = {TENANT_CLAIM: tenant_id, **({ROLE_CLAIM: role} if role else {})}
    event["response"] = {"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"claimsToAddOrOverride": claims}}}
    return event
