"""CSV ingest on moto: how close to a bare batch write is it, and does its memory stay flat?

- ``ingest_ratio``: seconds to ingest a 100,000-row CSV from S3 (stream, parse, build claims, batch
  writes through the store, events) divided by seconds for a bare boto3 ``batch_writer`` writing the
  same items to the same moto table in the same process (target <= 1.5). The items are those the
  ingest itself wrote (recorded from its TransactWriteItems/BatchWriteItem requests), so both sides write the same data.
- ``ingest_memory_growth_mb``: tracemalloc peak while ingesting 100,000 rows minus the peak for 10,000
  rows (target <= 50). Measured with the claims written to a counting sink, because moto keeps every
  written item in this process's memory and would otherwise measure the table, not the ingest.

Run: ``.venv/bin/python benchmarks/ingest.py [--rows 100000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import time
import tracemalloc
from collections.abc import Iterator
from unittest import mock

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402

from incasso.clock import FixedClock, set_clock  # noqa: E402
from infra.local import moto_transactions  # noqa: E402
from infra.topology import CLAIMS, IMPORTS, dynamodb_create_table_kwargs  # noqa: E402

REGION = os.environ["AWS_DEFAULT_REGION"]
HEADER = "invoice_number,debtor_name,debtor_type,email,principal,invoice_date,due_date\n"


def csv_chunks(rows: int, chunk_rows: int = 2000) -> Iterator[bytes]:
    lines = [HEADER]
    for number in range(1, rows + 1):
        kind = "consumer" if number % 3 else "business"
        lines.append(f"INV-{number:07d},Debtor {number},{kind},debtor{number}@example.nl,"
                     f"{number % 900 + 1}.{number % 100:02d},2025-03-01,2025-04-01\n")
        if len(lines) >= chunk_rows:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def environment() -> None:
    os.environ.update({"CLAIMS_TABLE": CLAIMS.name, "IMPORTS_BUCKET": IMPORTS.name, "EVENT_BUS_NAME": "bench-bus"})
    from incasso.adapters.aws import reset_clients
    from incasso.services import wiring
    from incasso.settings import reset_settings

    reset_settings()
    reset_clients()
    wiring.reset()
    boto3.client("dynamodb", region_name=REGION).create_table(**dynamodb_create_table_kwargs(CLAIMS))
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=IMPORTS.name, CreateBucketConfiguration={"LocationConstraint": REGION})
    boto3.client("events", region_name=REGION).create_event_bus(Name="bench-bus")


def wiring_store():
    from incasso.services.wiring import claims_store

    return claims_store()


def service(store=None):
    from incasso.services.claims import ClaimService
    from incasso.services.imports import ImportService
    from incasso.adapters.import_files import ImportFiles
    from incasso.services.wiring import claims_store, publisher

    store = store or claims_store()
    return ImportService(store, ClaimService(store), bucket=IMPORTS.name, files=ImportFiles(), events=publisher())


def upload(rows: int, import_id: str) -> str:
    """The file of an import started for it (the ingest takes only what a pending import waits for)."""
    from incasso import clock
    from incasso.domain.import_records import ImportRecord, ImportStatus
    from incasso.services.wiring import claims_store

    key = f"tenants/bench/inbox/{import_id}/invoices.csv"
    claims_store().put_import(ImportRecord(tenant_id="bench", import_id=import_id, filename="invoices.csv", key=key,
                                           status=ImportStatus.PENDING, created_at=clock.now(), updated_at=clock.now()))
    boto3.client("s3", region_name=REGION).put_object(Bucket=IMPORTS.name, Key=key, Body=b"".join(csv_chunks(rows)))
    return key


def measure_ratio(rows: int) -> tuple[float, float, int]:
    with mock_aws():
        environment()
        key = upload(rows, "imp_speed")
        written: list[dict] = []
        original = botocore.client.BaseClient._make_api_call

        def recording(client, operation, params):
            if operation == "BatchWriteItem":
                for requests in params["RequestItems"].values():
                    written.extend(r["PutRequest"]["Item"] for r in requests if "PutRequest" in r)
            elif operation == "TransactWriteItems":  # the store's batches: claim + invoice guard + event
                written.extend(i["Put"]["Item"] for i in params["TransactItems"] if "Put" in i)
            return original(client, operation, params)

        ingest = service()
        with mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording):
            started = time.perf_counter()
            record = ingest.ingest_object(IMPORTS.name, key, etag="bench")
            ingest_seconds = time.perf_counter() - started
        assert record is not None and record.accepted == rows, (record.accepted if record else None)
        # The same items, written again by a bare batch_writer to the same table (new keys).
        table = boto3.resource("dynamodb", region_name=REGION).Table(CLAIMS.name)
        deserializer = boto3.dynamodb.types.TypeDeserializer()
        items = [{name: deserializer.deserialize(value) for name, value in item.items()} for item in written]
        for item in items:
            item["pk"] = "baseline#" + item["pk"]
        started = time.perf_counter()
        with table.batch_writer() as batch:
            for item in items:
                batch.put_item(Item=item)
        baseline_seconds = time.perf_counter() - started
        return ingest_seconds, baseline_seconds, len(items)


class CountingSink:
    """A store that counts the claims it is given and keeps none of them."""

    def __init__(self) -> None:
        self.claims = 0
        self.record = None

    def create_claims_batch(self, claims):
        self.claims += len(claims)
        return {}

    def get_tenant(self, tenant_id, *, max_age=0.0):
        return None

    def put_tenant(self, tenant):
        return tenant

    def get_import(self, tenant_id, import_id):
        return self.record

    def put_import(self, record):
        self.record = record


def peak_mb(rows: int) -> float:
    with mock_aws():
        environment()
        key = upload(rows, f"imp_{rows}")
        sink = CountingSink()
        sink.record = wiring_store().get_import("bench", f"imp_{rows}")  # the pending import
        ingest = service(sink)
        ingest._publish_many = lambda events: None
        gc.collect()
        tracemalloc.start()
        ingest.ingest_object(IMPORTS.name, key, etag=f"bench-{rows}")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert sink.claims == rows
        return peak / (1024 * 1024)


def main() -> None:
    # moto's own TransactWriteItems deep-copies the whole table per item: the store's writes would
    # measure moto, not the ingest (infra/local/moto_transactions.py).
    moto_transactions.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    rows = parser.parse_args().rows
    set_clock(FixedClock(dt.datetime(2025, 6, 2, 8, 0, tzinfo=dt.timezone.utc)))
    ingest_seconds, baseline_seconds, items = measure_ratio(rows)
    print(f"ingest_rows: {rows}")
    print(f"ingest_items_written: {items}")
    print(f"ingest_seconds: {ingest_seconds:.2f}")
    print(f"ingest_baseline_batch_writer_seconds: {baseline_seconds:.2f}")
    print(f"ingest_ratio: {ingest_seconds / baseline_seconds:.2f}")
    small, large = peak_mb(rows // 10), peak_mb(rows)
    print(f"ingest_peak_mb_{rows // 10}: {small:.1f}")
    print(f"ingest_peak_mb_{rows}: {large:.1f}")
    print(f"ingest_memory_growth_mb: {large - small:.1f}")


if __name__ == "__main__":
    main()
