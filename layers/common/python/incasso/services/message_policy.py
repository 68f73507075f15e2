"""Messages to debtors and the hand-over to the bailiff: the letters package renders, the messaging
adapter sends, the store keeps the record of what went out."""

from __future__ import annotations

import uuid
from typing import Any, Protocol, TYPE_CHECKING

from incasso import clock
from incasso.domain.channels import attaches_original_invoice, choose_channel, policy_channel
from incasso.domain.errors import SendError
from incasso.domain.limitation import claim_limitation_date
from incasso.domain.models import BAILIFF_LETTERS, Amounts, Channel, Claim, DebtorType, Instalment, MessageKind, Tenant
from incasso.handlers import logger
from incasso.letters.dossier import build_dossier
from incasso.letters.message_text import Attachment, OutgoingMessage, SentMessage, compose, original_invoice_filename
from incasso.letters.pdf import render_pdf
from incasso.domain.debtor_letters import LetterInvoice
from incasso.letters.render import CostNotice, DisputeNotice, LetterContext, LetterTerm, render_message
from incasso.money import ZERO

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, Documents


def letter_context(tenant: Tenant, claim: Claim, kind: MessageKind, extra: dict[str, Any]) -> LetterContext:
    fields: dict[str, Any] = {"tenant": tenant, "claim": claim, "kind": kind, "sent_on": clock.today()}
    if kind in (MessageKind.FOURTEEN_DAY_LETTER, MessageKind.NOTICE_OF_DEFAULT) and claim.announced_costs is not None:
        notice = claim.notice
        agreed = notice is not None and notice.agreed
        flat_fee = claim.debtor.type is DebtorType.BUSINESS and tenant.policy.business_flat_fee and not agreed
        fields["costs_notice"] = CostNotice(costs=claim.announced_costs, vat=claim.announced_costs_vat or 0,
                                            flat_fee=flat_fee, agreed=agreed)
        if notice is not None and notice.step.value == kind.value:
            # The dates the engine computed for the channel the letter actually goes by.
            fields["term"] = LetterTerm.model_validate(notice, from_attributes=True)
            fields["sent_on"] = notice.sent_on
    invoices: tuple[LetterInvoice, ...] = tuple(extra.get("invoices") or ())
    if len(invoices) > 1:
        # One debtor, many invoices (CONTRACT.md §6): the letter lists each and asks for their sum.
        fields["invoices"] = invoices
        fields["amounts"] = sum_amounts([invoice.amounts for invoice in invoices])
        if "costs_notice" in fields:
            fields["costs_notice"] = fields["costs_notice"].model_copy(update={
                "costs": sum((invoice.costs for invoice in invoices), ZERO),
                "vat": sum((invoice.vat for invoice in invoices), ZERO)})
    if kind is MessageKind.BAILIFF_DISPUTE:
        fields["dispute"] = DisputeNotice(state=extra["state"], amount=extra.get("amount"),
                                          reason=extra.get("reason") or "")
    if kind is MessageKind.BAILIFF_WITHDRAWAL:
        fields["paid_on"] = extra.get("paid_on")
        if claim.notice is not None:
            fields["term"] = LetterTerm.model_validate(claim.notice, from_attributes=True)
    if kind is MessageKind.CALL_SCHEDULED:
        fields["call_slot"] = claim.call_at
    if kind is MessageKind.PAYMENT_CONFIRMATION:
        fields["allocation"] = extra["allocation"]
        fields["paid_on"] = extra.get("paid_on", clock.today())
    if kind is MessageKind.ARRANGEMENT_CONFIRMATION and claim.arrangement is not None:
        fields["instalments"] = tuple(claim.arrangement.instalments)
    if kind is MessageKind.ARRANGEMENT_REFUSED:
        fields["refusal_reason"] = extra.get("reason")
        fields["instalments"] = tuple(Instalment.model_validate(i) for i in extra.get("instalments", ()))
    if extra.get("portal_link"):
        fields["portal_link"] = extra["portal_link"]
    if extra.get("attached_invoice"):
        fields["attached_invoice"] = extra["attached_invoice"]
    return LetterContext(**fields)


def sum_amounts(parts: list[Amounts]) -> Amounts:
    """The amounts of several invoices added up, field by field."""
    return Amounts(**{name: sum((getattr(part, name) for part in parts), ZERO) for name in Amounts.model_fields})


class Sender(Protocol):
    """Sends a composed message (``incasso.adapters.message_sending.MessageSender``); raises ``SendError``."""

    def send(self, message: OutgoingMessage) -> SentMessage: ...


class PortalLinks(Protocol):
    """Issues the debtor's personal portal link (``incasso.services.portal.PortalLinkIssuer``)."""

    def link_for(self, claim: Claim) -> str | None: ...


class Notifier:
    """Renders and sends a message; ``deliver`` raises the domain's send errors."""

    def __init__(self, store: ClaimsStore, sender: Sender, documents: Documents,
                 portal_links: PortalLinks | None = None) -> None:
        self.store = store
        self.sender = sender
        self.documents = documents
        self.portal_links = portal_links

    def deliver(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        message_kind = MessageKind(kind)
        if message_kind is MessageKind.BAILIFF_DISPUTE:
            # The bailiff's file follows the dispute: the dossier in its inbox is delivered again, corrected.
            BailiffHandOver(self.store, self.documents).hand_over(tenant, claim)
        if message_kind in BAILIFF_LETTERS:
            return self._to_bailiff(tenant, claim, message_kind, extra)
        channel = choose_channel(policy_channel(tenant, message_kind), claim.debtor, message_kind)
        extra = {**extra, "portal_link": self.portal_link(claim)}
        attach = attaches_original_invoice(claim, message_kind, channel)
        if attach:  # the text says the invoice is attached, and under which name
            extra["attached_invoice"] = original_invoice_filename(claim.invoice_number, claim.debtor.language)
        message = compose(letter_context(tenant, claim, message_kind, extra), channel)
        if attach:
            message = message.model_copy(update={"attachments": (self.original_invoice(claim),)})
        sent = self.sender.send(message)
        return sent.model_dump(mode="json")

    def original_invoice(self, claim: Claim) -> Attachment:
        """The UBL invoice the claim was imported from, as the debtor gets it with the first reminder."""
        key = claim.original_invoice or ""
        return Attachment(filename=original_invoice_filename(claim.invoice_number, claim.debtor.language), content_type="application/xml",
                          data=self.documents.get(key), document=key)

    def portal_link(self, claim: Claim) -> str | None:
        """The debtor's personal link to the portal (CONTRACT.md §8), new for each message."""
        return self.portal_links.link_for(claim) if self.portal_links is not None else None

    def _to_bailiff(self, tenant: Tenant, claim: Claim, kind: MessageKind, extra: dict[str, Any]) -> dict[str, Any]:
        """A letter to the bailiff (not the debtor): into the bailiff's inbox beside the dossier."""
        ctx = letter_context(tenant, claim, kind, extra)
        rendered = render_message(ctx)
        key = self.documents.put_bailiff_letter(claim.tenant_id, claim.claim_id, kind.value, render_pdf(rendered, ctx))
        return SentMessage(tenant_id=claim.tenant_id, claim_id=claim.claim_id, kind=kind, channel=Channel.LETTER,
                           sent_at=clock.now(), subject=rendered.subject, body=rendered.body_text,
                           document=key, provider_message_id=key).model_dump(mode="json")

    def notify(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> None:
        """A confirmation after a tenant's action (payment, arrangement). The action stands whatever
        happens here; a failed send is logged and put on the claim's timeline, not swallowed."""
        key = f"{kind}#{extra.get('key') or uuid.uuid4().hex}"
        try:
            record = self.deliver(tenant, claim, kind, extra)
        except SendError as exc:
            logger.warning("confirmation not sent", extra={"claim_id": claim.claim_id, "kind": kind, "reason": str(exc)})
            self.store.add_timeline_event(claim.tenant_id, claim.claim_id, "message_failed",
                                          {"message": kind, "reason": str(exc)})
            return
        self.store.put_message(claim.tenant_id, claim.claim_id, key, record)


class BailiffHandOver:
    """Builds the claim's dossier and delivers it to the bailiff's inbox."""

    def __init__(self, store: ClaimsStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def hand_over(self, tenant: Tenant, claim: Claim) -> str:
        sent = [SentMessage.model_validate(record) for record in self.store.list_messages(claim.tenant_id, claim.claim_id)]
        dossier = build_dossier(
            tenant, claim, self.store.get_ledger(claim.tenant_id, claim.claim_id),
            self.store.get_timeline(claim.tenant_id, claim.claim_id), sent,
            # art. 3:317, 3:318 BW: written reminders received, payments and acknowledgements interrupt it.
            limitation_date=claim_limitation_date(claim),
            as_of=clock.today(),
        )
        return self.documents.deliver_dossier(dossier)
