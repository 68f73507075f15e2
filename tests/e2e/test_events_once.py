"""Domain events of a claim settled while its execution runs: each said once.

A payment in full closes the claim at once (the API publishes ``ClaimClosed``); the execution, woken or
at its next step, finds the claim closed and only ends. Its close must not announce the closing again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from incasso.domain.models import ClaimStatus
from incasso.services.claim_commands import NewPayment
from infra.local import faults

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)


def _closed_events(report) -> Counter:
    return Counter((json.loads(detail)["claim_id"], json.loads(detail)["outcome"])
                   for detail_type, detail in report.events if detail_type == "ClaimClosed")


def test_a_claim_paid_in_full_while_its_execution_waits_is_closed_once(world):
    # given a claim whose execution waits for its second reminder
    world.tenant()
    claim = world.claim()
    world.until(START + 10 * DAY)
    with faults.observe(world.stack) as report:
        # when the debtor pays in full and the days run on
        owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
        world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=START + 10 * DAY))
        world.until(START + 40 * DAY)
    # then ClaimClosed was published once, and the execution ended
    assert world.get(claim).status is ClaimStatus.PAID
    assert _closed_events(report) == {(claim.claim_id, "paid"): 1}
    assert world.stack.running_executions == 0


def test_a_claim_paid_in_full_while_it_waits_on_the_bailiff_is_closed_once(world):
    # given a claim handed to the bailiff (its execution waits on the task token)
    world.tenant()
    claim = world.claim()
    world.until(START + 53 * DAY)
    assert world.get(claim).waiting_for == "bailiff"
    with faults.observe(world.stack) as report:
        # when the debtor pays in full
        owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
        world.claims.pay("acme", claim.claim_id, NewPayment(amount=owed, paid_at=START + 53 * DAY))
        world.until(START + 54 * DAY)
    # then ClaimClosed was published once, and the execution ended
    final = world.get(claim)
    assert final.status is ClaimStatus.PAID and final.task_token is None
    assert _closed_events(report) == {(claim.claim_id, "paid"): 1}
    assert world.stack.running_executions == 0
