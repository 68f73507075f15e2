"""Environment, read once into a typed model. Handlers and adapters never read ``os.environ``.

The model is cached per thread: on AWS the handler's thread reads it once per warm sandbox; the local
stack runs handlers of several functions at the same moment in one process, each thread under its own
function's environment, and calls ``reset_settings`` whenever an invocation starts or ends.
"""

import itertools
import os
import threading

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

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
    # The role EventBridge Scheduler assumes to start a claim's run at a planned minute (the send window).
    escalation_scheduler_role_arn: str = ""
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
    # The resource server scope that the tenants' machine clients are granted (client-credentials grant).
    api_scope: str = "incasso/api"


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
    "escalation_scheduler_role_arn": "ESCALATION_SCHEDULER_ROLE_ARN",
    "webhook_allow_http_loopback": "INCASSO_WEBHOOK_ALLOW_HTTP_LOOPBACK",
    "portal_base_url": "INCASSO_PORTAL_BASE_URL",
    "payment_api_url": "INCASSO_PAYMENT_API_URL",
    "payment_api_key": "INCASSO_PAYMENT_API_KEY",
    "payment_api_key_secret": "INCASSO_PAYMENT_API_KEY_SECRET",
    "user_pool_id": "USER_POOL_ID",
    "api_scope": "API_SCOPE",
}


_cached = threading.local()  # .settings: (the generation it was read in, the settings)
_generations = itertools.count(1)
_generation = 0


def get_settings() -> Settings:
    cached = getattr(_cached, "settings", None)
    generation = _generation
    if cached is not None and cached[0] == generation:
        return cached[1]
    values = {field: os.environ[name] for field, name in _ENV.items() if name in os.environ}
    settings = Settings(**values)
    _cached.settings = (generation, settings)
    return settings


def reset_settings() -> None:
    """Forget the cached settings in every thread (the environment changed: read it again)."""
    global _generation
    _generation = next(_generations)  # atomic, unlike += from two threads
