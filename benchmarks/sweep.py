"""The daily sweep reads what is due, not what exists.

100,000 claims on moto, 1,000 of them due today; the sweep runs once. ``sweep_read_ratio`` = DynamoDB
items read by the sweep (every item a Query, GetItem or Scan returned or examined) / claims due
(target <= 1.1). Step Functions is not deployed here: starts are counted, not made.

Run: ``.venv/bin/python benchmarks/sweep.py [--claims 100000 --due 1000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # ``benchmarks`` itself, run as a script

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
import botocore.client  # noqa: E402
from moto import mock_aws  # noqa: E402

from incasso.clock import FixedClock, set_clock  # noqa: E402
from infra.local import moto_transactions  # noqa: E402
from infra.topology import CLAIMS, dynamodb_create_table_kwargs  # noqa: E402

REGION = os.environ["AWS_DEFAULT_REGION"]
TODAY = dt.date(2025, 6, 2)
TENANTS = ("acme", "globex", "initech", "umbrella")


def fill(store, claims: int, due: int) -> None:
    from incasso.domain.models import Debtor, Tenant

    from benchmarks import bench_profile
    from incasso.services.claim_commands import NewClaim
    from incasso.services.claims import ClaimService

    service = ClaimService(store)
    for tenant_id in TENANTS:
        store.put_tenant(Tenant(tenant_id=tenant_id, profile=bench_profile()))
    tenants = {tenant_id: service.tenant(tenant_id) for tenant_id in TENANTS}
    batch = []
    for number in range(claims):
        tenant_id = TENANTS[number % len(TENANTS)]
        # The first `due` claims reach their first reminder today or before; the rest later.
        due_date = TODAY - dt.timedelta(days=7 + number % 5) if number < due else TODAY + dt.timedelta(days=1 + number % 300)
        new = NewClaim(invoice_number=f"INV-{number:07d}", debtor=Debtor(name=f"Debtor {number}", type="consumer",
                                                                    email=f"debtor{number}@example.nl"),
                       principal="100.00", due_date=due_date,
                       # never in the future (the intake refuses it); a later due date is a longer payment term
                       invoice_date=min(due_date - dt.timedelta(days=30), TODAY - dt.timedelta(days=1)))
        batch.append(service.build_claim(tenants[tenant_id], new))
        if len(batch) == 500:
            store.create_claims_batch(batch)
            batch = []
    if batch:
        store.create_claims_batch(batch)


class CountingWorkflows:
    """Starts nothing: counts the claims the sweep would start."""

    def __init__(self, starts: list[str]) -> None:
        self.starts = starts

    def start_run(self, tenant_id: str, claim_id: str, key: str) -> bool:
        self.starts.append(claim_id)
        return True


def main() -> None:
    # moto's own TransactWriteItems deep-copies the whole table per item: the store's writes would
    # measure moto, not the ingest (infra/local/moto_transactions.py).
    moto_transactions.install()
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    set_clock(FixedClock(dt.datetime.combine(TODAY, dt.time(5, 0), tzinfo=dt.timezone.utc)))
    with mock_aws():
        os.environ["CLAIMS_TABLE"] = CLAIMS.name
        from incasso.adapters.aws import reset_clients
        from incasso.services import wiring
        from incasso.services.sweep import SweepService
        from incasso.settings import reset_settings

        reset_settings()
        reset_clients()
        wiring.reset()
        boto3.client("dynamodb", region_name=REGION).create_table(**dynamodb_create_table_kwargs(CLAIMS))
        store = wiring.claims_store()
        started = time.perf_counter()
        fill(store, args.claims, args.due)
        fill_seconds = time.perf_counter() - started

        read = {"items": 0, "calls": 0, "scans": 0}
        original = botocore.client.BaseClient._make_api_call

        def counting(client, operation, params):
            response = original(client, operation, params)
            if client.meta.service_model.service_name == "dynamodb":
                read["calls"] += 1
                if operation == "Scan":
                    read["scans"] += 1
                if operation in ("Query", "Scan"):
                    read["items"] += max(response.get("ScannedCount", 0), response.get("Count", 0))
                elif operation == "GetItem":
                    read["items"] += 1 if response.get("Item") else 0
                elif operation == "BatchGetItem":
                    read["items"] += sum(len(items) for items in response.get("Responses", {}).values())
            return response

        starts = []
        sweep = SweepService(store, CountingWorkflows(starts))
        with mock.patch.object(botocore.client.BaseClient, "_make_api_call", counting):
            started = time.perf_counter()
            result = sweep.run(TODAY)
            sweep_seconds = time.perf_counter() - started
    assert result.due == args.due == len(starts), (result.due, len(starts))
    print(f"sweep_claims: {args.claims}")
    print(f"sweep_claims_due: {result.due}")
    print(f"sweep_fill_seconds: {fill_seconds:.1f}")
    print(f"sweep_seconds: {sweep_seconds:.2f}")
    print(f"sweep_dynamodb_calls: {read['calls']}")
    print(f"sweep_scans: {read['scans']}")
    print(f"sweep_items_read: {read['items']}")
    print(f"sweep_read_ratio: {read['items'] / result.due:.3f}")


if __name__ == "__main__":
    main()
