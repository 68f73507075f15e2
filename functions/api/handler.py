"""API Gateway (REST, Cognito authorizer) -> the tenant HTTP API of CONTRACT.md §3."""

from incasso.api.app import handle
from incasso.handlers import logger


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)
def handler(event: dict, context: object) -> dict:
    return handle(event, context)
