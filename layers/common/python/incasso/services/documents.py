"""A claim's letters as its tenant sees them: a preview of what a letter would say today (nothing sent,
nothing booked), the messages that went out, and a short-lived link to a PDF kept in the tenant's own
prefix of the documents bucket."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TYPE_CHECKING

from incasso import clock
from incasso.domain.document_keys import ORIGINAL_INVOICE_NAME, document_key, original_invoice_key
from incasso.domain.escalation import notice_step
from incasso.domain.models import Claim, MessageKind, Stage, Tenant
from incasso.domain.notices import build_notice, notice_costs
from incasso.law.terms import next_call_slot
from incasso.services.claims import ClaimService
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, Documents

# The letters a tenant may preview: the trajectory's messages to the debtor. (Confirmations answer a
# payment or an arrangement and the bailiff's letters go to the bailiff: they have nothing to show today.)
PREVIEW_KINDS = (MessageKind.PRE_DUE_REMINDER, MessageKind.REMINDER_1, MessageKind.REMINDER_2,
                 MessageKind.CALL_SCHEDULED, MessageKind.FOURTEEN_DAY_LETTER, MessageKind.NOTICE_OF_DEFAULT)
NOTICE_KINDS = (MessageKind.FOURTEEN_DAY_LETTER, MessageKind.NOTICE_OF_DEFAULT)
# A document's name is its kind and ".pdf": nothing else can be asked for, so a name never leaves the
# claim's own folder (no '/', no '..').
DOCUMENT_NAME = re.compile(r"^(?P<kind>[a-z0-9_]{1,64})\.pdf$")
DOCUMENT_URL_SECONDS = 300


@dataclass(frozen=True)
class Preview:
    kind: MessageKind
    subject: str
    pdf: bytes | None = None
    html: str | None = None


@dataclass(frozen=True)
class DocumentLink:
    name: str
    url: str
    expires_in: int


def document_name(key: str | None, tenant_id: str, claim_id: str) -> str | None:
    """The name under which ``GET .../documents/{name}`` serves the PDF at ``key``, if it is the claim's."""
    if not key:
        return None
    name = key.rsplit("/", 1)[-1]
    match = DOCUMENT_NAME.fullmatch(name)
    return name if match and key == document_key(tenant_id, claim_id, match["kind"]) else None


class DocumentService:
    def __init__(self, claims: ClaimService, store: ClaimsStore, documents: Documents) -> None:
        self.claims = claims
        self.store = store
        self.documents = documents

    def preview(self, tenant_id: str, claim_id: str, kind: str, *, as_html: bool = False) -> Preview:
        """What letter ``kind`` would say today; nothing is sent, stored or booked."""
        from incasso.letters.pdf import render_pdf  # deferred: fpdf and the fonts load only for a preview
        from incasso.letters.render import render_message  # deferred: the templates load only for a preview
        from incasso.services.message_policy import letter_context  # deferred with render_message

        claim = self.claims.current(tenant_id, claim_id)  # 404 before anything about the kind
        message_kind = self._previewable(kind, claim)
        tenant = self.claims.tenant(tenant_id)
        if not tenant.ready:
            raise ConflictError("nothing can be rendered before the profile is complete",
                                [{"field": name, "message": "missing from the profile"} for name in tenant.missing])
        ctx = letter_context(tenant, self._as_if_sent_today(tenant, claim, message_kind), message_kind, {})
        rendered = render_message(ctx)
        if as_html:
            from incasso.letters.preview import render_html  # deferred with render_message

            return Preview(kind=message_kind, subject=rendered.subject, html=render_html(rendered, ctx))
        return Preview(kind=message_kind, subject=rendered.subject, pdf=render_pdf(rendered, ctx))

    @staticmethod
    def _previewable(kind: str, claim: Claim) -> MessageKind:
        names = ", ".join(k.value for k in PREVIEW_KINDS)
        if kind not in {k.value for k in PREVIEW_KINDS}:
            raise InvalidRequestError(f"no preview of {kind[:64]!r}",
                                      [{"field": "kind", "message": f"one of {names}"}])
        message_kind = MessageKind(kind)
        if message_kind in NOTICE_KINDS and message_kind.value != notice_step(claim).value:
            raise InvalidRequestError(f"a {claim.debtor.type.value} debtor gets no {kind}",
                                      [{"field": "kind", "message": f"this debtor gets a {notice_step(claim).value}"}])
        return message_kind

    @staticmethod
    def _as_if_sent_today(tenant: Tenant, claim: Claim, kind: MessageKind) -> Claim:
        """The claim as the step of ``kind`` would leave it today: a 14-day letter or notice of default
        names its exact costs and the term for the channel it would go by; a call its next slot."""
        policy, today = tenant.policy, clock.today()
        if kind in NOTICE_KINDS and (claim.notice is None or claim.notice.step.value != kind.value):
            costs = notice_costs(claim, policy)
            notice = build_notice(claim, policy, Stage(kind.value), today, costs)
            return claim.model_copy(update={"announced_costs": costs.costs, "announced_costs_vat": costs.vat,
                                            "notice": notice, "term_ends_on": notice.ends_on})
        if kind is MessageKind.CALL_SCHEDULED and claim.call_at is None:
            slot = next_call_slot(clock.now(), start=policy.business_hours_start, end=policy.business_hours_end)
            return claim.model_copy(update={"call_at": slot})
        return claim

    def messages(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        """The records of what went out for the claim, oldest first; ``document`` is the name to ask
        ``document_url`` for (None when no PDF of the claim's is kept)."""
        self.claims.get(tenant_id, claim_id)  # 404 for another tenant's claim
        records = sorted(self.store.list_messages(tenant_id, claim_id), key=lambda r: str(r.get("sent_at", "")))
        return [{**{k: record.get(k) for k in ("kind", "channel", "sent_at", "subject", "body")},
                 "document": document_name(record.get("document"), tenant_id, claim_id)} for record in records]

    def document_url(self, tenant_id: str, claim_id: str, name: str) -> DocumentLink:
        """A presigned GET of the claim's PDF ``name`` (``reminder_2.pdf``), or of ``invoice.xml``, the UBL
        invoice the claim was imported from; 404 for any other name."""
        self.claims.get(tenant_id, claim_id)
        match = DOCUMENT_NAME.fullmatch(name)
        if name == ORIGINAL_INVOICE_NAME:
            key = original_invoice_key(tenant_id, claim_id)
        elif match is None:
            raise NotFoundError(f"document {name[:64]} not found")
        else:
            key = document_key(tenant_id, claim_id, match["kind"])
        if not self.documents.exists(key):
            raise NotFoundError(f"document {name[:64]} not found")
        return DocumentLink(name=name, url=self.documents.download_url(key, expires_in=DOCUMENT_URL_SECONDS),
                            expires_in=DOCUMENT_URL_SECONDS)
