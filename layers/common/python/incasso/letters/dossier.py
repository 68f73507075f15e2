"""The bailiff's dossier: everything a gerechtsdeurwaarder needs to summon the debtor.

The claim and its debtor, the creditor (who pays the court fee), every letter sent with its date and
PDF, the ledger and timeline, the limitation date (computed by ``incasso.law.limitation`` and passed
in), which court is competent and an estimate of the court fee. Warnings name what would weaken the
case in court, such as a consumer claim without a 14-day letter.
"""

import datetime as dt
from decimal import Decimal
from typing import Sequence

from pydantic import ConfigDict

from incasso.domain.base import DeferredModel
from incasso.domain.models import (
    Address,
    Amounts,
    Channel,
    Claim,
    ClaimStatus,
    CreditorType,
    Debtor,
    DebtorType,
    LedgerEntry,
    MessageKind,
    Stage,
    Tenant,
    TimelineEvent,
)
from incasso.domain.profile import require_profile
from incasso.law.court_fees import CourtFee, estimate_court_fee
from incasso.letters.message_text import SentMessage
from incasso.money import Money

# How long before the limitation date the dossier asks for the claim to be interrupted (art. 3:317 BW).
LIMITATION_WARNING_DAYS = 180


class _Model(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Creditor(_Model):
    tenant_id: str
    name: str
    creditor_type: CreditorType
    address: Address | None
    iban: str
    email: str | None
    phone: str | None = None
    kvk_number: str | None = None


class ClaimSummary(_Model):
    claim_id: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date
    in_default_since: dt.date
    currency: str
    status: ClaimStatus
    stage: Stage
    amounts: Amounts
    claim_value: Money  # hoofdsom + BIK (with VAT) + interest, less what was paid


class DossierLetter(_Model):
    kind: MessageKind
    channel: Channel
    sent_at: dt.datetime
    subject: str
    document: str | None


class BailiffDossier(_Model):
    tenant_id: str
    claim_id: str
    prepared_on: dt.date
    creditor: Creditor
    debtor: Debtor
    claim: ClaimSummary
    letters: tuple[DossierLetter, ...]
    fourteen_day_letter_sent_at: dt.datetime | None
    notice_of_default_sent_at: dt.datetime | None
    ledger: tuple[LedgerEntry, ...]
    timeline: tuple[TimelineEvent, ...]
    limitation_date: dt.date
    time_barred: bool
    kanton_competent: bool
    court_fee: CourtFee
    warnings: tuple[str, ...]

    def to_json(self) -> str:
        """The dossier as JSON: amounts as two-decimal strings, dates ``YYYY-MM-DD``, times ISO 8601."""
        return self.model_dump_json(indent=2)


def _claim_value(amounts: Amounts) -> Decimal:
    return (amounts.principal + amounts.interest + amounts.collection_costs + amounts.collection_costs_vat
            - amounts.paid)


def _first_sent(letters: Sequence[DossierLetter], kind: MessageKind) -> dt.datetime | None:
    return next((letter.sent_at for letter in letters if letter.kind is kind), None)


def build_dossier(
    tenant: Tenant,
    claim: Claim,
    ledger: Sequence[LedgerEntry],
    timeline: Sequence[TimelineEvent],
    sent_messages: Sequence[SentMessage],
    *,
    limitation_date: dt.date,
    as_of: dt.date,
) -> BailiffDossier:
    """Assemble the dossier for ``claim`` as it stands on ``as_of``."""
    if claim.tenant_id != tenant.tenant_id:
        raise ValueError("the claim belongs to another tenant")
    foreign = [m for m in sent_messages if m.claim_id != claim.claim_id or m.tenant_id != tenant.tenant_id]
    if foreign:
        raise ValueError(f"{len(foreign)} sent message(s) belong to another claim")
    profile = require_profile(tenant)
    claim_value = _claim_value(claim.amounts)
    if claim_value <= 0:
        raise ValueError("nothing is outstanding on this claim: there is nothing to hand to a bailiff")

    letters = tuple(
        DossierLetter(kind=m.kind, channel=m.channel, sent_at=m.sent_at, subject=m.subject, document=m.document)
        for m in sorted(sent_messages, key=lambda m: m.sent_at)
    )
    fourteen_day_letter_sent_at = _first_sent(letters, MessageKind.FOURTEEN_DAY_LETTER)
    notice_of_default_sent_at = _first_sent(letters, MessageKind.NOTICE_OF_DEFAULT)
    estimate = estimate_court_fee(claim_value, tenant.creditor_type, as_of)
    time_barred = as_of > limitation_date

    warnings: list[str] = []
    costs_booked = claim.amounts.collection_costs + claim.amounts.collection_costs_vat > 0
    if claim.debtor.type is DebtorType.CONSUMER and fourteen_day_letter_sent_at is None:
        # art. 6:96 lid 6 BW — no collection costs from a consumer without a valid 14-day letter.
        warnings.append("no 14-day letter was sent: collection costs cannot be claimed from this consumer "
                        "(art. 6:96 lid 6 BW)" + ("; remove the booked costs from the claim" if costs_booked else ""))
    if claim.debtor.type is DebtorType.BUSINESS and notice_of_default_sent_at is None:
        warnings.append("no notice of default was sent: default must rest on an expired fatal term (art. 6:83 BW)")
    if time_barred:
        # art. 3:322 BW — the court does not apply limitation of its own motion; the debtor may invoke it.
        warnings.append(f"the claim is time-barred since {limitation_date.isoformat()} (art. 3:307 BW); "
                        "the debtor can invoke this (art. 3:322 BW)")
    elif (limitation_date - as_of).days <= LIMITATION_WARNING_DAYS:
        warnings.append(f"the limitation period ends on {limitation_date.isoformat()}: interrupt it in writing "
                        "before then (art. 3:317 BW)")
    if claim.disputed_amount is not None:
        # docs/law.md, "Disputes in part": only the undisputed part goes to the bailiff.
        warnings.append(f"{claim.disputed_amount} of the principal is disputed by the debtor and is not part of "
                        "this file: claim only the undisputed part")
    if claim.debtor.address is None:
        warnings.append("the debtor has no postal address: the summons cannot be served (art. 45 Rv)")
    if estimate.court != "kantonrechter":
        warnings.append("the claim exceeds EUR 25,000: the rechtbank is competent and a lawyer is required (art. 93 Rv)")

    return BailiffDossier(
        tenant_id=tenant.tenant_id,
        claim_id=claim.claim_id,
        prepared_on=as_of,
        creditor=Creditor(tenant_id=tenant.tenant_id, name=profile.legal_name, creditor_type=tenant.creditor_type,
                          address=profile.address, iban=profile.iban, email=profile.email, phone=profile.phone,
                          kvk_number=profile.kvk_number),
        debtor=claim.debtor,
        claim=ClaimSummary(
            claim_id=claim.claim_id,
            invoice_number=claim.invoice_number,
            invoice_date=claim.invoice_date,
            due_date=claim.due_date,
            in_default_since=claim.due_date + dt.timedelta(days=1),
            currency=claim.currency,
            status=claim.status,
            stage=claim.stage,
            amounts=claim.amounts,
            claim_value=claim_value,
        ),
        letters=letters,
        fourteen_day_letter_sent_at=fourteen_day_letter_sent_at,
        notice_of_default_sent_at=notice_of_default_sent_at,
        ledger=tuple(sorted(ledger, key=lambda entry: entry.booked_at)),
        timeline=tuple(sorted(timeline, key=lambda event: event.at)),
        limitation_date=limitation_date,
        time_barred=time_barred,
        kanton_competent=estimate.court == "kantonrechter",
        court_fee=estimate,
        warnings=tuple(warnings),
    )
