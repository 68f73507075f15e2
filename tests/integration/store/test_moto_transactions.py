"""The faster TransactWriteItems for moto (``infra.local.moto_transactions``): same answers as moto's own.
The store's tests of transactions run on both (``any_store``); these cover what the store never does."""

from __future__ import annotations

import boto3
import moto
import pytest
from botocore.exceptions import ClientError

from infra.local import moto_transactions
from infra.topology import TOPOLOGY
from store_support import REGION

TABLE = TOPOLOGY.table("claims").name


def test_the_patched_method_exists_in_the_pinned_moto():
    # given the moto version the project pins / then the replaced method is where the patch expects it
    assert moto.__version__ == "5.2.5"
    assert moto_transactions.patch_target().__name__ == "transact_write_items"


def test_install_and_uninstall_swap_the_method_and_install_is_idempotent():
    from moto.dynamodb.models import DynamoDBBackend

    was_installed = moto_transactions.use(False)
    try:
        # given moto's own method / when installed twice / then the fast one is in place
        original = DynamoDBBackend.transact_write_items
        moto_transactions.install()
        moto_transactions.install()
        assert moto_transactions.installed()
        assert DynamoDBBackend.transact_write_items is not original
        assert moto_transactions.patch_target() is original
        # when uninstalled / then moto's own is back
        moto_transactions.uninstall()
        assert DynamoDBBackend.transact_write_items is original and not moto_transactions.installed()
    finally:
        moto_transactions.use(was_installed)


@pytest.fixture
def dynamodb(transactions, aws):
    client = boto3.client("dynamodb", region_name=REGION)
    client.put_item(TableName=TABLE, Item={"pk": {"S": "t#A"}, "sk": {"S": "X"}, "n": {"N": "1"}})
    return client


def item(client, pk):
    return client.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": "X"}}).get("Item")


def test_a_write_that_fails_after_others_were_applied_leaves_nothing_behind(dynamodb):
    # given a transaction whose conditions hold but whose last write is invalid (an unknown :value)
    writes = [
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t#B"}, "sk": {"S": "X"}}}},
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "t#A"}, "sk": {"S": "X"}},
                    "UpdateExpression": "SET n = :missing"}},
    ]
    # when it runs / then it is refused and the first write is undone
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=writes)
    assert item(dynamodb, "t#B") is None
    assert item(dynamodb, "t#A")["n"] == {"N": "1"}


def test_a_put_over_an_item_and_a_delete_are_undone_to_the_old_items_when_a_later_write_fails(dynamodb):
    # given two items, and a transaction that replaces one, deletes the other and then fails
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "t#D"}, "sk": {"S": "X"}, "n": {"N": "4"},
                                             "m": {"M": {"k": {"L": [{"S": "v"}]}}}})
    writes = [
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t#A"}, "sk": {"S": "X"}, "n": {"N": "2"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "t#D"}, "sk": {"S": "X"}}}},
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "t#E"}, "sk": {"S": "X"}},
                    "UpdateExpression": "SET n = :missing"}},
    ]
    # when it runs / then it is refused, and both items are back as they were
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=writes)
    assert item(dynamodb, "t#A") == {"pk": {"S": "t#A"}, "sk": {"S": "X"}, "n": {"N": "1"}}
    assert item(dynamodb, "t#D") == {"pk": {"S": "t#D"}, "sk": {"S": "X"}, "n": {"N": "4"},
                                     "m": {"M": {"k": {"L": [{"S": "v"}]}}}}


def test_updates_deletes_and_condition_checks_apply_together(dynamodb):
    # given / when a transaction updates A, deletes nothing-yet B, checks A's old value
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "t#C"}, "sk": {"S": "X"}})
    dynamodb.transact_write_items(TransactItems=[
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "t#A"}, "sk": {"S": "X"}},
                    "UpdateExpression": "SET n = n + :one", "ConditionExpression": "n = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "t#C"}, "sk": {"S": "X"}}}},
        {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "t#D"}, "sk": {"S": "X"}},
                            "ConditionExpression": "attribute_not_exists(pk)"}},
    ])
    # then all took effect
    assert item(dynamodb, "t#A")["n"] == {"N": "2"}
    assert item(dynamodb, "t#C") is None


def test_cancellation_reasons_name_each_failed_item_with_its_old_value(dynamodb):
    # given a transaction with a failing condition on its second item
    writes = [
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t#B"}, "sk": {"S": "X"}}}},
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t#A"}, "sk": {"S": "X"}},
                 "ConditionExpression": "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    ]
    # when it runs
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(TransactItems=writes)
    # then the reasons say which item failed and what it held; nothing was written
    reasons = cancelled.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed"]
    assert reasons[1]["Item"]["n"] == {"N": "1"}
    assert item(dynamodb, "t#B") is None


def test_two_writes_to_one_item_are_refused(dynamodb):
    key = {"pk": {"S": "t#A"}, "sk": {"S": "X"}}
    with pytest.raises(ClientError, match="multiple operations on one item"):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**key, "n": {"N": "5"}}}},
            {"Delete": {"TableName": TABLE, "Key": key}},
        ])
    assert item(dynamodb, "t#A")["n"] == {"N": "1"}
