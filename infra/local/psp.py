"""``incasso serve``'s payment provider: a fake that behaves like Mollie for the portal's flow
(CONTRACT.md §8). It lives with the local stack, never in the product.

- ``POST /_local/psp/v2/payments`` and ``GET /_local/psp/v2/payments/ID``: Mollie's Payments API (the
  part the product's client, ``mollie-api-python``, calls), with the API key ``incasso serve`` gave the
  product as a bearer token: answers in ``application/hal+json`` with Mollie's fields (``resource``,
  ``id``, ``mode``, ``createdAt``, ``status``, ``amount``, ``paidAt``, ``_links.self``/``checkout``),
  errors as Mollie's ``{status, title, detail}``, and a repeated ``Idempotency-Key`` answered with the
  payment it created first, as Mollie does;
- ``GET /_local/psp/checkout/ID``: the checkout page, where a person (or a test) chooses;
- ``POST /_local/psp/checkout/ID`` with the form field ``result`` = ``paid``, ``failed`` or ``cancelled``
  completes it: the payment takes that status (paid: ``paidAt`` is the simulated clock's now), the
  provider's webhook reaches the product as Mollie's would (a form POST of ``id`` alone, to the
  payment's ``webhookUrl``), and the browser is sent back to the ``redirectUrl`` (303). A payment
  completed before keeps its first result; the webhook is sent again, as Mollie may.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import urllib.request
from typing import Any, Callable
from urllib.parse import parse_qs

PREFIX = "/_local/psp"
RESULTS = {"paid": "paid", "failed": "failed", "cancelled": "canceled"}
_PAYMENT = re.compile(rf"^{PREFIX}/v2/payments/(?P<id>tr_[A-Za-z0-9]+)$")
_CHECKOUT = re.compile(rf"^{PREFIX}/checkout/(?P<id>tr_[A-Za-z0-9]+)$")
Answer = tuple[int, dict[str, str], bytes]


def portal_environment(endpoint: str, api_key: str) -> dict[str, str]:
    """What the product needs to use this fake: the portal's base URL, the provider's API and key."""
    return {"INCASSO_PORTAL_BASE_URL": endpoint, "INCASSO_PAYMENT_API_URL": f"{endpoint}{PREFIX}/v2",
            "INCASSO_PAYMENT_API_KEY": api_key}


class FakeMollie:
    """The payments, in memory. ``deliver_webhook(url, form_body)`` posts the webhook (the front calls
    the portal function in-process for its own URLs)."""

    def __init__(self, endpoint: Callable[[], str], api_key: str,
                 deliver_webhook: Callable[[str, bytes], int] | None = None) -> None:
        self._endpoint = endpoint
        self.api_key = api_key
        self._deliver = deliver_webhook or _post_form
        self._lock = threading.Lock()
        self.payments: dict[str, dict[str, Any]] = {}
        self._idempotent: dict[str, str] = {}  # Idempotency-Key -> the payment it created
        self.now: Callable[[], str] = lambda: ""

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        if path == f"{PREFIX}/v2/payments" and method == "POST":
            return self._authorized(headers) or self._create(body, _header(headers, "idempotency-key"))
        match = _PAYMENT.match(path)
        if match and method == "GET":
            return self._authorized(headers) or self._get(match["id"])
        match = _CHECKOUT.match(path)
        if match and method == "GET":
            return self._checkout_page(match["id"])
        if match and method == "POST":
            return self._complete(match["id"], body)
        return _json(404, {"status": 404, "title": "Not Found", "detail": "no such resource"})

    def _authorized(self, headers: dict[str, str]) -> Answer | None:
        given = _header(headers, "authorization")
        if secrets.compare_digest(given.encode(), f"Bearer {self.api_key}".encode()):
            return None
        return _json(401, {"status": 401, "title": "Unauthorized Request", "detail": "Missing or bad API key"})

    def _create(self, body: bytes, idempotency_key: str = "") -> Answer:
        try:
            request = json.loads(body)
            value = request["amount"]["value"]
            fields = {key: str(request[key]) for key in ("description", "redirectUrl", "webhookUrl")}
        except (ValueError, KeyError, TypeError):
            return _json(422, {"status": 422, "title": "Unprocessable Entity", "detail": "bad payment"})
        payment_id = f"tr_{secrets.token_hex(8)}"
        payment = {"resource": "payment", "id": payment_id, "mode": "test", "createdAt": self.now(), "status": "open",
                   "amount": {"currency": "EUR", "value": value}, **fields,
                   "metadata": request.get("metadata") or {}, "method": "ideal",
                   "_links": {"self": {"href": f"{self._endpoint()}{PREFIX}/v2/payments/{payment_id}",
                                       "type": "application/hal+json"},
                              "checkout": {"href": f"{self._endpoint()}{PREFIX}/checkout/{payment_id}",
                                           "type": "text/html"}}}
        with self._lock:
            first = self._idempotent.get(idempotency_key) if idempotency_key else None
            if first is not None:  # Mollie answers a repeated Idempotency-Key with what it did the first time
                return _json(201, self.payments[first])
            self.payments[payment_id] = payment
            if idempotency_key:
                self._idempotent[idempotency_key] = payment_id
        return _json(201, payment)

    def _get(self, payment_id: str) -> Answer:
        with self._lock:
            payment = self.payments.get(payment_id)
        if payment is None:
            return _json(404, {"status": 404, "title": "Not Found", "detail": "No payment exists with this id"})
        return _json(200, payment)

    def _checkout_page(self, payment_id: str) -> Answer:
        with self._lock:
            payment = self.payments.get(payment_id)
        if payment is None:
            return 404, {"Content-Type": "text/plain"}, b"no such checkout"
        buttons = "".join(
            f'<button type="submit" name="result" value="{r}" id="result-{r}">{r}</button> ' for r in RESULTS)
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local checkout</title></head>'
                f'<body><h1>Local checkout (fake payment provider)</h1><p>{html.escape(payment["description"])}: '
                f'EUR <span id="amount">{html.escape(payment["amount"]["value"])}</span> · status '
                f'<span id="status">{payment["status"]}</span></p>'
                f'<form method="post" action="{PREFIX}/checkout/{payment_id}">{buttons}</form></body></html>')
        return 200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                     "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'"}, \
            page.encode()

    def _complete(self, payment_id: str, body: bytes) -> Answer:
        result = (parse_qs(body.decode("utf-8", "replace")).get("result") or [""])[-1]
        if result not in RESULTS:
            return 422, {"Content-Type": "text/plain"}, b"result: paid, failed or cancelled"
        with self._lock:
            payment = self.payments.get(payment_id)
            if payment is None:
                return 404, {"Content-Type": "text/plain"}, b"no such checkout"
            if payment["status"] == "open":  # completed once; later choices change nothing
                payment["status"] = RESULTS[result]
                if result == "paid":
                    payment["paidAt"] = self.now()
            webhook, redirect = payment["webhookUrl"], payment["redirectUrl"]
        self._deliver(webhook, f"id={payment_id}".encode())
        return 303, {"Location": redirect, "Content-Type": "text/plain"}, b""


def _header(headers: dict[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _json(status: int, payload: Any) -> Answer:
    return status, {"Content-Type": "application/hal+json"}, json.dumps(payload).encode()


def _post_form(url: str, body: bytes) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the local stack's own URL
        return response.status
