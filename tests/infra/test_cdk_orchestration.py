"""The state machine in the template: the ASL file inline with every placeholder substituted by the right
function ARN or table name, logged and traced, and a role that may invoke exactly those functions."""

from __future__ import annotations

import json
import re

import pytest
from conftest import refs

from infra.cdk.sources import direct_integrations, read_definition
from infra.topology import TOPOLOGY

pytestmark = pytest.mark.xdist_group("cdk")

MACHINE = TOPOLOGY.state_machine("escalation")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def _marker(value: dict) -> str:
    """A readable stand-in for a CloudFormation reference: 'Ref:Lid' or 'GetAtt:Lid.Attr'."""
    if "Ref" in value:
        return f"Ref:{value['Ref']}"
    logical_id, attribute = value["Fn::GetAtt"]
    return f"GetAtt:{logical_id}.{attribute}"


def _machine(synthesized) -> tuple[str, dict]:
    machine = synthesized.stack.machines[MACHINE.id].state_machine
    logical_id = synthesized.logical_id(machine)
    return logical_id, synthesized.resources[logical_id]["Properties"]


def test_definition_is_the_asl_file_with_every_placeholder_substituted(synthesized):
    # given the ASL file and the expected reference for each of its placeholders
    stack = synthesized.stack
    expected_refs = {
        placeholder: f"GetAtt:{synthesized.logical_id(stack.functions.functions[fn_id])}.Arn"
        for placeholder, fn_id in MACHINE.function_substitutions.items()
    } | {
        placeholder: f"Ref:{synthesized.logical_id(stack.data.tables[table_id])}"
        for placeholder, table_id in MACHINE.table_substitutions.items()
    }
    asl = MACHINE.definition_path.read_text(encoding="utf-8")
    expected = json.loads(_PLACEHOLDER.sub(lambda m: expected_refs[m.group(1)], asl))
    # when the deployed definition is substituted the way CloudFormation will
    _, properties = _machine(synthesized)
    substitutions = {key: _marker(value) for key, value in properties["DefinitionSubstitutions"].items()}
    deployed = json.loads(_PLACEHOLDER.sub(lambda m: substitutions[m.group(1)], properties["DefinitionString"]))
    # then the structure, every state and the order of states and keys are the file's, with the right references
    assert json.dumps(deployed) == json.dumps(expected)
    assert list(deployed["States"]) == list(json.loads(asl)["States"])
    assert substitutions == expected_refs
    assert set(_PLACEHOLDER.findall(asl)) <= set(substitutions)


def test_machine_logs_every_event_without_execution_data_and_is_traced(synthesized):
    # given the state machine / then it logs ALL to its log group, leaves debtors' data out, and traces
    _, properties = _machine(synthesized)
    logging = properties["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    assert logging["IncludeExecutionData"] is False
    (log_group,) = refs(logging["Destinations"])
    assert synthesized.resources[log_group]["Type"] == "AWS::Logs::LogGroup"
    assert properties["TracingConfiguration"] == {"Enabled": True}


def test_the_escalation_runs_express_and_the_import_stays_standard(synthesized):
    # given both machines of the topology / when their types are read from the template
    types = {machine_id: synthesized.resources[synthesized.logical_id(o.state_machine)]["Properties"]["StateMachineType"]
             for machine_id, o in synthesized.stack.machines.items()}
    # then the escalation's short runs are Express and the Distributed Map import is Standard (docs/scale.md)
    assert types == {"escalation": "EXPRESS", "import": "STANDARD"}
    # and the escalation's definition holds no task token and no Wait state (Express allows neither for long)
    definition = json.loads(read_definition(MACHINE))
    assert "waitForTaskToken" not in json.dumps(definition)
    assert not [name for name, state in definition["States"].items() if state["Type"] == "Wait"]


def test_planned_runs_start_the_escalation_with_a_role_of_their_own(synthesized):
    # given the role EventBridge Scheduler assumes for a claim's run planned at a minute
    stack = synthesized.stack
    role = stack.functions.run_scheduler_roles["escalation"]
    role_id = synthesized.logical_id(role)
    trust = synthesized.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    statements = [statement for policy in synthesized.of_type("AWS::IAM::Policy").values()
                  if role_id in refs(policy["Properties"]["Roles"])
                  for statement in policy["Properties"]["PolicyDocument"]["Statement"]]
    # then only the Scheduler assumes it, and it may start the escalation and do nothing else
    assert [s["Principal"] for s in trust] == [{"Service": "scheduler.amazonaws.com"}]
    assert [s["Action"] for s in statements] == ["states:StartExecution"]
    # and exactly the functions that plan runs may create run-* schedules and pass that role
    planners = {spec.id for spec in TOPOLOGY.functions if spec.plans_runs}
    assert planners == {"check_claim", "send_message", "schedule_call", "legal_review", "bailiff_filing"}
    for function_id, function in stack.functions.functions.items():
        env = synthesized.resources[synthesized.logical_id(function)]["Properties"]["Environment"]["Variables"]
        assert ("ESCALATION_SCHEDULER_ROLE_ARN" in env) == (function_id in planners)


def test_machine_role_invokes_exactly_the_substituted_functions(synthesized):
    # given the state machine's role policy
    stack = synthesized.stack
    _, properties = _machine(synthesized)
    (role_id,) = refs(properties["RoleArn"])
    statements = [
        statement
        for policy in synthesized.of_type("AWS::IAM::Policy").values()
        if role_id in refs(policy["Properties"]["Roles"])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    # when the Lambda invoke statement is read
    (invoke,) = [s for s in statements if s["Action"] == "lambda:InvokeFunction"]
    # then it names each substituted function, unqualified and with :* for versions — and no other function
    functions = stack.functions.functions
    substituted = {synthesized.logical_id(functions[f]) for f in MACHINE.function_substitutions.values()}
    assert refs(invoke["Resource"]) == substituted
    assert len(invoke["Resource"]) == 2 * len(substituted)
    # and the DynamoDB actions of the ASL's direct integrations, on the claims table only
    direct = direct_integrations(MACHINE, read_definition(MACHINE))
    dynamodb = [s for s in statements if any(a.startswith("dynamodb:") for a in _actions(s))]
    assert {a for s in dynamodb for a in _actions(s)} == {integration.action for integration in direct}
    assert all(refs(s["Resource"]) == {synthesized.logical_id(stack.data.tables["claims"])} for s in dynamodb)


def _actions(statement: dict) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else action
