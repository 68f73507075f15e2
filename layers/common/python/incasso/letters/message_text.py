"""What goes out (``OutgoingMessage``) and the record of what went out (``SentMessage``).

Pure: no AWS here. ``compose`` renders a message for a channel and adds the PDF where one belongs;
``incasso.adapters.message_sending.MessageSender`` delivers it and returns the ``SentMessage``.
"""

import datetime as dt
import re
from typing import Any

from pydantic import ConfigDict, Field

from incasso.domain.base import DeferredModel
from incasso.domain.models import Channel, Debtor, Language, MessageKind
from incasso.letters.pdf import render_pdf
from incasso.letters.render import LetterContext, needs_pdf, render_message

OUTBOX_FIELDS = ("claim_id", "kind", "channel", "sent_at", "subject", "body", "document")


class Attachment(DeferredModel):
    """A file that goes with a message beside its letter's PDF (the original invoice of a UBL import)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    filename: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
    content_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$")
    data: bytes
    document: str = Field(description="where it is kept in the documents bucket")


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def original_invoice_filename(invoice_number: str, language: Language | str = Language.NL) -> str:
    """``factuur-2025-001.xml`` (``invoice-...`` in English): the name of the original invoice attached."""
    word = "invoice" if Language(language) is Language.EN else "factuur"
    return f"{word}-{_UNSAFE_NAME.sub('_', invoice_number).strip('._-')[:64] or 'origineel'}.xml"


class OutgoingMessage(DeferredModel):
    """One message ready to send: who to, by which channel, the text and (for letters) the PDF."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str
    claim_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")  # part of S3 keys
    kind: MessageKind
    channel: Channel
    language: Language
    recipient: Debtor
    sender_name: str = Field(description="the creditor, shown as the e-mail's sender name")
    reply_to: str | None = Field(default=None, description="the creditor's e-mail address")
    subject: str
    body_text: str
    sms_text: str
    pdf: bytes | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def attachment_name(self) -> str:
        return f"{self.kind.value}-{self.claim_id}.pdf"


class SentMessage(DeferredModel):
    """What went out, when, and where its PDF is kept. ``to_outbox()`` is the local outbox's shape."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str
    claim_id: str
    kind: MessageKind
    channel: Channel
    sent_at: dt.datetime
    subject: str
    body: str = Field(description="the text of the message or letter (the SMS text for an SMS)")
    document: str | None = Field(default=None, description="S3 key of the stored PDF in the documents bucket")
    provider_message_id: str | None = Field(default=None, description="SES/SNS message id, or the print-outbox key")
    attachments: list[str] = Field(default_factory=list, description="documents-bucket keys of the files that went "
                                   "with the message beside its PDF (the original invoice of a UBL import)")

    def to_outbox(self) -> dict[str, Any]:
        """``{"claim_id", "kind", "channel", "sent_at", "subject", "body", "document"}`` as JSON values, and
        ``attachments`` where files went with the message."""
        outbox = self.model_dump(mode="json", include=set(OUTBOX_FIELDS))
        if self.attachments:
            outbox["attachments"] = list(self.attachments)
        return outbox


def compose(ctx: LetterContext, channel: Channel) -> OutgoingMessage:
    """Render ``ctx`` for ``channel``; letters (and anything posted) get their PDF."""
    channel = Channel(channel)
    rendered = render_message(ctx)
    pdf = render_pdf(rendered, ctx) if needs_pdf(ctx.kind, channel) else None
    return OutgoingMessage(
        tenant_id=ctx.tenant.tenant_id,
        claim_id=ctx.claim.claim_id,
        kind=ctx.kind,
        channel=channel,
        language=ctx.language,
        recipient=ctx.claim.debtor,
        sender_name=ctx.creditor.legal_name,
        reply_to=ctx.creditor.email,
        subject=rendered.subject,
        body_text=rendered.body_text,
        sms_text=rendered.sms_text,
        pdf=pdf,
    )
