"""The tenant HTTP API (CONTRACT.md §3): one Powertools resolver, pydantic bodies, errors in one place.

The tenant comes from the authorizer's claims only. It is checked before anything else (routing, body
validation), so a request without a valid token learns nothing but 401. Another tenant's claim or import
answers 404, exactly like one that does not exist: every lookup is by (tenant, id).
"""

from __future__ import annotations

import binascii
import json
import re
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from incasso import clock
from incasso.api.auth import machine_client_from_event, tenant_from_event
from incasso.api.errors import ApiError, register_error_handlers, unauthorized
from incasso.api import documents as document_routes
from incasso.api import tenant as tenant_routes
from incasso.api import privacy as privacy_routes
from incasso.api import debtor_payments as debtor_payment_routes
from incasso.api import debtors as debtor_routes
from incasso.api import users as user_routes
from incasso.api import api_clients as api_client_routes
from incasso.api import webhooks as webhook_routes
from incasso.api import bank_statements as bank_statement_routes
from incasso.api import portal_links as portal_link_routes
from incasso.api.roles import forbidden_for
from incasso.api.models import (
    AllocationOut,
    ArrangementRequest,
    BailiffUpdateRequest,
    CallList,
    CallOut,
    CallOutcomeRequest,
    ClaimOut,
    ClaimPage,
    DeclineRequest,
    DisputeRequest,
    ErrorResponse,
    ImportCreated,
    ImportErrorOut,
    ImportOut,
    ImportRequest,
    PaymentOut,
    RefuseArrangementRequest,
    ResolveDisputeRequest,
)
from incasso.domain.errors import InvalidPageToken
from incasso.domain.models import Claim, ClaimStatus
from incasso.services import wiring
from incasso.services.claim_commands import BailiffUpdateKind, CallOutcome, DisputeOutcome, NewClaim, NewPayment
from incasso.services.errors import InvalidRequestError, NotFoundError
from incasso.services.reports import History, Summary

API_VERSION = "1.0.0"
MAX_PAGE = 100
DEFAULT_PAGE = 50
# Ids in paths: what the services mint (clm_..., imp_...) and nothing that could reshape a key.
RESOURCE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
IDEMPOTENCY_KEY = r"^[\x21-\x7e]{1,255}$"  # visible ASCII, as the Idempotency-Key draft suggests


def _client_still_active(tenant_id: str, event: dict) -> bool:
    """A machine client's token counts only while its client is not revoked: checked on every request,
    since a token outlives its client at Cognito (CONTRACT.md §7; docs/architecture.md, "Credentials")."""
    client_id = machine_client_from_event(event)
    return client_id is None or wiring.api_client_service().active(tenant_id, client_id)


class TenantResolver(APIGatewayRestResolver):
    """A REST resolver that answers 401 before routing when the authorizer named no tenant, and 422
    when the body cannot be decoded at all (bad base64, not UTF-8, nested too deep for a parser)."""

    def _resolve(self):  # noqa: D401 - Powertools' hook for one request
        tenant_id = tenant_from_event(self.current_event.raw_event)
        if tenant_id is not None and not _client_still_active(tenant_id, self.current_event.raw_event):
            tenant_id = None  # a revoked machine client's token: refused like no token
        problem = unauthorized() if tenant_id is None else (
            forbidden_for(self.current_event) or _unsupported_media_type(self.current_event)
            or _undecodable_body(self.current_event))
        if problem is None:
            self.append_context(tenant_id=tenant_id)
            return super()._resolve()

        def refuse() -> None:
            raise problem

        method = self.current_event.http_method.upper()
        path = self.current_event.path
        route = Route(method=method, path=path, rule=self._compile_regex(r".*"), func=refuse,
                      cors=self._cors_enabled, compress=False, enable_validation=False)
        self.append_context(_route=route, _path=path)
        return self._call_route(route, {})


def _unsupported_media_type(event: Any) -> ApiError | None:
    """A body declared as anything but JSON (a form, plain text): 415, not a 422 for every field."""
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if not event.body or not content_type or content_type == "application/json" or content_type.endswith("+json"):
        return None
    return ApiError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json",
                    [{"field": "content-type", "message": f"{content_type} is not application/json"}])


def _undecodable_body(event: Any) -> ApiError | None:
    if not event.body:
        return None
    try:
        text = event.decoded_body
        content_type = event.headers.get("content-type", "")
        if text and (not content_type or content_type.strip().lower().startswith("application/json")):
            event.json_body  # noqa: B018 - parse once now (cached); syntax errors stay Powertools' 422
    except json.JSONDecodeError:
        return None
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        return ApiError(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "the body cannot be read",
                        [{"field": "body", "message": "not UTF-8 JSON"}])
    return None


app = TenantResolver(enable_validation=True)


def _allowed_methods(path: str) -> list[str]:
    routes = app._static_routes + app._dynamic_routes
    return sorted({route.method for route in routes if route.rule.match(path)})


register_error_handlers(app, allowed_methods=_allowed_methods)

_ERRORS = {
    401: {"description": "no or bad token", "content": {"application/json": {"model": ErrorResponse}}},
    404: {"description": "no such resource for this tenant", "content": {"application/json": {"model": ErrorResponse}}},
    409: {"description": "conflict with the claim's state", "content": {"application/json": {"model": ErrorResponse}}},
    422: {"description": "invalid request; details name the fields", "content": {"application/json": {"model": ErrorResponse}}},
}


def _responses(status: int, description: str, model: type, *errors: int) -> dict:
    answers = {status: {"description": description, "content": {"application/json": {"model": model}}}}
    answers.update({code: _ERRORS[code] for code in (401, 422, *errors)})
    return answers


def tenant() -> str:
    tenant_id = app.context.get("tenant_id")
    if not tenant_id:  # _resolve guarantees it; this guards a route called some other way
        raise unauthorized()
    return tenant_id


def _json(status: int, body: Any) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def _checked_id(value: str, what: str) -> str:
    if not RESOURCE_ID.fullmatch(value):
        raise NotFoundError(f"{what} {value[:64]} not found")
    return value


def claim_out(tenant_id: str, claim: Claim) -> ClaimOut:
    return ClaimOut.from_domain(claim, wiring.claims_store().get_timeline(tenant_id, claim.claim_id))


# -- claims ------------------------------------------------------------------------------------------
@app.post("/v1/claims", summary="Create a claim", tags=["claims"],
          responses=_responses(201, "the claim", ClaimOut, 409))
def create_claim(
    body: NewClaim,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=IDEMPOTENCY_KEY,
                                                  description="a retried request returns the first answer")] = None,
) -> Response[ClaimOut]:
    tenant_id = tenant()

    def create() -> dict:
        claim = wiring.claim_service().create(tenant_id, body)
        return claim_out(tenant_id, claim).model_dump(mode="json")

    if idempotency_key is None:
        return _json(201, create())
    from incasso.api.idempotency import once  # deferred: Powertools' idempotency loads only for keyed requests

    return _json(201, once(tenant_id, "create_claim", idempotency_key, body.model_dump(mode="json"), create,
                           lambda_context=app.lambda_context))


@app.get("/v1/claims", summary="List claims", tags=["claims"], responses=_responses(200, "a page of claims", ClaimPage))
def list_claims(
    status: Annotated[ClaimStatus | None, Query(description="only claims with this status")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = DEFAULT_PAGE,
    next_token: Annotated[str | None, Query(min_length=1, max_length=4096)] = None,
) -> ClaimPage:
    tenant_id = tenant()
    claims, token = _page(tenant_id, status, limit, next_token)
    return ClaimPage(items=[claim_out(tenant_id, claim) for claim in claims], next_token=token)


def _page(tenant_id: str, status: ClaimStatus | None, limit: int, next_token: str | None) -> tuple[list[Claim], str | None]:
    try:
        return wiring.claims_store().list_claims(tenant_id, status, limit, next_token)
    except InvalidPageToken as exc:
        raise InvalidRequestError("next_token is not valid",
                                  [{"field": "next_token", "message": "not a token this API gave"}]) from exc


@app.get("/v1/claims/<claim_id>", summary="Get a claim", tags=["claims"],
         responses=_responses(200, "the claim", ClaimOut, 404))
def get_claim(claim_id: str) -> ClaimOut:
    tenant_id = tenant()
    # As it stands today: interest accrued up to today is in the amounts, so the outstanding amount is
    # what settles the claim today (and what an arrangement's instalments must add up to).
    return claim_out(tenant_id, wiring.claim_service().current(tenant_id, _checked_id(claim_id, "claim")))


@app.post("/v1/claims/<claim_id>/payments", summary="Record a payment", tags=["claims"],
          responses=_responses(201, "the allocation (art. 6:44 BW) and the claim", PaymentOut, 404, 409))
def pay(
    claim_id: str,
    body: NewPayment,
    idempotency_key: Annotated[str | None, Header(alias="idempotency-key", pattern=IDEMPOTENCY_KEY,
                                                  description="a retried payment is booked once")] = None,
) -> Response[PaymentOut]:
    tenant_id = tenant()
    result = wiring.claim_service().pay(tenant_id, _checked_id(claim_id, "claim"), body,
                                        payment_key=f"request:{idempotency_key}" if idempotency_key else None)
    allocation = result.allocation
    return _json(201, PaymentOut(
        allocation=AllocationOut(costs=allocation.costs, interest=allocation.interest, principal=allocation.principal),
        claim=claim_out(tenant_id, result.claim)))


@app.post("/v1/claims/<claim_id>/dispute", summary="Dispute a claim (or a part of it): escalation pauses (for that part)",
          tags=["claims"], responses=_responses(200, "the claim", ClaimOut, 404, 409))
def dispute(claim_id: str, body: DisputeRequest) -> ClaimOut:
    tenant_id = tenant()
    claim = wiring.claim_service().dispute(tenant_id, _checked_id(claim_id, "claim"), body.reason, body.amount)
    return claim_out(tenant_id, claim)


@app.post("/v1/claims/<claim_id>/dispute/resolve", summary="Resolve a dispute", tags=["claims"],
          responses=_responses(200, "the claim", ClaimOut, 404, 409))
def resolve_dispute(claim_id: str, body: ResolveDisputeRequest) -> ClaimOut:
    tenant_id = tenant()
    claim = wiring.claim_service().resolve_dispute(tenant_id, _checked_id(claim_id, "claim"), DisputeOutcome(body.outcome))
    return claim_out(tenant_id, claim)


@app.post("/v1/claims/<claim_id>/arrangement", summary="Agree a payment arrangement", tags=["claims"],
          responses=_responses(201, "the claim", ClaimOut, 404, 409))
def arrange(claim_id: str, body: ArrangementRequest) -> Response[ClaimOut]:
    tenant_id = tenant()
    claim = wiring.claim_service().arrange(tenant_id, _checked_id(claim_id, "claim"), list(body.instalments))
    return _json(201, claim_out(tenant_id, claim))


@app.post("/v1/claims/<claim_id>/arrangement/refuse", summary="Refuse the debtor's proposed arrangement",
          description="A proposal the debtor made on the portal beyond the policy's limits waits on the claim's "
                      "timeline (`arrangement_proposed`). Refusing it closes it (`arrangement_refused`), tells the "
                      "debtor why (message kind `arrangement_refused`) and publishes `arrangement.refused`; the "
                      "trajectory goes on. No proposal waiting: 409.",
          tags=["claims"], responses=_responses(200, "the claim", ClaimOut, 404, 409))
def refuse_arrangement(claim_id: str, body: RefuseArrangementRequest) -> ClaimOut:
    tenant_id = tenant()
    claim = wiring.claim_service().refuse_arrangement(tenant_id, _checked_id(claim_id, "claim"), body.reason)
    return claim_out(tenant_id, claim)


@app.post("/v1/claims/<claim_id>/legal/approve", summary="Approve court action on the legal advice",
          tags=["legal"], responses=_responses(200, "the claim", ClaimOut, 404, 409))
def approve_legal(claim_id: str) -> ClaimOut:
    tenant_id = tenant()
    return claim_out(tenant_id, wiring.claim_service().approve_legal(tenant_id, _checked_id(claim_id, "claim")))


@app.post("/v1/claims/<claim_id>/legal/decline", summary="Decline court action: the claim closes as uncollectible",
          tags=["legal"], responses=_responses(200, "the claim", ClaimOut, 404, 409))
def decline_legal(claim_id: str, body: DeclineRequest) -> ClaimOut:
    tenant_id = tenant()
    return claim_out(tenant_id, wiring.claim_service().decline_legal(tenant_id, _checked_id(claim_id, "claim"),
                                                                     body.reason))


@app.post("/v1/claims/<claim_id>/bailiff", summary="Record the bailiff's update", tags=["claims"],
          responses=_responses(200, "the claim", ClaimOut, 404, 409))
def bailiff_update(claim_id: str, body: BailiffUpdateRequest) -> ClaimOut:
    tenant_id = tenant()
    claim = wiring.claim_service().bailiff_update(tenant_id, _checked_id(claim_id, "claim"),
                                                  BailiffUpdateKind(body.update), body.note)
    return claim_out(tenant_id, claim)


# -- calls ---------------------------------------------------------------------------------------------
@app.get("/v1/calls", summary="The tenant's planned calls that are due now", tags=["calls"],
         responses=_responses(200, "due calls, earliest first", CallList))
def due_calls() -> CallList:
    claims = wiring.claim_service().due_calls(tenant())
    return CallList(items=[CallOut(claim_id=c.claim_id, invoice_number=c.invoice_number, debtor_name=c.debtor.name,
                                   phone=c.debtor.phone, language=c.debtor.language.value, call_at=c.call_at,
                                   outstanding=c.amounts.outstanding) for c in claims])


@app.post("/v1/claims/<claim_id>/call", summary="Record a call's outcome", tags=["calls"],
          responses=_responses(200, "the claim", ClaimOut, 404, 409))
def record_call(claim_id: str, body: CallOutcomeRequest) -> ClaimOut:
    tenant_id = tenant()
    claim = wiring.claim_service().record_call(tenant_id, _checked_id(claim_id, "claim"), CallOutcome(body.outcome),
                                               promised_on=body.promised_on, reason=body.reason,
                                               instalments=body.instalments)
    return claim_out(tenant_id, claim)


# -- imports -----------------------------------------------------------------------------------------
@app.post("/v1/imports", summary="Start an import of invoices (CSV, UBL XML or a zip of UBL): get an upload URL",
          tags=["imports"], responses=_responses(201, "where to PUT the file", ImportCreated))
def start_import(body: ImportRequest) -> Response[ImportCreated]:
    started = wiring.import_service().start(tenant(), body.filename)
    return _json(201, ImportCreated(import_id=started.import_id, upload_url=started.upload_url,
                                    expires_in=started.expires_in))


@app.get("/v1/imports/<import_id>", summary="An import's report", tags=["imports"],
         responses=_responses(200, "the import", ImportOut, 404))
def get_import(import_id: str) -> ImportOut:
    record = wiring.import_service().get(tenant(), _checked_id(import_id, "import"))
    return ImportOut(import_id=record.import_id, filename=record.filename, status=record.status,
                     accepted=record.accepted, rejected=record.rejected,
                     errors=[ImportErrorOut(row=e.row, field=e.field, message=e.message) for e in record.errors],
                     errors_not_listed=record.errors_not_listed)


# -- reports -----------------------------------------------------------------------------------------
@app.get("/v1/reports/summary", summary="Counts and amounts by status and stage, collected, outstanding, DSO",
         tags=["reports"], responses=_responses(200, "the summary", Summary))
def summary() -> Summary:
    # From the tenant's aggregates: a few items whatever its size (services/reports.ReportService).
    return wiring.report_service().summary(tenant())


@app.get("/v1/reports/history", summary="The portfolio at the end of each day: claims per status and stage, "
         "open principal, collected", tags=["reports"], responses=_responses(200, "the history", History))
def history() -> History:
    # From the tenant's day buckets (services/reports.ReportService.history), not from its claims.
    return wiring.report_service().history(tenant())


# -- the tenant's own account (incasso.api.tenant) and its webhooks (incasso.api.webhooks) ------------
app.include_router(tenant_routes.router)
app.include_router(webhook_routes.router)
app.include_router(privacy_routes.router)
app.include_router(debtor_payment_routes.router)
app.include_router(debtor_routes.router)
app.include_router(bank_statement_routes.router)
app.include_router(portal_link_routes.router)
app.include_router(document_routes.router)
app.include_router(user_routes.router)
app.include_router(api_client_routes.router)


def handle(event: dict, context: Any) -> dict:
    """The Lambda entry point (``functions/api/handler.py``) and what ``incasso serve`` calls."""
    return app.resolve(event, context)
