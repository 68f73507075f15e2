"""The Lambda functions in the template: one per topology function, configured as declared, each with a role
that can reach exactly what the topology says it uses."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match
from conftest import refs

from infra.cdk.sources import asynchronously_invoked
from infra.topology import TOPOLOGY

pytestmark = pytest.mark.xdist_group("cdk")

FUNCTIONS = TOPOLOGY.functions


def _function_resource(synthesized, function_id: str) -> tuple[str, dict]:
    logical_id = synthesized.logical_id(synthesized.stack.functions.functions[function_id])
    return logical_id, synthesized.resources[logical_id]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.id)
def test_every_topology_function_is_deployed_as_declared(synthesized, spec):
    # given the topology's function / when the stack is synthesized / then a function with its handler,
    # runtime, arm64, memory, timeout, JSON logs, active tracing and the layer exists
    environment_keys = TOPOLOGY.environment(spec.id).keys()
    synthesized.template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Description": spec.description,
            "Handler": spec.handler,
            "Runtime": "python3.12",
            "Architectures": ["arm64"],
            "MemorySize": spec.memory_mb,
            "Timeout": spec.timeout_s,
            "TracingConfig": {"Mode": "Active"},
            "LoggingConfig": Match.object_like({"LogFormat": "JSON"}),
            "Layers": [{"Ref": synthesized.stack.get_logical_id(synthesized.stack.functions.layer.node.default_child)}],
            "Environment": {"Variables": Match.object_like({key: Match.any_value() for key in environment_keys})},
        },
    )


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.id)
def test_environment_names_the_deployed_resources(synthesized, spec):
    # given a function / when its environment is read / then each name points at the deployed resource
    stack = synthesized.stack
    _, resource = _function_resource(synthesized, spec.id)
    variables = resource["Properties"]["Environment"]["Variables"]
    expected = {TOPOLOGY.table(t).env: synthesized.logical_id(stack.data.tables[t]) for t in spec.tables}
    expected |= {TOPOLOGY.bucket(b).env: synthesized.logical_id(stack.storage.buckets[b]) for b in spec.buckets}
    if spec.uses_event_bus:
        expected[TOPOLOGY.event_bus_env] = synthesized.logical_id(stack.events.bus)
    assert {name: refs(variables[name]) for name in expected} == {name: {lid} for name, lid in expected.items()}
    for machine_id in spec.uses_state_machines:
        # the machine's ARN is built from its fixed name (a reference would be a dependency cycle)
        machine = TOPOLOGY.state_machine(machine_id)
        assert f":stateMachine:{machine.name}" in json.dumps(variables[machine.env])
    assert ("SENDER_EMAIL" in variables) == spec.sends_messages


def test_reserved_concurrency_where_the_topology_declares_it(synthesized):
    # given functions with and without a declared reserved concurrency / then the template matches each
    for spec in FUNCTIONS:
        _, resource = _function_resource(synthesized, spec.id)
        assert resource["Properties"].get("ReservedConcurrentExecutions") == spec.reserved_concurrency, spec.id


def test_asynchronously_invoked_functions_have_a_dead_letter_queue_and_retries(synthesized):
    # given the functions S3 and EventBridge invoke asynchronously
    async_ids = asynchronously_invoked(TOPOLOGY)
    assert async_ids == {"ingest", "reconcile", "sweep", "webhooks"}
    for spec in FUNCTIONS:
        logical_id, resource = _function_resource(synthesized, spec.id)
        dead_letter = resource["Properties"].get("DeadLetterConfig")
        if spec.id not in async_ids:
            # then the synchronous ones have none (their caller sees the error)
            assert dead_letter is None, spec.id
            continue
        # then each has an encrypted SQS dead-letter queue and bounded retries
        (queue_id,) = refs(dead_letter)
        assert synthesized.resources[queue_id]["Type"] == "AWS::SQS::Queue"
        assert synthesized.resources[queue_id]["Properties"]["SqsManagedSseEnabled"] is True
        synthesized.template.has_resource_properties(
            "AWS::Lambda::EventInvokeConfig",
            {"FunctionName": {"Ref": logical_id}, "MaximumRetryAttempts": 2},
        )


def _role_policy_statements(synthesized, role_id: str) -> list[dict]:
    statements = []
    for policy in synthesized.of_type("AWS::IAM::Policy").values():
        if role_id in refs(policy["Properties"]["Roles"]):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.id)
def test_each_role_reaches_exactly_what_the_function_declares(synthesized, spec):
    # given a function's role / when every resource its policies name is collected
    stack = synthesized.stack
    function_id, resource = _function_resource(synthesized, spec.id)
    (role_id,) = refs(resource["Properties"]["Role"])
    statements = _role_policy_statements(synthesized, role_id)
    reached = {lid for statement in statements for lid in refs(statement["Resource"]) if not lid.startswith("AWS::")}
    # then it is its own log group, its declared tables, buckets, bus, state machines and their keys — nothing else
    expected = {refs(resource["Properties"]["LoggingConfig"]["LogGroup"]).pop()}
    expected |= {synthesized.logical_id(stack.data.tables[t]) for t in spec.tables}
    expected |= {synthesized.logical_id(stack.storage.buckets[b]) for b in spec.buckets}
    if spec.tables:
        expected.add(synthesized.logical_id(stack.data.key))
    if spec.buckets:
        expected.add(synthesized.logical_id(stack.storage.key))
    if spec.uses_event_bus:
        expected.add(synthesized.logical_id(stack.events.bus))
    machine_arns = [s["Resource"] for s in statements if any(":stateMachine:" in json.dumps(r) for r in [s["Resource"]])]
    assert len(machine_arns) == len(spec.uses_state_machines)
    if spec.id in asynchronously_invoked(TOPOLOGY):
        expected.add(refs(resource["Properties"]["DeadLetterConfig"]).pop())
    if spec.schedules_itself:  # passes the role EventBridge Scheduler invokes it with
        expected.add(synthesized.logical_id(stack.webhooks.scheduler_roles[spec.id]))
    if spec.plans_runs:  # passes the role EventBridge Scheduler starts a planned run with
        expected.add(synthesized.logical_id(stack.functions.run_scheduler_roles["escalation"]))
    if spec.id == "portal":  # reads the payment provider's API key (infra.cdk.portal)
        expected.add(synthesized.logical_id(stack.portal.secret))
    if spec.id == "api":  # a tenant's manager invites its own users into the user pool
        expected.add(synthesized.logical_id(stack.api.user_pool))
    assert reached == expected
    assert function_id not in reached


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda spec: spec.id)
def test_only_messaging_functions_may_send_mail(synthesized, spec):
    # given a function's role / then SES and SNS actions appear exactly when the topology says it sends messages
    _, resource = _function_resource(synthesized, spec.id)
    (role_id,) = refs(resource["Properties"]["Role"])
    actions = {
        action
        for statement in _role_policy_statements(synthesized, role_id)
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert bool({"ses:SendEmail", "sns:Publish"} & actions) == spec.sends_messages
    if spec.sends_messages:
        ses = next(s for s in _role_policy_statements(synthesized, role_id) if "ses:SendEmail" in s["Action"])
        assert ses["Condition"] == {"StringEquals": {"ses:FromAddress": "incasso@collect.example.nl"}}


def test_the_ingest_function_may_keep_and_remove_the_originals_of_ubl_invoices(synthesized):
    # given the ingest function's role
    stack = synthesized.stack
    _, resource = _function_resource(synthesized, "ingest")
    (role_id,) = refs(resource["Properties"]["Role"])
    documents = synthesized.logical_id(stack.storage.buckets["documents"])
    # when the actions it may take on the documents bucket's objects are collected
    actions = {action for statement in _role_policy_statements(synthesized, role_id)
               if documents in refs(statement["Resource"])
               for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])}
    # then it may write an original (and read it), and delete the copy of a duplicate, every version
    assert {"s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
            "s3:ListBucketVersions"} <= actions
    # and it learns the bucket's name from its environment
    assert "DOCUMENTS_BUCKET" in resource["Properties"]["Environment"]["Variables"]
