"""Server mode: the local stack behind an HTTP endpoint, used by unmodified boto3 clients."""

import datetime as dt
import json
import urllib.request
from urllib.parse import quote_plus

import boto3
import pytest
from botocore.config import Config

from infra.local import SimulatedClock, start_server


@pytest.fixture
def server(test_topology):
    server = start_server(0, SimulatedClock(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)), topology=test_topology)
    yield server
    server.stop()


def test_fourteen_day_machine_runs_through_the_endpoint(server):
    # given a boto3 client that knows only the endpoint (a free port on 127.0.0.1)
    assert server.endpoint.startswith("http://127.0.0.1:") and server.port > 0
    sfn = server.client("stepfunctions")
    machine = next(m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]
                   if m["name"] == "local-test-fourteen-days")

    # when it starts the 14-day machine and the simulated clock advances 13, then 14 days
    arn = sfn.start_execution(stateMachineArn=machine, name="over-http", input=json.dumps({"claim_id": "h-1"}))["executionArn"]
    server.stack.advance(days=13)
    status_day_13 = sfn.describe_execution(executionArn=arn)["status"]
    server.stack.advance(days=1)

    # then it waited, then succeeded, and the handler's write is visible over HTTP
    assert status_day_13 == "RUNNING"
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    item = server.client("dynamodb").get_item(TableName="local-test-records", Key={"pk": {"S": "h-1"}, "sk": {"S": "end"}})
    assert item["Item"]["at"]["S"] == "2026-01-19T08:00:00+00:00"
    # and the environment it gives other processes points their boto3 at the endpoint
    assert server.env()["AWS_ENDPOINT_URL"] == server.endpoint


def test_presigned_upload_over_http_triggers_the_notified_function(server):
    # given an upload URL presigned for the endpoint (as the API hands one to a tenant)
    key = "tenants/t-1/maart 2026.csv"
    url = server.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": "local-test-drops", "Key": key}, ExpiresIn=3600
    )
    assert url.startswith(server.endpoint)

    # when a plain HTTP client puts the file
    request = urllib.request.Request(url, data=b"invoice_number;principal\n", method="PUT")
    with urllib.request.urlopen(request) as response:
        assert response.status == 200

    # then the notified handler ran in the server's process with the key AWS would give
    server.stack.settle()
    upload = server.client("dynamodb").get_item(TableName="local-test-records",
                                                Key={"pk": {"S": "uploads"}, "sk": {"S": quote_plus(key)}})
    assert upload["Item"]["decoded"]["S"] == key


def test_handler_calling_the_endpoint_itself_does_not_wait_for_its_own_lock(server):
    # given a handler whose S3 client points at the endpoint, putting a file that notifies another handler
    lambda_client = boto3.client(  # a deadlock would time out here instead of hanging
        "lambda", region_name="eu-west-1", endpoint_url=server.endpoint,
        config=Config(read_timeout=30, retries={"max_attempts": 0}),
    )
    key = "tenants/t-2/van handler+loop.csv"

    # when it is invoked over HTTP
    response = lambda_client.invoke(
        FunctionName="incasso-put-upload", Payload=json.dumps({"endpoint": server.endpoint, "key": key}).encode()
    )

    # then it completed, and the notified handler ran within its call
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"put": key}
    upload = server.client("dynamodb").get_item(TableName="local-test-records",
                                                Key={"pk": {"S": "uploads"}, "sk": {"S": quote_plus(key)}})
    assert upload["Item"]["decoded"]["S"] == key

