"""The Mollie adapter (``incasso.adapters.psp_mollie``, Mollie's official client ``mollie-api-python``)
against ``incasso serve``'s fake provider (``infra.local.psp.FakeMollie``) served over HTTP on 127.0.0.1:
create a payment, fetch it back, and the statuses paid, failed and canceled as the port tells them."""

from __future__ import annotations

import datetime as dt
import threading
import urllib.parse
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incasso.adapters.psp_mollie import MolliePayments
from incasso.domain.portal import PaymentProviderError
from infra.local.psp import PREFIX, FakeMollie

API_KEY = "test_" + "a1" * 16
PAID_AT = "2026-01-12T10:15:00+00:00"


@pytest.fixture
def provider():
    """The fake on a real HTTP server; webhooks it sends are recorded, not delivered."""
    webhooks: list[tuple[str, bytes]] = []
    fake: FakeMollie

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urllib.parse.urlsplit(self.path).path
            status, headers, payload = fake.handle(self.command, path, dict(self.headers), body)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _answer

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    fake = FakeMollie(lambda: endpoint, API_KEY, deliver_webhook=lambda url, body: webhooks.append((url, body)) or 200)
    fake.now = lambda: PAID_AT
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield endpoint, fake, webhooks
    server.shutdown()
    server.server_close()


def _create(adapter: MolliePayments, amount: str = "125.50"):
    return adapter.create_payment(amount=Decimal(amount), description="Invoice F-1", metadata={"claims": "clm_1"},
                                  redirect_url="http://portal.test/p/token?done=payment_back",
                                  webhook_url="http://portal.test/p/webhooks/payments")


def _complete(endpoint: str, payment_id: str, result: str) -> int:
    request = urllib.request.Request(f"{endpoint}{PREFIX}/checkout/{payment_id}", method="POST",
                                     data=f"result={result}".encode())

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        return urllib.request.build_opener(NoRedirect).open(request, timeout=10).status
    except urllib.error.HTTPError as answer:
        return answer.code


def test_the_client_creates_a_payment_and_fetches_it_back_from_the_fake_over_http(provider):
    # given the adapter pointed at the fake's API (as incasso serve configures it)
    endpoint, fake, _ = provider
    adapter = MolliePayments(f"{endpoint}{PREFIX}/v2", API_KEY)
    # when a payment is created
    created = _create(adapter)
    # then it is open, with the amount, metadata and a checkout URL on the fake
    assert created.payment_id.startswith("tr_") and created.status == "open" and not created.is_paid
    assert created.amount == Decimal("125.50") and created.metadata == {"claims": "clm_1"}
    assert created.checkout_url == f"{endpoint}{PREFIX}/checkout/{created.payment_id}"
    assert fake.payments[created.payment_id]["webhookUrl"] == "http://portal.test/p/webhooks/payments"
    # and fetching it back gives the same payment
    assert adapter.get_payment(created.payment_id) == created


@pytest.mark.parametrize("result, status, paid", [("paid", "paid", True), ("failed", "failed", False),
                                                  ("cancelled", "canceled", False)])
def test_a_completed_checkout_is_fetched_back_with_its_status(provider, result, status, paid):
    # given a payment the debtor completes on the checkout with paid, failed or cancelled
    endpoint, _, webhooks = provider
    adapter = MolliePayments(f"{endpoint}{PREFIX}/v2", API_KEY)
    created = _create(adapter)
    assert _complete(endpoint, created.payment_id, result) == 303
    # when the product fetches it back (the webhook carried only its id)
    fetched = adapter.get_payment(created.payment_id)
    # then the status is Mollie's, paid only when paid, dated when paid
    assert webhooks == [("http://portal.test/p/webhooks/payments", f"id={created.payment_id}".encode())]
    assert fetched.status == status and fetched.is_paid is paid
    assert fetched.paid_at == (dt.datetime.fromisoformat(PAID_AT) if paid else None)


def test_an_unknown_or_malformed_payment_id_is_none(provider):
    # given the adapter / when asked for payments the fake does not know / then None, no error
    endpoint, _, _ = provider
    adapter = MolliePayments(f"{endpoint}{PREFIX}/v2", API_KEY)
    assert adapter.get_payment("tr_doesnotexist") is None
    assert adapter.get_payment("not-a-payment") is None


def test_a_wrong_key_or_an_unreachable_provider_is_the_ports_error(provider):
    # given a key the fake does not accept, and a provider that is not there
    endpoint, _, _ = provider
    wrong = MolliePayments(f"{endpoint}{PREFIX}/v2", "test_" + "b2" * 16)
    gone = MolliePayments("http://127.0.0.1:9/v2", API_KEY)
    # when used / then PaymentProviderError, never the client's own exceptions
    with pytest.raises(PaymentProviderError):
        _create(wrong)
    with pytest.raises(PaymentProviderError):
        gone.get_payment("tr_abcdef")
    with pytest.raises(PaymentProviderError):
        MolliePayments(f"{endpoint}{PREFIX}/v2", "not-a-key").get_payment("tr_abcdef")


def test_the_fake_answers_a_repeated_idempotency_key_with_the_first_payment_as_mollie_does(provider):
    # given a payment created through the client with an explicit Idempotency-Key
    endpoint, fake, _ = provider
    adapter = MolliePayments(f"{endpoint}{PREFIX}/v2", API_KEY)
    body = {"amount": {"currency": "EUR", "value": "10.00"}, "description": "x", "redirectUrl": "http://a.test/",
            "webhookUrl": "http://a.test/hook"}
    first = adapter.client.payments.create(body, idempotency_key="key-1")
    # when the same key comes again / then the same payment, and only one exists
    again = adapter.client.payments.create(body, idempotency_key="key-1")
    assert again.id == first.id and len(fake.payments) == 1
    assert first.created_at == PAID_AT and first.resource == "payment"
