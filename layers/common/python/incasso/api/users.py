"""A tenant's users (CONTRACT.md §7), a manager's: ``POST /v1/tenant/users`` {email, role} invites one (on
AWS a Cognito user with the caller's tenant bound), ``GET /v1/tenant/users`` lists them,
``PUT /v1/tenant/users/{user_id}`` {role} changes a role, ``DELETE /v1/tenant/users/{user_id}`` removes one."""

import datetime as dt

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router


from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.domain.users import User
from incasso.services.users import NewUser, RoleChange
from incasso.services import wiring

router = Router()


class UserOut(DeferredModel):
    user_id: str
    email: str
    role: str
    created_at: dt.datetime

    @classmethod
    def of(cls, user: User) -> "UserOut":
        return cls(user_id=user.user_id, email=user.email, role=user.role, created_at=user.created_at)


class UserList(DeferredModel):
    items: list[UserOut]


@router.post("/v1/tenant/users", summary="Invite a user with a role", tags=["tenant"],
             responses=responses(201, "the user", UserOut, 409))
def invite(body: NewUser) -> Response[UserOut]:
    user = wiring.user_service().invite(current_tenant(router), body)
    return Response(201, content_types.APPLICATION_JSON, UserOut.of(user).model_dump(mode="json"))


@router.get("/v1/tenant/users", summary="The tenant's users", tags=["tenant"],
            responses=responses(200, "the users", UserList))
def list_users() -> UserList:
    return UserList(items=[UserOut.of(user) for user in wiring.user_service().list(current_tenant(router))])


@router.put("/v1/tenant/users/<user_id>", summary="Change a user's role", tags=["tenant"],
            responses=responses(200, "the user", UserOut, 404))
def change_role(user_id: str, body: RoleChange) -> UserOut:
    return UserOut.of(wiring.user_service().change_role(current_tenant(router), user_id, body.role))


_REMOVED = {204: {"description": "removed"},
            **{code: answer for code, answer in responses(200, "", UserOut, 404).items() if code != 200}}


@router.delete("/v1/tenant/users/<user_id>", summary="Remove a user", tags=["tenant"], responses=_REMOVED)
def remove(user_id: str) -> Response[None]:
    wiring.user_service().remove(current_tenant(router), user_id)
    return Response(status_code=204, body="")
