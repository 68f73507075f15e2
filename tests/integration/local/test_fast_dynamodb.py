"""The faster DynamoDB of the local stack (``infra.local.fast_dynamodb``) answers exactly as moto does."""

from __future__ import annotations

import random

import boto3
from moto import mock_aws

from infra.local import fast_dynamodb

TABLE = "fast-test"


def _table(client) -> None:
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "gpk", "gsk")],
        GlobalSecondaryIndexes=[{"IndexName": "due", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"},
                                               {"AttributeName": "gsk", "KeyType": "RANGE"}]}])
    rng = random.Random(7)
    for n in range(120):
        item = {"pk": {"S": f"t#{n % 9}"}, "sk": {"S": f"{rng.randrange(1000):04d}#{n}"},
                "n": {"N": str(rng.randrange(-50, 50))}, "b": {"B": bytes([n % 256, 1])},
                "m": {"M": {"l": {"L": [{"S": "x"}, {"NULL": True}, {"BOOL": n % 2 == 0}, {"SS": ["a", "b"]}]}}}}
        if n % 3:  # sparse index
            item.update(gpk={"S": f"due#{n % 4}"}, gsk={"S": f"2026-01-{1 + n % 28:02d}#{n}"})
        client.put_item(TableName=TABLE, Item=item)


def _answers(client) -> list:
    """A run of reads and writes; every answer without its request metadata."""
    calls = [
        lambda: client.get_item(TableName=TABLE, Key={"pk": {"S": "t#1"}, "sk": {"S": "nope"}}),
        lambda: client.query(TableName=TABLE, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "t#3"}}),
        lambda: client.query(TableName=TABLE, KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                             ExpressionAttributeValues={":p": {"S": "t#4"}, ":s": {"S": "0"}}, ScanIndexForward=False),
        lambda: client.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=4, FilterExpression="#n > :z",
                             ExpressionAttributeNames={"#n": "n"},
                             ExpressionAttributeValues={":p": {"S": "t#5"}, ":z": {"N": "0"}}),
        lambda: client.query(TableName=TABLE, IndexName="due", KeyConditionExpression="gpk = :p AND gsk < :d",
                             ExpressionAttributeValues={":p": {"S": "due#1"}, ":d": {"S": "2026-01-20"}}),
        lambda: client.query(TableName=TABLE, IndexName="due", KeyConditionExpression="gpk = :p", Limit=3,
                             ExpressionAttributeValues={":p": {"S": "due#2"}}),
        lambda: client.query(TableName=TABLE, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "absent"}}),
        lambda: client.scan(TableName=TABLE, Limit=10),
        lambda: client.update_item(TableName=TABLE, Key={"pk": {"S": "t#1"}, "sk": {"S": "x"}},
                                   UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": "2"}},
                                   ReturnValues="ALL_NEW", ReturnConsumedCapacity="TOTAL"),
        lambda: client.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": {"pk": {"S": "t#9"}, "sk": {"S": "y"}}}}]),
        lambda: client.batch_get_item(RequestItems={TABLE: {"Keys": [{"pk": {"S": "t#9"}, "sk": {"S": "y"}}]}}),
        lambda: client.delete_item(TableName=TABLE, Key={"pk": {"S": "t#9"}, "sk": {"S": "y"}}, ReturnValues="ALL_OLD"),
    ]
    too_large = {"pk": {"S": "t#1"}, "sk": {"S": "big"}, **{f"a{n}": {"S": "x" * 20_000} for n in range(21)}}
    calls += [
        lambda: client.put_item(TableName=TABLE, Item=too_large),  # over 400 KB: refused the same way
        lambda: client.put_item(TableName=TABLE, Item={**too_large, "a20": {"S": "x"}}),  # just under
        lambda: client.get_item(TableName=TABLE, Key={"pk": {"S": "t#1"}, "sk": {"S": "big"}}),
    ]
    answers = []
    for call in calls:
        try:
            answer = call()
        except client.exceptions.ClientError as error:
            answer = {"error": error.response["Error"]["Code"], "message": error.response["Error"]["Message"]}
        answer.pop("ResponseMetadata", None)
        answers.append(answer)
    page = client.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=5,
                        ExpressionAttributeValues={":p": {"S": "t#2"}})
    answers.append(client.query(TableName=TABLE, KeyConditionExpression="pk = :p", Limit=5,
                                ExclusiveStartKey=page["LastEvaluatedKey"],
                                ExpressionAttributeValues={":p": {"S": "t#2"}})["Items"])
    first = client.query(TableName=TABLE, IndexName="due", KeyConditionExpression="gpk = :p", Limit=2,
                         ExpressionAttributeValues={":p": {"S": "due#3"}})
    answers.append(client.query(TableName=TABLE, IndexName="due", KeyConditionExpression="gpk = :p", Limit=2,
                                ExclusiveStartKey=first["LastEvaluatedKey"],
                                ExpressionAttributeValues={":p": {"S": "due#3"}})["Items"])
    return answers


def _run(fast: bool) -> list:
    if fast:
        fast_dynamodb.install()
    try:
        with mock_aws():
            client = boto3.client("dynamodb", region_name="eu-west-1")
            _table(client)
            return _answers(client)
    finally:
        fast_dynamodb.uninstall()


def test_every_answer_is_the_same_with_and_without_the_speed_up():
    # given the same table and the same calls / when run on moto as it is, then with the speed-up
    plain, fast = _run(False), _run(True)
    # then every answer is equal (items, their order, pages, counts)
    assert fast == plain
    assert not fast_dynamodb.installed()


def test_the_patched_points_still_exist_in_the_pinned_moto():
    assert all(callable(target) for target in fast_dynamodb.patch_targets())


def test_install_is_idempotent_and_uninstall_restores_moto():
    fast_dynamodb.install()
    fast_dynamodb.install()
    fast_dynamodb.uninstall()
    assert not fast_dynamodb.installed()
    from moto.dynamodb.models.table import Table

    assert Table.query.__name__ == "query"
