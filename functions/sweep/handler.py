"""EventBridge schedule (daily) -> start the escalation of every claim due today."""

from incasso.handlers import logger
from incasso.services.wiring import sweep_service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    result = sweep_service().run()
    logger.info("sweep done", extra=result.as_dict())
    return result.as_dict()
