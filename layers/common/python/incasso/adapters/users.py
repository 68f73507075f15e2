"""A tenant's users: the record of each (claims table) and, on AWS, its Cognito user.

| item | pk                | sk          |
|------|-------------------|-------------|
| user | ``<tenant>#USER`` | ``<user_id>`` |

On AWS (``USER_POOL_ID`` set) a user is created with ``AdminCreateUser``: the tenant bound in the immutable
``custom:tenant_id`` (from the caller's token, never the request), the role in ``custom:role``; Cognito
e-mails the temporary password. The user id is Cognito's username (its ``sub``). Locally there is no
Cognito: the user is recorded with an id of its own, and ``incasso token TENANT --role ROLE`` gives a token.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from incasso.adapters import aws, keys
from incasso.adapters.codec import attrs_to_model, model_to_attrs
from incasso.adapters.dynamodb.table import Table
from incasso.domain.errors import UserExistsError  # noqa: F401 - raised here, re-exported
from incasso.domain.users import User
from incasso.settings import get_settings

USER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def users_pk(tenant_id: str) -> str:
    return f"{keys.tenant_prefix(tenant_id)}USER"


class UserRecords(Table):
    def put_user(self, user: User) -> User:
        item = model_to_attrs(user)
        item.update(pk={"S": users_pk(user.tenant_id)}, sk={"S": user.user_id}, entity={"S": "user"})
        self.client.put_item(TableName=self.table_name, Item=item)
        return user

    def get_user(self, tenant_id: str, user_id: str) -> User | None:
        if not USER_ID.fullmatch(user_id):
            return None
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": users_pk(tenant_id)}, "sk": {"S": user_id}}).get("Item")
        return attrs_to_model(User, item) if item else None

    def list_users(self, tenant_id: str) -> list[User]:
        items = self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                            ExpressionAttributeValues={":pk": {"S": users_pk(tenant_id)}})
        return sorted((attrs_to_model(User, item) for item in items), key=lambda u: (u.created_at, u.user_id))

    def delete_user(self, tenant_id: str, user_id: str) -> None:
        self.client.delete_item(TableName=self.table_name, Key={"pk": {"S": users_pk(tenant_id)}, "sk": {"S": user_id}})


class CognitoUsers:
    """The users of the tenants' Cognito user pool (AWS)."""

    def __init__(self, user_pool_id: str, client: Any = None) -> None:
        self.user_pool_id = user_pool_id
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("cognito-idp")

    def create(self, tenant_id: str, email: str, role: str) -> str:
        try:
            answer = self.client.admin_create_user(
                UserPoolId=self.user_pool_id, Username=email, DesiredDeliveryMediums=["EMAIL"],
                UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                                {"Name": "custom:tenant_id", "Value": tenant_id}, {"Name": "custom:role", "Value": role}])
        except self.client.exceptions.UsernameExistsException as exc:
            raise UserExistsError(email) from exc
        return answer["User"]["Username"]

    def set_role(self, user_id: str, role: str) -> None:
        self.client.admin_update_user_attributes(UserPoolId=self.user_pool_id, Username=user_id,
                                                 UserAttributes=[{"Name": "custom:role", "Value": role}])

    def delete(self, user_id: str) -> None:
        try:
            self.client.admin_delete_user(UserPoolId=self.user_pool_id, Username=user_id)
        except self.client.exceptions.UserNotFoundException:
            pass  # gone already: the record goes too


class LocalUsers:
    """The local stack has no Cognito: a user is its record (tokens come from ``incasso token``)."""

    def create(self, tenant_id: str, email: str, role: str) -> str:
        return f"usr_{uuid.uuid4().hex[:20]}"

    def set_role(self, user_id: str, role: str) -> None:
        return None

    def delete(self, user_id: str) -> None:
        return None


def identity_provider() -> CognitoUsers | LocalUsers:
    pool = get_settings().user_pool_id
    return CognitoUsers(pool) if pool else LocalUsers()
