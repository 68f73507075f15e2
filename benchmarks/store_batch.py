"""Batch creation of claims (the CSV importer's write path) against a bare ``batch_writer``, on moto.

``ClaimsStore.create_claims_batch`` writes three items per claim (the claim, its invoice-number guard,
its first timeline event), 33 claims to a TransactWriteItems, every item conditional. The baseline
puts the very same items, already built as plain dicts (its conversion is not timed; the store's is),
through boto3's ``Table.batch_writer()``: no conditions, no uniqueness guard. Both run on a fresh moto
table in this process, with ``infra.local.moto_transactions`` installed (moto's own TransactWriteItems copies
the table per item; ``stock_moto_*`` shows that at a small size).

Prints ``name: value`` lines:
- ``store_batch_rows``: claims written per run;
- ``store_batch_baseline_seconds`` / ``store_batch_store_seconds``: wall time of each;
- ``store_batch_ratio``: store / baseline (the target is at most 1.5);
- ``store_batch_store_with_duplicates_seconds``: the store when 1 % of the rows repeat an invoice
  number seen before, and ``store_batch_duplicates_reported`` (must equal the repeats);
- ``stock_moto_ratio``: the same ratio for ``--stock-rows`` claims on moto's own TransactWriteItems.

Run: ``.venv/bin/python benchmarks/store_batch.py [--rows 100000] [--stock-rows 330]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from decimal import Decimal

REGION = "eu-west-1"
TENANT = "bench"


def make_claims(rows: int, duplicate_every: int = 0) -> list:
    from incasso.domain.models import Address, Amounts, Claim, Debtor

    at = dt.datetime(2025, 3, 1, 8, tzinfo=dt.timezone.utc)
    claims = []
    for n in range(rows):
        # Every ``duplicate_every``-th row repeats the invoice number of the row 499 back (not a repeat).
        invoice = n - 499 if duplicate_every and n >= 500 and n % duplicate_every == 0 else n
        principal = Decimal(n % 90_000 + 100) / 100 + 25
        claims.append(Claim(
            tenant_id=TENANT, claim_id=f"clm_{n:09d}", invoice_number=f"F2025-{invoice:07d}",
            debtor=Debtor(name=f"Debiteur {n}", type="consumer" if n % 3 else "business",
                          email=f"debiteur{n}@example.nl", phone="06-12345678",
                          address=Address(street=f"Dorpsstraat {n % 300 + 1}", postal_code="1234 AB",
                                          city="Utrecht")),
            invoice_date=dt.date(2025, 1, 1), due_date=dt.date(2025, 2, 1) + dt.timedelta(days=n % 28),
            principal=principal, amounts=Amounts(principal=principal, outstanding=principal),
            next_action_on=dt.date(2025, 2, 8) + dt.timedelta(days=n % 28),
            created_at=at + dt.timedelta(milliseconds=n), updated_at=at,
        ))
    return claims


def fresh_table():
    import boto3

    from incasso.adapters import aws
    from infra.topology import TOPOLOGY, dynamodb_create_table_kwargs

    aws.reset_clients()
    boto3.client("dynamodb", region_name=REGION).create_table(**dynamodb_create_table_kwargs(TOPOLOGY.table("claims")))
    return TOPOLOGY.table("claims").name


def baseline_seconds(claims: list) -> float:
    """The same items through a bare ``batch_writer`` (items built before the clock starts)."""
    import boto3
    from boto3.dynamodb.types import TypeDeserializer
    from moto import mock_aws

    from incasso.adapters.claims_store import ClaimsStore

    with mock_aws():
        table_name = fresh_table()
        store = ClaimsStore(table_name)
        to_python = TypeDeserializer().deserialize
        items = [{name: to_python(value) for name, value in put["Put"]["Item"].items()}
                 for claim in claims for put in store._new_claim_puts(claim)]
        table = boto3.resource("dynamodb", region_name=REGION).Table(table_name)
        started = time.perf_counter()
        with table.batch_writer() as writer:
            for item in items:
                writer.put_item(Item=item)
        return time.perf_counter() - started


def store_seconds(claims: list) -> tuple[float, int]:
    from moto import mock_aws

    from incasso.adapters.claims_store import ClaimsStore

    with mock_aws():
        store = ClaimsStore(fresh_table())
        started = time.perf_counter()
        result = store.create_claims_batch(claims)
        elapsed = time.perf_counter() - started
        return elapsed, sum(1 for existing in result.values() if existing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--stock-rows", type=int, default=330)
    args = parser.parse_args()
    os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    os.environ.pop("AWS_ENDPOINT_URL", None)

    from infra.local import moto_transactions

    if args.stock_rows:
        stock = make_claims(args.stock_rows)
        stock_baseline = baseline_seconds(stock)
        stock_store, _ = store_seconds(stock)
        print(f"stock_moto_rows: {args.stock_rows}")
        print(f"stock_moto_ratio: {stock_store / stock_baseline:.1f}")

    moto_transactions.install()
    claims = make_claims(args.rows)
    baseline = baseline_seconds(claims)
    store, _ = store_seconds(claims)
    print(f"store_batch_rows: {args.rows}")
    print(f"store_batch_baseline_seconds: {baseline:.2f}")
    print(f"store_batch_store_seconds: {store:.2f}")
    print(f"store_batch_ratio: {store / baseline:.2f}")
    with_duplicates = make_claims(args.rows, duplicate_every=100)
    repeats = sum(1 for n in range(500, args.rows) if n % 100 == 0)
    seconds, reported = store_seconds(with_duplicates)
    print(f"store_batch_store_with_duplicates_seconds: {seconds:.2f}")
    print(f"store_batch_duplicates_reported: {reported} of {repeats}")


if __name__ == "__main__":
    main()
