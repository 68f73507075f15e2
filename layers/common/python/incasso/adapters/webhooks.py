"""Webhooks' data and delivery: subscriptions and their delivery logs in the claims table, the HTTP POST
to the subscriber, and the one-time EventBridge Scheduler schedule that tries a failed delivery again.

| item      | pk                                   | sk                      |
|-----------|--------------------------------------|-------------------------|
| webhook   | ``<tenant>#WEBHOOK``                 | ``<webhook_id>``        |
| delivery  | ``<tenant>#WEBHOOK#<webhook_id>``    | ``DELIVERY#<event_id>`` |
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from typing import Any

from incasso.adapters import keys
from incasso.adapters.aws import client
from incasso.adapters.codec import attrs_to_model, model_to_attrs
from incasso.domain.webhooks import MAX_BODY_IN_LOG, SIGNATURE_HEADER, Attempt, Delivery, Webhook
from incasso.settings import get_settings

DELIVERY_PREFIX = "DELIVERY#"
WEBHOOK_ID = re.compile(r"^wh_[a-f0-9]{20}$")
SEND_TIMEOUT_SECONDS = 10
USER_AGENT = "incasso-webhooks/1"


def webhooks_pk(tenant_id: str) -> str:
    return f"{keys.tenant_prefix(tenant_id)}WEBHOOK"


def deliveries_pk(tenant_id: str, webhook_id: str) -> str:
    if not WEBHOOK_ID.fullmatch(webhook_id):
        raise ValueError(f"not a webhook id: {webhook_id!r}")
    return f"{webhooks_pk(tenant_id)}#{webhook_id}"


class WebhookStore:
    def __init__(self, table_name: str | None = None) -> None:
        self.table_name = table_name or get_settings().claims_table

    @property
    def client(self) -> Any:
        return client("dynamodb")

    def _query(self, pk: str, prefix: str = "") -> list[dict[str, Any]]:
        items, start = [], None
        while True:
            kwargs: dict[str, Any] = {"TableName": self.table_name, "KeyConditionExpression": "pk = :pk",
                                      "ExpressionAttributeValues": {":pk": {"S": pk}}}
            if prefix:
                kwargs["KeyConditionExpression"] += " AND begins_with(sk, :prefix)"
                kwargs["ExpressionAttributeValues"][":prefix"] = {"S": prefix}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self.client.query(**kwargs)
            items += page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    # -- subscriptions ---------------------------------------------------------------------------
    def put_webhook(self, tenant_id: str, webhook: Webhook) -> Webhook:
        item = model_to_attrs(webhook)
        item.update(pk={"S": webhooks_pk(tenant_id)}, sk={"S": webhook.webhook_id}, entity={"S": "webhook"})
        self.client.put_item(TableName=self.table_name, Item=item)
        return webhook

    def list_webhooks(self, tenant_id: str) -> list[Webhook]:
        return sorted((attrs_to_model(Webhook, item) for item in self._query(webhooks_pk(tenant_id))),
                      key=lambda webhook: (webhook.created_at, webhook.webhook_id))

    def get_webhook(self, tenant_id: str, webhook_id: str) -> Webhook | None:
        if not WEBHOOK_ID.fullmatch(webhook_id):
            return None
        item = self.client.get_item(TableName=self.table_name, Key={
            "pk": {"S": webhooks_pk(tenant_id)}, "sk": {"S": webhook_id}}).get("Item")
        return attrs_to_model(Webhook, item) if item else None

    def delete_webhook(self, tenant_id: str, webhook_id: str) -> bool:
        """Remove the subscription; False when the tenant has none with this id."""
        if not WEBHOOK_ID.fullmatch(webhook_id):
            return False
        answer = self.client.delete_item(TableName=self.table_name, ReturnValues="ALL_OLD", Key={
            "pk": {"S": webhooks_pk(tenant_id)}, "sk": {"S": webhook_id}})
        return "Attributes" in answer

    # -- deliveries ------------------------------------------------------------------------------
    def _delivery_item(self, tenant_id: str, delivery: Delivery) -> dict[str, Any]:
        item = model_to_attrs(delivery)
        item.update(pk={"S": deliveries_pk(tenant_id, delivery.webhook_id)},
                    sk={"S": DELIVERY_PREFIX + delivery.event_id}, entity={"S": "webhook_delivery"})
        return item

    def create_delivery(self, tenant_id: str, delivery: Delivery) -> bool:
        """Record a new delivery; False when this event was recorded for this webhook before (a bus event
        delivered twice), so that it is sent once and its body never changes."""
        try:
            self.client.put_item(TableName=self.table_name, Item=self._delivery_item(tenant_id, delivery),
                                 ConditionExpression="attribute_not_exists(pk)")
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def save_delivery(self, tenant_id: str, delivery: Delivery) -> None:
        self.client.put_item(TableName=self.table_name, Item=self._delivery_item(tenant_id, delivery))

    def get_delivery(self, tenant_id: str, webhook_id: str, event_id: str) -> Delivery | None:
        item = self.client.get_item(TableName=self.table_name, Key={
            "pk": {"S": deliveries_pk(tenant_id, webhook_id)}, "sk": {"S": DELIVERY_PREFIX + event_id}}).get("Item")
        return attrs_to_model(Delivery, item) if item else None

    def list_deliveries(self, tenant_id: str, webhook_id: str) -> list[Delivery]:
        items = self._query(deliveries_pk(tenant_id, webhook_id), DELIVERY_PREFIX)
        return sorted((attrs_to_model(Delivery, item) for item in items), key=lambda d: (d.created_at, d.event_id))


def post(url: str, body: str, signature: str, at: dt.datetime) -> Attempt:
    """POST ``body`` to the subscriber; the attempt as the delivery log keeps it (never raises)."""
    request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST", headers={
        "Content-Type": "application/json", SIGNATURE_HEADER: signature, "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT_SECONDS) as response:  # noqa: S310 - URL checked
            return Attempt(at=at, status=response.status)
    except urllib.error.HTTPError as error:
        return Attempt(at=at, status=error.code, error=error.read(MAX_BODY_IN_LOG).decode("utf-8", "replace") or None)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return Attempt(at=at, error=str(getattr(error, "reason", error))[:MAX_BODY_IN_LOG])


class RetryScheduler:
    """Plans the next attempt as a one-time EventBridge Scheduler schedule that invokes the delivery
    function with ``payload`` at ``at`` and deletes itself afterwards."""

    def __init__(self, function_arn: str, role_arn: str | None = None) -> None:
        self.function_arn = function_arn
        self.role_arn = role_arn or get_settings().webhook_scheduler_role_arn

    def schedule(self, name: str, at: dt.datetime, payload: dict[str, Any]) -> None:
        moment = at.astimezone(dt.timezone.utc).replace(microsecond=0)
        client("scheduler").create_schedule(
            Name=name[:64], ScheduleExpression=f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})",
            ScheduleExpressionTimezone="UTC", FlexibleTimeWindow={"Mode": "OFF"}, ActionAfterCompletion="DELETE",
            Target={"Arn": self.function_arn, "RoleArn": self.role_arn, "Input": json.dumps(payload)})
