"""A tenant's aggregates in the claims table (``incasso.domain.aggregates``): ``SHARDS`` items
``<tenant>#AGG#<n>`` with the counters' totals, and day buckets ``<tenant>#AGGDAY#<n>`` / ``<day>`` with
what changed that day.

A claim write (``ClaimRecords``) ADDs its delta to one shard, drawn at random, and to that shard's bucket of
the day, in its own transaction: conditional on the claim's version and on the signature of what the
stored claim contributed (``agg_sig`` on the claim item), so a delta is applied once, and only to the claim
it was computed from. Writes to a tenant spread over the shards (no hot item); a read sums them, at most
``SHARDS`` items whatever the tenant's size.

Claims written before aggregates existed carry no ``agg_sig``: ``count_claim`` adds them once (the
rebuild, ``services/reports.AggregateService``); shard 0 records the rebuild's lock and ``built_at``.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from incasso import clock
from incasso.adapters import keys
from incasso.adapters.codec import AttributeValue, attrs_to_model
from incasso.adapters.dynamodb.table import Table, write_transaction
from incasso.domain.aggregates import SHARDS, Aggregate, Aggregates, DayBucket, contribution
from incasso.domain.models import Claim

SIGNATURE = "agg_sig"  # on the claim item: the signature of what it contributes to the aggregates
WARNING_TEXTS = "warning_texts"
_META = frozenset({"pk", "sk", "entity", "built_at", "rebuild_owner", "rebuild_until", WARNING_TEXTS})
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
COUNT_ATTEMPTS = 5


def aggregate_updates(table_name: str, tenant_id: str, change: Aggregate, *, day: dt.date,
                      shard: int | None = None) -> list[dict[str, Any]]:
    """The transaction's writes that add ``change`` to a shard and to its bucket of ``day`` (none when the
    change is nothing)."""
    shard = random.randrange(SHARDS) if shard is None else shard
    writes = []
    whole = _add_expression(change)
    if whole is not None:
        writes.append({"Update": {"TableName": table_name, "Key": {
            "pk": {"S": keys.aggregate_pk(tenant_id, shard)}, "sk": {"S": keys.AGG_SK}}, **whole}})
    history = _add_expression(change.history_part())
    if history is not None:
        writes.append({"Update": {"TableName": table_name, "Key": {
            "pk": {"S": keys.aggregate_day_pk(tenant_id, shard)}, "sk": {"S": day.isoformat()}}, **history}})
    return writes


def _add_expression(change: Aggregate) -> dict[str, Any] | None:
    names: dict[str, str] = {}
    values: dict[str, AttributeValue] = {}
    parts = []
    for n, (key, value) in enumerate(sorted(change.counters.items())):
        names[f"#a{n}"], values[f":a{n}"] = key, {"N": str(value)}
        parts.append(f"#a{n} :a{n}")
    if change.warning_texts:
        names["#texts"], values[":texts"] = WARNING_TEXTS, {"SS": sorted(change.warning_texts)}
        parts.append("#texts :texts")
    if not parts:
        return None
    return {"UpdateExpression": "ADD " + ", ".join(parts), "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values}


def _aggregate_of(item: dict[str, AttributeValue]) -> Aggregate:
    counters = {name: int(value["N"]) for name, value in item.items() if name not in _META and "N" in value}
    return Aggregate({k: v for k, v in counters.items() if v}, frozenset(item.get(WARNING_TEXTS, {}).get("SS", [])))


def dutch_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(AMSTERDAM).date()


class AggregateRecords(Table):
    """``PortfolioAggregates`` on the claims table."""

    def read_aggregates(self, tenant_id: str) -> Aggregates:
        """The sum of the tenant's shards: one BatchGetItem of ``SHARDS`` keys, consistent."""
        wanted = [{"pk": {"S": keys.aggregate_pk(tenant_id, n)}, "sk": {"S": keys.AGG_SK}} for n in range(SHARDS)]
        items: list[dict[str, AttributeValue]] = []
        request: dict[str, Any] = {self.table_name: {"Keys": wanted, "ConsistentRead": True}}
        for attempt in range(10):
            answer = self.client.batch_get_item(RequestItems=request)
            items += answer.get("Responses", {}).get(self.table_name, [])
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(0.01 * 2 ** attempt)
        else:
            raise RuntimeError("the aggregates could not be read")
        built = any(item["pk"]["S"] == wanted[0]["pk"]["S"] and "built_at" in item for item in items)
        parts = [_aggregate_of(item) for item in items]
        result = Aggregate()
        for part in parts:
            result = result + part
        return Aggregates(total=result, built=built, items_read=len(items))

    def aggregate_history(self, tenant_id: str) -> list[DayBucket]:
        days: dict[str, Aggregate] = {}
        for shard in range(SHARDS):
            for item in self._query(KeyConditionExpression="pk = :pk",
                                    ExpressionAttributeValues={":pk": {"S": keys.aggregate_day_pk(tenant_id, shard)}}):
                day = item["sk"]["S"]
                days[day] = days.get(day, Aggregate()) + _aggregate_of(item)
        return [DayBucket(dt.date.fromisoformat(day), change) for day, change in sorted(days.items())]

    def count_claim(self, tenant_id: str, claim_id: str) -> bool:
        key = {"pk": {"S": keys.claim_pk(tenant_id, claim_id)}, "sk": {"S": keys.CLAIM_SK}}
        for _ in range(COUNT_ATTEMPTS):
            item = self.client.get_item(TableName=self.table_name, Key=key, ConsistentRead=True).get("Item")
            if item is None or SIGNATURE in item:
                return False
            claim = attrs_to_model(Claim, item)
            part = contribution(claim)
            writes = [{"Update": {
                "TableName": self.table_name, "Key": key,
                "UpdateExpression": f"SET {SIGNATURE} = :sig",
                "ConditionExpression": f"version = :version AND attribute_not_exists({SIGNATURE})",
                "ExpressionAttributeValues": {":sig": {"S": part.signature()}, ":version": item["version"]},
            }}] + aggregate_updates(self.table_name, tenant_id, part, day=dutch_day(claim.created_at))
            if write_transaction(self.client, writes) is None:
                return True
            time.sleep(0.01)  # written in between (then counted by that write) or a conflict: look again
        raise RuntimeError(f"claim {claim_id} could not be counted")

    def lock_aggregates(self, tenant_id: str, owner: str, until: dt.datetime) -> bool:
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"pk": {"S": keys.aggregate_pk(tenant_id, 0)}, "sk": {"S": keys.AGG_SK}},
                UpdateExpression="SET rebuild_owner = :owner, rebuild_until = :until",
                ConditionExpression="attribute_not_exists(built_at) AND (attribute_not_exists(rebuild_until) "
                                    "OR rebuild_until < :now OR rebuild_owner = :owner)",
                ExpressionAttributeValues={":owner": {"S": owner}, ":until": {"S": keys.utc_text(until)},
                                           ":now": {"S": keys.utc_text(clock.now())}})
        except Exception as error:
            if getattr(error, "response", {}).get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def mark_aggregates_built(self, tenant_id: str, owner: str) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key={"pk": {"S": keys.aggregate_pk(tenant_id, 0)}, "sk": {"S": keys.AGG_SK}},
            UpdateExpression="SET built_at = :now REMOVE rebuild_owner, rebuild_until",
            ConditionExpression="rebuild_owner = :owner",
            ExpressionAttributeValues={":owner": {"S": owner}, ":now": {"S": keys.utc_text(clock.now())}})


def claims_contribution(claims: Iterable[Claim]) -> Aggregate:
    result = Aggregate()
    for claim in claims:
        result = result + contribution(claim)
    return result
