"""Domain models (pydantic v2). Money is ``incasso.money.Money`` (Decimal, cents, no floats).

No ``from __future__ import annotations`` here: pydantic would evaluate every field's annotation from a
string at import (a cold-start cost, docs/benchmarks.md). Each model is built at its first use.
"""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator, model_validator

from incasso.domain import payment_reference as payment_references
from incasso.domain.base import Model
from incasso.domain import profile as profile_rules
from incasso.domain.text import Text
from incasso.money import ZERO, Money


class DebtorType(StrEnum):
    CONSUMER = "consumer"
    BUSINESS = "business"


class Language(StrEnum):
    NL = "nl"
    EN = "en"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"


class ClaimStatus(StrEnum):
    OPEN = "open"
    IN_COLLECTION = "in_collection"
    PAUSED = "paused"
    ARRANGEMENT = "arrangement"
    AWAITING_APPROVAL = "awaiting_approval"  # the legal review advises; the tenant approves or declines court action
    PAID = "paid"
    CANCELLED = "cancelled"
    UNCOLLECTIBLE = "uncollectible"
    DEBT_MONITORING = "debt_monitoring"
    NEEDS_ATTENTION = "needs_attention"  # parked after a step failed for good; see the timeline


CLOSED_STATUSES = frozenset({ClaimStatus.PAID, ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE})


class Stage(StrEnum):
    """The last step taken on a claim, in trajectory order."""

    NONE = "none"
    PRE_DUE_REMINDER = "pre_due_reminder"  # before the due date: friendly, no costs (policy pre_due_reminder_days)
    REMINDER_1 = "reminder_1"
    REMINDER_2 = "reminder_2"
    CALL_SCHEDULED = "call_scheduled"
    FOURTEEN_DAY_LETTER = "fourteen_day_letter"  # consumers, art. 6:96 lid 6 BW
    NOTICE_OF_DEFAULT = "notice_of_default"  # business debtors (ingebrekestelling)
    LEGAL_REVIEW = "legal_review"
    BAILIFF_FILING = "bailiff_filing"
    SERVED = "served"
    JUDGMENT = "judgment"
    EXECUTED = "executed"
    DEBT_MONITORING = "debt_monitoring"
    CLOSED = "closed"


class MessageKind(StrEnum):
    PRE_DUE_REMINDER = "pre_due_reminder"
    REMINDER_1 = "reminder_1"
    REMINDER_2 = "reminder_2"
    CALL_SCHEDULED = "call_scheduled"
    FOURTEEN_DAY_LETTER = "fourteen_day_letter"
    NOTICE_OF_DEFAULT = "notice_of_default"
    BAILIFF_FILING = "bailiff_filing"
    BAILIFF_WITHDRAWAL = "bailiff_withdrawal"  # to the bailiff: stop, the claim was paid in time
    BAILIFF_DISPUTE = "bailiff_dispute"  # to the bailiff: (part of) the claim is disputed, or the dispute resolved
    LIMITATION_NOTICE = "limitation_notice"  # debt monitoring: a written reservation of the right (art. 3:317 BW)
    PAYMENT_CONFIRMATION = "payment_confirmation"
    ARRANGEMENT_CONFIRMATION = "arrangement_confirmation"
    ARRANGEMENT_REFUSED = "arrangement_refused"  # the creditor refused the debtor's proposal


# Letters to the bailiff, not the debtor: addressed to the bailiff, kept in the bailiff's inbox.
BAILIFF_LETTERS = frozenset({MessageKind.BAILIFF_WITHDRAWAL, MessageKind.BAILIFF_DISPUTE})


class Address(Model):
    street: Text = Field(min_length=1, max_length=200)
    postal_code: Text = Field(min_length=1, max_length=20)
    city: Text = Field(min_length=1, max_length=100)
    country: Text = Field(default="NL", min_length=2, max_length=56)


class Debtor(Model):
    name: Text = Field(min_length=1, max_length=200)
    type: DebtorType
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9 ()\-]{6,32}$")
    language: Language = Language.NL
    address: Address | None = None
    # The creditor's customer number: claims of one tenant with the same reference are one debtor.
    reference: Text | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[^#]+$")


class Policy(Model):
    """A tenant's collection policy. Defaults are the Dutch practice of DESIGN.md; each is overridable."""

    reminder_1_days: int = Field(default=7, ge=0, le=365, description="days after the due date")
    reminder_2_days: int = Field(default=21, ge=0, le=365)
    call_days: int = Field(default=28, ge=0, le=365)
    notice_days: int = Field(default=35, ge=0, le=365, description="14-day letter or notice of default")
    call_enabled: bool = True
    # art. 6:96 lid 4 BW: in a commercial contract EUR 40 is due on expiry of the term, no notice needed.
    business_flat_fee: bool = False
    # art. 2(3) Besluit BIK: VAT uplift only if the creditor cannot deduct VAT and declares so — and only
    # when a third party that bills VAT collects for it (``vat_billed_by_collector``, see vat_uplift).
    creditor_vat_deductible: bool = True
    # How the 14-day letter goes out; post is the default because its receipt can be presumed.
    notice_channel: Channel = Channel.LETTER
    reminder_channel: Channel = Channel.EMAIL
    email_delivery_days: int = Field(default=0, ge=0, le=5, description="days until an e-mail counts as received")
    require_approval_for_legal: bool = False
    bailiff_enabled: bool = True
    bailiff_min_outstanding: Money = Decimal("250.00")
    debt_monitoring_interval_days: int = Field(default=90, ge=7, le=365)
    business_hours_start: dt.time = dt.time(9, 0)
    business_hours_end: dt.time = dt.time(17, 0)
    contractual_interest_rate: Decimal | None = Field(
        default=None, ge=Decimal("0"), le=Decimal("100"), description="yearly % replacing the statutory rate"
    )
    # Days between the step and the letter's posting by the print-and-post run: the stated term is
    # computed from the posting day, so that a late posting never makes it too short.
    letter_posting_days: int = Field(default=0, ge=0, le=10, description="days from the step to posting a letter")
    # AVG art. 5 lid 1 (e), 17: personal data of a debtor whose claims are all closed is erased after this
    # many years (7: the fiscal retention of art. 52 AWR); the ledger's amounts and dates stay.
    personal_data_retention_years: int = Field(default=7, ge=1, le=30)
    # art. 2 lid 3 Besluit BIK: the VAT uplift presumes collection by a third party (an agency, a bailiff)
    # that bills the creditor VAT; a creditor collecting its own claims pays no VAT on it to pass on.
    vat_billed_by_collector: bool = False

    @property
    def vat_uplift(self) -> bool:
        """The 21 % VAT on collection costs may be charged: the creditor cannot deduct VAT (and declares
        so in the letter) and a third party collecting for it bills VAT (art. 2 lid 3 Besluit BIK)."""
        return not self.creditor_vat_deductible and self.vat_billed_by_collector

    @model_validator(mode="after")
    def _ordered(self) -> "Policy":
        if not (self.reminder_1_days <= self.reminder_2_days <= self.call_days <= self.notice_days):
            raise ValueError("policy days must be in trajectory order: reminder_1 <= reminder_2 <= call <= notice")
        if self.business_hours_start >= self.business_hours_end:
            raise ValueError("business hours must start before they end")
        return self

    # -- added with the tenant's own account (issue 17); each applies from a claim's next step on --
    # A friendly reminder this many days before the due date (0: none): no costs, by the reminder channel.
    pre_due_reminder_days: int = Field(default=0, ge=0, le=60, description="days before the due date; 0: off")
    # The send window (incasso.domain.send_window): e-mail and SMS only between these times in the debtor's
    # time zone, never on a Sunday or a Dutch public holiday; a message due outside it waits for the next
    # opening. Letters by post are not affected.
    send_window: bool = False
    send_window_start: dt.time = dt.time(8, 0)
    send_window_end: dt.time = dt.time(21, 0)
    # What a debtor may propose on the portal without the tenant (incasso.domain.arrangement_limits); the
    # tenant's own arrangements (POST /v1/claims/{id}/arrangement) are not held to these.
    debtor_max_instalments: int = Field(default=6, ge=1, le=120, description="most instalments a debtor may propose")
    debtor_min_instalment: Money = Field(default=Decimal("25.00"), ge=Decimal("1.00"), le=Decimal("100000.00"),
                                         description="smallest instalment a debtor may propose")

    @model_validator(mode="after")
    def _send_window_ordered(self) -> "Policy":
        if self.send_window_start >= self.send_window_end:
            raise ValueError("the send window must open before it closes")
        return self


class CreditorType(StrEnum):
    """What the creditor is in law; it decides the court fee (griffierecht) it pays as claimant."""

    COMPANY = "company"  # rechtspersoon: B.V., N.V., stichting, vereniging
    INDIVIDUAL = "individual"  # natuurlijk persoon, a sole trader (eenmanszaak) included


class Profile(Model):
    """The creditor's own details (CONTRACT.md §7), each checked; see ``incasso.domain.profile``."""

    legal_name: str = Field(min_length=1, max_length=200, description="the name in the trade register")
    trade_name: str | None = Field(default=None, min_length=1, max_length=200)
    address: Address
    kvk_number: str | None = Field(default=None, pattern=profile_rules.KVK_PATTERN, description="8 digits")
    vat_number: str | None = Field(default=None, max_length=24, description="an EU VAT number (BTW-id)")
    iban: str = Field(max_length=42, description="the account debtors pay into; its check digits are verified")
    bic: str | None = Field(default=None, max_length=11)
    email: str = Field(max_length=254, pattern=profile_rules.EMAIL_PATTERN)
    phone: str = Field(max_length=32, pattern=profile_rules.PHONE_PATTERN)

    @field_validator("legal_name", "trade_name")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be blank")
        return value.strip() if value is not None else None

    @field_validator("iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return profile_rules.check_iban(value)

    @field_validator("bic")
    @classmethod
    def _bic(cls, value: str | None) -> str | None:
        return None if value is None else profile_rules.check_bic(value)

    @field_validator("vat_number")
    @classmethod
    def _vat(cls, value: str | None) -> str | None:
        return None if value is None else profile_rules.check_vat_number(value)


class Tenant(Model):
    """A creditor. Registered on first use without a profile: nothing goes out until it has one."""

    tenant_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")
    creditor_type: CreditorType = CreditorType.COMPANY
    profile: Profile | None = None
    policy: Policy = Field(default_factory=Policy)

    @property
    def ready(self) -> bool:
        return profile_rules.is_ready(self.profile)

    @property
    def missing(self) -> list[str]:
        return profile_rules.missing_fields(self.profile)


class Amounts(Model):
    """What a claim comes to: booked amounts and what has been paid (costs include their VAT). Letters
    show it as it is, so it must add up: ``outstanding`` is the parts less what was paid."""

    principal: Money = ZERO
    interest: Money = ZERO
    collection_costs: Money = ZERO
    collection_costs_vat: Money = ZERO
    paid: Money = ZERO
    outstanding: Money = ZERO
    # The part of the principal a dispute in part holds back (docs/law.md, "Disputes in part"): not in
    # ``principal`` nor ``outstanding`` while the dispute is open; escalation goes on over the rest.
    disputed: Money = ZERO

    @model_validator(mode="after")
    def _adds_up(self) -> "Amounts":
        parts = self.principal + self.interest + self.collection_costs + self.collection_costs_vat - self.paid
        if parts != self.outstanding:
            raise ValueError(f"outstanding {self.outstanding} does not add up to {parts}")
        return self


class Allocation(Model):
    """A payment split per art. 6:44 BW: costs first, then interest, then principal."""

    costs: Money = ZERO
    interest: Money = ZERO
    principal: Money = ZERO

    @property
    def total(self) -> Decimal:
        return self.costs + self.interest + self.principal


class LedgerKind(StrEnum):
    PRINCIPAL = "principal"
    INTEREST = "interest"
    COLLECTION_COSTS = "collection_costs"
    COLLECTION_COSTS_VAT = "collection_costs_vat"
    PAYMENT = "payment"
    WRITE_OFF = "write_off"  # interest the creditor waives (e.g. after the letter's total was paid in time)
    REALLOCATION = "reallocation"  # earlier payments allocated anew after a payment dated before them


class LedgerEntry(Model):
    """One line of a claim's append-only ledger. ``key`` makes booking idempotent (claim + step)."""

    key: str = Field(min_length=1, max_length=200)
    kind: LedgerKind
    amount: Money
    booked_at: dt.datetime
    allocation: Allocation | None = None
    note: str | None = None
    # The day the entry counts from in the account (a payment's value date, art. 6:114 lid 2 BW; a
    # reversal's: the day of what it reverses). None: the day of ``booked_at``.
    value_date: dt.date | None = None

    @property
    def effective_on(self) -> dt.date:
        return self.value_date or self.booked_at.date()


class TimelineEvent(Model):
    at: dt.datetime
    type: str
    details: dict[str, Any] = Field(default_factory=dict)


class Instalment(Model):
    due_date: dt.date
    amount: Money

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("an instalment must be positive")
        return value


class Arrangement(Model):
    instalments: list[Instalment] = Field(min_length=1, max_length=120)
    agreed_at: dt.datetime
    # What had been paid when the arrangement was agreed; instalments count from there.
    paid_at_start: Money = ZERO


class AgreedCollectionCosts(Model):
    """Collection costs agreed with a business debtor (art. 6:96 lid 5 BW: for a non-consumer the staffel
    is only the default, so other costs may be agreed — ⚠️ wording of lid 5–7 not checked). Either a
    ``fixed`` sum or a ``percentage`` of the principal still unpaid, optionally with a ``minimum``.
    The court may reduce agreed costs to the staffel (HR 10-07-2015, ECLI:NL:HR:2015:1868)."""

    percentage: Decimal | None = Field(default=None, gt=Decimal("0"), le=Decimal("50"), max_digits=5,
                                       decimal_places=2, description="% of the principal still unpaid")
    fixed: Money | None = Field(default=None, description="a fixed sum, whatever the principal")
    minimum: Money | None = Field(default=None, description="with a percentage: at least this sum")

    @model_validator(mode="after")
    def _one_basis(self) -> "AgreedCollectionCosts":
        if (self.percentage is None) == (self.fixed is None):
            raise ValueError("name either a percentage or a fixed sum")
        if self.minimum is not None and self.percentage is None:
            raise ValueError("a minimum goes with a percentage")
        for name in ("fixed", "minimum"):
            value = getattr(self, name)
            if value is not None and not Decimal("0") < value <= Decimal("100000.00"):
                raise ValueError(f"{name} must be more than 0.00 and at most 100000.00")
        return self


class Notice(Model):
    """The 14-day letter (art. 6:96 lid 6 BW) or notice of default as it went out: its term follows
    the channel actually used, and what it demanded decides whether costs are owed."""

    step: Stage
    sent_on: dt.date  # the letter's date (the step's day)
    channel: Channel  # the channel it actually went by
    posted_on: dt.date  # the day it left (post: after the print-and-post run)
    delivered_on: dt.date
    starts_on: dt.date
    ends_on: dt.date
    demanded: Money  # the total the letter asked for within the term (collection costs not included)
    costs: Money  # the collection costs it announced (without VAT)
    vat: Money = ZERO
    flat_fee: bool = False  # art. 6:96 lid 4 BW: the fixed EUR 40, owed whatever the term
    agreed: bool = False  # the costs agreed with a business debtor, not the staffel (art. 6:96 lid 5 BW)
    # A combined letter (one debtor, many invoices): the claims whose unpaid principal the staffel was
    # applied to together, this one included; empty when the letter stood alone.
    shared_with: list[str] = Field(default_factory=list)


class InterestFreePeriod(Model):
    """Days (inclusive; ``end`` None: still running) on which no interest accrues, and why."""

    start: dt.date
    end: dt.date | None = None
    reason: str


class Recommendation(StrEnum):
    PROCEED = "proceed"  # hand over to the bailiff: court action is worth it
    SETTLE = "settle"  # offer a settlement or arrangement first: court action costs too much for what it brings
    WRITE_OFF = "write_off"  # a blocking reason: court action cannot succeed


class LegalAdvice(Model):
    """The legal review's advice before the court phase: what it would cost, what it would bring, and
    whether anything stands in its way (docs/law.md, "The legal phase")."""

    recommendation: Recommendation
    reasons: list[str]
    blocking: list[str] = Field(default_factory=list, description="reasons court action cannot proceed")
    court: str  # kantonrechter or rechtbank (art. 93 Rv)
    claim_value: Money  # principal + costs + interest: the value the court fee follows
    court_fee: Money | None  # griffierecht the creditor advances (None above the kanton limit)
    bailiff_costs: Money  # summons + service of the judgment, excl. VAT
    limitation_date: dt.date
    address_known: bool
    expected_net_recovery: Money  # outstanding minus what the creditor advances, if none of it is recovered
    verified: bool = False  # every figure it rests on verified (court fees and bailiff tariffs are ⚠️)


class Claim(Model):
    tenant_id: str
    claim_id: str
    invoice_number: str = Field(min_length=1, max_length=64)
    debtor: Debtor
    currency: str = "EUR"
    invoice_date: dt.date
    due_date: dt.date
    principal: Money
    status: ClaimStatus = ClaimStatus.OPEN
    stage: Stage = Stage.NONE
    amounts: Amounts = Field(default_factory=Amounts)
    paid_costs: Money = ZERO
    paid_interest: Money = ZERO
    paid_principal: Money = ZERO
    # Interest is booked up to and including this day (art. 6:119 BW accrual).
    interest_until: dt.date | None = None
    next_action_on: dt.date | None = None
    # The day each trajectory step was taken (stage value -> date); drives the next step's date.
    step_dates: dict[str, dt.date] = Field(default_factory=dict)
    # Collection costs named in the 14-day letter / notice of default (what may later be booked).
    announced_costs: Money | None = None
    announced_costs_vat: Money | None = None
    # Last day of the payment term of the 14-day letter / notice (art. 6:96 lid 6 BW).
    term_ends_on: dt.date | None = None
    # Task token of a paused execution (dispute, bailiff) so an API call can resume it.
    task_token: str | None = None
    waiting_for: str | None = None
    # Executions are named <claim_id>-<phase>; a new phase starts after parking or monitoring.
    phase: int = 1
    # Messages decided but not yet confirmed sent (keys); a retried step sends these, nothing more.
    pending_messages: list[str] = Field(default_factory=list)
    # The planned call (call_scheduled step), in UTC.
    call_at: dt.datetime | None = None
    # A debtor's promise (made on the call): escalation holds until the day after this date.
    promised_on: dt.date | None = None
    arrangement: Arrangement | None = None
    dispute_reason: str | None = None
    # A dispute in part: the part of the principal disputed (None: no dispute, or one of the whole claim).
    disputed_amount: Money | None = None
    # Principal written off by disputes upheld in part (each a correcting PRINCIPAL ledger entry).
    principal_written_off: Money = ZERO
    # The price of a consumer sale (art. 7:28 BW): limitation after two years instead of five.
    consumer_sale: bool = False
    # A yearly rate agreed with this (business) debtor, replacing the statutory one where higher.
    agreed_interest_rate: Decimal | None = Field(default=None, ge=Decimal("0"), le=Decimal("100"))
    # Collection costs agreed with this (business) debtor, instead of the staffel.
    agreed_collection_costs: AgreedCollectionCosts | None = None
    # The letter that started the statutory term, as it went out.
    notice: Notice | None = None
    # Periods without interest: kept arrangements, the letter's total paid in its term.
    interest_free: list[InterestFreePeriod] = Field(default_factory=list)
    # Days on which limitation was interrupted (art. 3:317, 3:318 BW): a written reminder received, a
    # payment, an acknowledgement. A phone call is not one.
    limitation_interruptions: list[dt.date] = Field(default_factory=list)
    # Figures shown with a caveat, e.g. interest computed with an unverified statutory rate.
    warnings: list[str] = Field(default_factory=list)
    # Caveats found at intake (e.g. a business term over 60 days), shown beside ``warnings``.
    flags: list[str] = Field(default_factory=list)
    # The legal review's advice, and the tenant's approval of court action where the policy asks for it.
    legal_advice: LegalAdvice | None = None
    legal_approved_on: dt.date | None = None
    # The day the debtor's personal data on this claim was erased (AVG art. 17); None: not erased.
    personal_data_erased_on: dt.date | None = None
    # The 16-digit betalingskenmerk printed on every payment request and matched on bank statements;
    # derived from tenant and claim id (``incasso.domain.payment_reference``), so a claim stored before
    # references existed gets, on read, the one it would have had.
    payment_reference: str | None = Field(default=None, pattern=r"^[0-9]{16}$")
    # The documents-bucket key of the UBL invoice the claim was imported from (None: not from UBL); it
    # goes with the first reminder (``incasso.domain.channels.attaches_original_invoice``).
    original_invoice: str | None = None
    version: int = 0
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _with_payment_reference(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("payment_reference") and data.get("tenant_id") and data.get("claim_id"):
            data = {**data, "payment_reference": payment_references.for_claim(data["tenant_id"], data["claim_id"])}
        return data

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def collected_principal(self) -> Decimal:
        """The principal the trajectory collects: the invoice's, less what a dispute in part holds back
        and what upheld disputes wrote off (docs/law.md, "Disputes in part")."""
        return self.principal - self.principal_written_off - (self.disputed_amount or ZERO)
