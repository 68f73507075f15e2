"""Builds the topology on moto: what the CDK stack builds in AWS, made with the same boto3 calls.

Names are decided first (tables and buckets as declared, ARNs of functions, rules and state machines
as AWS would form them) and every state machine definition is rendered and checked before anything
is created, so a missing ASL file or an unknown ``${Placeholder}`` fails the deployment at once.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from typing import Any

from infra.topology import (PREFIX, RUN_SCHEDULER_ROLE_ID, SCHEDULER_ROLE_ID, Function, StateMachine, Topology,
                            dynamodb_create_table_kwargs)

from infra.local.lambda_runtime import FunctionCode

ACCOUNT_ID = "123456789012"  # moto's default account
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/{PREFIX}-local"
RUNTIME = "python3.11"
# What every function sees only on the local stack: webhooks may go to http://127.0.0.1 (tests' receivers).
LOCAL_ENVIRONMENT = {"INCASSO_WEBHOOK_ALLOW_HTTP_LOOPBACK": "1"}
EVENT_BUS_ID = "event_bus"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class DeployError(RuntimeError):
    """The topology cannot be deployed as declared."""


def merge(base: Topology, extra: Topology) -> Topology:
    """``base`` plus the resources of ``extra`` (the event bus stays ``base``'s)."""
    return replace(
        base,
        tables=base.tables + extra.tables,
        buckets=base.buckets + extra.buckets,
        functions=base.functions + extra.functions,
        schedules=base.schedules + extra.schedules,
        state_machines=base.state_machines + extra.state_machines,
        event_rules=base.event_rules + extra.event_rules,
    )


def local_state_machines(topology: Topology) -> tuple[StateMachine, ...]:
    """The state machines moto can run; one with ``runs_locally=False`` is left out (its functions
    then see an empty ARN in their environment and do without it)."""
    return tuple(machine for machine in topology.state_machines if machine.runs_locally)


def rule_name(schedule_id: str) -> str:
    return f"{PREFIX}-{schedule_id.replace('_', '-')}"


def function_arn(function: Function, region: str) -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{function.name}"


def state_machine_arn(machine: StateMachine, region: str) -> str:
    return f"arn:aws:states:{region}:{ACCOUNT_ID}:stateMachine:{machine.name}"


def resource_names(topology: Topology, region: str) -> dict[str, str]:
    """Resource id -> deployed name (tables, buckets, the event bus) or ARN (functions, schedules'
    rules, state machines). Ids must be unique across kinds: ``names`` is one namespace."""
    entries: list[tuple[str, str]] = [(EVENT_BUS_ID, topology.event_bus_name), (SCHEDULER_ROLE_ID, ROLE_ARN),
                                      (RUN_SCHEDULER_ROLE_ID, ROLE_ARN)]
    entries += [(table.id, table.name) for table in topology.tables]
    entries += [(bucket.id, bucket.name) for bucket in topology.buckets]
    entries += [(function.id, function_arn(function, region)) for function in topology.functions]
    entries += [
        (schedule.id, f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/{rule_name(schedule.id)}")
        for schedule in topology.schedules
    ]
    entries += [(machine.id, state_machine_arn(machine, region)) for machine in local_state_machines(topology)]
    names: dict[str, str] = {}
    for resource_id, name in entries:
        if resource_id in names:
            raise DeployError(f"resource id {resource_id!r} is declared twice")
        names[resource_id] = name
    return names


def render_definition(machine: StateMachine, names: dict[str, str]) -> str:
    """The ASL with every ``${Placeholder}`` replaced by a function ARN or a table name."""
    path = machine.definition_path
    if not path.is_file():
        raise DeployError(f"state machine {machine.id!r}: definition {path} does not exist")
    values: dict[str, str] = {}
    for placeholder, function_id in machine.function_substitutions.items():
        values[placeholder] = _lookup(names, function_id, machine, placeholder)
    for placeholder, table_id in machine.table_substitutions.items():
        values[placeholder] = _lookup(names, table_id, machine, placeholder)
    text = path.read_text()
    missing = sorted({match for match in _PLACEHOLDER.findall(text) if match not in values})
    if missing:
        raise DeployError(f"{path}: no substitution declared for {', '.join('${' + m + '}' for m in missing)}")
    rendered = _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
    try:
        json.loads(rendered)
    except json.JSONDecodeError as exc:
        raise DeployError(f"{path} is not valid JSON once rendered: {exc}") from exc
    return rendered


def _lookup(names: dict[str, str], resource_id: str, machine: StateMachine, placeholder: str) -> str:
    if resource_id not in names:
        raise DeployError(f"state machine {machine.id!r}: ${{{placeholder}}} names unknown resource {resource_id!r}")
    return names[resource_id]


def function_codes(topology: Topology, names: dict[str, str]) -> list[FunctionCode]:
    return [
        FunctionCode(
            id=function.id,
            name=function.name,
            arn=names[function.id],
            code_dir=function.code_dir,
            handler=function.handler,
            memory_mb=function.memory_mb,
            timeout_s=function.timeout_s,
        )
        for function in topology.functions
    ]


@lru_cache(maxsize=1)
def _placeholder_zip() -> bytes:
    """Code for moto's Lambda: the real handler runs in process, from its folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "# runs in process on the local stack: see infra/local/lambda_runtime.py\n")
    return buffer.getvalue()


def create_resources(
    client: Callable[[str], Any],
    topology: Topology,
    names: dict[str, str],
    definitions: dict[str, str],
    sender_email: str,
) -> None:
    """Create everything on moto through ``client(service)``."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
             "Action": "sts:AssumeRole"}
        ],
    }
    client("iam").create_role(RoleName=ROLE_ARN.rsplit("/", 1)[1], AssumeRolePolicyDocument=json.dumps(trust))

    dynamodb = client("dynamodb")
    for table in topology.tables:
        dynamodb.create_table(**dynamodb_create_table_kwargs(table))
        if table.ttl_attribute:
            dynamodb.update_time_to_live(
                TableName=table.name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
            )

    lambda_client = client("lambda")
    for function in topology.functions:
        lambda_client.create_function(
            FunctionName=function.name,
            Runtime=RUNTIME,
            Role=ROLE_ARN,
            Handler=function.handler,
            Code={"ZipFile": _placeholder_zip()},
            Description=function.description,
            Timeout=function.timeout_s,
            MemorySize=function.memory_mb,
            Environment={"Variables": {**topology.environment(function.id, names), **LOCAL_ENVIRONMENT}},
        )
        if function.reserved_concurrency is not None:
            lambda_client.put_function_concurrency(
                FunctionName=function.name, ReservedConcurrentExecutions=function.reserved_concurrency
            )

    s3 = client("s3")
    region = s3.meta.region_name
    for bucket in topology.buckets:
        s3.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": region})
        configurations: list[dict[str, Any]] = []
        for rule in bucket.notifications:
            rules = [
                {"Name": name, "Value": value}
                for name, value in (("prefix", rule.prefix), ("suffix", rule.suffix))
                if value
            ]
            configuration: dict[str, Any] = {
                "Id": f"{bucket.id}-to-{rule.function}",
                "LambdaFunctionArn": names[rule.function],
                "Events": ["s3:ObjectCreated:*"],
            }
            if rules:
                configuration["Filter"] = {"Key": {"FilterRules": rules}}
            lambda_client.add_permission(
                FunctionName=names[rule.function],
                StatementId=f"s3-{bucket.id}",
                Action="lambda:InvokeFunction",
                Principal="s3.amazonaws.com",
                SourceArn=f"arn:aws:s3:::{bucket.name}",
            )
            configurations.append(configuration)
        if configurations:
            s3.put_bucket_notification_configuration(
                Bucket=bucket.name, NotificationConfiguration={"LambdaFunctionConfigurations": configurations}
            )

    events = client("events")
    events.create_event_bus(Name=topology.event_bus_name)
    for schedule in topology.schedules:
        name = rule_name(schedule.id)
        events.put_rule(
            Name=name, ScheduleExpression=f"cron({schedule.cron})", State="ENABLED", Description=schedule.description
        )
        events.put_targets(Rule=name, Targets=[{"Id": schedule.target_function, "Arn": names[schedule.target_function]}])
        lambda_client.add_permission(
            FunctionName=names[schedule.target_function],
            StatementId=f"events-{schedule.id}",
            Action="lambda:InvokeFunction",
            Principal="events.amazonaws.com",
            SourceArn=names[schedule.id],
        )

    for rule in topology.event_rules:
        name = rule_name(rule.id)
        events.put_rule(Name=name, EventBusName=topology.event_bus_name, EventPattern=json.dumps(rule.pattern),
                        State="ENABLED", Description=rule.description)
        events.put_targets(Rule=name, EventBusName=topology.event_bus_name,
                           Targets=[{"Id": rule.target_function, "Arn": names[rule.target_function]}])

    stepfunctions = client("stepfunctions")
    for machine in local_state_machines(topology):
        stepfunctions.create_state_machine(
            name=machine.name, definition=definitions[machine.id], roleArn=ROLE_ARN, type=machine.type
        )

    sesv2 = client("sesv2")
    domain = sender_email.rsplit("@", 1)[-1]
    sesv2.create_email_identity(EmailIdentity=domain)
    sesv2.create_email_identity(EmailIdentity=sender_email)
    client("sns").set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": PREFIX})
