"""``POST /v1/debtors/{reference}/payments``: a payment by the debtor that names no invoice, divided over
the debtor's open invoices in the order of art. 6:43 BW (``incasso.services.debtor_payments``). A
clerk's route, like a claim's payment; another tenant's debtor is 404, as an unknown one."""

import datetime as dt
from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header
from pydantic import Field

from incasso.api.errors import ApiError
from incasso.api.models import AllocationOut, ClaimOut
from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.money import Money
from incasso.services import wiring
from incasso.services.claim_commands import NewPayment

router = Router()
REFERENCE_MAX = 64
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,255}$"


class InvoicePaymentOut(DeferredModel):
    claim_id: str
    invoice_number: str
    amount: Money = Field(description="the part of the payment that went to this invoice")
    allocation: AllocationOut = Field(description="within the invoice: costs, interest, principal (art. 6:44 BW)")
    claim: ClaimOut


class DebtorPaymentOut(DeferredModel):
    reference: str
    amount: Money
    paid_at: dt.date
    invoices: list[InvoicePaymentOut] = Field(description="the invoices paid, in the order the payment went to "
                                                          "them: due before not yet due, the oldest first (art. 6:43 BW)")


def checked_reference(value: str) -> str:
    if not value or len(value) > REFERENCE_MAX or "#" in value or not value.isprintable():
        raise ApiError(HTTPStatus.NOT_FOUND, "not_found", "no such debtor")
    return value


@router.post("/v1/debtors/<reference>/payments", summary="Record a payment by the debtor for any of its invoices",
             tags=["debtors"], responses=responses(201, "how the payment was divided over the invoices",
                                                   DebtorPaymentOut, 404, 409))
def pay_debtor(
    reference: str,
    body: NewPayment,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=IDEMPOTENCY_KEY,
                                                  description="a retried payment is booked once")] = None,
) -> Response[DebtorPaymentOut]:
    tenant_id = current_tenant(router)
    result = wiring.debtor_payment_service().pay(tenant_id, checked_reference(reference), body,
                                                 payment_key=f"request:{idempotency_key}" if idempotency_key else None)
    invoices = [InvoicePaymentOut(
        claim_id=claim_id, invoice_number=part.claim.invoice_number, amount=part.allocation.total,
        allocation=AllocationOut(costs=part.allocation.costs, interest=part.allocation.interest,
                                 principal=part.allocation.principal),
        claim=ClaimOut.from_domain(part.claim, wiring.claims_store().get_timeline(tenant_id, claim_id))) for claim_id, part in result.parts]
    out = DebtorPaymentOut(reference=result.reference, amount=result.amount, paid_at=result.paid_on, invoices=invoices)
    return Response(201, content_types.APPLICATION_JSON, out.model_dump(mode="json"))
