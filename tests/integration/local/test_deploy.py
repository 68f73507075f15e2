"""The deployer builds the declared topology on moto, with each function's own environment."""

import json
import os

import pytest

from infra.local import LocalStack, SimulatedClock
from infra.local.deployer import LOCAL_ENVIRONMENT, resource_names


def test_deploy_creates_every_declared_resource(stack, test_topology):
    # given the test topology deployed / then the names are the declared names and AWS's ARNs
    names = stack.names
    assert names["records"] == "local-test-records"
    assert names["record"] == "arn:aws:lambda:eu-west-1:123456789012:function:incasso-record"
    assert names["fourteen_days"] == "arn:aws:states:eu-west-1:123456789012:stateMachine:local-test-fourteen-days"
    assert names == resource_names(test_topology, "eu-west-1")

    # and the table has its keys and index
    table = stack.client("dynamodb").describe_table(TableName="local-test-records")["Table"]
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by_phase"]

    # and each function carries the environment the topology gives it, with the deployed names
    lambda_client = stack.client("lambda")
    for function in test_topology.functions:
        config = lambda_client.get_function_configuration(FunctionName=function.name)
        # (plus what only the local stack sets: webhooks may go to http://127.0.0.1)
        assert config["Environment"]["Variables"] == {**test_topology.environment(function.id, names),
                                                      **LOCAL_ENVIRONMENT}
        assert (config["MemorySize"], config["Timeout"]) == (function.memory_mb, function.timeout_s)

    # and the bucket notifies its function for created objects under its prefix
    notification = stack.client("s3").get_bucket_notification_configuration(Bucket="local-test-drops")
    (config,) = notification["LambdaFunctionConfigurations"]
    assert config["LambdaFunctionArn"] == names["receive_upload"]
    assert config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "tenants/"}]

    # and the schedule is a rule with the function as target
    events = stack.client("events")
    assert events.describe_rule(Name="incasso-morning-tick")["ScheduleExpression"] == "cron(30 6 * * ? *)"
    assert events.list_targets_by_rule(Rule="incasso-morning-tick")["Targets"][0]["Arn"] == names["tick"]
    assert events.describe_event_bus(Name="local-test-events")["Name"] == "local-test-events"

    # and the state machine's placeholders were replaced by the ARN and table name
    definition = json.loads(
        stack.client("stepfunctions").describe_state_machine(stateMachineArn=names["fourteen_days"])["definition"]
    )
    assert definition["States"]["RecordEnd"]["Resource"] == names["record"]
    assert definition["States"]["MarkDone"]["Parameters"]["TableName"] == "local-test-records"

    # and the sender may send mail
    identities = stack.client("sesv2").list_email_identities()["EmailIdentities"]
    assert {"incasso.example", "noreply@incasso.example"} <= {i["IdentityName"] for i in identities}


def test_each_function_sees_exactly_its_own_environment(stack):
    # given show_env, which declares no table or bucket, and a process environment without them
    names = ["CLAIMS_TABLE", "IMPORTS_BUCKET", "POWERTOOLS_SERVICE_NAME", "AWS_REGION"]
    stack.invoke("record", {"claim_id": "warm", "phase": "x"})  # another function set CLAIMS_TABLE

    # when invoked
    seen = stack.invoke("show_env", {"names": names})

    # then it sees its own variables only, and its settings follow them
    assert seen["environ"] == {"CLAIMS_TABLE": None, "IMPORTS_BUCKET": None,
                               "POWERTOOLS_SERVICE_NAME": "incasso", "AWS_REGION": "eu-west-1"}
    assert seen["settings"]["claims_table"] == "incasso-claims"  # the default, not another function's table
    # and the context describes the function
    context = seen["context"]
    assert context["function_name"] == "incasso-show-env"
    assert context["invoked_function_arn"] == stack.names["show_env"]
    assert context["memory_limit_in_mb"] == 512
    assert 0 < context["remaining_ms"] <= 20_000
    # and the test process's environment is as it was
    assert "CLAIMS_TABLE" not in os.environ and os.environ.get("POWERTOOLS_SERVICE_NAME") is None


def test_only_one_stack_may_be_open_in_a_process(stack, test_topology):
    # given an open stack / when another is deployed / then it is refused, and the first still works
    with pytest.raises(RuntimeError, match="already open"):
        LocalStack(test_topology, clock=SimulatedClock(stack.now()))
    assert stack.invoke("record", {"claim_id": "still", "phase": "ok"})["phase"] == "ok"


def test_extra_topology_is_deployed_beside_the_base(make_local_stack, test_topology):
    # given the test topology split in two / when deployed as base plus extra
    from dataclasses import replace

    base = replace(test_topology, state_machines=test_topology.state_machines[:1])
    extra = replace(test_topology, tables=(), buckets=(), functions=(), schedules=(),
                    state_machines=test_topology.state_machines[1:])
    stack = make_local_stack(base, extra=extra)

    # then every state machine of both exists
    machines = stack.client("stepfunctions").list_state_machines()["stateMachines"]
    assert len(machines) == len(test_topology.state_machines)
