"""S3 buckets of the topology: private, TLS only, KMS-encrypted, versioned, with lifecycle rules and server
access logs in a separate log bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import Acknowledgment
from constructs import Construct

from infra.cdk.common import customer_managed_key
from infra.cdk.settings import DeploySettings
from infra.cdk.sources import construct_id
from infra.topology import Bucket, Topology

OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject")
# Erasure of a debtor's personal data deletes the claim's documents, every version (AVG art. 17).
ERASE_ACTIONS = ("s3:DeleteObject", "s3:DeleteObjectVersion")
BUCKET_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
ACCESS_LOG_RETENTION = Duration.days(365)
# Documents are letters and dossiers: current versions are kept; replaced versions go after this.
NONCURRENT_RETENTION = Duration.days(90)


class Storage(Construct):
    def __init__(self, scope: Construct, construct_id_: str, *, topology: Topology, settings: DeploySettings) -> None:
        super().__init__(scope, construct_id_)
        self._settings = settings
        self.key = customer_managed_key(self, "BucketsKey", "encrypts the imports and documents buckets")
        self.access_logs = self._build_access_log_bucket()
        self.buckets: dict[str, s3.Bucket] = {bucket.id: self._build_bucket(bucket) for bucket in topology.buckets}

    def _build_access_log_bucket(self) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging can only deliver to an SSE-S3 bucket.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-access-logs",
                    expiration=ACCESS_LOG_RETENTION,
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        Validations.of(bucket).acknowledge(
            Acknowledgment(
                id="AwsSolutions-S1",
                reason="This is the server access log destination of the other buckets; logging it into itself "
                "would log its own log deliveries.",
            )
        )
        return bucket

    def _build_bucket(self, spec: Bucket) -> s3.Bucket:
        return s3.Bucket(
            self,
            construct_id(spec.id),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            enforce_ssl=True,
            versioned=True,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix=f"{spec.id}/",
            lifecycle_rules=self._lifecycle_rules(spec),
            cors=self._cors_rules(spec),
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _lifecycle_rules(self, spec: Bucket) -> list[s3.LifecycleRule]:
        rules = [
            s3.LifecycleRule(
                id="tidy-versions-and-uploads",
                noncurrent_version_expiration=NONCURRENT_RETENTION,
                abort_incomplete_multipart_upload_after=Duration.days(1),
                expired_object_delete_marker=True,
            )
        ]
        if spec.notify_function:
            # A dropped CSV is ingested within minutes; the claims and the import report live in DynamoDB.
            rules.append(
                s3.LifecycleRule(
                    id="expire-imports", expiration=Duration.days(self._settings.import_retention_days)
                )
            )
        else:
            rules.append(
                s3.LifecycleRule(
                    id="expire-documents", expiration=Duration.days(self._settings.document_retention_days)
                )
            )
        return rules

    def _cors_rules(self, spec: Bucket) -> list[s3.CorsRule] | None:
        # A browser front-end PUTs CSVs straight to the presigned URL the API hands out.
        if not (spec.notify_function and self._settings.cors_origin):
            return None
        return [
            s3.CorsRule(
                allowed_methods=[s3.HttpMethods.PUT],
                allowed_origins=[self._settings.cors_origin],
                allowed_headers=["content-type", "content-md5"],
                max_age=3600,
            )
        ]

    def grant_objects(self, grantee: iam.IGrantable, bucket_id: str, *, erase: bool = False) -> None:
        """Read and write objects (keys are per tenant and per claim, made at run time), list the bucket so that
        a missing key answers 404 rather than 403, and use the bucket key through S3 only."""
        bucket = self.buckets[bucket_id]
        principal = grantee.grant_principal
        principal.add_to_principal_policy(
            iam.PolicyStatement(actions=list(OBJECT_ACTIONS), resources=[bucket.arn_for_objects("*")])
        )
        principal.add_to_principal_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn]))
        if erase:
            principal.add_to_principal_policy(
                iam.PolicyStatement(actions=list(ERASE_ACTIONS), resources=[bucket.arn_for_objects("*")]))
            principal.add_to_principal_policy(
                iam.PolicyStatement(actions=["s3:ListBucketVersions"], resources=[bucket.bucket_arn]))
        logical_id = Stack.of(self).get_logical_id(bucket.node.default_child)
        Validations.of(grantee).acknowledge(
            Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/*]",
                reason=f"Objects of the {bucket_id} bucket only; their keys (tenant, claim, import) are made at "
                "run time, so object ARNs cannot be listed in advance.",
            )
        )
        principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=list(BUCKET_KEY_ACTIONS),
                resources=[self.key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"s3.{Stack.of(self).region}.amazonaws.com"}},
            )
        )
