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
_SKIP = object()
_EVERY_PARTITION = object()
_querying = threading.local()


def patch_targets() -> list[Any]:
    """What is replaced (a test asserts it still exists in the pinned moto)."""
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    return [DynamoResult.execute_result, Table.query, Table.all_items]


def _query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
    index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
    previous = getattr(_querying, "partition", None)
    _querying.partition = (self, _EVERY_PARTITION if index_name else hash_key)
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        _querying.partition = previous


def _all_items(self: Any) -> list[Any]:
    querying = getattr(_querying, "partition", None)
    if querying is None or querying[0] is not self:
        return _original_all_items(self)
    partition = querying[1]
    if partition is _EVERY_PARTITION:  # an index: moto filters and sorts every item itself
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
    global _original, _original_query, _original_all_items
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    if _original is None:
        _original = DynamoResult.execute_result
        _original_query, _original_all_items = Table.query, Table.all_items
        DynamoResult.execute_result = _execute_result
        Table.query, Table.all_items = _query, _all_items


def uninstall() -> None:
    global _original, _original_query, _original_all_items
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoResult

    if _original is not None:
        DynamoResult.execute_result = _original
        Table.query, Table.all_items = _original_query, _original_all_items
        _original = _original_query = _original_all_items = None


def installed() -> bool:
    return _original is not None
