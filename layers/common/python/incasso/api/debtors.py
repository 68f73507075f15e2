"""The debtor (claims of one tenant with one ``debtor.reference``): ``GET /v1/debtors`` (a page of the
tenant's debtors), ``GET /v1/debtors/{reference}`` (claims, totals, payment behaviour),
``GET /v1/debtors/{reference}/credit`` (the credit check) and ``PATCH /v1/debtors/{reference}`` (change
the debtor's details on every open claim). Reading is open to every role, the change to clerks and
managers (``incasso.api.roles``). Another tenant's debtor is 404, as an unknown one."""

import datetime as dt
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import ConfigDict, Field

from incasso import clock
from incasso.api.errors import ApiError
from incasso.api.models import AmountsOut
from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.domain.credit import CreditSource
from incasso.domain.debtors import REFERENCE_MAX, DebtorUpdate, PaymentBehaviour
from incasso.domain.errors import InvalidPageToken
from incasso.domain.models import Claim, ClaimStatus, Debtor, DebtorType, Stage
from incasso.domain.text import text_problem
from incasso.money import Money
from incasso.services import wiring
from incasso.services.errors import InvalidRequestError

router = Router()
MAX_PAGE, DEFAULT_PAGE = 100, 50


class DebtorListItem(DeferredModel):
    reference: str
    name: str
    type: DebtorType
    claims: int = Field(description="the debtor's claims at this tenant")
    open_amount: Money = Field(description="outstanding on the open claims, as booked")


class DebtorPage(DeferredModel):
    items: list[DebtorListItem]
    next_token: str | None


class DebtorClaimOut(DeferredModel):
    claim_id: str
    invoice_number: str
    status: ClaimStatus
    stage: Stage
    invoice_date: dt.date
    due_date: dt.date
    amounts: AmountsOut

    @classmethod
    def from_domain(cls, claim: Claim) -> "DebtorClaimOut":
        return cls(claim_id=claim.claim_id, invoice_number=claim.invoice_number, status=claim.status,
                   stage=claim.stage, invoice_date=claim.invoice_date, due_date=claim.due_date,
                   amounts=AmountsOut(**claim.amounts.model_dump(exclude={"disputed"})))


class DebtorOut(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    reference: str
    debtor: Debtor = Field(description="the debtor's details as the tenant last gave them")
    claims: list[DebtorClaimOut] = Field(description="the oldest due first; an open claim with interest up to today")
    totals: AmountsOut = Field(description="the claims' amounts added up")
    payment_behaviour: PaymentBehaviour = Field(description="how the debtor paid at this tenant")


class CreditOut(DeferredModel):
    reference: str
    debtor_type: DebtorType
    assessed_on: dt.date
    score: int = Field(ge=0, le=100)
    band: str = Field(description="good, fair, weak or poor")
    payment_term_days: int = Field(description="recommended days to pay; 0: only against payment in advance")
    credit_limit: Money
    available_credit: Money = Field(description="the limit less what is open now")
    reasons: list[str]
    sources: list[CreditSource] = Field(description="what the score rests on, and what was not consulted")


class DebtorChangedOut(DeferredModel):
    reference: str
    debtor: Debtor
    updated_claims: list[str] = Field(description="the open claims changed now (closed claims keep their details)")


def _reference(value: str) -> str:
    """A reference in the path: what a claim may carry (1-64 characters, no control characters, no '#')."""
    problem = None
    if not value or len(value) > REFERENCE_MAX:
        problem = f"must be 1 to {REFERENCE_MAX} characters"
    elif "#" in value:
        problem = "must not hold '#'"
    else:
        problem = text_problem(value)
    if problem:
        raise ApiError(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "invalid debtor reference",
                       [{"field": "reference", "message": problem}])
    return value


@router.get("/v1/debtors", summary="The tenant's debtors, page by page", tags=["debtors"],
            responses=responses(200, "a page of debtors", DebtorPage))
def list_debtors(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    next_token: Annotated[str | None, Query(min_length=1, max_length=4096)] = None,
) -> DebtorPage:
    tenant_id = current_tenant(router)
    try:
        items, token = wiring.debtor_service().page(tenant_id, limit, next_token)
    except InvalidPageToken as exc:
        raise InvalidRequestError("next_token is not valid",
                                  [{"field": "next_token", "message": "not a token this API gave"}]) from exc
    return DebtorPage(items=[DebtorListItem(reference=item.reference, name=item.name, type=item.type,
                                            claims=item.claims, open_amount=item.open_amount) for item in items],
                      next_token=token)


@router.get("/v1/debtors/<reference>", summary="A debtor: claims, totals and payment behaviour", tags=["debtors"],
            responses=responses(200, "the debtor", DebtorOut, 404))
def get_debtor(reference: str) -> DebtorOut:
    view = wiring.debtor_service().view(current_tenant(router), _reference(reference))
    return DebtorOut(reference=view.reference, debtor=view.debtor,
                     claims=[DebtorClaimOut.from_domain(claim) for claim in view.claims],
                     totals=AmountsOut(**view.totals.model_dump(exclude={"disputed"})),
                     payment_behaviour=view.behaviour)


@router.get("/v1/debtors/<reference>/credit", summary="Credit check: score, payment term and credit limit",
            tags=["debtors"], responses=responses(200, "the assessment", CreditOut, 404))
def credit(reference: str) -> CreditOut:
    reference = _reference(reference)
    debtor, assessment = wiring.debtor_service().credit(current_tenant(router), reference)
    return CreditOut(reference=reference, debtor_type=debtor.type, assessed_on=clock.today(),
                     **assessment.model_dump())


@router.patch("/v1/debtors/<reference>", summary="Change the debtor's details on every open claim", tags=["debtors"],
              responses=responses(200, "the debtor as changed", DebtorChangedOut, 404, 409))
def update_debtor(reference: str, body: DebtorUpdate) -> DebtorChangedOut:
    reference = _reference(reference)
    changed = wiring.debtor_service().update(current_tenant(router), reference, body)
    return DebtorChangedOut(reference=reference, debtor=changed.debtor, updated_claims=changed.updated_claims)
