"""The local stack's speed-ups change how fast, never what: the product's whole consumer route gives the
same claim, ledger, timeline, messages and dossier with them on (the default) and off
(``INCASSO_LOCAL_SPEEDUPS=0``: stock moto routing and serialization, real SigV4 signatures)."""

from __future__ import annotations

import datetime as dt

from conftest import START, Trajectory

DAY = dt.timedelta(days=1)


def _route(make_local_stack, speedups: bool) -> dict:
    world = Trajectory(make_local_stack(speedups=speedups))
    try:
        return _run(world)
    finally:
        world.stack.close()  # one local stack per process at a time


def _run(world: Trajectory) -> dict:
    world.tenant()
    claim = world.claim()
    world.until(START + 52 * DAY)  # the 14-day letter's term has run out; legal review; the bailiff
    s3 = world.stack.client("s3")
    from incasso.settings import get_settings

    listed = s3.list_objects_v2(Bucket=get_settings().documents_bucket, Prefix="tenants/acme/")
    final = world.get(claim)
    return {
        "claim": final.model_dump(mode="json", exclude={"claim_id", "payment_reference", "task_token", "created_at", "updated_at"}),
        "ledger": [e.model_dump(mode="json") for e in world.store.get_ledger("acme", claim.claim_id)],
        "timeline": [(e.at.isoformat(), e.type, sorted(e.details)) for e in
                     world.store.get_timeline("acme", claim.claim_id)],
        "sent": world.sent(claim),
        "documents": sorted(item["Key"].replace(claim.claim_id, "<claim>") for item in listed.get("Contents", [])),
    }


def test_the_consumer_route_is_the_same_with_and_without_the_speedups(make_local_stack):
    # given the same claim on a stack with the speed-ups and on one without
    # when each runs to the bailiff
    fast = _route(make_local_stack, speedups=True)
    stock = _route(make_local_stack, speedups=False)
    # then everything the product recorded is the same
    assert fast["sent"] == ["reminder_1", "reminder_2", "call_scheduled", "fourteen_day_letter", "bailiff_filing"]
    assert any(key.endswith("bailiff-inbox/<claim>/dossier.json") for key in fast["documents"])
    assert fast == stock
