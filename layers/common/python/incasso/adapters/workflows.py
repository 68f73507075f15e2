"""Step Functions: start a claim's escalation, resume a paused one."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from incasso.adapters.aws import client
from incasso.settings import get_settings


def execution_name(claim_id: str, phase: int) -> str:
    """Deterministic: a second start of the same phase is refused by Step Functions, not run twice."""
    return f"{claim_id}-{phase}"


def start_escalation(tenant_id: str, claim_id: str, phase: int) -> bool:
    """Start the escalation; False when this phase's execution already exists."""
    sfn = client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=get_settings().state_machine_arn,
            name=execution_name(claim_id, phase),
            input=json.dumps({"tenant_id": tenant_id, "claim_id": claim_id}),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        return False
    return True


def resume(task_token: str, output: dict) -> bool:
    """Resume an execution paused on a task token; False when the token is no longer valid."""
    sfn = client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=task_token, output=json.dumps(output))
    except (sfn.exceptions.TaskTimedOut, sfn.exceptions.InvalidToken, sfn.exceptions.TaskDoesNotExist):
        return False
    return True


def import_execution_name(import_id: str, source: str) -> str:
    """One execution per upload of an import: a second S3 delivery of the same object starts nothing."""
    return f"{import_id}-{hashlib.sha256(source.encode()).hexdigest()[:16]}"


def start_import(execution_input: dict) -> bool:
    """Hand a large CSV to the import state machine (Distributed Map); False if already started."""
    sfn = client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=get_settings().import_state_machine_arn,
            name=import_execution_name(execution_input["import_id"], execution_input.get("source") or ""),
            input=json.dumps(execution_input),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        return False
    return True


class StepFunctionsWorkflows:
    """The ``Workflows`` port (``incasso.domain.ports``) on Step Functions: the functions above, looked up
    when called (a test may replace one)."""

    def start_escalation(self, tenant_id: str, claim_id: str, phase: int) -> bool:
        return start_escalation(tenant_id, claim_id, phase)

    def start_import(self, execution_input: dict[str, Any]) -> bool:
        return start_import(execution_input)

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        return resume(task_token, output)
