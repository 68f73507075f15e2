"""EventBridge bus (domain events) -> the tenants' webhooks; EventBridge Scheduler -> a planned retry."""

from incasso.handlers import logger
from incasso.services import wiring


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    # Its own ARN is what a retry's one-time schedule invokes.
    service = wiring.webhook_service(getattr(context, "invoked_function_arn", ""))
    retry = event.get("webhook_retry")
    if retry:
        delivery = service.retry(retry["tenant_id"], retry["webhook_id"], retry["event_id"])
        outcome = [delivery] if delivery else []
    else:
        outcome = service.on_bus_event(event)
    summary = {"deliveries": [{"id": d.event_id, "webhook_id": d.webhook_id, "status": d.status.value,
                               "attempts": len(d.attempts)} for d in outcome]}
    logger.info("webhooks", extra=summary)
    return summary
