"""Cognito pre-token-generation trigger (V3_0): the tenant and the role into every access token, for
people and for the tenants' machine clients (CONTRACT.md §7)."""

from incasso.adapters.api_clients import app_client_name
from incasso.api.token_claims import add_tenant_claims
from incasso.handlers import logger


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    return add_tenant_claims(event, app_client_name)
