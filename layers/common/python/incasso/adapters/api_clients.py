"""A tenant's machine credentials: their records in the claims table (``<tenant>#APICLIENT``, one item per
client) and the credentials themselves — Cognito app clients with the client-credentials grant on AWS, the
record alone locally (``incasso.domain.api_clients``)."""

from __future__ import annotations

from typing import Any

from incasso.adapters import aws, keys
from incasso.adapters.codec import attrs_to_model, model_to_attrs
from incasso.adapters.dynamodb.table import Table
from incasso.domain.api_clients import CLIENT_ID, ApiClient, client_name, new_local_client
from incasso.settings import get_settings


def clients_pk(tenant_id: str) -> str:
    return f"{keys.tenant_prefix(tenant_id)}APICLIENT"


class ApiClientTable(Table):
    def put_client(self, client: ApiClient) -> ApiClient:
        item = model_to_attrs(client)
        item.update(pk={"S": clients_pk(client.tenant_id)}, sk={"S": client.client_id}, entity={"S": "api_client"})
        self.client.put_item(TableName=self.table_name, Item=item)
        return client

    def get_client(self, tenant_id: str, client_id: str) -> ApiClient | None:
        if not CLIENT_ID.fullmatch(client_id or ""):
            return None
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": clients_pk(tenant_id)}, "sk": {"S": client_id}}).get("Item")
        return attrs_to_model(ApiClient, item) if item else None

    def list_clients(self, tenant_id: str) -> list[ApiClient]:
        items = self._query(KeyConditionExpression="pk = :pk", ConsistentRead=True,
                            ExpressionAttributeValues={":pk": {"S": clients_pk(tenant_id)}})
        return sorted((attrs_to_model(ApiClient, item) for item in items), key=lambda c: (c.created_at, c.client_id))


class CognitoClients:
    """App clients of the tenants' user pool with the client-credentials grant and the API's scope (AWS)."""

    keeps_secrets = False

    def __init__(self, user_pool_id: str, scope: str, client: Any = None) -> None:
        self.user_pool_id = user_pool_id
        self.scope = scope
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or aws.client("cognito-idp")

    def create(self, tenant_id: str, name: str, role: str) -> tuple[str, str]:
        created = self.client.create_user_pool_client(
            UserPoolId=self.user_pool_id, ClientName=client_name(tenant_id, role, name), GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=[self.scope],
            AllowedOAuthFlowsUserPoolClient=True, SupportedIdentityProviders=["COGNITO"],
            AccessTokenValidity=60, TokenValidityUnits={"AccessToken": "minutes"})["UserPoolClient"]
        return created["ClientId"], created["ClientSecret"]

    def delete(self, client_id: str) -> None:
        try:
            self.client.delete_user_pool_client(UserPoolId=self.user_pool_id, ClientId=client_id)
        except self.client.exceptions.ResourceNotFoundException:
            pass  # gone already: the record says revoked all the same


class LocalClients:
    """The local stack has no Cognito: the client id names its tenant, the secret's hash is kept on the record."""

    keeps_secrets = True

    def create(self, tenant_id: str, name: str, role: str) -> tuple[str, str]:
        return new_local_client(tenant_id)

    def delete(self, client_id: str) -> None:
        return None


def app_client_name(user_pool_id: str, client_id: str) -> str:
    """An app client's name (``DescribeUserPoolClient``), where its tenant binding is kept."""
    return aws.client("cognito-idp").describe_user_pool_client(
        UserPoolId=user_pool_id, ClientId=client_id)["UserPoolClient"]["ClientName"]


def client_credentials() -> CognitoClients | LocalClients:
    settings = get_settings()
    return CognitoClients(settings.user_pool_id, settings.api_scope) if settings.user_pool_id else LocalClients()
