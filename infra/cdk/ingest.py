"""S3 notifications of the topology: a CSV dropped under a bucket's prefix invokes its function."""

from __future__ import annotations

from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from infra.cdk.functions import Functions
from infra.cdk.storage import Storage
from infra.topology import Topology


class Ingest(Construct):
    def __init__(
        self, scope: Construct, construct_id_: str, *, topology: Topology, storage: Storage, functions: Functions
    ) -> None:
        super().__init__(scope, construct_id_)
        for spec in topology.buckets:
            if not spec.notify_function:
                continue
            key_filter = s3.NotificationKeyFilter(
                prefix=spec.notify_prefix or None, suffix=spec.notify_suffix or None
            )
            storage.buckets[spec.id].add_event_notification(
                s3.EventType.OBJECT_CREATED,
                s3n.LambdaDestination(functions.functions[spec.notify_function]),
                key_filter,
            )
