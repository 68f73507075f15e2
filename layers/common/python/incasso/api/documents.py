"""A claim's letters (issue 17): ``GET /v1/claims/{id}/preview/{kind}`` (what that letter would say today,
as a PDF or, with ``Accept: text/html``, an HTML page; nothing sent or booked), ``GET .../messages`` (what
went out) and ``GET .../documents/{name}`` (a short-lived link to a PDF in the tenant's own prefix).

A PDF leaves the Lambda base64-encoded (``isBase64Encoded``); API Gateway turns it back into bytes for
``application/pdf`` (the REST API's binary media types, ``infra/cdk/api.py``), and so does ``incasso serve``.
"""

import datetime as dt
import re

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from pydantic import ConfigDict, Field

from incasso.api.tenant import current_tenant, responses
from incasso.domain.base import DeferredModel
from incasso.services.errors import NotFoundError
from incasso.services import wiring

router = Router()
RESOURCE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def _claim_id(value: str) -> str:
    if not RESOURCE_ID.fullmatch(value):
        raise NotFoundError(f"claim {value[:64]} not found")
    return value


class MessageOut(DeferredModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    channel: str
    sent_at: dt.datetime
    subject: str
    body: str = Field(description="the text of the message or letter (the SMS text for an SMS)")
    document: str | None = Field(description="the PDF's name for GET .../documents/{name}, where one is kept")


class MessageList(DeferredModel):
    items: list[MessageOut]


class DocumentLinkOut(DeferredModel):
    name: str
    url: str = Field(description="a presigned GET of the PDF")
    expires_in: int = Field(description="seconds the URL stays valid")


_PREVIEW_RESPONSES = {
    **responses(200, "the letter", DocumentLinkOut, 404, 409),
    200: {"description": "the letter as it would go out today: a PDF, or HTML with Accept: text/html",
          "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                      "text/html": {"schema": {"type": "string"}}}},
}


def _wants_html() -> bool:
    accept = (router.current_event.headers or {}).get("accept") or ""
    return "text/html" in accept.lower() and "application/pdf" not in accept.lower()


@router.get("/v1/claims/<claim_id>/preview/<kind>", summary="Preview a letter as it would go out today",
            tags=["documents"], responses=_PREVIEW_RESPONSES)
def preview(claim_id: str, kind: str):  # noqa: ANN201 - bytes or text: no model to validate
    tenant_id = current_tenant(router)
    html = _wants_html()
    shown = wiring.document_service().preview(tenant_id, _claim_id(claim_id), kind, as_html=html)
    headers = {"Cache-Control": "no-store"}
    if html:
        return Response(200, "text/html; charset=utf-8", shown.html, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{shown.kind.value}-preview.pdf"'
    return Response(200, "application/pdf", shown.pdf, headers=headers)


@router.get("/v1/claims/<claim_id>/messages", summary="The messages and letters sent for a claim",
            tags=["documents"], responses=responses(200, "what went out, oldest first", MessageList, 404))
def messages(claim_id: str) -> MessageList:
    records = wiring.document_service().messages(current_tenant(router), _claim_id(claim_id))
    return MessageList(items=[MessageOut.model_validate(record) for record in records])


@router.get("/v1/claims/<claim_id>/documents/<name>",
            summary="A short-lived link to a letter's PDF, or to the original UBL invoice (invoice.xml)", tags=["documents"], responses=responses(200, "a presigned GET", DocumentLinkOut, 404))
def document(claim_id: str, name: str) -> DocumentLinkOut:
    link = wiring.document_service().document_url(current_tenant(router), _claim_id(claim_id), name)
    return DocumentLinkOut(name=link.name, url=link.url, expires_in=link.expires_in)
