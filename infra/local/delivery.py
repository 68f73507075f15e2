"""EventBridge targets that moto does not deliver: Lambda functions and Step Functions state machines.

Events reach handlers in AWS's shape (``time`` as ``2026-01-05T05:00:00Z``, no moto-only fields), with
the target's ``Input``, ``InputPath`` or ``InputTransformer`` applied. A Lambda target is invoked
asynchronously in AWS; locally it runs at once, in the delivering thread, and its failure is logged
(and recorded by the Lambda runtime), never raised into the sender.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

LOG = logging.getLogger(__name__)
UTC = dt.timezone.utc
_MOTO_ONLY_FIELDS = ("ingestion-time",)


def is_delivered_here(target_arn: str) -> bool:
    service = target_arn.split(":")[2] if target_arn.count(":") >= 5 else ""
    return service in ("lambda", "states")


def _iso(moment: Any) -> Any:
    if isinstance(moment, (int, float)):
        return dt.datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(moment, dt.datetime):
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment


def aws_event(event: dict[str, Any]) -> dict[str, Any]:
    """moto's event message as AWS delivers it."""
    shaped = {key: value for key, value in event.items() if key not in _MOTO_ONLY_FIELDS}
    if "time" in shaped:
        shaped["time"] = _iso(shaped["time"])
    return shaped


def target_payload(target: dict[str, Any], moto_event: dict[str, Any], transform_input: bool = True) -> Any:
    """What the target receives: the event, or what its Input/InputPath/InputTransformer makes of it."""
    event = aws_event(moto_event)
    if not transform_input:
        return event
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        from jsonpath_ng.ext import parse

        matches = parse(target["InputPath"]).find(event)
        return matches[0].value if matches else None
    if "InputTransformer" in target:
        from moto.events.utils import EventTemplateParser

        transformer = target["InputTransformer"]
        ingestion = _iso(moto_event.get("ingestion-time", moto_event.get("time")))
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event={**event, "ingestion-time": ingestion},  # <aws.events.event.ingestion-time>
        )
    return event


def deliver(account_id: str, region: str, target_arn: str, payload: Any) -> None:
    """Invoke a Lambda function (as an asynchronous invocation) or start a state machine."""
    service = target_arn.split(":")[2]
    body = payload if isinstance(payload, str) else json.dumps(payload)
    try:
        if service == "lambda":
            from moto.awslambda.utils import get_backend

            function = get_backend(account_id, region).get_function(target_arn)
            function.invoke(body, {"x-amz-invocation-type": "Event"}, {})
        elif service == "states":
            from moto.stepfunctions.parser.models import stepfunctions_parser_backends

            backend = stepfunctions_parser_backends[account_id][region]
            backend.start_execution(target_arn, name=str(uuid.uuid4()), execution_input=body)
        else:
            LOG.warning("local stack cannot deliver to %s", target_arn)
    except Exception:  # asynchronous in AWS: the sender never sees the target fail
        LOG.exception("delivery to %s failed", target_arn)
