"""The record of each message sent for a claim, kept under its idempotency key (the marker a step's
save wrote, then the message's record once it went out)."""

from __future__ import annotations

import json
from typing import Any

from incasso import clock
from incasso.adapters import keys
from incasso.adapters.dynamodb.table import Table


class MessageRecords(Table):
    def has_message(self, tenant_id: str, claim_id: str, key: str) -> bool:
        item = self.client.get_item(
            TableName=self.table_name, ConsistentRead=True, ProjectionExpression="pk",
            Key={"pk": {"S": keys.claim_pk(tenant_id, claim_id)}, "sk": {"S": keys.message_sk(key)}},
        ).get("Item")
        return item is not None

    def put_message(self, tenant_id: str, claim_id: str, key: str, record: dict[str, Any]) -> bool:
        """Keep the record of a message sent under ``key``; False when one was kept already (the first
        record stays). ``record`` is JSON-shaped (``model_dump(mode="json")``) and comes back as given."""
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={"pk": {"S": keys.claim_pk(tenant_id, claim_id)}, "sk": {"S": keys.message_sk(key)},
                      "entity": {"S": "message"}, "message_key": {"S": key},
                      "recorded_at": {"S": keys.utc_text(clock.now())},
                      "record": {"S": json.dumps(record, separators=(",", ":"), default=str)}},
                # A marker written by save_claim(message_keys=...) may still receive its record.
                ConditionExpression="attribute_not_exists(pk) OR attribute_not_exists(#record)",
                ExpressionAttributeNames={"#record": "record"},
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def list_messages(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        """The records kept by ``put_message``, oldest first."""
        items = [i for i in self._query_claim(tenant_id, claim_id, keys.MESSAGE_PREFIX) if "record" in i]
        items.sort(key=lambda i: (i["recorded_at"]["S"], i["sk"]["S"]))
        return [json.loads(item["record"]["S"]) for item in items]

    def redact_messages(self, tenant_id: str, claim_id: str, redact: Any) -> int:
        """Rewrite every kept record of the claim's messages as ``redact(record)`` (erasure of personal
        data: the record of what went out when stays, its text goes); answers how many."""
        count = 0
        for item in self._query_claim(tenant_id, claim_id, keys.MESSAGE_PREFIX):
            if "record" not in item:
                continue
            record = redact(json.loads(item["record"]["S"]))
            self.client.update_item(
                TableName=self.table_name, Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET #record = :record", ExpressionAttributeNames={"#record": "record"},
                ExpressionAttributeValues={":record": {"S": json.dumps(record, separators=(",", ":"), default=str)}},
            )
            count += 1
        return count
