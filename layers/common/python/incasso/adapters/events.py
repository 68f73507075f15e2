"""Domain events on the EventBridge bus, for tenants' integrations (ClaimCreated, PaymentReceived, ...)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from incasso.adapters.aws import client
from incasso.settings import get_settings

SOURCE = "incasso"
MAX_ENTRIES_PER_CALL = 10  # PutEvents limit


class EventPublisher:
    def __init__(self, bus_name: str | None = None) -> None:
        self._bus_name = bus_name or get_settings().event_bus_name

    def publish(self, tenant_id: str, detail_type: str, detail: Mapping[str, Any]) -> None:
        self.publish_many([(tenant_id, detail_type, detail)])

    def publish_many(self, events: list[tuple[str, str, Mapping[str, Any]]]) -> None:
        entries = [
            {
                "Source": SOURCE,
                "DetailType": detail_type,
                # The tenant is part of every event so that a tenant's rule can filter on it.
                "Detail": json.dumps({"tenant_id": tenant_id, **detail}, default=str),
                "EventBusName": self._bus_name,
            }
            for tenant_id, detail_type, detail in events
        ]
        for start in range(0, len(entries), MAX_ENTRIES_PER_CALL):
            response = client("events").put_events(Entries=entries[start : start + MAX_ENTRIES_PER_CALL])
            if response.get("FailedEntryCount"):
                raise RuntimeError(f"EventBridge refused {response['FailedEntryCount']} event(s)")
