"""API Gateway (REST, public routes, no authorizer) -> the debtor's portal and the payment provider's
webhook (CONTRACT.md §8)."""

from incasso.api.portal import handle
from incasso.handlers import logger


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
def handler(event: dict, context: object) -> dict:
    return handle(event, context)
