"""What every Lambda handler shares: the event models of the state machine's tasks and the logger.

Every handler wraps its entry point in ``logger.inject_lambda_context(clear_state=True)``: the keys a
handler appends (``tenant_id``, ``claim_id``, ``step``) belong to one invocation and are cleared at the
start of the next one in the same warm container (``tests/integration/local/test_log_keys.py``).
"""

from pydantic import BaseModel, ConfigDict, Field

from aws_lambda_powertools import Logger

logger = Logger(service="incasso")


class StepEvent(BaseModel):
    """The input of a step Task: which claim, of which tenant (from the execution, never from a user)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    tenant_id: str = Field(min_length=1)
    claim_id: str = Field(min_length=1)
    step: str = ""
    outcome: str = ""
    error: str = ""
    cause: str = ""
