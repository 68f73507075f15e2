"""Render a message (subject, text, SMS text) from a ``LetterContext`` (the PDF: ``incasso.letters.pdf``).

Templates live in ``incasso/templates/<language>/<kind>.txt.j2``, one per kind per language; each
defines the blocks ``subject``, ``sms`` and ``body`` and shares the invoice breakdown and the payment
instructions through includes. What is rendered here is what the debtor receives and what a court
reads, so the context is validated per kind (a 14-day letter without its exact cost amount cannot be
rendered) and a missing template variable is an error, never an empty string.
"""

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from pydantic import ConfigDict, Field, computed_field, field_validator, model_validator

from incasso.domain.base import DeferredModel
from incasso.domain.models import (
    BAILIFF_LETTERS,
    Allocation,
    Amounts,
    Claim,
    DebtorType,
    Instalment,
    Language,
    MessageKind,
    Profile,
    Tenant,
)
from incasso.domain.debtor_letters import LetterInvoice
from incasso.domain.ledger import agreed_rate
from incasso.domain.profile import require_profile
from incasso.law.interest import InterestKind, RateNotKnownError, default_rate_table
from incasso.letters.formatting import format_date, format_iban, format_money, format_percent, format_slot
from incasso.money import ZERO, Money, money

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

# The kinds that are letters: they always get a PDF (stored, attached to an e-mail, or posted).
# Any other kind gets a PDF only when it goes out by post.
LETTER_KINDS = frozenset({
    MessageKind.FOURTEEN_DAY_LETTER,
    MessageKind.NOTICE_OF_DEFAULT,
    MessageKind.BAILIFF_FILING,
    MessageKind.BAILIFF_WITHDRAWAL,
    MessageKind.BAILIFF_DISPUTE,
    MessageKind.LIMITATION_NOTICE,
    MessageKind.REMINDER_2,
})

# Amount rows in a letter body: label, at least two spaces, an amount. The PDF sets them as a table.
AMOUNT_ROW = re.compile(r"^\s*(?P<label>\S.*?\S)\s{2,}(?P<amount>€\s?[0-9][0-9.,]*)$")
_ROW_LABEL_WIDTH = 34
_ROW_AMOUNT_WIDTH = 14


class _Model(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CostNotice(_Model):
    """Collection costs a letter announces (or, for the flat fee, claims).

    Field names match ``incasso.law.wik.CollectionCosts``, so ``CostNotice.model_validate(costs,
    from_attributes=True)`` takes the law engine's answer as it is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, from_attributes=True)

    costs: Money
    # art. 2 lid 3 Besluit BIK — only where the creditor cannot deduct VAT and declares so.
    vat: Money = ZERO
    vat_rate: Decimal = Decimal("21")
    # art. 6:96 lid 4 BW — fixed EUR 40 in a commercial contract instead of the staffel.
    flat_fee: bool = False
    # art. 6:96 lid 5 BW — costs agreed with a business debtor: the letter calls them agreed, never statutory.
    agreed: bool = False

    @field_validator("costs")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        # Zero: the stacking cap for small recurring claims left nothing (``incasso.law.cumulation``).
        if value < 0:
            raise ValueError("announced collection costs cannot be negative")
        return value

    @property
    def total(self) -> Decimal:
        return self.costs + self.vat


class LetterTerm(_Model):
    """The dates of a 14-day term (``incasso.law.terms.FourteenDayTerm`` fits, from attributes)."""

    model_config = ConfigDict(extra="ignore", frozen=True, from_attributes=True)

    delivered_on: dt.date
    starts_on: dt.date
    ends_on: dt.date

    @model_validator(mode="after")
    def _consistent(self) -> "LetterTerm":
        # art. 6:96 lid 6 BW (HR 25-11-2016) — the term starts the day after delivery, lasts 14 days.
        if self.starts_on != self.delivered_on + dt.timedelta(days=1):
            raise ValueError("the term starts on the day after delivery")
        if self.ends_on < self.starts_on + dt.timedelta(days=13):
            raise ValueError("the term lasts at least fourteen days")
        return self


class DisputeNotice(_Model):
    """What the bailiff is told of a dispute: opened (hold the disputed part, or all), rejected (go on),
    or upheld (the part is written off, or the claim withdrawn)."""

    state: str = Field(pattern="^(opened|rejected|upheld)$")
    amount: Money | None = Field(default=None, description="the disputed part; None: the whole claim")
    reason: str = ""


class LetterContext(_Model):
    """Everything a message needs. ``language`` defaults to the debtor's, ``amounts`` to the claim's."""

    tenant: Tenant
    claim: Claim
    kind: MessageKind
    sent_on: dt.date = Field(description="the letter's date; also the PDF's creation date")
    language: Language
    amounts: Amounts
    costs_notice: CostNotice | None = None
    term: LetterTerm | None = None
    interest_rate: Decimal | None = Field(default=None, description="yearly statutory rate now, in %")
    call_slot: dt.datetime | None = None
    allocation: Allocation | None = None
    paid_on: dt.date | None = None
    instalments: tuple[Instalment, ...] = ()
    bailiff_name: str | None = None
    portal_link: str | None = Field(default=None, description="the debtor's personal link (CONTRACT.md §8)")
    attached_invoice: str | None = Field(default=None, description="the file name of the original invoice "
                                         "attached to the e-mail (a claim imported from UBL, its first reminder)")
    refusal_reason: str | None = Field(default=None, description="why the creditor refused the proposed arrangement")
    dispute: DisputeNotice | None = Field(default=None, description="a bailiff_dispute: what changed")
    invoices: tuple[LetterInvoice, ...] = Field(
        default=(), description="a combined letter: every invoice of the debtor it covers (``amounts``: their sum)")

    @property
    def creditor(self) -> Profile:
        """The creditor the message names: the tenant's complete profile (none, nothing goes out)."""
        return require_profile(self.tenant)

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_claim(cls, data: Any) -> Any:
        if not isinstance(data, dict) or data.get("claim") is None:
            return data
        claim = data["claim"]
        claim = claim if isinstance(claim, Claim) else Claim.model_validate(claim)
        data = dict(data)
        if data.get("language") is None:
            data["language"] = claim.debtor.language
        if data.get("amounts") is None:
            data["amounts"] = claim.amounts
        return data

    @model_validator(mode="after")
    def _complete_for_kind(self) -> "LetterContext":
        kind = self.kind
        if kind is MessageKind.FOURTEEN_DAY_LETTER:
            # art. 6:96 lid 6 BW — the letter must name the exact collection costs.
            if self.costs_notice is None:
                raise ValueError("a fourteen_day_letter needs costs_notice: the exact collection costs")
            if self.costs_notice.flat_fee:
                raise ValueError("the flat fee of art. 6:96 lid 4 BW is for business debtors, not in a 14-day letter")
            if self.costs_notice.agreed:
                raise ValueError("agreed collection costs are for business debtors, not in a 14-day letter")
        if kind is MessageKind.CALL_SCHEDULED:
            if self.call_slot is None or self.call_slot.tzinfo is None:
                raise ValueError("a call_scheduled message needs a timezone-aware call_slot")
        if kind is MessageKind.PAYMENT_CONFIRMATION and self.allocation is None:
            raise ValueError("a payment_confirmation needs the allocation of the payment")
        if kind is MessageKind.ARRANGEMENT_CONFIRMATION and not self.instalments:
            raise ValueError("an arrangement_confirmation needs the instalments")
        if kind is MessageKind.BAILIFF_DISPUTE and self.dispute is None:
            raise ValueError("a bailiff_dispute needs the dispute")
        if kind is MessageKind.ARRANGEMENT_REFUSED and not self.refusal_reason:
            raise ValueError("an arrangement_refused needs the refusal_reason")
        return self

    @property
    def payment_reference(self) -> str:
        """What the debtor writes with a payment: the claim's betalingskenmerk (16 digits with its check
        digit), which bank statements are matched by (CONTRACT.md §9); for a combined letter the
        debtor's customer number, by which one payment is divided over the invoices (art. 6:43 BW)."""
        if self.combined and self.claim.debtor.reference:
            return self.claim.debtor.reference
        return self.claim.payment_reference or self.claim.invoice_number

    @property
    def combined(self) -> bool:
        return len(self.invoices) > 1

    @property
    def is_consumer(self) -> bool:
        return self.claim.debtor.type is DebtorType.CONSUMER


class RenderedMessage(_Model):
    kind: MessageKind
    language: Language
    subject: str
    body_text: str
    sms_text: str


# --- templates -------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def template_environment():
    """The Jinja environment: strict (a missing variable raises), autoescape for anything HTML."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    @jinja2.pass_context
    def money_filter(context, amount: Decimal) -> str:
        return format_money(amount, context["language"])

    @jinja2.pass_context
    def date_filter(context, day: dt.date) -> str:
        return format_date(day, context["language"])

    @jinja2.pass_context
    def longdate_filter(context, day: dt.date) -> str:
        return format_date(day, context["language"], weekday=True)

    @jinja2.pass_context
    def slot_filter(context, at: dt.datetime) -> str:
        return format_slot(at, context["language"])

    @jinja2.pass_context
    def percent_filter(context, rate: Decimal) -> str:
        return format_percent(rate, context["language"])

    @jinja2.pass_context
    def row(context, label: str, amount: Decimal) -> str:
        return amount_row(label, format_money(amount, context["language"]))

    env.filters.update(money=money_filter, date=date_filter, longdate=longdate_filter, slot=slot_filter,
                       percent=percent_filter)
    env.globals["row"] = row
    return env


def amount_row(label: str, amount_text: str) -> str:
    """``  Hoofdsom                    € 3.000,00`` — aligned in plain text, a table row in the PDF."""
    return f"  {label.ljust(_ROW_LABEL_WIDTH)}  {amount_text.rjust(_ROW_AMOUNT_WIDTH)}"


def template_name(kind: MessageKind, language: Language) -> str:
    return f"{Language(language).value}/{MessageKind(kind).value}.txt.j2"


_INITIALS = re.compile(r"^(?:[A-Z]\.){1,4}$|^(?:[A-Z]\.)+[A-Z]?$")


def surname(name: str) -> str | None:
    """The surname where the name shows it: after leading initials ("J.P. de Vries" -> "De Vries", the
    tussenvoegsel capitalised at the start, as Dutch writes it); None where it cannot be told apart
    ("Jan de Vries", a company)."""
    words = name.split()
    initials = 0
    while initials < len(words) - 1 and _INITIALS.match(words[initials]):
        initials += 1
    if initials == 0:
        return None
    rest = " ".join(words[initials:])
    return rest[:1].upper() + rest[1:]


def salutation(ctx: "LetterContext") -> str:
    """"Geachte heer/mevrouw De Vries," where the surname is known; "Geachte heer, mevrouw," otherwise
    and always for a company (the letter goes to whoever handles it)."""
    known = surname(ctx.claim.debtor.name) if ctx.claim.debtor.type is DebtorType.CONSUMER else None
    if ctx.kind in BAILIFF_LETTERS:
        known = None
    if ctx.language is Language.NL:
        return f"Geachte heer/mevrouw {known}," if known else "Geachte heer, mevrouw,"
    return f"Dear Mr/Ms {known}," if known else "Dear Sir or Madam,"


def agreed_rate_in_force(ctx: LetterContext) -> Decimal | None:
    """The rate agreed with a business debtor where it replaces the statutory commercial rate on the
    letter's date (art. 6:119 lid 3 BW: only where higher): the letter then calls it agreed, not statutory."""
    rate = agreed_rate(ctx.claim, ctx.tenant.policy)
    if rate is None:
        return None
    try:
        statutory = default_rate_table().rate_on(ctx.sent_on, InterestKind.COMMERCIAL).rate
    except RateNotKnownError:
        return rate
    return rate if rate > statutory else None


def invoice_label(ctx: LetterContext) -> str:
    """``factuur 2025-001`` or ``facturen 2025-001, 2025-002 en 2025-003`` (EN: invoice/invoices, and)."""
    numbers = [invoice.claim.invoice_number for invoice in ctx.invoices] or [ctx.claim.invoice_number]
    nl = ctx.language is Language.NL
    if len(numbers) == 1:
        return f"{'factuur' if nl else 'invoice'} {numbers[0]}"
    listed = f"{', '.join(numbers[:-1])} {'en' if nl else 'and'} {numbers[-1]}"
    return f"{'facturen' if nl else 'invoices'} {listed}"


def interest_from_phrase(ctx: LetterContext) -> str:
    """When interest began to run: the day after the due date (art. 6:119, 6:119a BW); in a combined
    letter that day differs per invoice, and the letter says so instead of naming one date."""
    if ctx.combined:
        return "de dag na de vervaldatum van elke factuur" if ctx.language is Language.NL \
            else "the day after each invoice's due date"
    return format_date(ctx.claim.due_date + dt.timedelta(days=1), ctx.language.value)


def _variables(ctx: LetterContext) -> dict[str, Any]:
    claim = ctx.claim
    instalments_total = sum((i.amount for i in ctx.instalments), ZERO)
    return {
        "language": ctx.language.value,
        "kind": ctx.kind.value,
        "tenant": ctx.tenant,
        "creditor": ctx.creditor,
        "debtor": claim.debtor,
        "claim": claim,
        "amounts": ctx.amounts,
        "costs_notice": ctx.costs_notice,
        "term": ctx.term,
        "interest_rate": ctx.interest_rate,
        "agreed_rate": agreed_rate_in_force(ctx),
        "agreed_costs": claim.debtor.type is DebtorType.BUSINESS and claim.agreed_collection_costs is not None,
        "interest_from": claim.due_date + dt.timedelta(days=1),  # art. 6:119 BW — from the day after the due date
        "interest_from_phrase": interest_from_phrase(ctx),
        "combined": ctx.combined,
        "invoices": ctx.invoices,
        "invoice_label": invoice_label(ctx),
        "interest_until": claim.interest_until or ctx.sent_on,
        "call_slot": ctx.call_slot,
        "allocation": ctx.allocation,
        "paid_on": ctx.paid_on,
        "instalments": ctx.instalments,
        "instalments_total": instalments_total,
        "refusal_reason": ctx.refusal_reason,
        "dispute": ctx.dispute,
        "bailiff_name": ctx.bailiff_name,
        "sent_on": ctx.sent_on,
        "reference": ctx.payment_reference,
        "iban": format_iban(ctx.creditor.iban),
        "is_consumer": ctx.is_consumer,
        "salutation": salutation(ctx),
        "court": "kantonrechter" if ctx.amounts.outstanding <= Decimal("25000.00") else "rechtbank",
        "portal_link": ctx.portal_link,
        "attached_invoice": ctx.attached_invoice,
    }


def _render_block(template, name: str, variables: dict[str, Any]) -> str:
    context = template.new_context(variables)
    return "".join(template.blocks[name](context))


def _tidy_body(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and tidy and not tidy[-1]:
            continue  # at most one blank line between paragraphs
        tidy.append(line)
    return "\n".join(tidy) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def render_message(ctx: LetterContext) -> RenderedMessage:
    """Subject, body text and a short SMS text for ``ctx.kind`` in ``ctx.language``."""
    env = template_environment()
    template = env.get_template(template_name(ctx.kind, ctx.language))
    variables = _variables(ctx)
    return RenderedMessage(
        kind=ctx.kind,
        language=ctx.language,
        subject=_one_line(_render_block(template, "subject", variables)),
        body_text=_tidy_body(template.render(variables)),
        sms_text=_one_line(_render_block(template, "sms", variables) + (f" {ctx.portal_link}" if ctx.portal_link else "")),
    )


def needs_pdf(kind: MessageKind, channel: str) -> bool:
    """Letters always get a PDF; any message sent by post does too."""
    return MessageKind(kind) in LETTER_KINDS or str(getattr(channel, "value", channel)) == "letter"
