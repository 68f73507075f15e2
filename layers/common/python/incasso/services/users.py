"""A tenant's manager invites, lists, re-roles and removes its own users (no operator CLI needed). The
tenant is the caller's, from its token; a user of another tenant is not found (404)."""

from typing import Any, TYPE_CHECKING

from pydantic import ConfigDict, Field

from incasso import clock
from incasso.domain.base import DeferredModel
from incasso.domain.errors import UserExistsError
from incasso.domain.users import EMAIL_PATTERN, Role, User
from incasso.services.errors import ConflictError, NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import Identities, UserDirectory


class NewUser(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    email: str = Field(max_length=254, pattern=EMAIL_PATTERN)
    role: Role


class RoleChange(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Role


class UserService:
    def __init__(self, records: "UserDirectory", identities: "Identities") -> None:
        self.records = records
        self.identities = identities

    def invite(self, tenant_id: str, new: NewUser) -> User:
        email = new.email.strip().lower()
        if any(user.email == email for user in self.records.list_users(tenant_id)):
            raise ConflictError(f"{email} is a user already", [{"field": "email", "message": "already a user"}])
        try:
            user_id = self.identities.create(tenant_id, email, new.role)
        except UserExistsError as exc:
            raise ConflictError(f"{email} is a user already", [{"field": "email", "message": "already a user"}]) from exc
        return self.records.put_user(User(tenant_id=tenant_id, user_id=user_id, email=email, role=new.role,
                                          created_at=clock.now()))

    def list(self, tenant_id: str) -> list[User]:
        return self.records.list_users(tenant_id)

    def change_role(self, tenant_id: str, user_id: str, role: str) -> User:
        user = self._get(tenant_id, user_id)
        self.identities.set_role(user.user_id, role)
        return self.records.put_user(user.model_copy(update={"role": role}))

    def remove(self, tenant_id: str, user_id: str) -> None:
        user = self._get(tenant_id, user_id)
        self.identities.delete(user.user_id)
        self.records.delete_user(tenant_id, user.user_id)

    def _get(self, tenant_id: str, user_id: str) -> User:
        user = self.records.get_user(tenant_id, user_id)
        if user is None:
            raise NotFoundError(f"user {user_id[:64]} not found")
        return user
