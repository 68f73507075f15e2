"""The API's request and response bodies (CONTRACT.md §3). Amounts are strings ("425.00").

Requests reuse the services' command models where they fit (``NewClaim``, ``NewPayment``), so the API
and the CSV import share one intake. Responses are built from domain objects and show nothing internal
(no tenant id, version, task token, ...).
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator

from incasso.domain.base import DeferredModel
from incasso.domain.text import Text
from incasso.domain.models import AgreedCollectionCosts, Claim, ClaimStatus, Debtor, Instalment, LegalAdvice, Stage, TimelineEvent
from incasso.money import Money
from incasso.services.claim_commands import BailiffUpdateKind, CallOutcome, DisputeOutcome

# ----------------------------------------------------------------------------------------------------
# requests


class Body(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DisputeRequest(Body):
    reason: Text = Field(min_length=1, max_length=2000, description="why the debtor disputes the claim")
    amount: Money | None = Field(default=None, description="a dispute in part: the part of the principal "
                                 "disputed; only that part pauses and the trajectory goes on over the rest. "
                                 "Left out, or covering all the open principal: the whole claim pauses. "
                                 "More than the outstanding amount or not positive: 422")

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value <= 0:
            raise ValueError("a disputed amount must be more than 0.00")
        return value


class DeclineRequest(Body):
    reason: Text = Field(min_length=1, max_length=2000, description="why court action is declined")


class ResolveDisputeRequest(Body):
    outcome: DisputeOutcome = Field(
        description="rejected: escalation resumes; upheld: the claim is closed as cancelled")


class ArrangementRequest(Body):
    instalments: list[Instalment] = Field(min_length=1, max_length=120,
                                          description="summing to the outstanding amount")


class RefuseArrangementRequest(Body):
    reason: Text = Field(min_length=1, max_length=2000, description="why the proposal is refused; the debtor "
                         "is told in the message")


class BailiffUpdateRequest(Body):
    update: BailiffUpdateKind
    note: str = Field(default="", max_length=2000)


class CallOutcomeRequest(Body):
    outcome: CallOutcome = Field(description="no_answer, promise_to_pay, dispute or arrangement")
    promised_on: dt.date | None = Field(default=None, description="with promise_to_pay: the promised day (within 30 days)")
    reason: str = Field(default="", max_length=2000, description="with dispute: why the debtor disputes")
    instalments: list[Instalment] | None = Field(default=None, max_length=120, description="with arrangement")


class CallOut(DeferredModel):
    claim_id: str
    invoice_number: str
    debtor_name: str
    phone: str | None
    language: str
    call_at: dt.datetime
    outstanding: Money


class CallList(DeferredModel):
    items: list[CallOut]


class ImportRequest(Body):
    filename: str = Field(min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f/\\]+$",
                          description="the name of the file to upload (no folders): a CSV export, one UBL 2.1 / "
                                      "Peppol BIS 3.0 invoice (.xml) or a zip of them")


# ----------------------------------------------------------------------------------------------------
# responses


class AmountsOut(DeferredModel):
    principal: Money
    interest: Money
    collection_costs: Money
    collection_costs_vat: Money
    paid: Money
    outstanding: Money


class ClaimOut(DeferredModel):
    """A claim as tenants see it (CONTRACT.md §3)."""

    model_config = ConfigDict(extra="forbid")

    claim_id: str
    invoice_number: str
    debtor: Debtor
    currency: str
    invoice_date: dt.date
    due_date: dt.date
    status: ClaimStatus
    stage: Stage
    payment_reference: str = Field(description="the 16-digit Dutch structured reference (betalingskenmerk) "
                                   "with its check digit, printed on every letter; bank transfers quoting it "
                                   "are matched to this claim")
    amounts: AmountsOut
    consumer_sale: bool = Field(default=False, description="the price of a consumer sale (art. 7:28 BW)")
    legal_advice: LegalAdvice | None = Field(default=None, description="the legal review's advice before court "
                                             "action: recommendation, reasons, court and bailiff costs, limitation date")
    disputed_amount: Money | None = Field(default=None, description="a dispute in part: the part of the principal "
                                          "held back while it is open (in neither amounts.principal nor "
                                          "amounts.outstanding); null otherwise (docs/law.md, \"Disputes in part\")")
    agreed_interest_rate: Decimal | None = Field(default=None, description="a yearly % agreed with this "
                                                 "business debtor (art. 6:119 lid 3 BW); null: the statutory rate")
    agreed_collection_costs: AgreedCollectionCosts | None = Field(
        default=None, description="collection costs agreed with this business debtor (art. 6:96 lid 5 BW); "
        "null: the staffel of the Besluit BIK")
    warnings: list[str] = Field(default_factory=list, description="caveats on the amounts, e.g. interest "
                                "computed with an unverified or carried-forward statutory rate")
    timeline: list[dict[str, Any]] = Field(
        description="oldest first; each event is {at, type} plus its details, e.g. {reason} or {amount}")

    @classmethod
    def from_domain(cls, claim: Claim, timeline: list[TimelineEvent]) -> "ClaimOut":
        amounts = claim.amounts
        return cls(
            claim_id=claim.claim_id,
            invoice_number=claim.invoice_number,
            debtor=claim.debtor,
            currency=claim.currency,
            invoice_date=claim.invoice_date,
            due_date=claim.due_date,
            status=claim.status,
            stage=claim.stage,
            payment_reference=claim.payment_reference or "",
            amounts=AmountsOut(principal=amounts.principal, interest=amounts.interest,
                               collection_costs=amounts.collection_costs,
                               collection_costs_vat=amounts.collection_costs_vat,
                               paid=amounts.paid, outstanding=amounts.outstanding),
            disputed_amount=claim.disputed_amount,
            consumer_sale=claim.consumer_sale,
            agreed_interest_rate=claim.agreed_interest_rate,
            agreed_collection_costs=claim.agreed_collection_costs,
            legal_advice=claim.legal_advice,
            warnings=[*claim.flags, *claim.warnings],
            timeline=[timeline_item(event) for event in timeline],
        )


def timeline_item(event: TimelineEvent) -> dict[str, Any]:
    """An event flattened: its details beside ``at`` and ``type`` (which a detail cannot overwrite)."""
    item = event.model_dump(mode="json")
    return {**item["details"], "at": item["at"], "type": item["type"]}


class ClaimPage(DeferredModel):
    items: list[ClaimOut]
    next_token: str | None = Field(description="pass as next_token for the next page; null on the last page")


class AllocationOut(DeferredModel):
    costs: Money
    interest: Money
    principal: Money


class PaymentOut(DeferredModel):
    allocation: AllocationOut
    claim: ClaimOut


class ImportCreated(DeferredModel):
    import_id: str
    upload_url: str = Field(description="a presigned S3 PUT URL, valid for a limited time")
    expires_in: int = Field(description="seconds the upload URL stays valid")


class ImportErrorOut(DeferredModel):
    row: int = Field(description="the row number as in the file (header = row 1; 0 = the file as a whole)")
    field: str
    message: str


class ImportOut(DeferredModel):
    import_id: str
    filename: str
    status: Literal["pending", "processing", "completed", "failed"]
    accepted: int
    rejected: int
    errors: list[ImportErrorOut] = Field(description="the first 1,000 problems, in file order")
    errors_not_listed: int = Field(description="problems found beyond those listed")


class ErrorDetail(DeferredModel):
    model_config = ConfigDict(extra="allow")

    field: str | None = None
    message: str


class ErrorInfo(DeferredModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorResponse(DeferredModel):
    error: ErrorInfo
