"""The checks the CDK app makes before it builds anything: missing sources and ASL the app cannot grant
precisely fail with a clear message. Plain Python, no synthesis."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from infra.cdk.sources import (
    DirectIntegration,
    MissingSourceError,
    UnsupportedDefinitionError,
    check_definition,
    direct_integrations,
    function_code_dir,
    read_definition,
)
import dataclasses

from infra.topology import TOPOLOGY, Function

# The escalation machine, as if it also used the claims table directly (the product's uses Lambdas only).
MACHINE = dataclasses.replace(TOPOLOGY.state_machine("escalation"), table_substitutions={"ClaimsTableName": "claims"})


def _task(resource: str, **parameters) -> dict:
    state = {"Type": "Task", "Resource": resource, "End": True}
    if parameters:
        state["Parameters"] = parameters
    return {"StartAt": "T", "States": {"T": state}}


def test_a_declared_function_without_its_handler_is_a_clear_error():
    # given a function the topology would declare but whose folder does not exist
    ghost = Function("no_such_function", "declared but never written")
    # when its code folder is asked for / then the error names the missing file
    with pytest.raises(MissingSourceError, match=r"functions/no_such_function/handler\.py does not exist"):
        function_code_dir(ghost)


def test_a_missing_state_machine_file_is_a_clear_error():
    # given a machine whose ASL file does not exist / when read / then the error names the file
    machine = replace(MACHINE, definition_file="no-such-machine.asl.json")
    with pytest.raises(MissingSourceError, match=r"statemachines/no-such-machine\.asl\.json does not exist"):
        read_definition(machine)


def test_an_undeclared_placeholder_is_refused():
    # given an ASL that uses a placeholder the topology does not substitute
    text = json.dumps(_task("${UnknownFunctionArn}"))
    # when checked / then refused with the placeholder's name
    with pytest.raises(UnsupportedDefinitionError, match="UnknownFunctionArn"):
        check_definition(MACHINE, text, source="test.asl.json")


def test_an_asl_that_is_not_json_is_refused():
    # given a truncated ASL / when checked / then refused as invalid JSON
    with pytest.raises(UnsupportedDefinitionError, match="not valid JSON"):
        check_definition(MACHINE, '{"StartAt": "A", ', source="test.asl.json")


def test_dynamodb_tasks_become_exact_actions_on_their_table():
    # given an ASL with Lambda tasks and DynamoDB item tasks on the claims table placeholder
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": "${CheckClaimFunctionArn}", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                  "Parameters": {"TableName": "${ClaimsTableName}"}, "Next": "C"},
            "C": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "D", "States": {"D": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem",
                                                  "Parameters": {"TableName": "${ClaimsTableName}"}, "End": True}}},
            ]},
        },
    }  # fmt: skip
    # when the direct integrations are read / then exactly GetItem and UpdateItem (also inside the branch)
    assert direct_integrations(MACHINE, json.dumps(definition)) == {
        DirectIntegration("dynamodb:GetItem", "claims"),
        DirectIntegration("dynamodb:UpdateItem", "claims"),
    }


@pytest.mark.parametrize(
    "definition",
    [
        _task("arn:aws:states:::sqs:sendMessage", QueueUrl="https://queue"),
        _task("arn:aws:states:::aws-sdk:dynamodb:scan", TableName="${ClaimsTableName}"),
        _task("arn:aws:states:::dynamodb:getItem", TableName="incasso-claims"),
    ],
    ids=["other service", "sdk integration", "hard-coded table"],
)
def test_integrations_that_cannot_be_granted_precisely_are_refused(definition):
    # given an ASL task the orchestration construct would have to grant loosely / then it is refused
    with pytest.raises(UnsupportedDefinitionError):
        direct_integrations(MACHINE, json.dumps(definition))
