"""A tenant's manager creates, lists and revokes its machine credentials (CONTRACT.md §7); the local token
endpoint authenticates a client by id and secret; the API refuses a revoked client's tokens on every
request (``active``). The tenant is the caller's, from its token; another tenant's client is not found."""

from typing import TYPE_CHECKING

from pydantic import ConfigDict, Field

from incasso import clock
from incasso.domain.api_clients import ApiClient, ClientRole, secret_hash, secret_matches, tenant_of_local_client
from incasso.domain.base import DeferredModel
from incasso.services.errors import InvalidRequestError, NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ApiClientRecords, ClientCredentials

MAX_CLIENTS = 25  # per tenant: an integration or two per system, with room to rotate


class NewApiClient(DeferredModel):
    """The body of ``POST /v1/tenant/clients``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w .,()/-]+$",
                      description="what the integration is, e.g. 'Exact Online'")
    role: ClientRole = Field(default="clerk", description="viewer or clerk; managing the account needs a person")


class CreatedApiClient(DeferredModel):
    client: ApiClient
    client_secret: str


class ApiClientService:
    def __init__(self, records: "ApiClientRecords", credentials: "ClientCredentials") -> None:
        self.records = records
        self.credentials = credentials

    def create(self, tenant_id: str, new: NewApiClient) -> CreatedApiClient:
        if sum(1 for client in self.records.list_clients(tenant_id) if client.active) >= MAX_CLIENTS:
            raise InvalidRequestError(f"at most {MAX_CLIENTS} active clients per tenant",
                                      [{"field": "name", "message": "revoke a client first"}])
        client_id, secret = self.credentials.create(tenant_id, new.name, new.role)
        client = self.records.put_client(ApiClient(
            tenant_id=tenant_id, client_id=client_id, name=new.name, role=new.role, created_at=clock.now(),
            secret_hash=secret_hash(secret) if self.credentials.keeps_secrets else None))
        return CreatedApiClient(client=client, client_secret=secret)

    def list(self, tenant_id: str) -> list[ApiClient]:
        return self.records.list_clients(tenant_id)

    def revoke(self, tenant_id: str, client_id: str) -> ApiClient:
        client = self.records.get_client(tenant_id, client_id)
        if client is None:
            raise NotFoundError(f"client {client_id[:64]} not found")
        if not client.active:
            return client
        self.credentials.delete(client.client_id)
        return self.records.put_client(client.model_copy(update={"revoked_at": clock.now()}))

    def active(self, tenant_id: str, client_id: str) -> bool:
        """Whether a token of ``client_id`` for ``tenant_id`` may still be used (checked on every request)."""
        client = self.records.get_client(tenant_id, client_id)
        return client is not None and client.active

    def authenticate(self, client_id: str, secret: str) -> ApiClient | None:
        """The client these local credentials belong to; None for any wrong, unknown or revoked one."""
        tenant_id = tenant_of_local_client(client_id)
        client = self.records.get_client(tenant_id, client_id) if tenant_id else None
        if client is None or not client.active or not secret_matches(secret, client.secret_hash):
            return None
        return client
