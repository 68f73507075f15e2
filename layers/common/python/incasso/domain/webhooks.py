"""Webhooks (CONTRACT.md §10) as pure rules: which domain event is which webhook event, how a delivery
is signed, when a failed one is tried again, and which subscriber URLs are acceptable. No AWS here.

A delivery is POSTed as JSON ``{"id", "type", "created_at", "data"}`` with the header
``Incasso-Signature: t=UNIX_SECONDS,v1=HEX``, HEX being HMAC-SHA256 with the webhook's secret over
``"{t}.{raw body}"``. The body is fixed when the delivery is first made and every retry sends those very
bytes, so one ``id`` is never two different events.
"""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import secrets
import uuid
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import ConfigDict, Field

from incasso.domain.base import DeferredModel

SIGNATURE_HEADER = "Incasso-Signature"
# The domain events on the bus (detail-type) and the webhook event each becomes.
EVENT_TYPES = {
    "ClaimCreated": "claim.created",
    "ClaimEscalated": "claim.escalated",
    "ClaimClosed": "claim.closed",
    "ClaimParked": "claim.parked",
    "PaymentReceived": "payment.received",
    "ClaimDisputed": "dispute.opened",
    "ArrangementAgreed": "arrangement.agreed",
    "ArrangementProposed": "arrangement.proposed",
    "ArrangementRefused": "arrangement.refused",
    "ImportCompleted": "import.completed",
    "BankStatementProcessed": "bank_statement.processed",
    "LegalApproved": "claim.legal_approved",
    "MonitoredDebtorActive": "debtor.monitored_activity",
}
WEBHOOK_EVENTS = tuple(sorted(set(EVENT_TYPES.values())))
RETRY_FOR = dt.timedelta(hours=24)  # a failing subscriber is tried for a day after the event
FIRST_RETRY = dt.timedelta(minutes=1)
BACKOFF_FACTOR = 4  # 1 min, 4 min, 16 min, 64 min, ~4 h, ~17 h: six retries inside the day
MAX_BODY_IN_LOG = 512  # what of the subscriber's answer the delivery log keeps


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # not yet delivered; another attempt is planned
    DELIVERED = "delivered"
    FAILED = "failed"  # 24 hours of retries ran out


class Webhook(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    webhook_id: str
    url: str
    events: list[str] | None = None  # None: every event
    secret: str
    created_at: dt.datetime

    def wants(self, event_type: str) -> bool:
        return self.events is None or event_type in self.events


class Attempt(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    at: dt.datetime
    status: int | None = None  # the subscriber's HTTP status; None when no answer came
    error: str | None = None


class Delivery(DeferredModel):
    """One event for one webhook, with its log of attempts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: str
    webhook_id: str
    type: str
    body: str  # the exact bytes sent (UTF-8 JSON), the same at every attempt
    created_at: dt.datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: list[Attempt] = Field(default_factory=list)
    next_attempt_at: dt.datetime | None = None


def new_webhook_id() -> str:
    return f"wh_{uuid.uuid4().hex[:20]}"


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def event_id(source_event_id: str) -> str:
    """The webhook event's id, derived from the bus event's: a redelivered bus event keeps its id, and
    two different bus events never share one."""
    return "evt_" + hashlib.sha256(source_event_id.encode("utf-8")).hexdigest()[:32]


def event_body(event_id_: str, event_type: str, created_at: dt.datetime, data: dict[str, Any]) -> str:
    payload = {"id": event_id_, "type": event_type,
               "created_at": created_at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "data": data}
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)


def signature(secret: str, timestamp: int, body: str) -> str:
    """The ``Incasso-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.{body}".encode("utf-8"), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def next_attempt(delivery: Delivery, now: dt.datetime) -> dt.datetime | None:
    """When to try a failed delivery again (exponential backoff), or None when 24 hours have passed."""
    failures = len(delivery.attempts)
    delay = FIRST_RETRY * BACKOFF_FACTOR ** max(failures - 1, 0)
    moment = now + delay
    deadline = delivery.created_at + RETRY_FOR
    if now >= deadline:
        return None
    return min(moment, deadline)


def check_url(url: str, *, allow_http_loopback: bool) -> str:
    """A subscriber URL: ``https://`` to a public host. Locally (``allow_http_loopback``) also
    ``http://127.0.0.1`` or ``http://localhost``. ValueError says why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    if parts.username or parts.password:
        raise ValueError("a URL with credentials in it is refused")
    host = parts.hostname
    loopback = host == "localhost" or _is_ip(host) and ipaddress.ip_address(host).is_loopback
    if parts.scheme == "http":
        if allow_http_loopback and loopback:
            return url
        raise ValueError("the URL must be https://")
    if loopback and allow_http_loopback:
        return url
    if loopback or host.endswith(".localhost") or host.endswith(".internal"):
        raise ValueError("the URL points at a private address")
    if _is_ip(host):
        address = ipaddress.ip_address(host)
        if not address.is_global:
            raise ValueError("the URL points at a private address")
    return url


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
