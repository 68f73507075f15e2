"""Lambda runs the real handler in process; EventBridge rules deliver to Lambda and Step Functions
targets; S3 events get AWS's full shape.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import uuid
from typing import Any

from infra.local import delivery
from infra.local.patches.patcher import LocalRuntime, Patcher
from infra.local.patches.points import EVENTS_MODELS, LAMBDA_MODELS, S3_NOTIFICATIONS


def _install_lambda_and_events(patcher: Patcher, runtime: LocalRuntime) -> None:
    clock = runtime.clock

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        return runtime.lambdas.invoke(self.function_name, dict(self.environment_vars or {}), event)

    patcher.set(LAMBDA_MODELS, "LambdaFunction._invoke_lambda", _invoke_lambda)

    original_s3_event = importlib.import_module(S3_NOTIFICATIONS)._get_s3_event
    sequencer = itertools.count(1)

    def _get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict[str, Any]:
        event = original_s3_event(event_name, bucket, key, notification_id)
        now = clock.now()
        for record in event["Records"]:
            record["eventTime"] = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
            record["userIdentity"] = {"principalId": "AWS:LOCAL"}
            record["requestParameters"] = {"sourceIPAddress": "127.0.0.1"}
            request_id = uuid.uuid4().hex[:16].upper()
            record["responseElements"] = {"x-amz-request-id": request_id, "x-amz-id-2": uuid.uuid4().hex}
            record["s3"]["bucket"]["ownerIdentity"] = {"principalId": "LOCAL"}
            record["s3"]["object"]["sequencer"] = f"{next(sequencer):018X}"
            if getattr(key, "version_id", None):
                record["s3"]["object"]["versionId"] = key.version_id
        return event

    patcher.set(S3_NOTIFICATIONS, "_get_s3_event", _get_s3_event)

    original_send = importlib.import_module(EVENTS_MODELS).Rule.send_to_targets

    def send_rule_event(rule: Any, event: dict[str, Any], transform_input: bool = True) -> None:
        """Deliver ``event`` (moto's shape) to every target of ``rule``, Lambda and Step Functions here."""
        here = [target for target in rule.targets if delivery.is_delivered_here(target["Arn"])]
        elsewhere = [target for target in rule.targets if not delivery.is_delivered_here(target["Arn"])]
        if elsewhere:
            others = copy.copy(rule)
            others.targets = elsewhere
            original_send(others, event, transform_input)
        for target in here:
            arn = target["Arn"]
            region, account = arn.split(":")[3], arn.split(":")[4]
            delivery.deliver(account, region, arn, delivery.target_payload(target, event, transform_input))

    def send_to_targets(self: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
        if self.state != "ENABLED" or not self.event_pattern.matches_event(original_event):
            return
        send_rule_event(self, original_event, transform_input)

    patcher.set(EVENTS_MODELS, "Rule.send_to_targets", send_to_targets)
    runtime.send_rule_event = send_rule_event

    original_unix_time = importlib.import_module(EVENTS_MODELS).unix_time

    def unix_time(dt: Any = None) -> float:  # moto's parameter name
        return clock.now().timestamp() if dt is None else original_unix_time(dt)

    patcher.set(EVENTS_MODELS, "unix_time", unix_time)
