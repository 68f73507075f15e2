"""``Idempotency-Key``: a retried request returns the first answer (Powertools idempotency on DynamoDB).

The record is tenant-scoped twice over: its key begins with the tenant (like every key in incasso) and
the hashed part covers tenant, operation and header value, so two tenants using the same header value
never see each other's answer. The request body is validated against the stored one: the same key
with another body is refused (``IdempotencyValidationError`` -> 422), a retry while the first request
still runs is refused (``IdempotencyAlreadyInProgressError`` -> 409).
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

from incasso.adapters.aws import client
from incasso.settings import get_settings

ANSWER_KEPT_SECONDS = 24 * 3600

# Outside Lambda (incasso serve, tests) there is no remaining time to register; that is fine: an
# in-progress record then expires with the record, not with the invocation. Filtered once, here: a
# ``warnings.catch_warnings`` per call is not thread-safe (requests run in parallel locally).
warnings.filterwarnings("ignore", message="Couldn't determine the remaining time left")


def once(tenant_id: str, operation: str, key: str, body: dict, work: Callable[[], dict], *,
         lambda_context: Any = None) -> dict:
    """Run ``work`` once per (tenant, operation, key); later calls return its first (JSON) answer."""
    from aws_lambda_powertools.utilities.idempotency import (  # deferred: loads only for keyed requests
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    # Built per call: cheap, and it picks up the client the local stack may have reset.
    persistence = DynamoDBPersistenceLayer(table_name=get_settings().idempotency_table,
                                           boto3_client=client("dynamodb"))
    config = IdempotencyConfig(event_key_jmespath="[tenant_id, operation, key]",
                               payload_validation_jmespath="body",
                               expires_after_seconds=ANSWER_KEPT_SECONDS)
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config,
                         key_prefix=f"{tenant_id}#{operation}")
    def run(request: dict) -> dict:
        return work()

    return run(request={"tenant_id": tenant_id, "operation": operation, "key": key, "body": body})
