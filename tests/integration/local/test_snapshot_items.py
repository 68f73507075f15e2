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


def test_a_swap_cut_short_by_a_kill_leaves_a_whole_snapshot_for_the_next_start(local_stack, tmp_path, monkeypatch):
    # Given a snapshot, then a claim written after it
    dynamodb = local_stack.client("dynamodb")
    table = local_stack.topology.tables[0].name
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "t#CLAIM#first"}, "sk": {"S": "CLAIM"}})
    snapshot.save(local_stack, tmp_path)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "t#CLAIM#second"}, "sk": {"S": "CLAIM"}})

    # When the next save is killed between its two renames (the old one moved away, the new one not in yet)
    real_replace = snapshot.os.replace

    class Killed(BaseException):
        pass

    def replace(source, target):
        if str(source).endswith(f".{snapshot.SNAPSHOT}.new"):
            raise Killed()
        real_replace(source, target)

    monkeypatch.setattr(snapshot.os, "replace", replace)
    try:
        snapshot.save(local_stack, tmp_path)
    except Killed:
        pass
    monkeypatch.setattr(snapshot.os, "replace", real_replace)
    assert not (tmp_path / snapshot.SNAPSHOT).exists()

    # Then the next start finds the new snapshot, whole, with both claims
    state = snapshot._read_state(tmp_path)
    keys = {item["pk"]["S"] for item in state["tables"][table]}
    assert {"t#CLAIM#first", "t#CLAIM#second"} <= keys
    assert (tmp_path / snapshot.SNAPSHOT / snapshot.STATE_FILE).is_file()
    assert not (tmp_path / f".{snapshot.SNAPSHOT}.new").exists()
