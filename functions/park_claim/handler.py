"""Step Functions Catch target: park a claim whose step failed for good, with the reason."""

from incasso.domain.incidents import parked_incident
from incasso.handlers import StepEvent, logger
from incasso.services.wiring import escalation_service


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict, context: object) -> dict:
    step = StepEvent.model_validate(event)
    logger.append_keys(tenant_id=step.tenant_id, claim_id=step.claim_id)
    incident = parked_incident(step.tenant_id, step.claim_id, step.error, step.cause)
    # The stack trace stays here, under the incident id the tenant sees (not the message: it may quote
    # a debtor's data, as SES's rejections do).
    logger.warning("parking claim", extra={"error": step.error, "incident_id": incident.id,
                                           "trace": incident.trace})
    return escalation_service().park(step.tenant_id, step.claim_id, step.error, step.cause)
