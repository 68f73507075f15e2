"""The local AWS endpoint checks presigned URLs as S3 does (issue 15, "S3 without authentication"):
a presigned PUT is served only with its own signature, its own key and method, before it expires; an
unsigned request is refused. Servers listen on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import time
import urllib.error
import urllib.request

import pytest

from infra.local import SimulatedClock, start_server
from infra.local.aws_auth import presigned_refusal

BUCKET = "local-test-drops"
CREDENTIALS = {"testing": "testing"}


@pytest.fixture
def server(test_topology):
    server = start_server(0, SimulatedClock(dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)), topology=test_topology)
    yield server
    server.stop()


def put(url: str, body: bytes = b"invoice_number;principal\n", method: str = "PUT") -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, method=method), timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def keys(server) -> list[str]:
    return [entry["Key"] for entry in server.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def presign(server, key: str, expires: int = 900) -> str:
    return server.client("s3").generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key},
                                                      ExpiresIn=expires)


def test_an_altered_key_an_unsigned_put_or_another_method_is_refused_as_s3_refuses_it(server):
    # Given tenant A's upload URL
    url = presign(server, "tenants/tenant-a/maart 2026+april.csv")

    # When its key is moved into tenant B's prefix, its signature dropped, or its method changed
    altered = put(url.replace("/tenants/tenant-a/", "/tenants/tenant-b/"))
    unsigned = put(url.split("?", 1)[0].replace("/tenants/tenant-a/", "/tenants/tenant-b/"))
    tampered = put(url[:-4] + ("0000" if not url.endswith("0000") else "1111"))
    deleted = put(url, b"", method="DELETE")

    # Then each is a 403 with S3's XML error, and nothing is written
    assert altered[0] == 403 and b"<Code>SignatureDoesNotMatch</Code>" in altered[1]
    assert unsigned[0] == 403 and b"<Code>AccessDenied</Code>" in unsigned[1]
    assert tampered[0] == 403 and deleted[0] == 403
    assert keys(server) == []
    # And the URL itself is served, the key with its space and plus as signed
    assert put(url)[0] == 200
    assert keys(server) == ["tenants/tenant-a/maart 2026+april.csv"]


def test_an_expired_upload_url_is_refused(server):
    # Given a URL good for one second
    url = presign(server, "tenants/tenant-a/late.csv", expires=1)
    # When it is used after that second (real time: botocore signs with the wall clock)
    time.sleep(2.1)
    status, body = put(url)
    # Then S3's answer: 403 Request has expired
    assert status == 403 and b"Request has expired" in body and keys(server) == []


def test_sdk_clients_signed_in_the_header_are_served(server):
    # Given boto3 with the stack's credentials / When it writes and reads / Then it is served
    s3 = server.client("s3")
    s3.put_object(Bucket=BUCKET, Key="elsewhere/x.txt", Body=b"x")
    assert s3.get_object(Bucket=BUCKET, Key="elsewhere/x.txt")["Body"].read() == b"x"


def test_the_check_names_a_wrong_secret_and_an_unknown_key():
    import boto3
    from botocore.config import Config

    # Given a URL presigned with another secret, and one with an unknown access key
    def url_with(access_key: str, secret: str) -> str:
        client = boto3.client("s3", region_name="eu-west-1", endpoint_url="http://127.0.0.1:9",
                              aws_access_key_id=access_key, aws_secret_access_key=secret, aws_session_token=None, config=Config(signature_version="s3v4"))
        return client.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k.csv"}, ExpiresIn=60)

    def check(url: str):
        path, _, query = url.split("127.0.0.1:9", 1)[1].partition("?")
        return presigned_refusal("PUT", path, query, {"host": "127.0.0.1:9"}, CREDENTIALS,
                                 dt.datetime.now(dt.timezone.utc))

    # Then the first does not match, the second is unknown, the right one passes, SigV2 is not accepted
    assert check(url_with("testing", "other"))[0] == "SignatureDoesNotMatch"
    assert check(url_with("AKIAOTHER", "testing"))[0] == "InvalidAccessKeyId"
    assert check(url_with("testing", "testing")) is None
    sigv2 = boto3.client("s3", region_name="eu-west-1", endpoint_url="http://127.0.0.1:9").generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "k.csv"}, ExpiresIn=60)
    assert "X-Amz-Signature" not in sigv2 and "Signature=" in sigv2
