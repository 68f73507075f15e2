"""A tenant's machine credentials (CONTRACT.md §7), a manager's: ``POST /v1/tenant/clients`` {name, role}
creates one and shows its secret once, ``GET /v1/tenant/clients`` lists them (never a secret),
``DELETE /v1/tenant/clients/{client_id}`` revokes one: its tokens are refused from the next request on.
The integration exchanges id and secret for a token at the token endpoint (Cognito's ``/oauth2/token`` on
AWS, ``incasso serve``'s own locally) with the client-credentials grant."""

import datetime as dt

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import Field

from incasso.api.tenant import current_tenant, responses
from incasso.domain.api_clients import ApiClient
from incasso.domain.base import DeferredModel
from incasso.services import wiring
from incasso.services.api_clients import NewApiClient

router = Router()


class ApiClientOut(DeferredModel):
    client_id: str
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None

    @classmethod
    def of(cls, client: ApiClient) -> "ApiClientOut":
        return cls(client_id=client.client_id, name=client.name, role=client.role, created_at=client.created_at,
                   revoked_at=client.revoked_at)


class CreatedApiClientOut(ApiClientOut):
    client_secret: str = Field(description="shown once: store it in the integration's secret store")


class ApiClientList(DeferredModel):
    items: list[ApiClientOut]


@router.post("/v1/tenant/clients", summary="Create machine credentials for an integration", tags=["tenant"],
             responses=responses(201, "the client with its secret, shown once", CreatedApiClientOut))
def create_client(body: NewApiClient) -> Response[CreatedApiClientOut]:
    created = wiring.api_client_service().create(current_tenant(router), body)
    out = CreatedApiClientOut(**ApiClientOut.of(created.client).model_dump(), client_secret=created.client_secret)
    return Response(201, content_types.APPLICATION_JSON, out.model_dump(mode="json"),
                    headers={"Cache-Control": "no-store"})


@router.get("/v1/tenant/clients", summary="The tenant's machine credentials (without secrets)", tags=["tenant"],
            responses=responses(200, "the clients", ApiClientList))
def list_clients() -> ApiClientList:
    return ApiClientList(items=[ApiClientOut.of(c) for c in wiring.api_client_service().list(current_tenant(router))])


_REVOKED = {204: {"description": "revoked"},
            **{code: answer for code, answer in responses(200, "", ApiClientOut, 404).items() if code != 200}}


@router.delete("/v1/tenant/clients/<client_id>", summary="Revoke machine credentials", tags=["tenant"],
               responses=_REVOKED)
def revoke_client(client_id: str) -> Response[None]:
    wiring.api_client_service().revoke(current_tenant(router), client_id)
    return Response(status_code=204, body="")
