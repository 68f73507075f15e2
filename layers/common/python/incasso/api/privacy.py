"""A debtor's personal data (AVG / GDPR) through the API: ``GET /v1/debtors/{reference}/export`` (a
request of access, art. 15) and ``POST /v1/debtors/{reference}/erase`` (erasure, art. 17). A manager's
routes (``incasso.api.roles``); another tenant's debtor is 404, as an unknown one."""

from http import HTTPStatus

from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict, Field

from incasso.api.errors import ApiError
from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.services import wiring

router = Router()
_REFERENCE_MAX = 64


class DebtorExport(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    reference: str
    exported_at: str
    debtor: dict[str, Any] = Field(description="the debtor as the newest claim holds them")
    claims: list[dict[str, Any]] = Field(description="each claim with its ledger, timeline and messages")


class Erased(DeferredModel):
    reference: str
    claims: list[str] = Field(description="the claims whose personal data was erased now")


def _reference(value: str) -> str:
    if not value or len(value) > _REFERENCE_MAX or "#" in value or not value.isprintable():
        raise ApiError(HTTPStatus.NOT_FOUND, "not_found", "no such debtor")
    return value


@router.get("/v1/debtors/<reference>/export", summary="Everything held about one debtor (art. 15 AVG)",
            tags=["privacy"], responses=responses(200, "the debtor's data", DebtorExport, 404))
def export_debtor(reference: str) -> DebtorExport:
    return DebtorExport(**wiring.privacy_service().export(current_tenant(router), _reference(reference)))


@router.post("/v1/debtors/<reference>/erase", summary="Erase a debtor's personal data (art. 17 AVG)",
             tags=["privacy"], responses=responses(200, "what was erased", Erased, 404, 409))
def erase_debtor(reference: str) -> Erased:
    return Erased(**wiring.privacy_service().erase(current_tenant(router), _reference(reference)))
