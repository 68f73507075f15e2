"""Requests served at the same time (issue 15, "One slow request must not stop the server"): the
handlers of concurrent requests run in parallel, as concurrent Lambdas do in AWS, and every AWS call
stays atomic, so that requests racing on one claim (and the claim's own steps) lose no update and send
nothing twice. Fronts listen on 127.0.0.1 only.

No timing thresholds: a slow request is one held by the test (a webhook subscriber that does not
answer until released), so "answered while the slow one is in flight" is a fact, not a measurement.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from incasso.api.auth import local_token_secret, mint_local_token
from infra.local.http import LocalFront
from held_webhooks import HeldSubscriber
from tenant_profiles import PROFILE_BODY

CLAIM = {"invoice_number": "F-CONC-1", "principal": "425.00", "invoice_date": "2025-12-01",
         "due_date": "2025-12-15", "debtor": {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl"}}


def call(front: LocalFront, method: str, path: str, body: object = None, tenant_id: str | None = "acme",
         headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(front.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    if tenant_id:
        request.add_header("Authorization", f"Bearer {mint_local_token(tenant_id, local_token_secret())}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def front(local_stack):
    front = LocalFront("127.0.0.1", 0)
    front.attach(local_stack)
    front.start()
    yield front
    front.stop()


@pytest.fixture
def held_subscriber():
    subscriber = HeldSubscriber()
    yield subscriber
    subscriber.close()


def test_one_slow_request_does_not_hold_up_other_tenants_requests(front, held_subscriber):
    # Given slowco, whose webhook subscriber holds every delivery until released
    status, _ = call(front, "POST", "/v1/webhooks", {"url": held_subscriber.url, "events": ["claim.created"]},
                     tenant_id="slowco")
    assert status == 201
    # and slowco's request creating a claim, in flight: it waits for its subscriber
    slow: dict[str, object] = {}
    finished = threading.Event()

    def create_slowly() -> None:
        slow["answer"] = call(front, "POST", "/v1/claims", CLAIM, tenant_id="slowco")
        finished.set()

    slow_request = threading.Thread(target=create_slowly)
    slow_request.start()
    try:
        assert held_subscriber.arrived.wait(30), "the slow request never reached its subscriber"

        # When other tenants ask meanwhile: a list, a write, and the local clock
        listed = call(front, "GET", "/v1/claims", tenant_id="quickco", timeout=30)
        created = call(front, "POST", "/v1/claims", {**CLAIM, "invoice_number": "F-QUICK-1"},
                       tenant_id="quickco", timeout=30)
        clock = call(front, "GET", "/_local/clock", tenant_id=None, timeout=30)
        # and slowco itself reads its claims
        own = call(front, "GET", "/v1/claims", tenant_id="slowco", timeout=30)

        # Then they are all answered while the slow request is still held
        assert not finished.is_set()
        assert listed == (200, {"items": [], "next_token": None})
        assert created[0] == 201 and created[1]["invoice_number"] == "F-QUICK-1"
        assert clock[0] == 200 and own[0] == 200
    finally:
        held_subscriber.release.set()
        slow_request.join(60)

    # And the slow request completes as it would have alone: one claim, its event delivered once
    assert finished.is_set() and slow["answer"][0] == 201
    assert [event["type"] for event in held_subscriber.received] == ["claim.created"]
    _, listed = call(front, "GET", "/v1/claims", tenant_id="slowco")
    assert [claim["invoice_number"] for claim in listed["items"]] == ["F-CONC-1"]


def _pay(front: LocalFront, claim_id: str, amount: str, key: str) -> tuple[int, object]:
    return call(front, "POST", f"/v1/claims/{claim_id}/payments", {"amount": amount, "paid_at": "2026-01-05"},
                headers={"Idempotency-Key": key})


def _claim(front: LocalFront, claim_id: str) -> dict:
    status, claim = call(front, "GET", f"/v1/claims/{claim_id}")
    assert status == 200
    return claim


def _outbox(front: LocalFront, claim_id: str) -> list[dict]:
    status, messages = call(front, "GET", f"/_local/outbox?claim_id={claim_id}")
    assert status == 200
    return messages


def test_payments_hammering_one_claim_at_once_are_each_booked_once(front):
    # Given a claim of a tenant that is ready to send
    assert call(front, "PUT", "/v1/tenant/profile", PROFILE_BODY)[0] == 200
    status, claim = call(front, "POST", "/v1/claims", CLAIM)
    assert status == 201
    claim_id = claim["claim_id"]

    # When sixteen part payments of 10.00 arrive at the same moment, each with its own key
    start = threading.Barrier(16)

    def pay_part(n: int) -> tuple[int, object]:
        start.wait(30)
        return _pay(front, claim_id, "10.00", f"part-{n}")

    with ThreadPoolExecutor(16) as pool:
        parts = list(pool.map(pay_part, range(16)))

    # Then each is booked exactly once or refused as a conflict to retry: no update is lost
    assert {status for status, _ in parts} <= {201, 409}, parts
    booked = sum(1 for status, _ in parts if status == 201)
    assert booked >= 1
    claim = _claim(front, claim_id)
    assert Decimal(claim["amounts"]["paid"]) == Decimal("10.00") * booked
    assert Counter(event["type"] for event in claim["timeline"])["payment_received"] == booked

    # When eight payments of everything still owed race each other
    outstanding = claim["amounts"]["outstanding"]
    finish = threading.Barrier(8)

    def pay_all(n: int) -> tuple[int, object]:
        finish.wait(30)
        return _pay(front, claim_id, outstanding, f"all-{n}")

    with ThreadPoolExecutor(8) as pool:
        alls = list(pool.map(pay_all, range(8)))

    # Then exactly one wins; the others find nothing left to pay (422) or lose the race (409)
    statuses = Counter(status for status, _ in alls)
    assert statuses[201] == 1 and set(statuses) <= {201, 409, 422}, alls
    claim = _claim(front, claim_id)
    assert claim["status"] == "paid" and Decimal(claim["amounts"]["outstanding"]) == 0
    assert Decimal(claim["amounts"]["paid"]) == Decimal("10.00") * booked + Decimal(outstanding)
    types = Counter(event["type"] for event in claim["timeline"])
    assert types["payment_received"] == booked + 1 and types["claim_closed"] == 1
    # and no message went out twice
    kinds = Counter((message["kind"], message["channel"]) for message in _outbox(front, claim_id))
    assert all(count == 1 for (kind, _), count in kinds.items() if kind != "payment_confirmation"), kinds


def test_payments_racing_the_claims_own_step_lose_nothing_and_send_nothing_twice(front, local_stack):
    # Given a claim past the day of its first reminder, of a tenant that is ready to send
    assert call(front, "PUT", "/v1/tenant/profile", PROFILE_BODY)[0] == 200
    status, claim = call(front, "POST", "/v1/claims", CLAIM)
    assert status == 201
    claim_id = claim["claim_id"]
    owed = Decimal(claim["amounts"]["outstanding"])

    # When the sweep starts its escalation (whose steps run at once) while payments pour in through the
    # front, the last of them paying everything that can be owed
    start = threading.Barrier(7)

    def sweep() -> object:
        start.wait(30)
        return local_stack.invoke("sweep", {})

    def pay(n: int) -> tuple[int, object]:
        start.wait(30)
        return _pay(front, claim_id, "25.00", f"race-{n}")

    with ThreadPoolExecutor(7) as pool:
        swept = pool.submit(sweep)
        parts = list(pool.map(pay, range(6)))
        assert swept.result()["started"] == 1
    local_stack.settle()
    rest = _claim(front, claim_id)["amounts"]["outstanding"]
    assert _pay(front, claim_id, rest, "race-rest")[0] == 201
    local_stack.settle()

    # Then every payment answered 201 is booked once and the claim is paid in full
    assert {status for status, _ in parts} <= {201, 409}, parts
    booked = sum(1 for status, _ in parts if status == 201)
    claim = _claim(front, claim_id)
    assert claim["status"] == "paid" and Decimal(claim["amounts"]["outstanding"]) == 0
    assert Decimal(claim["amounts"]["paid"]) == Decimal("25.00") * booked + Decimal(rest)
    assert Decimal(claim["amounts"]["paid"]) >= owed
    types = Counter(event["type"] for event in claim["timeline"])
    assert types["payment_received"] == booked + 1 and types["claim_closed"] == 1
    # and the step acted at most once, and nothing was sent twice
    assert types["step_taken"] <= 1 and types["message_sent"] <= 1
    sent = _outbox(front, claim_id)
    kinds = Counter((message["kind"], message["channel"]) for message in sent)
    assert all(count == 1 for (kind, _), count in kinds.items() if kind != "payment_confirmation"), kinds

    # When the escalation comes to its next check
    assert call(front, "POST", "/_local/clock/advance", {"days": 30}, tenant_id=None)[0] == 200
    # Then it closes the paid claim and ends, without a message or a second close
    assert local_stack.running_executions == 0
    assert _outbox(front, claim_id) == sent
    claim = _claim(front, claim_id)
    assert claim["status"] == "paid"
    assert Counter(event["type"] for event in claim["timeline"])["claim_closed"] == 1
