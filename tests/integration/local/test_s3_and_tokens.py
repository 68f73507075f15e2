"""S3 notifications run the handler with AWS's event; task tokens pause an execution until answered."""

import json

from urllib.parse import quote_plus


def test_s3_put_triggers_the_function_with_the_url_encoded_key_aws_gives(stack, records):
    # given the drops bucket notifying receive_upload for keys under "tenants/"
    key = "tenants/t-1/facturen januari+februari (2026).csv"
    s3 = stack.client("s3")

    # when a file is put there, and another outside the prefix
    s3.put_object(Bucket=stack.names["drops"], Key=key, Body=b"invoice_number;principal\n")
    s3.put_object(Bucket=stack.names["drops"], Key="elsewhere/x.csv", Body=b"")

    # then the handler ran once, with the key URL-encoded as AWS encodes it, which decodes to the key
    uploads = records("uploads")
    assert list(uploads) == [quote_plus(key)]
    upload = uploads[quote_plus(key)]
    assert upload["decoded"] == key
    assert upload["bucket"] == upload["bucket_env"] == "local-test-drops"  # IMPORTS_BUCKET reached settings
    assert upload["event_time"].startswith("2026-01-05T08:00:00")  # simulated time
    assert stack.invocation_count("receive_upload") == 1


def test_task_token_wait_settles_and_send_task_success_resumes(stack, records):
    # given an execution that hands its task token to a handler and waits for the answer
    arn = stack.start_execution("hand_over", "bailiff-1", {"claim_id": "bailiff-1"})

    # when time passes / then it settles while waiting, and keeps waiting
    stack.advance(days=30)
    assert stack.execution_status(arn) == "RUNNING"
    token = records("bailiff-1")["token"]["token"]

    # when the token is answered / then it resumes with the answer and succeeds
    stack.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps({"served": True}))
    stack.settle()
    described = stack.describe_execution(arn)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["outcome"] == {"served": True}
    assert stack.running_executions == 0


def test_task_timeout_passes_on_the_simulated_clock(stack):
    # given an execution waiting on its token with a one-day TimeoutSeconds, caught on States.Timeout
    arn = stack.start_execution("hand_over_with_timeout", "slow", {"claim_id": "slow"})

    # when just under a day passes / then it still waits
    stack.advance(hours=23, minutes=59)
    assert stack.execution_status(arn) == "RUNNING"

    # when the day is over / then the task timed out and the Catch took it
    stack.advance(minutes=1)
    described = stack.describe_execution(arn)
    assert described["status"] == "SUCCEEDED"
    output = json.loads(described["output"])
    assert (output["outcome"], output["error"]["Error"]) == ("gave up", "States.Timeout")


def test_task_failure_on_a_token_fails_the_execution_with_its_error(stack, records):
    # given an execution waiting on its token
    arn = stack.start_execution("hand_over", "bailiff-2", {"claim_id": "bailiff-2"})
    stack.settle()
    token = records("bailiff-2")["token"]["token"]

    # when the token is answered with a failure / then the execution fails with that error
    stack.client("stepfunctions").send_task_failure(taskToken=token, error="Uncollectible", cause="debtor abroad")
    stack.settle()
    described = stack.describe_execution(arn)
    assert (described["status"], described["error"]) == ("FAILED", "Uncollectible")


def test_stop_execution_ends_a_waiting_execution_at_once(stack):
    # given an execution in its 14-day wait
    arn = stack.start_execution("fourteen_days", "stopped", {"claim_id": "stopped"})
    stack.settle()

    # when it is stopped / then it is aborted without any time passing
    stack.client("stepfunctions").stop_execution(executionArn=arn)
    stack.settle()
    assert stack.execution_status(arn) == "ABORTED"
    assert stack.running_executions == 0
