"""Webhooks (CONTRACT.md §10): a tenant's subscriptions, and the delivery of each domain event to them.

The delivery function is fed by the EventBridge bus (a rule on the bus's ``incasso`` events; the same in
the CDK app and the local stack, both from ``infra/topology.py``). For each event it records one delivery
per subscribed webhook (conditionally: a bus event delivered twice is sent once), POSTs it signed, and
when the subscriber answers anything but 2xx plans the next attempt with a one-time EventBridge Scheduler
schedule, with exponential backoff, for 24 hours. Every attempt is kept in the webhook's delivery log.
"""

import datetime as dt
from typing import Any, Callable, Protocol, TYPE_CHECKING

from pydantic import ConfigDict, Field, field_validator

from incasso import clock
from incasso.domain.base import DeferredModel
from incasso.domain.webhooks import (
    EVENT_TYPES,
    WEBHOOK_EVENTS,
    Attempt,
    Delivery,
    DeliveryStatus,
    Webhook,
    check_url,
    event_body,
    event_id,
    new_secret,
    new_webhook_id,
    next_attempt,
    signature,
)
from incasso.services.errors import InvalidRequestError, NotFoundError
from incasso.settings import get_settings

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import WebhookRecords

MAX_WEBHOOKS = 10  # per tenant


class NewWebhook(DeferredModel):
    """The body of ``POST /v1/webhooks``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=8, max_length=2048, description="https:// (locally also http://127.0.0.1)")
    events: list[str] | None = Field(default=None, min_length=1, description="all events when absent")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value, allow_http_loopback=get_settings().webhook_allow_http_loopback)

    @field_validator("events")
    @classmethod
    def _events(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - set(WEBHOOK_EVENTS))
        if unknown:
            raise ValueError(f"unknown event(s) {', '.join(unknown)}; known: {', '.join(WEBHOOK_EVENTS)}")
        return sorted(set(value))


class Retries(Protocol):
    def schedule(self, name: str, at: dt.datetime, payload: dict[str, Any]) -> None: ...


Sender = Callable[[str, str, str, dt.datetime], Attempt]  # (url, body, signature header, now) -> attempt


class WebhookService:
    def __init__(self, store: "WebhookRecords", *, send: Sender, retries: Retries | None = None) -> None:
        self.store = store
        self._send = send
        self._retries = retries

    # -- the tenant's subscriptions ---------------------------------------------------------------
    def subscribe(self, tenant_id: str, new: NewWebhook) -> Webhook:
        if len(self.store.list_webhooks(tenant_id)) >= MAX_WEBHOOKS:
            raise InvalidRequestError(f"at most {MAX_WEBHOOKS} webhooks per tenant",
                                      [{"field": "url", "message": "delete a webhook first"}])
        webhook = Webhook(webhook_id=new_webhook_id(), url=new.url, events=new.events, secret=new_secret(),
                          created_at=clock.now())
        return self.store.put_webhook(tenant_id, webhook)

    # Below, `list[...]` annotations are quoted: in the class body this method shadows the builtin.
    def list(self, tenant_id: str) -> list[Webhook]:
        return self.store.list_webhooks(tenant_id)

    def get(self, tenant_id: str, webhook_id: str) -> Webhook:
        webhook = self.store.get_webhook(tenant_id, webhook_id)
        if webhook is None:
            raise NotFoundError(f"webhook {webhook_id[:64]} not found")
        return webhook

    def unsubscribe(self, tenant_id: str, webhook_id: str) -> None:
        if not self.store.delete_webhook(tenant_id, webhook_id):
            raise NotFoundError(f"webhook {webhook_id[:64]} not found")

    def deliveries(self, tenant_id: str, webhook_id: str) -> "list[Delivery]":
        self.get(tenant_id, webhook_id)
        return self.store.list_deliveries(tenant_id, webhook_id)

    # -- delivering (the delivery function) --------------------------------------------------------
    def on_bus_event(self, event: dict[str, Any]) -> "list[Delivery]":
        """A domain event from the bus: one delivery per webhook of its tenant that wants it."""
        event_type = EVENT_TYPES.get(event.get("detail-type", ""))
        detail = dict(event.get("detail") or {})
        tenant_id = detail.pop("tenant_id", None)
        if event_type is None or not tenant_id or not event.get("id"):
            return []
        now = clock.now()
        id_ = event_id(event["id"])
        body = event_body(id_, event_type, _event_time(event, now), detail)
        sent = []
        for webhook in self.store.list_webhooks(tenant_id):
            if not webhook.wants(event_type):
                continue
            delivery = Delivery(event_id=id_, webhook_id=webhook.webhook_id, type=event_type, body=body, created_at=now)
            if self.store.create_delivery(tenant_id, delivery):
                sent.append(self._attempt(tenant_id, webhook, delivery, now))
        return sent

    def retry(self, tenant_id: str, webhook_id: str, event_id_: str) -> Delivery | None:
        """A planned retry is due: try again unless delivered, given up, or the webhook is gone."""
        delivery = self.store.get_delivery(tenant_id, webhook_id, event_id_)
        webhook = self.store.get_webhook(tenant_id, webhook_id)
        if delivery is None or delivery.status is not DeliveryStatus.PENDING:
            return delivery
        now = clock.now()
        if webhook is None:
            ended = delivery.model_copy(update={"status": DeliveryStatus.FAILED, "next_attempt_at": None})
            self.store.save_delivery(tenant_id, ended)
            return ended
        return self._attempt(tenant_id, webhook, delivery, now)

    def _attempt(self, tenant_id: str, webhook: Webhook, delivery: Delivery, now: dt.datetime) -> Delivery:
        timestamp = int(now.timestamp())
        attempt = self._sender()(webhook.url, delivery.body, signature(webhook.secret, timestamp, delivery.body), now)
        tried = delivery.model_copy(update={"attempts": [*delivery.attempts, attempt]})
        if attempt.status is not None and 200 <= attempt.status < 300:
            done = tried.model_copy(update={"status": DeliveryStatus.DELIVERED, "next_attempt_at": None})
            self.store.save_delivery(tenant_id, done)
            return done
        again = next_attempt(tried, now)
        if again is None:
            failed = tried.model_copy(update={"status": DeliveryStatus.FAILED, "next_attempt_at": None})
            self.store.save_delivery(tenant_id, failed)
            return failed
        planned = tried.model_copy(update={"next_attempt_at": again})
        self.store.save_delivery(tenant_id, planned)
        self._retries_port().schedule(
            f"webhook-{delivery.event_id[4:24]}-{webhook.webhook_id[3:15]}-{len(tried.attempts)}", again,
            {"webhook_retry": {"tenant_id": tenant_id, "webhook_id": webhook.webhook_id,
                               "event_id": delivery.event_id}})
        return planned

    def _sender(self) -> Sender:
        return self._send

    def _retries_port(self) -> Retries:
        if self._retries is None:
            raise RuntimeError("no retry scheduler is wired: a failed delivery cannot be tried again")
        return self._retries


def _event_time(event: dict[str, Any], default: dt.datetime) -> dt.datetime:
    raw = event.get("time")
    if isinstance(raw, str):
        try:
            return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return default
    return default
