"""The tenant's side of the debtor's portal (CONTRACT.md §8): revoke the personal links of a claim's
debtor (every link issued so far stops working at once; the next message carries a new one). Clerk."""

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict

from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.services.errors import NotFoundError
from incasso.services import wiring

router = Router()


class RevokedOut(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    claim_id: str
    scope: str  # "debtor": all of the debtor's claims (they have a reference); "claim": this claim only


@router.post("/v1/claims/<claim_id>/portal/revoke", summary="Revoke the debtor's personal portal links",
             tags=["portal"], responses=responses(200, "the links are revoked", RevokedOut, 404))
def revoke(claim_id: str) -> RevokedOut:
    tenant_id = current_tenant(router)
    if not claim_id.replace("_", "").replace("-", "").isalnum() or len(claim_id) > 64:
        raise NotFoundError(f"claim {claim_id[:64]} not found")
    scope = wiring.portal_service().revoke(tenant_id, claim_id)
    return RevokedOut(claim_id=claim_id, scope=scope.split(":")[0])
