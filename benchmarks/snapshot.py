"""How long ``incasso serve --data-dir`` takes to keep its state (issue 15, "Persistence"). Prints
``name: value`` lines.

    python benchmarks/snapshot.py [--items 100000]

- ``snapshot_save_seconds``: one ``snapshot.save`` of a stack holding ``--items`` items (claims-table
  records of ~0.5 KB, as a portfolio's claims, timeline events and ledger entries are);
- ``snapshot_restore_seconds``: putting that snapshot back into a fresh stack;
- ``snapshot_mb``: the size of ``state.json``.
The clean stop of ``serve`` is the settle plus one save; the periodic snapshot is one save.
Target: save <= 15 s for 100,000 items (it was ~170 s).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers" / "common" / "python")]

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)


def fill(stack, items: int) -> None:
    dynamodb = stack.client("dynamodb")
    table = stack.names.get("claims") or stack.topology.tables[0].name
    for start in range(0, items, 25):
        batch = [{"PutRequest": {"Item": {
            "pk": {"S": f"bench#CLAIM#c{n // 10:07d}"}, "sk": {"S": f"EVENT#{n:08d}"},
            "entity": {"S": "event"}, "record": {"S": "x" * 400}, "at": {"S": "2026-01-05T08:00:00+00:00"}}}}
            for n in range(start, min(start + 25, items))]
        requests = {table: batch}
        while requests:
            requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    args = parser.parse_args()
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "eu-west-1"}.items():
        import os

        os.environ.setdefault(name, value)
    from infra.local import LocalStack, SimulatedClock, snapshot

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        stack = LocalStack(clock=SimulatedClock(START))
        try:
            fill(stack, args.items)
            started = time.perf_counter()
            snapshot.save(stack, data)
            save_seconds = time.perf_counter() - started
        finally:
            stack.close()
        size_mb = (data / snapshot.SNAPSHOT / snapshot.STATE_FILE).stat().st_size / 1e6
        stack = LocalStack(clock=SimulatedClock(START))
        try:
            started = time.perf_counter()
            snapshot.restore(stack, data)
            restore_seconds = time.perf_counter() - started
        finally:
            stack.close()
    print(f"snapshot_items: {args.items}")
    print(f"snapshot_save_seconds: {save_seconds:.2f}")
    print(f"snapshot_restore_seconds: {restore_seconds:.2f}")
    print(f"snapshot_mb: {size_mb:.1f}")


if __name__ == "__main__":
    main()
