"""Data at rest in the template: tables, buckets, queues and the alarm topic encrypted, protected and private."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match
from conftest import refs

from infra.topology import TOPOLOGY

pytestmark = pytest.mark.xdist_group("cdk")


@pytest.mark.parametrize("spec", TOPOLOGY.tables, ids=lambda spec: spec.id)
def test_tables_use_a_customer_key_pitr_deletion_protection_and_declared_keys(synthesized, spec):
    # given a topology table / when its resource is read
    stack = synthesized.stack
    table = synthesized.resources[synthesized.logical_id(stack.data.tables[spec.id])]
    properties = table["Properties"]
    # then it is encrypted with the stack's customer-managed key, recoverable and protected from deletion
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["SSESpecification"]["SSEType"] == "KMS"
    assert refs(properties["SSESpecification"]["KMSMasterKeyId"]) == {synthesized.logical_id(stack.data.key)}
    assert properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert properties["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    # and its keys, indexes and TTL are the topology's
    keys = {k["AttributeName"]: k["KeyType"] for k in properties["KeySchema"]}
    assert keys == {spec.partition_key: "HASH", **({spec.sort_key: "RANGE"} if spec.sort_key else {})}
    assert [i["IndexName"] for i in properties.get("GlobalSecondaryIndexes", [])] == [i.name for i in spec.indexes]
    if spec.ttl_attribute:
        assert properties["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in properties


def test_every_kms_key_rotates(synthesized):
    # given all KMS keys in the template / then each has automatic rotation on and is retained
    keys = synthesized.of_type("AWS::KMS::Key")
    assert len(keys) == 3  # tables, buckets, alarm topic
    assert all(key["Properties"]["EnableKeyRotation"] is True for key in keys.values())
    assert all(key["DeletionPolicy"] == "Retain" for key in keys.values())


@pytest.mark.parametrize("spec", TOPOLOGY.buckets, ids=lambda spec: spec.id)
def test_data_buckets_are_kms_encrypted_versioned_logged_and_expire_old_versions(synthesized, spec):
    # given a topology bucket / when its resource is read
    stack = synthesized.stack
    properties = synthesized.resources[synthesized.logical_id(stack.storage.buckets[spec.id])]["Properties"]
    # then objects are encrypted with the buckets' key, versions kept, access logged to the log bucket
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert refs(rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]) == {synthesized.logical_id(stack.storage.key)}
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert refs(properties["LoggingConfiguration"]) == {synthesized.logical_id(stack.storage.access_logs)}
    lifecycle = {r["Id"]: r for r in properties["LifecycleConfiguration"]["Rules"]}
    assert lifecycle["tidy-versions-and-uploads"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90
    assert lifecycle["tidy-versions-and-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    # and a bucket that receives CSV drops lets them expire after the configured retention
    if spec.notify_function:
        assert lifecycle["expire-imports"]["ExpirationInDays"] == 30
    else:
        assert "expire-imports" not in lifecycle


def test_every_bucket_blocks_public_access_and_refuses_plain_http(synthesized):
    # given every bucket in the template (data buckets and the access-log bucket)
    buckets = synthesized.of_type("AWS::S3::Bucket")
    assert len(buckets) == len(TOPOLOGY.buckets) + 1
    for logical_id, bucket in buckets.items():
        # then all four public-access blocks are on and some encryption is set
        assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }, logical_id
        assert bucket["Properties"]["BucketEncryption"], logical_id
        # and its bucket policy denies every request that is not over TLS
        synthesized.template.has_resource_properties(
            "AWS::S3::BucketPolicy",
            {
                "Bucket": {"Ref": logical_id},
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Effect": "Deny",
                                    "Action": "s3:*",
                                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                                }
                            )
                        ]
                    )
                },
            },
        )


def test_queues_are_encrypted_and_tls_only_and_the_alarm_topic_uses_a_customer_key(synthesized):
    # given the dead-letter queues / then each is SSE-encrypted and its policy denies plain HTTP
    queues = synthesized.of_type("AWS::SQS::Queue")
    assert len(queues) == 6  # ingest, reconcile, sweep, the daily sweep schedule, webhooks, the bus rule to webhooks
    for logical_id, queue in queues.items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        synthesized.template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": Match.array_with([{"Ref": logical_id}]),
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                    )
                },
            },
        )
    # and the alarm topic is encrypted with the observability key
    (topic,) = synthesized.of_type("AWS::SNS::Topic").values()
    assert refs(topic["Properties"]["KmsMasterKeyId"]) == {synthesized.logical_id(synthesized.stack.observability.key)}
