"""The tenant's own account (CONTRACT.md §7): ``GET /v1/tenant``, ``PUT /v1/tenant/profile``,
``PUT /v1/tenant/policy``. A Powertools ``Router`` that ``incasso.api.app`` includes; the tenant comes
from the authorizer's claims (the resolver has checked them and the role before routing)."""

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict, Field

from incasso.domain.base import DeferredModel
from incasso.domain.profile import bank_bic
from incasso.api.errors import unauthorized
from incasso.api.models import ErrorResponse
from incasso.domain.models import Policy, Profile, Tenant
from incasso.services.tenants import PolicyUpdate, ProfileUpdate
from incasso.services import wiring

router = Router()

ERRORS = {
    401: "no or bad token",
    403: "the token's role may not do this",
    404: "no such resource for this tenant",
    409: "conflicts with the resource's state",
    422: "invalid request; details name the fields",
}


def responses(status: int, description: str, model: type, *errors: int) -> dict:
    """OpenAPI answers of a route: its own and the errors it can give."""
    answers: dict[int, Any] = {status: {"description": description, "content": {"application/json": {"model": model}}}}
    for code in (401, 403, 422, *errors):
        answers[code] = {"description": ERRORS[code], "content": {"application/json": {"model": ErrorResponse}}}
    return answers


def current_tenant(of: Router) -> str:
    tenant_id = of.context.get("tenant_id")
    if not tenant_id:  # the resolver guarantees it; this guards a route called some other way
        raise unauthorized()
    return tenant_id


class ProfileOut(Profile):
    """The profile as kept (IBAN and VAT number compact), with the BIC schwifty knows for the IBAN where
    none was given, and whether the creditor deducts VAT (the policy's ``creditor_vat_deductible``)."""

    vat_deductible: bool

    @classmethod
    def from_tenant(cls, tenant: Tenant) -> "ProfileOut | None":
        if tenant.profile is None:
            return None
        profile = tenant.profile
        return cls(**profile.model_dump(exclude={"bic"}), bic=profile.bic or bank_bic(profile.iban),
                   vat_deductible=tenant.policy.creditor_vat_deductible)


class TenantOut(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    tenant_id: str
    profile: ProfileOut | None = Field(description="null until the tenant sets it")
    policy: Policy
    ready: bool = Field(description="true once the profile is complete: only then do messages and letters go out")
    missing: list[str] = Field(description="the profile's required fields not given yet")

    @classmethod
    def from_tenant(cls, tenant: Tenant) -> "TenantOut":
        return cls(tenant_id=tenant.tenant_id, profile=ProfileOut.from_tenant(tenant), policy=tenant.policy,
                   ready=tenant.ready, missing=tenant.missing)


@router.get("/v1/tenant", summary="The tenant's profile, policy and readiness", tags=["tenant"],
            responses=responses(200, "the tenant", TenantOut))
def get_tenant() -> TenantOut:
    return TenantOut.from_tenant(wiring.tenant_service().get(current_tenant(router)))


@router.put("/v1/tenant/profile", summary="Set the tenant's profile (legal name, address, IBAN, ...)",
            tags=["tenant"], responses=responses(200, "the profile", ProfileOut))
def put_profile(body: ProfileUpdate) -> ProfileOut:
    tenant = wiring.tenant_service().put_profile(current_tenant(router), body)
    profile = ProfileOut.from_tenant(tenant)
    assert profile is not None
    return profile


@router.put("/v1/tenant/policy", summary="Change the tenant's policy (any of its fields)", tags=["tenant"],
            responses=responses(200, "the whole policy", Policy))
def put_policy(body: PolicyUpdate) -> Policy:  # type: ignore[valid-type] - a model made from Policy
    changes = body.model_dump(exclude_unset=True)
    return wiring.tenant_service().put_policy(current_tenant(router), changes).policy
