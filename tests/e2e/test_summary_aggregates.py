"""The summary from the aggregates on the whole local stack: after a demo-like run (claims arriving, the
trajectory's steps on the simulated clock, payments, a dispute) the API's summary equals the recount of
every claim, read at most ten items."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

from incasso import clock
from incasso.api.proxy import proxy_event
from incasso.domain.aggregates import SHARDS
from incasso.services.claim_commands import NewPayment
from incasso.services.reports import ReportService, summarize

START = dt.date(2026, 1, 5)


def test_the_summary_equals_a_recount_after_a_demo_like_run(world):
    # given a tenant with twelve claims arriving over two weeks, run through 60 days: some paid in part or in
    # full, one disputed
    world.tenant()
    claims = []
    for n in range(12):
        world.until(START + dt.timedelta(days=n))
        claims.append(world.claim(invoice=f"F-{n}", principal=f"{250 + 175 * n}.00",
                                  debtor_type="business" if n % 3 == 0 else "consumer", due=START))
    world.until(START + dt.timedelta(days=20))
    world.claims.pay("acme", claims[1].claim_id, NewPayment(amount=Decimal("100.00"), paid_at=clock.today()))
    owed = world.claims.current("acme", claims[2].claim_id).amounts.outstanding
    world.claims.pay("acme", claims[2].claim_id, NewPayment(amount=owed, paid_at=clock.today()))
    world.claims.dispute("acme", claims[3].claim_id, "not delivered")
    world.until(START + dt.timedelta(days=60))
    # when the API is asked for the summary
    answer = world.stack.invoke("api", proxy_event("GET", "/v1/reports/summary", tenant_id="acme"))
    # then it is the recount of every claim, to the cent, from at most one item per shard
    assert answer["statusCode"] == 200
    summary = json.loads(answer["body"])
    recount = summarize(ReportService(world.store).all_claims("acme"), clock.today()).model_dump(mode="json")
    assert summary == json.loads(json.dumps(recount))
    assert summary["claims"] == 12 and summary["by_status"]["paid"]["count"] >= 1
    assert world.store.read_aggregates("acme").items_read <= SHARDS
    # and the history's last day holds every claim where it stands now
    answer = world.stack.invoke("api", proxy_event("GET", "/v1/reports/history", tenant_id="acme"))
    last = json.loads(answer["body"])["days"][-1]
    standing = Counter(f"{c.status.value}|{c.stage.value}" for c in ReportService(world.store).all_claims("acme"))
    assert last["positions"] == dict(standing)
    assert last["collected"] == summary["collected"]
