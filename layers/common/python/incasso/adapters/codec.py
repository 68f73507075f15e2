"""pydantic models to DynamoDB attribute values and back, for the low-level client.

Money fields (``incasso.money.Money``, also when optional) are stored as integer cents in an attribute
named ``<field>_cents`` (type N), never as a float; dates, times and datetimes as ISO strings
(datetimes in UTC); enums as their value; nested models as maps; a ``None`` field is left out.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from incasso.adapters.keys import utc_text
from incasso.money import from_cents, money, to_cents

AttributeValue = dict[str, Any]

_MONEY, _MODEL, _MODEL_LIST, _PLAIN = "money", "model", "model_list", "plain"
CENTS_SUFFIX = "_cents"


def _has_money_validator(metadata: typing.Iterable[Any]) -> bool:
    return any(getattr(item, "func", None) is money for item in metadata)


def _unwrap_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _kind(annotation: Any, metadata: list[Any]) -> tuple[str, Any]:
    if _has_money_validator(metadata):
        return _MONEY, None
    inner = _unwrap_optional(annotation)
    if typing.get_origin(inner) is typing.Annotated and _has_money_validator(inner.__metadata__):
        return _MONEY, None
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return _MODEL, inner
    if typing.get_origin(inner) in (list, tuple):
        args = typing.get_args(inner)
        if args and isinstance(args[0], type) and issubclass(args[0], BaseModel):
            return _MODEL_LIST, args[0]
    return _PLAIN, None


@lru_cache(maxsize=None)
def _plan(cls: type[BaseModel]) -> tuple[tuple[str, str, str, Any], ...]:
    """(field, attribute name, kind, nested model) for each field of ``cls``; computed once per class."""
    plan = []
    for name, info in cls.model_fields.items():
        kind, nested = _kind(info.annotation, info.metadata)
        plan.append((name, name + CENTS_SUFFIX if kind == _MONEY else name, kind, nested))
    return tuple(plan)


# -- encoding ------------------------------------------------------------------------------------
def value_to_attr(value: Any) -> AttributeValue:
    """Any plain Python value (as found in a model or a free-form ``details`` dict) to an attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, Enum):
        return value_to_attr(value.value)
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, Decimal):
        return {"N": format(value, "f")}
    if isinstance(value, float):
        # Only free-form details may hold one; it comes back as a Decimal, never as a float.
        return {"N": repr(value)}
    if isinstance(value, dt.datetime):
        return {"S": utc_text(value)}
    if isinstance(value, (dt.date, dt.time)):
        return {"S": value.isoformat()}
    if isinstance(value, BaseModel):
        return {"M": model_to_attrs(value)}
    if isinstance(value, dict):
        return {"M": {str(k): value_to_attr(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [value_to_attr(v) for v in value]}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB: {value!r}")


def model_to_attrs(model: BaseModel) -> dict[str, AttributeValue]:
    attrs: dict[str, AttributeValue] = {}
    for name, attr, kind, _ in _plan(type(model)):
        value = getattr(model, name)
        if value is None:
            continue
        if kind == _MONEY:
            attrs[attr] = {"N": str(to_cents(value))}
        else:
            attrs[attr] = value_to_attr(value)
    return attrs


# -- decoding ------------------------------------------------------------------------------------
def _number(text: str) -> int | Decimal:
    if "." in text or "e" in text or "E" in text:
        return Decimal(text)
    return int(text)


def attr_to_value(attr: AttributeValue) -> Any:
    (tag, raw), = attr.items()
    if tag == "S":
        return raw
    if tag == "N":
        return _number(raw)
    if tag == "BOOL":
        return raw
    if tag == "NULL":
        return None
    if tag == "M":
        return {k: attr_to_value(v) for k, v in raw.items()}
    if tag == "L":
        return [attr_to_value(v) for v in raw]
    if tag == "SS":
        return set(raw)
    if tag == "NS":
        return {_number(v) for v in raw}
    raise TypeError(f"unexpected attribute type {tag}")


def _fields(cls: type[BaseModel], attrs: dict[str, AttributeValue]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, attr, kind, nested in _plan(cls):
        stored = attrs.get(attr)
        if stored is None or "NULL" in stored:
            continue
        if kind == _MONEY:
            fields[name] = from_cents(int(stored["N"]))
        elif kind == _MODEL:
            fields[name] = _fields(nested, stored["M"])
        elif kind == _MODEL_LIST:
            fields[name] = [_fields(nested, item["M"]) for item in stored["L"]]
        else:
            fields[name] = attr_to_value(stored)
    return fields


def attrs_to_model(cls: type[BaseModel], attrs: dict[str, AttributeValue]) -> Any:
    """The model stored in ``attrs``; attributes that are not its fields (keys, indexes) are ignored."""
    return cls.model_validate(_fields(cls, attrs))
