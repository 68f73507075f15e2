"""Webhooks through the API (CONTRACT.md §10): ``POST /v1/webhooks`` answers the secret once;
``GET /v1/webhooks`` lists them (without secrets); ``DELETE /v1/webhooks/{webhook_id}``; and
``GET /v1/webhooks/{webhook_id}/deliveries``, the delivery log. A manager's routes (``incasso.api.roles``)."""

import datetime as dt

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict, Field

from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.domain.webhooks import Delivery, Webhook
from incasso.services.webhooks import NewWebhook
from incasso.services import wiring

router = Router()


class WebhookCreated(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    webhook_id: str
    secret: str = Field(description="shown once: HMAC-SHA256 key of the Incasso-Signature header")
    url: str
    events: list[str] | None


class WebhookOut(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    webhook_id: str
    url: str
    events: list[str] | None = Field(description="null: every event")
    created_at: dt.datetime

    @classmethod
    def from_domain(cls, webhook: Webhook) -> "WebhookOut":
        return cls(webhook_id=webhook.webhook_id, url=webhook.url, events=webhook.events, created_at=webhook.created_at)


class WebhookList(DeferredModel):
    items: list[WebhookOut]


class AttemptOut(DeferredModel):
    at: dt.datetime
    status: int | None = Field(description="the subscriber's HTTP status; null when it did not answer")
    error: str | None


class DeliveryOut(DeferredModel):
    id: str
    type: str
    created_at: dt.datetime
    status: str = Field(description="pending (another attempt is planned), delivered or failed")
    attempts: list[AttemptOut]
    next_attempt_at: dt.datetime | None

    @classmethod
    def from_domain(cls, delivery: Delivery) -> "DeliveryOut":
        return cls(id=delivery.event_id, type=delivery.type, created_at=delivery.created_at,
                   status=delivery.status.value, next_attempt_at=delivery.next_attempt_at,
                   attempts=[AttemptOut(at=a.at, status=a.status, error=a.error) for a in delivery.attempts])


class DeliveryList(DeferredModel):
    items: list[DeliveryOut]


@router.post("/v1/webhooks", summary="Subscribe a URL to the tenant's events", tags=["webhooks"],
             responses=responses(201, "the webhook and its secret (shown once)", WebhookCreated))
def create_webhook(body: NewWebhook) -> Response[WebhookCreated]:
    webhook = wiring.webhook_service().subscribe(current_tenant(router), body)
    created = WebhookCreated(webhook_id=webhook.webhook_id, secret=webhook.secret, url=webhook.url, events=webhook.events)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created.model_dump(mode="json"))


@router.get("/v1/webhooks", summary="The tenant's webhooks", tags=["webhooks"],
            responses=responses(200, "the webhooks, oldest first", WebhookList))
def list_webhooks() -> WebhookList:
    return WebhookList(items=[WebhookOut.from_domain(w) for w in wiring.webhook_service().list(current_tenant(router))])


_DELETED = {204: {"description": "deleted"},
            **{code: answer for code, answer in responses(200, "", WebhookOut, 404).items() if code != 200}}


@router.delete("/v1/webhooks/<webhook_id>", summary="Delete a webhook", tags=["webhooks"], responses=_DELETED)
def delete_webhook(webhook_id: str) -> Response[None]:
    wiring.webhook_service().unsubscribe(current_tenant(router), webhook_id)
    return Response(status_code=204, body="")


@router.get("/v1/webhooks/<webhook_id>/deliveries", summary="A webhook's delivery log", tags=["webhooks"],
            responses=responses(200, "every delivery with its attempts, oldest first", DeliveryList, 404))
def list_deliveries(webhook_id: str) -> DeliveryList:
    deliveries = wiring.webhook_service().deliveries(current_tenant(router), webhook_id)
    return DeliveryList(items=[DeliveryOut.from_domain(d) for d in deliveries])
