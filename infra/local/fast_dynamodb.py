"""DynamoDB on moto without two costs that grow with the table, giving the same answers.

1. Query reads one partition. moto 5.2.5's ``Table.query`` starts from ``all_items()``, which lists and
   *sorts* every item of the table (DynamoType comparisons), then keeps those of the asked partition and
   sorts them again by their range key; with a secondary index it sorts the matches by the index's keys
   again too. So every Query cost O(N log N) in the table's size: a claim's ledger read slowed as the
   demo's table grew. While a Query runs, ``all_items()`` here answers the asked partition only (no
   index) or every item unsorted (an index: moto filters and sorts those itself). The results are in
   the same order because moto sorts them completely afterwards (range keys are unique in a partition;
   index order ends with the table's own keys).
2. Answers are written without the generic serializer (below).

moto 5.2.5 turns every DynamoDB result into JSON with its generic ``ResponseSerializer``, which looks
each member of the output shape up through a chain of attribute pickers (aliases, ``xform_name``). For
items, every ``AttributeValue`` is a structure of ten members, so one GetItem of a tenant's profile
costs milliseconds: in ``incasso demo`` 40 % of all handler time went there.

The serializer: a DynamoDB result (``DynamoResult``) is a plain dict in the wire format already. The encoder here walks
the same output shape and applies the same rules (members of the shape only, ``None`` left out, blobs
base64, integers ``int``, floats ``float``, timestamps as epoch seconds, enums by value) but reads a
dict's keys directly, with the snake_case name as the fallback the generic picker also tries. Anything
else (errors, pretty printing, an object that is not a dict) goes through moto's own serializer.

``install()``/``uninstall()`` are idempotent; tests assert the answers are equal both ways.
"""

from __future__ import annotations

import base64
import json
import threading
from enum import Enum
from functools import lru_cache
from typing import Any

_original: Any = None
_original_query: Any = None
_original_all_items: Any = None
_original_item_init: Any = None
_SKIP = object()
_EVERY_PARTITION = object()
_INDEX = object()
_querying = threading.local()


def patch_targets() -> list[Any]:
    """What is replaced (a test asserts it still exists in the pinned moto)."""
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    from moto.dynamodb.models.dynamo_type import Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    return [DynamoResult.execute_result, Table.query, Table.all_items, Table.all_indexes, Item.__init__,
            LimitedSizeDict.__setitem__, bytesize]


def _index_partition(table: Any, index_name: str, hash_key: Any) -> Any:
    """(attribute, value) of an index's single hash key; every partition when it has several."""
    schema = next((index.schema for index in table.all_indexes() if index.name == index_name), None)
    hash_keys = [key["AttributeName"] for key in schema or () if key["KeyType"] == "HASH"]
    if hash_key is None or len(hash_keys) != 1:
        return _EVERY_PARTITION
    return (_INDEX, hash_keys[0], hash_key)


def _query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    previous = getattr(_querying, "partition", None)
    _querying.partition = (self, _index_partition(self, index_name, hash_key) if index_name else hash_key)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _querying.partition = previous


def _all_items(self: Any) -> list[Any]:
    querying = getattr(_querying, "partition", None)
    if querying is None or querying[0] is not self:
        return _original_all_items(self)
    partition = querying[1]
    if type(partition) is tuple and partition[0] is _INDEX:  # the items in the index's asked partition
        _, attribute, value = partition
        everything = (items.values() for items in self.items.values()) if self.range_key_attr \
            else [self.items.values()]
        return [item for items in everything for item in items
                if (held := item.attrs.get(attribute)) is not None and held == value]
    if partition is _EVERY_PARTITION:  # moto filters and sorts every item itself
        if self.range_key_attr:
            return [item for items in self.items.values() for item in items.values()]
        return list(self.items.values())
    found = self.items.get(partition)
    if found is None:
        return []
    return list(found.values()) if self.range_key_attr else [found]


@lru_cache(maxsize=4096)
def _members(shape: Any) -> tuple[tuple[str, Any, str], ...]:
    from botocore import xform_name

    return tuple((name, member, xform_name(name)) for name, member in shape.members.items())


def _encode(value: Any, shape: Any) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if value is None:
            return _SKIP
        if shape.is_document_type:
            return value
        if not isinstance(value, dict):
            raise _NotPlain
        out = {}
        for name, member, snake in _members(shape):
            member_value = value.get(name, value.get(snake))
            if member_value is None:
                continue
            encoded = _encode(member_value, member)
            if encoded is not _SKIP:
                out[member.serialization.get("name", name)] = encoded
        return out
    if kind == "map":
        encoded_map = {}
        for key, item in value.items():
            encoded = _encode(item, shape.value)
            if encoded is not _SKIP:
                encoded_map[key] = encoded
        return encoded_map
    if kind == "list":
        encoded_list = []
        for item in value:
            encoded = _encode(item, shape.member)
            encoded_list.append(item if encoded is _SKIP else encoded)  # as moto's list rule does
        return encoded_list
    if kind == "blob":
        raw = value.encode("utf-8") if isinstance(value, str) else value
        return base64.b64encode(raw).strip().decode("utf-8")
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind == "timestamp":
        raise _NotPlain  # not in item operations: leave the formatting rules to moto
    if kind == "string":
        if isinstance(value, Enum):
            value = value.value
        return str(value) if value not in (None, {}, []) else value
    return value


def _item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
    """moto's ``Item.__init__`` sums the whole item's size again for every attribute it sets (quadratic
    in the attributes); this sums it once. The same limit on the same total: sizes are never negative,
    so the whole item is over the limit exactly when some prefix of it would be."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    self.hash_key = hash_key
    self.range_key = range_key
    values = {key: DynamoType(value) for key, value in attrs.items()}
    if sum(bytesize(key) + value.size() for key, value in values.items()) > _ITEM_SIZE_LIMIT:
        raise ItemSizeTooLarge
    self.attrs = LimitedSizeDict()
    dict.update(self.attrs, values)


_ITEM_SIZE_LIMIT = 405000  # moto's LimitedSizeDict limit


class _NotPlain(Exception):
    """The result holds something only moto's serializer knows how to write."""


def _execute_result(self: Any, context: Any) -> Any:
    from moto import settings

    operation = context.operation_model
    output_shape = operation.output_shape
    if settings.PRETTIFY_RESPONSES or operation.has_event_stream_output or output_shape is None \
            or not isinstance(self.result, dict):
        return _original(self, context)
    try:
        body = _encode(self.result, output_shape)
    except _NotPlain:
        return _original(self, context)
    version = operation.service_model.metadata.get("jsonVersion", "1.0")
    status = operation.http.get("responseCode", 200)
    return status, {"Content-Type": f"application/x-amz-json-{version}"}, json.dumps(body)


def install() -> None:
    global _original, _original_query, _original_all_items, _original_item_init
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    if _original is None:
        _original = DynamoResult.execute_result
        _original_query, _original_all_items = Table.query, Table.all_items
        _original_item_init = Item.__init__
        DynamoResult.execute_result = _execute_result
        Table.query, Table.all_items = _query, _all_items
        Item.__init__ = _item_init


def uninstall() -> None:
    global _original, _original_query, _original_all_items, _original_item_init
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    if _original is not None:
        DynamoResult.execute_result = _original
        Table.query, Table.all_items = _original_query, _original_all_items
        Item.__init__ = _original_item_init
        _original = _original_query = _original_all_items = _original_item_init = None


def installed() -> bool:
    return _original is not None
