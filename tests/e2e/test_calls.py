"""The call step and the agent's API: due calls, and outcomes that steer the escalation."""

from __future__ import annotations

import datetime as dt
import json

from incasso.api.proxy import proxy_event
from incasso.domain.models import ClaimStatus, Stage
from incasso.services.claim_commands import CallOutcome

START = dt.date(2026, 1, 5)  # the local stack starts on Monday 5 Jan 2026
DAY = dt.timedelta(days=1)


def api(world, method, path, tenant_id, body=None):
    event = proxy_event(method, path, tenant_id=tenant_id, body=json.dumps(body) if body is not None else None,
                        headers={"Content-Type": "application/json"})
    answer = world.stack.invoke("api", event)
    return answer["statusCode"], json.loads(answer["body"])


def test_a_due_call_is_listed_for_its_tenant_only_and_a_dispute_on_the_phone_pauses(world):
    # given a consumer claim whose call was planned on day 28 (Mon 2 Feb, 09:00 Dutch time)
    world.tenant()
    world.tenant("other")
    claim = world.claim()
    world.until(START + 28 * DAY)
    planned = world.get(claim)
    assert planned.stage is Stage.CALL_SCHEDULED
    assert planned.call_at == dt.datetime(2026, 2, 2, 8, 0, tzinfo=dt.timezone.utc)
    # when the agents of both tenants ask for their due calls
    status, calls = api(world, "GET", "/v1/calls", "acme")
    _, others = api(world, "GET", "/v1/calls", "other")
    # then only the claim's own tenant sees it
    assert status == 200 and [c["claim_id"] for c in calls["items"]] == [claim.claim_id]
    assert calls["items"][0]["phone"] == "+31612345678"
    assert others["items"] == []
    # when the debtor disputes on the phone / then the escalation pauses
    status, body = api(world, "POST", f"/v1/claims/{claim.claim_id}/call", "acme",
                       {"outcome": "dispute", "reason": "wrong amount"})
    assert status == 200 and body["status"] == "paused"
    world.until(START + 40 * DAY)
    assert "fourteen_day_letter" not in world.sent(claim)
    # and another tenant cannot record an outcome on it
    status, _ = api(world, "POST", f"/v1/claims/{claim.claim_id}/call", "other", {"outcome": "no_answer"})
    assert status == 404


def test_no_answer_plans_the_call_again_on_the_next_business_day(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 30 * DAY)  # Wed 4 Feb
    # when the agent could not reach the debtor
    retried = world.claims.record_call("acme", claim.claim_id, CallOutcome.NO_ANSWER)
    # then the call moves to the next business day's first slot and is no longer due now
    assert retried.call_at == dt.datetime(2026, 2, 5, 8, 0, tzinfo=dt.timezone.utc)
    assert world.claims.due_calls("acme") == []


def test_a_promise_to_pay_holds_the_14_day_letter_until_the_day_after_the_promise(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 28 * DAY)
    # when the debtor promises to pay by day 40
    promised = START + 40 * DAY
    world.claims.record_call("acme", claim.claim_id, CallOutcome.PROMISE_TO_PAY, promised_on=promised)
    # then no letter on day 35, where the policy would send it
    world.until(START + 40 * DAY)
    assert "fourteen_day_letter" not in world.sent(claim)
    assert world.get(claim).status is ClaimStatus.IN_COLLECTION
    # and the promise broken, the letter goes out the day after
    world.until(START + 41 * DAY)
    assert world.sent(claim)[-1] == "fourteen_day_letter"
    assert world.get(claim).step_dates["fourteen_day_letter"] == START + 41 * DAY
