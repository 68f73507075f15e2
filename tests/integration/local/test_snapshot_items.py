"""The snapshot reads tables from moto's backend (a paginated Scan lists the whole table for every page:
39 s instead of 2 s for 100,000 items, ``benchmarks/snapshot.py``); it must read exactly what a Scan
gives, and the read must fail loudly here if moto moves the attribute it reads."""

from __future__ import annotations

from infra.local import snapshot


def test_the_backend_read_gives_what_a_scan_gives(local_stack):
    # Given items of every attribute type in a table
    dynamodb = local_stack.client("dynamodb")
    table = local_stack.topology.tables[0].name
    for n in range(30):
        dynamodb.put_item(TableName=table, Item={
            "pk": {"S": f"t#CLAIM#c{n}"}, "sk": {"S": "CLAIM"}, "n": {"N": str(n * 1.5)}, "b": {"B": b"\x00\xff"},
            "ok": {"BOOL": n % 2 == 0}, "none": {"NULL": True}, "tags": {"SS": ["a", "b"]},
            "m": {"M": {"x": {"S": "y"}, "l": {"L": [{"N": "1"}, {"S": "z"}]}}}})
    # When the snapshot reads it / Then the items are those of a paginated Scan
    scanned = [item for page in dynamodb.get_paginator("scan").paginate(TableName=table) for item in page["Items"]]
    read = snapshot._items(local_stack, None, table)  # no client: a failing backend read raises here
    key = lambda item: (item["pk"]["S"], item["sk"]["S"])  # noqa: E731
    assert sorted(read, key=key) == sorted(scanned, key=key)
