"""Handler exceptions come back in AWS's shape: Retry and Catch match on the exception's class name,
and retry intervals with backoff pass on the simulated clock."""

import json

import pytest

from infra.local import DeployError, HandlerError


def test_retry_backs_off_on_the_simulated_clock_until_the_handler_succeeds(stack, records):
    # given a handler that raises ClaimLocked on its first two attempts (Retry: 60 s, backoff 2)
    arn = stack.start_execution("retry_catch", "locked", {"claim_id": "locked", "fail_times": 2})
    stack.settle()
    assert records("locked")["attempts"]["attempts"] == 1

    # when 59 seconds pass / then no second attempt yet
    stack.advance(seconds=59)
    assert records("locked")["attempts"]["attempts"] == 1

    # when the first interval (60 s) ends / then the second attempt ran, and failed again
    stack.advance(seconds=1)
    assert records("locked")["attempts"]["attempts"] == 2
    assert stack.execution_status(arn) == "RUNNING"

    # when the backed-off interval (120 s) ends / then the third attempt succeeds
    stack.advance(seconds=120)
    assert stack.execution_status(arn) == "SUCCEEDED"
    attempts = records("locked")["attempts"]
    assert attempts["attempts"] == 3
    assert attempts["at"] == ["2026-01-05T08:00:00+00:00", "2026-01-05T08:01:00+00:00", "2026-01-05T08:03:00+00:00"]
    assert json.loads(stack.describe_execution(arn)["output"])["result"] == {"attempts": 3}


def test_catch_matches_the_exception_class_name(stack, records):
    # given a handler that raises PaymentServiceDown, caught by name and parked
    arn = stack.start_execution("retry_catch", "down", {"claim_id": "down", "down": True})

    # when it runs
    stack.settle()

    # then the Catch took it (no retry: the Retry names only ClaimLocked) with AWS's error shape as cause
    assert stack.execution_status(arn) == "SUCCEEDED"
    output = json.loads(stack.describe_execution(arn)["output"])
    assert output["outcome"] == "parked"
    assert output["error"]["Error"] == "PaymentServiceDown"
    cause = json.loads(output["error"]["Cause"])
    assert cause["errorType"] == "PaymentServiceDown"
    assert cause["errorMessage"] == "the payment service does not answer"
    assert any("handler.py" in line for line in cause["stackTrace"])
    assert records("down")["attempts"]["attempts"] == 1


def test_retries_exhausted_fail_the_execution_with_the_error_name(stack):
    # given a handler that stays locked beyond MaxAttempts (1 try + 3 retries)
    arn = stack.start_execution("retry_catch", "stuck", {"claim_id": "stuck", "fail_times": 10})

    # when all retry intervals have passed (60 + 120 + 240 s)
    stack.advance(minutes=7)

    # then the execution failed with the handler's error name
    described = stack.describe_execution(arn)
    assert described["status"] == "FAILED"
    assert described["error"] == "ClaimLocked"
    assert stack.invocation_count("flaky") == 4


def test_direct_invoke_raises_with_aws_error_payload(stack):
    # given a handler that raises / when invoked directly / then HandlerError carries AWS's shape
    with pytest.raises(HandlerError) as raised:
        stack.invoke("flaky", {"claim_id": "direct", "down": True})
    assert raised.value.error_type == "PaymentServiceDown"
    assert raised.value.payload["errorMessage"] == "the payment service does not answer"
    assert stack.invocations("flaky")[-1].error_type == "PaymentServiceDown"


def test_a_missing_handler_file_fails_its_invocation_with_a_clear_message(stack):
    # given a function declared without a handler file / when invoked
    with pytest.raises(HandlerError) as raised:
        stack.invoke("missing_handler", {})

    # then it is AWS's import error naming the missing file and the function
    assert raised.value.error_type == "Runtime.ImportModuleError"
    assert "missing_handler/handler.py does not exist" in raised.value.error_message
    assert "'missing_handler'" in raised.value.error_message


def test_a_missing_definition_file_fails_the_deployment(make_local_stack, test_topology, tmp_path):
    # given a topology whose state machine definition file does not exist
    from dataclasses import replace

    machine = replace(test_topology.state_machines[0], definition_dir=tmp_path)
    broken = replace(test_topology, state_machines=(machine,))

    # when deployed / then it fails at once, naming the machine and the file
    with pytest.raises(DeployError, match=r"state machine 'fourteen_days': definition .* does not exist"):
        make_local_stack(broken)


def test_an_undeclared_placeholder_fails_the_deployment(make_local_stack, test_topology, tmp_path):
    # given a definition with a placeholder that the topology does not substitute
    from dataclasses import replace

    (tmp_path / "odd.asl.json").write_text('{"StartAt": "A", "States": {"A": {"Type": "Task", '
                                           '"Resource": "${NowhereFunctionArn}", "End": true}}}')
    machine = replace(test_topology.state_machines[0], definition_dir=tmp_path, definition_file="odd.asl.json")

    # when deployed / then it fails naming the placeholder
    with pytest.raises(DeployError, match=r"\$\{NowhereFunctionArn\}"):
        make_local_stack(replace(test_topology, state_machines=(machine,)))
