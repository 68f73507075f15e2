"""Step Functions task (.waitForTaskToken): hand the dossier to the bailiff and keep the token."""

from incasso.handlers import StepEvent, logger
from incasso.services.wiring import escalation_service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> None:
    step = StepEvent.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, claim_id=step.claim_id)
    escalation_service().file_with_bailiff(step.tenant_id, step.claim_id, step.task_token)
