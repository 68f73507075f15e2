"""A debtor's letter groups and payments (``incasso.domain.debtor_letters``): one item per debtor, kind and day under
the debtor's own partition ``<tenant>#DEBTOR#<reference>``, sort key ``LETTER#<kind>#<day>``. The group
is written once (the first claim to take the step decides it); the send is taken with a lease, so two
claims of the group never both send the letter, and a send that crashed is taken over when it ran out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from incasso.adapters import keys
from incasso.adapters.dynamodb.table import Table
from incasso.domain.debtor_letters import LetterGroup

LETTER_PREFIX = "LETTER#"


class DebtorLetterRecords(Table):
    def _key(self, tenant_id: str, reference: str, kind: str, day: dt.date) -> dict[str, Any]:
        return {"pk": {"S": keys.debtor_pk(tenant_id, reference)},
                "sk": {"S": f"{LETTER_PREFIX}{getattr(kind, 'value', kind)}#{day.isoformat()}"}}

    def _group_key(self, group: LetterGroup) -> dict[str, Any]:
        return self._key(group.tenant_id, group.debtor_reference, group.kind, group.day)

    def _item(self, key: dict[str, Any]) -> dict[str, Any] | None:
        return self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")

    def letter_group(self, tenant_id: str, reference: str, kind: str, day: dt.date) -> LetterGroup | None:
        item = self._item(self._key(tenant_id, reference, kind, day))
        return LetterGroup.model_validate_json(item["group"]["S"]) if item else None

    def put_letter_group(self, group: LetterGroup) -> LetterGroup:
        try:
            self.client.put_item(TableName=self.table_name,
                                 Item={**self._group_key(group), "entity": {"S": "debtor_letter"},
                                       "group": {"S": group.model_dump_json()}},
                                 ConditionExpression="attribute_not_exists(pk)")
        except self.client.exceptions.ConditionalCheckFailedException:
            held = self.letter_group(group.tenant_id, group.debtor_reference, group.kind, group.day)
            assert held is not None  # the condition failed because it exists
            return held
        return group

    def take_letter_send(self, group: LetterGroup, claim_id: str, *, now: dt.datetime,
                         lease: dt.timedelta) -> dict[str, Any] | bool:
        key = self._group_key(group)
        try:
            self.client.update_item(
                TableName=self.table_name, Key=key,
                UpdateExpression="SET sender = :me, sending_until = :until",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(#record) AND "
                                    "(attribute_not_exists(sender) OR sender = :me OR sending_until < :now)",
                ExpressionAttributeNames={"#record": "record"},
                ExpressionAttributeValues={":me": {"S": claim_id}, ":now": {"S": keys.utc_text(now)},
                                           ":until": {"S": keys.utc_text(now + lease)}})
            return True
        except self.client.exceptions.ConditionalCheckFailedException:
            item = self._item(key) or {}
            return json.loads(item["record"]["S"]) if "record" in item else False

    def finish_letter_send(self, group: LetterGroup, record: dict[str, Any]) -> None:
        self.client.update_item(
            TableName=self.table_name, Key=self._group_key(group),
            UpdateExpression="SET #record = :record REMOVE sending_until",
            ExpressionAttributeNames={"#record": "record"},
            ExpressionAttributeValues={":record": {"S": json.dumps(record, separators=(",", ":"), default=str)}})

    def debtor_payment(self, tenant_id: str, reference: str, key: str) -> dict[str, Any] | None:
        item = self._item({"pk": {"S": keys.debtor_pk(tenant_id, reference)}, "sk": {"S": f"PAYMENT#{key}"}})
        return json.loads(item["plan"]["S"]) if item else None

    def put_debtor_payment(self, tenant_id: str, reference: str, key: str, plan: dict[str, Any]) -> dict[str, Any]:
        """The division of a payment over the debtor's invoices, under ``PAYMENT#<key>``; the first stays."""
        item_key = {"pk": {"S": keys.debtor_pk(tenant_id, reference)}, "sk": {"S": f"PAYMENT#{key}"}}
        try:
            self.client.put_item(TableName=self.table_name,
                                 Item={**item_key, "entity": {"S": "debtor_payment"},
                                       "plan": {"S": json.dumps(plan, separators=(",", ":"), default=str)}},
                                 ConditionExpression="attribute_not_exists(pk)")
            return json.loads(json.dumps(plan, default=str))
        except self.client.exceptions.ConditionalCheckFailedException:
            return json.loads((self._item(item_key) or {})["plan"]["S"])
