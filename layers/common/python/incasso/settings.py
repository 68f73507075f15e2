"""Environment, read once into a typed model. Handlers and adapters never read ``os.environ``."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    claims_table: str = "incasso-claims"
    idempotency_table: str = "incasso-idempotency"
    imports_bucket: str = "incasso-imports"
    documents_bucket: str = "incasso-documents"
    event_bus_name: str = "incasso-events"
    state_machine_arn: str = ""
    import_state_machine_arn: str = ""
    sender_email: str = "noreply@incasso.example"
    service_name: str = "incasso"
    log_level: str = "INFO"
    # How old a tenant's profile a step or an API call may use (seconds; 0: read it every time).
    tenant_max_age_seconds: float = 60.0
    # Where the local stack signs tokens; in AWS the Cognito authorizer checks them instead.
    local_token_secret: str = ""
    # Webhooks: the role EventBridge Scheduler assumes to invoke the delivery function for a retry, and
    # whether a subscriber may be http://127.0.0.1 (the local stack only; on AWS https:// to a public host).
    webhook_scheduler_role_arn: str = ""
    webhook_allow_http_loopback: bool = False
    # The debtor's portal (CONTRACT.md §8): the base of the personal links (BASE/p/TOKEN; empty: no links),
    # and the payment provider's API (Mollie's; locally incasso serve's fake) with its key, given directly
    # (local) or as the name of a Secrets Manager secret (AWS).
    portal_base_url: str = ""
    payment_api_url: str = "https://api.mollie.com/v2"
    payment_api_key: str = ""
    payment_api_key_secret: str = ""
    # The Cognito user pool of the tenants' users (AWS); empty: the local stack, where users are recorded only.
    user_pool_id: str = ""


_ENV = {
    "claims_table": "CLAIMS_TABLE",
    "idempotency_table": "IDEMPOTENCY_TABLE",
    "imports_bucket": "IMPORTS_BUCKET",
    "documents_bucket": "DOCUMENTS_BUCKET",
    "event_bus_name": "EVENT_BUS_NAME",
    "state_machine_arn": "STATE_MACHINE_ARN",
    "import_state_machine_arn": "IMPORT_STATE_MACHINE_ARN",
    "sender_email": "SENDER_EMAIL",
    "service_name": "POWERTOOLS_SERVICE_NAME",
    "log_level": "LOG_LEVEL",
    "tenant_max_age_seconds": "INCASSO_TENANT_MAX_AGE_SECONDS",
    "local_token_secret": "INCASSO_LOCAL_TOKEN_SECRET",
    "webhook_scheduler_role_arn": "WEBHOOK_SCHEDULER_ROLE_ARN",
    "webhook_allow_http_loopback": "INCASSO_WEBHOOK_ALLOW_HTTP_LOOPBACK",
    "portal_base_url": "INCASSO_PORTAL_BASE_URL",
    "payment_api_url": "INCASSO_PAYMENT_API_URL",
    "payment_api_key": "INCASSO_PAYMENT_API_KEY",
    "payment_api_key_secret": "INCASSO_PAYMENT_API_KEY_SECRET",
    "user_pool_id": "USER_POOL_ID",
}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    values = {field: os.environ[name] for field, name in _ENV.items() if name in os.environ}
    return Settings(**values)


def reset_settings() -> None:
    """Forget the cached settings (the local stack sets the environment, then handlers read it)."""
    get_settings.cache_clear()
