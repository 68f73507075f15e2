"""``GET /v1/reports/summary`` on a large tenant: items read and latency, from the aggregates (issue #22).

A tenant of ``--claims`` claims (default 100,000) in a fresh moto table, in every status and stage, put
straight into moto's backend in bulk (the claims table as the store writes it: each claim item with its
aggregate signature), with the aggregate shards the claim writes would have left (the sum of each
claim's contribution, spread over the shards). Then the summary is asked through the API Lambda's
handler, as API Gateway would; a counting wrapper around the DynamoDB client counts the items read.
For comparison, the recount the summary used to be (every claim, page by page) on ``--recount-claims``
of them.

Prints ``name: value`` lines:
- ``summary_claims``: the tenant's size;
- ``summary_read_items``: items the summary read (target <= 10 whatever the size);
- ``summary_seconds_<claims>``: the summary's latency through the API handler (median of 5) at that size;
- ``summary_recount_seconds_<n>`` and ``summary_recount_read_items_<n>``: the old full read at n claims.

Run: ``.venv/bin/python benchmarks/summary_read.py [--claims 100000] [--recount-claims 5000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import time
from decimal import Decimal
from typing import Any

REGION = "eu-west-1"
TENANT = "bench"


class CountingClient:
    """The DynamoDB client, counting the items its reads answer."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.items = 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in ("get_item", "batch_get_item", "query", "scan"):
            return method

        def counted(**kwargs: Any) -> Any:
            answer = method(**kwargs)
            if "Item" in answer:
                self.items += 1
            self.items += len(answer.get("Items", []))
            self.items += sum(len(items) for items in answer.get("Responses", {}).values())
            return answer
        return counted


def make_claims(count: int) -> list:
    from incasso.domain.models import Amounts, Claim, ClaimStatus, Debtor, Stage

    at = dt.datetime(2025, 3, 1, 8, tzinfo=dt.timezone.utc)
    statuses, stages = list(ClaimStatus), list(Stage)
    claims = []
    for n in range(count):
        principal = Decimal(n % 90_000 + 100) / 100 + 25
        interest = Decimal(n % 700) / 100
        paid = principal / 2 if n % 5 == 0 else Decimal("0.00")
        paid = paid.quantize(Decimal("0.01"))
        claims.append(Claim(
            tenant_id=TENANT, claim_id=f"clm_{n:09d}", invoice_number=f"F2025-{n:07d}",
            debtor=Debtor(name=f"Debiteur {n}", type="consumer" if n % 3 else "business"),
            invoice_date=dt.date(2025, 1, 1) + dt.timedelta(days=n % 60),
            due_date=dt.date(2025, 2, 1) + dt.timedelta(days=n % 60), principal=principal,
            status=statuses[n % len(statuses)], stage=stages[n % len(stages)], paid_principal=paid,
            warnings=["interest computed with an unverified statutory rate"] if n % 7 == 0 else [],
            amounts=Amounts(principal=principal, interest=interest, paid=paid, outstanding=principal + interest - paid),
            created_at=at + dt.timedelta(milliseconds=n), updated_at=at))
    return claims


def load(store: Any, claims: list) -> None:
    """The claims and their aggregates straight into moto's backend (no HTTP, no serializer)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from incasso.adapters.dynamodb.aggregates import aggregate_updates
    from incasso.domain.aggregates import SHARDS, Aggregate, contribution

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    shards = [Aggregate() for _ in range(SHARDS)]
    for n, claim in enumerate(claims):
        backend.put_item(store.table_name, store._claim_item(claim, claim.version))
        shards[n % SHARDS] = shards[n % SHARDS] + contribution(claim)
    for shard, part in enumerate(shards):
        for write in aggregate_updates(store.table_name, TENANT, part, day=dt.date(2025, 3, 1), shard=shard):
            store.client.update_item(**write["Update"])
    store.client.update_item(TableName=store.table_name, Key={"pk": {"S": f"{TENANT}#AGG#0"}, "sk": {"S": "AGG"}},
                             UpdateExpression="SET built_at = :now", ExpressionAttributeValues={":now": {"S": "2025-03-01"}})


def api_summary(client: CountingClient) -> tuple[float, dict]:
    from incasso.api.app import handle
    from incasso.api.proxy import proxy_event

    started = time.perf_counter()
    answer = handle(proxy_event("GET", "/v1/reports/summary", tenant_id=TENANT), None)
    elapsed = time.perf_counter() - started
    assert answer["statusCode"] == 200, answer
    return elapsed, json.loads(answer["body"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--recount-claims", type=int, default=5_000)
    args = parser.parse_args()
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ.pop("AWS_ENDPOINT_URL", None)

    import boto3
    from moto import mock_aws

    from incasso import clock, process
    from incasso.adapters import aws
    from incasso.adapters.claims_store import ClaimsStore
    from incasso.services import wiring
    from incasso.services.reports import ReportService, summarize
    from infra.local import fast_dynamodb, moto_transactions
    from infra.topology import TOPOLOGY, dynamodb_create_table_kwargs

    moto_transactions.install()
    fast_dynamodb.install()
    clock.set_clock(clock.FixedClock(dt.datetime(2025, 3, 31, 9, tzinfo=dt.timezone.utc)))
    os.environ["CLAIMS_TABLE"] = TOPOLOGY.table("claims").name
    with mock_aws():
        process.reset()
        aws.reset_clients()
        boto3.client("dynamodb", region_name=REGION).create_table(**dynamodb_create_table_kwargs(TOPOLOGY.table("claims")))
        claims = make_claims(args.claims)
        counting = CountingClient(boto3.client("dynamodb", region_name=REGION))
        store = ClaimsStore(TOPOLOGY.table("claims").name, client=counting)
        load(store, claims)
        wiring.reset()
        wiring.claims_store.cache_clear()
        original = wiring.claims_store
        wiring.claims_store = lambda: store  # type: ignore[assignment] # the counted store for the API
        wiring.report_service.cache_clear()
        try:
            timings, reads, body = [], [], None
            for _ in range(5):
                counting.items = 0
                seconds, body = api_summary(counting)
                timings.append(seconds)
                reads.append(counting.items)
        finally:
            wiring.claims_store = original
            wiring.report_service.cache_clear()
        print(f"summary_claims: {args.claims}")
        print(f"summary_read_items: {max(reads)}")
        print(f"summary_seconds_{args.claims}: {statistics.median(timings):.4f}")
        expected = summarize(claims, clock.today()).model_dump(mode="json")
        assert body == json.loads(json.dumps(expected)), "the summary differs from the recount"
        print("summary_equals_recount: 1")
    # The recount the summary used to be, on a tenant of --recount-claims claims.
    with mock_aws():
        process.reset()
        aws.reset_clients()
        boto3.client("dynamodb", region_name=REGION).create_table(**dynamodb_create_table_kwargs(TOPOLOGY.table("claims")))
        counting = CountingClient(boto3.client("dynamodb", region_name=REGION))
        store = ClaimsStore(TOPOLOGY.table("claims").name, client=counting)
        load(store, claims[: args.recount_claims])
        counting.items = 0
        started = time.perf_counter()
        summarize(ReportService(store).all_claims(TENANT), clock.today())
        elapsed = time.perf_counter() - started
        print(f"summary_recount_seconds_{args.recount_claims}: {elapsed:.2f}")
        print(f"summary_recount_read_items_{args.recount_claims}: {counting.items}")


if __name__ == "__main__":
    main()
