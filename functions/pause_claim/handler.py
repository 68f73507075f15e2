from __future__ import annotations

from incasso.handlers import StepEvent, logger
from incasso.services.wiring import escalation_service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    step = StepEvent.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, claim_id=step.claim_id)
    return escalation_service().pause(step.tenant_id, step.claim_id)
