"""What a tenant does to its own account (CONTRACT.md §7): read it, set its profile, change its policy.

A tenant first seen through its token is registered without a profile: its claims are accepted and kept,
but nothing goes out until the profile is complete (``Tenant.ready``). A policy change is merged into the
policy as it stands and checked whole (bounds, trajectory order); it applies to every claim from its next
step on, since each step decides afresh from the tenant's policy.
"""

from typing import Any, TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from incasso.domain.models import Policy, Profile, Tenant
from incasso.services.errors import InvalidRequestError
from incasso.settings import get_settings

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import TenantDirectory


class ProfileUpdate(Profile):
    """The body of ``PUT /v1/tenant/profile``: the whole profile, and whether the creditor deducts VAT."""

    # art. 2(3) Besluit BIK: the VAT uplift on collection costs only where the creditor cannot deduct it.
    vat_deductible: bool = True

    def profile(self) -> Profile:
        return Profile.model_validate(self.model_dump(exclude={"vat_deductible"}))


def _optional_fields(model: type[BaseModel]) -> dict[str, Any]:
    fields = {}
    for name, info in model.model_fields.items():
        copy = info._copy()  # keeps the bounds (ge, le, pattern); only the default changes
        copy.default = None
        fields[name] = (info.annotation | None, copy)
    return fields


# The body of ``PUT /v1/tenant/policy``: any of the policy's fields, each with its bounds; others are refused.
PolicyUpdate: type[BaseModel] = create_model(
    "PolicyUpdate", __config__=ConfigDict(extra="forbid", frozen=True, defer_build=True), __doc__="Any of the policy's fields.",
    **_optional_fields(Policy))


def validation_details(error: ValidationError, fields: set[str] | None = None) -> list[dict[str, str]]:
    """Pydantic's errors as the API's details: the field at fault and why. An error of the whole model
    (the trajectory order) names the fields of the request that take part in it."""
    details = []
    for item in error.errors():
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        location = ".".join(str(part) for part in item.get("loc", ()))
        if location:
            details.append({"field": location, "message": message})
        else:
            for name in sorted(fields or {"body"}):
                details.append({"field": name, "message": message})
    return details


class TenantService:
    def __init__(self, store: "TenantDirectory") -> None:
        self.store = store

    def get(self, tenant_id: str) -> Tenant:
        """The tenant; one seen for the first time is registered (no profile, the default policy) so
        that its claims are kept and the sweep knows it."""
        tenant = self.store.get_tenant(tenant_id, max_age=get_settings().tenant_max_age_seconds)
        if tenant is None:
            tenant = self.store.put_tenant(Tenant(tenant_id=tenant_id))
        return tenant

    def put_profile(self, tenant_id: str, update: ProfileUpdate) -> Tenant:
        tenant = self._fresh(tenant_id)
        policy = tenant.policy.model_copy(update={"creditor_vat_deductible": update.vat_deductible})
        return self.store.put_tenant(tenant.model_copy(update={"profile": update.profile(), "policy": policy}))

    def put_policy(self, tenant_id: str, changes: dict[str, Any]) -> Tenant:
        """Merge ``changes`` (fields of the policy) into the tenant's policy; 422 naming the fields at fault."""
        tenant = self._fresh(tenant_id)
        merged = {**tenant.policy.model_dump(), **changes}
        try:
            policy = Policy.model_validate(merged)
        except ValidationError as exc:
            raise InvalidRequestError("the policy is not valid", validation_details(exc, set(changes))) from exc
        return self.store.put_tenant(tenant.model_copy(update={"policy": policy}))

    def _fresh(self, tenant_id: str) -> Tenant:
        # A change starts from the stored tenant, never from a copy up to a minute old.
        return self.store.get_tenant(tenant_id) or Tenant(tenant_id=tenant_id)
