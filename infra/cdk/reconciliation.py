"""Bank statements (CONTRACT.md §9): the imports bucket's further ObjectCreated rules of the topology —
a statement dropped under ``statements/`` invokes the reconciliation function. (The CSV rule, the
bucket's first, is the ``Ingest`` construct's.)"""

from __future__ import annotations

from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from infra.cdk.functions import Functions
from infra.cdk.storage import Storage
from infra.topology import Topology


class Reconciliation(Construct):
    def __init__(
        self, scope: Construct, construct_id_: str, *, topology: Topology, storage: Storage, functions: Functions
    ) -> None:
        super().__init__(scope, construct_id_)
        for spec in topology.buckets:
            for rule in spec.more_notifications:
                self._build_notification(storage.buckets[spec.id], rule.prefix, rule.suffix,
                                         functions.functions[rule.function])

    @staticmethod
    def _build_notification(bucket: s3.IBucket, prefix: str, suffix: str, function) -> None:
        bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.LambdaDestination(function),
            s3.NotificationKeyFilter(prefix=prefix or None, suffix=suffix or None),
        )
