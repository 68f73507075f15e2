"""Webhooks end to end (CONTRACT.md §10) on the local stack: a subscriber on 127.0.0.1 started by the test,
written from the contract alone, receives signed events; one answering 500 twice gets the event again on
the simulated clock, with backoff, the same id and the same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incasso.api.proxy import proxy_event
from tenant_profiles import PROFILE_BODY

CLAIM = {"invoice_number": "F-WH-1", "principal": "425.00", "invoice_date": "2025-12-01", "due_date": "2025-12-15",
         "debtor": {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl"}}


class Subscriber:
    """A webhook receiver as an integrator writes it from CONTRACT.md §10: it checks the signature
    ``t=UNIX_SECONDS,v1=HEX``, HMAC-SHA256 with the secret over ``"{t}.{raw body}"``."""

    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict] = []  # {"body", "signature_ok", "event"}
        self.answers: list[int] = []  # status codes to answer, in turn; 200 when empty
        received, answers, subscriber = self.received, self.answers, self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                received.append({"body": raw, "signature_ok": subscriber.verify(self.headers["Incasso-Signature"], raw),
                                 "event": json.loads(raw)})
                self.send_response(answers.pop(0) if answers else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/incasso"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verify(self, header: str, raw: bytes) -> bool:
        parts = dict(item.split("=", 1) for item in header.split(","))
        expected = hmac.new(self.secret.encode(), parts["t"].encode() + b"." + raw, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, parts["v1"])

    def of_type(self, event_type: str) -> list[dict]:
        return [r for r in self.received if r["event"]["type"] == event_type]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def subscriber():
    receiver = Subscriber()
    yield receiver
    receiver.close()


def api(stack, method, path, body=None, tenant_id="acme"):
    response = stack.invoke("api", proxy_event(method, path, tenant_id=tenant_id,
                                                body=None if body is None else json.dumps(body)))
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def test_events_reach_the_subscriber_signed_and_a_failing_one_is_retried_with_the_same_id(local_stack, subscriber):
    stack = local_stack
    # Given acme's profile and a webhook for two kinds of events
    assert api(stack, "PUT", "/v1/tenant/profile", PROFILE_BODY)[0] == 200
    status, created = api(stack, "POST", "/v1/webhooks",
                          {"url": subscriber.url, "events": ["claim.created", "payment.received"]})
    assert status == 201 and created["secret"].startswith("whsec_")
    subscriber.secret = created["secret"]
    # When a claim is created
    status, claim = api(stack, "POST", "/v1/claims", CLAIM)
    assert status == 201
    # Then the subscriber has it, signed, in the contract's shape
    [delivery] = subscriber.of_type("claim.created")
    assert delivery["signature_ok"]
    event = delivery["event"]
    assert set(event) == {"id", "type", "created_at", "data"} and event["id"].startswith("evt_")
    assert event["data"]["claim_id"] == claim["claim_id"] and event["created_at"] == "2026-01-05T08:00:00Z"
    # When a payment comes in while the subscriber answers 500 twice
    subscriber.answers[:] = [500, 500]
    assert api(stack, "POST", f"/v1/claims/{claim['claim_id']}/payments",
               {"amount": "100.00", "paid_at": "2026-01-05"})[0] == 201
    assert len(subscriber.of_type("payment.received")) == 1
    # Then it is tried again after a minute, and after four more, on the simulated clock
    stack.advance(minutes=1)
    assert len(subscriber.of_type("payment.received")) == 2
    stack.advance(minutes=3)
    assert len(subscriber.of_type("payment.received")) == 2  # backoff: not yet
    stack.advance(minutes=2)
    payments = subscriber.of_type("payment.received")
    assert len(payments) == 3
    # and every attempt is the same event: one id, the same bytes, each signed
    assert len({p["body"] for p in payments}) == 1 and all(p["signature_ok"] for p in payments)
    assert payments[0]["event"]["id"] != event["id"]
    # and the delivery log says so
    status, log = api(stack, "GET", f"/v1/webhooks/{created['webhook_id']}/deliveries")
    assert status == 200
    paid = next(d for d in log["items"] if d["type"] == "payment.received")
    assert paid["status"] == "delivered" and [a["status"] for a in paid["attempts"]] == [500, 500, 200]
    assert paid["id"] == payments[0]["event"]["id"]
    # And events the webhook did not ask for are not sent
    api(stack, "POST", f"/v1/claims/{claim['claim_id']}/dispute", {"reason": "not mine"})
    assert {r["event"]["type"] for r in subscriber.received} == {"claim.created", "payment.received"}


def test_a_subscriber_that_keeps_failing_is_given_up_after_24_hours(local_stack, subscriber):
    stack = local_stack
    status, created = api(stack, "POST", "/v1/webhooks", {"url": subscriber.url})
    subscriber.secret = created["secret"]
    subscriber.answers[:] = [503] * 50
    assert api(stack, "POST", "/v1/claims", CLAIM)[0] == 201
    stack.advance(days=2)
    # then about seven attempts were made over the day, none after it, and the log says failed
    attempts = [r["event"]["type"] for r in subscriber.received]
    assert 5 <= len(attempts) <= 8 and set(attempts) == {"claim.created"}
    [delivery] = api(stack, "GET", f"/v1/webhooks/{created['webhook_id']}/deliveries")[1]["items"]
    assert delivery["status"] == "failed" and delivery["next_attempt_at"] is None
    last = dt.datetime.fromisoformat(delivery["attempts"][-1]["at"].replace("Z", "+00:00"))
    assert last - dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc) <= dt.timedelta(hours=24)


def test_webhooks_are_listed_deleted_and_never_another_tenants(local_stack, subscriber):
    stack = local_stack
    status, created = api(stack, "POST", "/v1/webhooks", {"url": subscriber.url})
    webhook_id = created["webhook_id"]
    # then it is listed without its secret, and only for its tenant
    [listed] = api(stack, "GET", "/v1/webhooks")[1]["items"]
    assert listed["webhook_id"] == webhook_id and "secret" not in listed and listed["events"] is None
    assert api(stack, "GET", "/v1/webhooks", tenant_id="globex")[1]["items"] == []
    assert api(stack, "GET", f"/v1/webhooks/{webhook_id}/deliveries", tenant_id="globex")[0] == 404
    assert api(stack, "DELETE", f"/v1/webhooks/{webhook_id}", tenant_id="globex")[0] == 404
    # when another tenant creates a claim / then acme's subscriber hears nothing of it
    assert api(stack, "POST", "/v1/claims", CLAIM, tenant_id="globex")[0] == 201
    assert subscriber.received == []
    # when acme deletes it / then it is gone, and acme's next event goes nowhere
    assert api(stack, "DELETE", f"/v1/webhooks/{webhook_id}")[0] == 204
    assert api(stack, "GET", "/v1/webhooks")[1]["items"] == []
    assert api(stack, "POST", "/v1/claims", CLAIM)[0] == 201
    assert subscriber.received == []
    assert api(stack, "DELETE", f"/v1/webhooks/{webhook_id}")[0] == 404
