"""A faster ``TransactWriteItems`` for moto 5.2.5's DynamoDB, with the same answers.

moto rolls a failed transaction back from a ``copy.deepcopy`` of every table it touches, taken once
per item of the transaction, whether or not anything fails. On a table of N items a 99-item
transaction costs 99 copies of N items: 1,000 claims created 33 to a transaction took 7 minutes and
15 GB here. Real DynamoDB has no such cost, so the claims store's design (every claim change is one
transaction) is sound; only the local stand-in needs this.

The replacement checks every item's condition first and writes only when all of them hold. That is
equivalent because a transaction may not touch one item twice (moto and DynamoDB refuse it), so no
item's condition can depend on another item's write. What is written is undone, item by item, should
a write itself fail (an invalid update expression). Cancellation reasons, ``ALL_OLD`` items,
validation errors and stream records are as moto makes them.

``install()`` is idempotent; ``uninstall()`` restores moto's own method. The local stack, the
benchmarks and the API's tests install it; the store's integration tests run both ways.
"""

from __future__ import annotations

import copy
from typing import Any

_original: Any = None


def patch_target() -> Any:
    """moto's own method, installed or not (a test asserts it still exists in the pinned moto)."""
    from moto.dynamodb.models import DynamoDBBackend

    return _original or DynamoDBBackend.transact_write_items


def _transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
    from moto.dynamodb import models as m
    from moto.dynamodb.models.dynamo_type import DynamoType

    if len(transact_items) > 100:
        raise m.TooManyTransactionsException()
    targets: set[tuple[str, str]] = set()
    planned: list[tuple[int, str, dict[str, Any], str, dict[str, Any]]] = []
    errors: list[tuple[Any, Any, Any]] = []

    # 1. every condition against the state before the transaction
    for entry in transact_items:
        if len(entry) > 1:
            raise m.TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        original_item = None
        try:
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            if op_type == "Put":
                table = self.get_table(table_name)
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            target = (str(table_name), str(dict(sorted(key.items()))))
            if target in targets:
                raise m.MultipleTransactionsException()
            targets.add(target)
            current = self.get_item(table_name, key)
            condition = op.get("ConditionExpression")
            if condition is not None:
                check = m.get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues"))
                if not check.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise m.ConditionalCheckFailed(item=original_item)
            planned.append((len(errors), op_type, op, table_name, key))
            errors.append((None, None, None))
        except (m.MultipleTransactionsException, m.MockValidationException):
            raise
        except m.ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # noqa: BLE001 - reported per item, as moto does
            errors.append((type(error).__name__, str(error), original_item))
    if any(code is not None for code, _, _ in errors):
        raise m.TransactionCanceledException(errors)

    # 2. the writes, each one undoable
    undo: list[tuple[Any, Any, Any, Any]] = []
    index = 0
    try:
        for index, op_type, op, table_name, key in planned:
            if op_type == "ConditionCheck":
                continue
            table = self.get_table(table_name)
            hash_value = DynamoType(key[table.hash_key_attr])
            range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            previous = table.get_item(hash_value, range_value)
            # A Put or Delete replaces or drops the stored Item object and leaves it as it was; only an
            # Update changes it in place, so only then is a copy needed to undo it.
            undo.append((table, hash_value, range_value, copy.deepcopy(previous) if op_type == "Update" else previous))
            if op_type == "Put":
                self.put_item(table_name, op["Item"])
            elif op_type == "Delete":
                self.delete_item(table_name, key)
            else:
                self.update_item(
                    table_name, key, update_expression=op["UpdateExpression"],
                    expression_attribute_names=op.get("ExpressionAttributeNames"),
                    expression_attribute_values=op.get("ExpressionAttributeValues"),
                )
    except Exception as error:
        for table, hash_value, range_value, previous in reversed(undo):
            if previous is None:
                if table.get_item(hash_value, range_value) is not None:
                    table.delete_item(hash_value, range_value)
            elif range_value is not None:
                table.items[hash_value][range_value] = previous
            else:
                table.items[hash_value] = previous
        if isinstance(error, m.MockValidationException):
            raise
        # As moto does: any other failure of a write cancels the transaction, naming that item.
        errors[index] = (type(error).__name__, str(error), None)
        raise m.TransactionCanceledException(errors) from error


def install() -> None:
    global _original
    from moto.dynamodb.models import DynamoDBBackend

    if _original is None:
        _original = DynamoDBBackend.transact_write_items
        DynamoDBBackend.transact_write_items = _transact_write_items


def uninstall() -> None:
    global _original
    from moto.dynamodb.models import DynamoDBBackend

    if _original is not None:
        DynamoDBBackend.transact_write_items = _original
        _original = None


def installed() -> bool:
    return _original is not None


def use(fast: bool) -> bool:
    """Install or uninstall; answers whether it was installed before (to restore that afterwards)."""
    before = installed()
    install() if fast else uninstall()
    return before
