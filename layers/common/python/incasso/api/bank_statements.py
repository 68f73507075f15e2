"""Bank statements through the API (CONTRACT.md §9): ``POST /v1/bank-statements`` answers an upload URL;
``GET /v1/bank-statements/{statement_id}`` reports every entry; ``GET /v1/bank-statements/unmatched`` is the
tenant's queue across statements; ``POST .../entries/{entry_id}/assign`` books one by hand. A viewer
reads; a clerk uploads and assigns (``incasso.api.roles``)."""

import datetime as dt
import re

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict, Field

from incasso.api.models import AllocationOut, ClaimOut, PaymentOut
from incasso.api.tenant import current_tenant, responses
from incasso.domain.bank.records import StatementItem, StatementRecord
from incasso.domain.base import DeferredModel
from incasso.money import Money
from incasso.services import wiring
from incasso.services.errors import NotFoundError

router = Router()
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class StatementRequest(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=255, description="the statement's file name (.xml, .940, .sta)")


class StatementCreated(DeferredModel):
    statement_id: str
    upload_url: str = Field(description="PUT the CAMT.053 or MT940 file here")
    expires_in: int = Field(description="seconds the upload URL stays valid")


class BookingOut(DeferredModel):
    claim_id: str
    amount: Money


class StatementItemOut(DeferredModel):
    statement_id: str
    entry_id: str
    amount: Money = Field(description="always positive; see direction")
    direction: str = Field(description="credit (money in) or debit (money out: listed, never booked)")
    booked_on: dt.date
    counterparty: str | None
    counterparty_iban: str | None
    remittance: str
    claim_id: str | None = Field(description="the claim it paid (the first, for a combined payment); null: none")
    match: str = Field(description="reference, invoice_number, debtor_amount, manual or none")
    outcome: str = Field(description="booked, unmatched, debit, seen_before or rejected")
    bookings: list[BookingOut] = Field(description="what was booked on which claim")
    refund: Money = Field(description="paid beyond what was owed: to be paid back to the debtor")
    candidates: list[str] = Field(description="claims that fit equally (never guessed between)")
    error: str | None = Field(description="why it was not booked")

    @classmethod
    def from_domain(cls, item: StatementItem) -> "StatementItemOut":
        return cls(statement_id=item.statement_id, entry_id=item.entry_id, amount=item.amount,
                   direction=item.direction.value, booked_on=item.booked_on, counterparty=item.counterparty,
                   counterparty_iban=item.counterparty_iban, remittance=item.remittance, claim_id=item.claim_id,
                   match=item.match.value, outcome=item.outcome.value,
                   bookings=[BookingOut(claim_id=b.claim_id, amount=b.amount) for b in item.bookings],
                   refund=item.refund, candidates=item.candidates, error=item.error)


class StatementOut(DeferredModel):
    statement_id: str
    filename: str
    status: str = Field(description="pending, processing, completed or failed")
    format: str | None = Field(description="camt.053 or mt940, once read")
    account: str | None
    error: str | None = Field(description="why the file as a whole was refused (nothing of it was booked)")
    entries: int
    matched: int
    unmatched: int
    items: list[StatementItemOut]

    @classmethod
    def from_domain(cls, record: StatementRecord, items: list[StatementItem]) -> "StatementOut":
        return cls(statement_id=record.statement_id, filename=record.filename, status=record.status.value,
                   format=record.format, account=record.account, error=record.error, entries=record.entries,
                   matched=record.matched, unmatched=record.unmatched,
                   items=[StatementItemOut.from_domain(item) for item in items])


class UnmatchedList(DeferredModel):
    items: list[StatementItemOut]


class AssignRequest(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    claim_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


def _checked(value: str, what: str) -> str:
    if not _ID.fullmatch(value):
        raise NotFoundError(f"{what} {value[:64]} not found")
    return value


@router.post("/v1/bank-statements", summary="Upload a bank statement (CAMT.053 or MT940): get an upload URL",
             tags=["bank statements"], responses=responses(201, "where to PUT the file", StatementCreated))
def start_statement(body: StatementRequest) -> Response[StatementCreated]:
    started = wiring.reconciliation_service().start(current_tenant(router), body.filename)
    created = StatementCreated(statement_id=started.statement_id, upload_url=started.upload_url,
                               expires_in=started.expires_in)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=created.model_dump(mode="json"))


@router.get("/v1/bank-statements/unmatched", summary="Unmatched credits of every statement: the queue to assign",
            tags=["bank statements"], responses=responses(200, "the unmatched credits", UnmatchedList))
def unmatched() -> UnmatchedList:
    items = wiring.reconciliation_service().unmatched(current_tenant(router))
    return UnmatchedList(items=[StatementItemOut.from_domain(item) for item in items])


@router.get("/v1/bank-statements/<statement_id>", summary="A bank statement: every entry and what became of it",
            tags=["bank statements"], responses=responses(200, "the statement", StatementOut, 404))
def get_statement(statement_id: str) -> StatementOut:
    record, items = wiring.reconciliation_service().get(current_tenant(router), _checked(statement_id, "bank statement"))
    return StatementOut.from_domain(record, items)


@router.post("/v1/bank-statements/<statement_id>/entries/<entry_id>/assign",
             summary="Book an unmatched credit to a claim by hand", tags=["bank statements"],
             responses=responses(201, "the payment: its allocation (art. 6:44 BW) and the claim", PaymentOut, 404, 409))
def assign(statement_id: str, entry_id: str, body: AssignRequest) -> Response[PaymentOut]:
    tenant_id = current_tenant(router)
    result = wiring.reconciliation_service().assign(tenant_id, _checked(statement_id, "bank statement"),
                                             _checked(entry_id, "entry"), body.claim_id)
    allocation = result.allocation
    claim = ClaimOut.from_domain(result.claim, wiring.claims_store().get_timeline(tenant_id, result.claim.claim_id))
    out = PaymentOut(allocation=AllocationOut(costs=allocation.costs, interest=allocation.interest,
                                              principal=allocation.principal), claim=claim)
    return Response(status_code=201, content_type=content_types.APPLICATION_JSON, body=out.model_dump(mode="json"))
