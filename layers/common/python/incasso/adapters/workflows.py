"""Step Functions: start a claim's short run of the escalation now or at a planned minute; start an import."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from incasso.adapters.aws import client
from incasso.settings import get_settings

SCHEDULE_NAME_MAX = 64  # EventBridge Scheduler's limit on a schedule's name


def execution_name(claim_id: str, key: str) -> str:
    """Deterministic per claim and run (``<phase>-<sweep day>``, ``<phase>-resumed-v<version>``): on a
    Standard machine a second start of the same run is refused; on Express the steps' own idempotency
    keys make a second run a no-op (docs/scale.md)."""
    return f"{claim_id}-{key}"[:80]


def start_run(tenant_id: str, claim_id: str, key: str) -> bool:
    """Start a run of the claim's escalation; False when a run of this name exists already."""
    sfn = client("stepfunctions")
    try:
        sfn.start_execution(
            stateMachineArn=get_settings().state_machine_arn,
            name=execution_name(claim_id, key),
            input=json.dumps({"tenant_id": tenant_id, "claim_id": claim_id}),
        )
    except sfn.exceptions.ExecutionAlreadyExists:
        return False
    return True


def plan_run(tenant_id: str, claim_id: str, key: str, at: dt.datetime) -> None:
    """A one-time EventBridge Scheduler schedule that starts the claim's run at the minute ``at`` and
    deletes itself; the same plan made twice (a retried step) finds its schedule there and stops."""
    settings = get_settings()
    utc = at.astimezone(dt.timezone.utc)
    moment = utc.replace(second=0, microsecond=0)
    if moment < utc:  # never before ``at``: a run that came early would only plan itself again
        moment += dt.timedelta(minutes=1)
    scheduler = client("scheduler")
    try:
        scheduler.create_schedule(
            Name=f"run-{claim_id}-{key}"[:SCHEDULE_NAME_MAX],
            ScheduleExpression=f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})", ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"}, ActionAfterCompletion="DELETE",
            Target={"Arn": settings.state_machine_arn, "RoleArn": settings.escalation_scheduler_role_arn,
                    "Input": json.dumps({"tenant_id": tenant_id, "claim_id": claim_id})})
    except scheduler.exceptions.ConflictException:
        return


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
    """The ``Workflows`` port (``incasso.domain.ports``) on Step Functions and EventBridge Scheduler: the
    functions above, looked up when called (a test may replace one)."""

    def start_run(self, tenant_id: str, claim_id: str, key: str) -> bool:
        return start_run(tenant_id, claim_id, key)

    def plan_run(self, tenant_id: str, claim_id: str, key: str, at: dt.datetime) -> None:
        plan_run(tenant_id, claim_id, key, at)

    def start_import(self, execution_input: dict[str, Any]) -> bool:
        return start_import(execution_input)
