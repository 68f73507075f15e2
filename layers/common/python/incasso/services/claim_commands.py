"""What a tenant asks of a claim: the commands' bodies, checked at the boundary (422 naming the field),
and the outcomes they name.

Apart from ``ClaimService`` (``incasso.services.claims``), which carries them out: the API's routes name
these types at import, and the service, with the ledger and the law beneath it, loads at the first request
that uses it (cold start, docs/benchmarks.md).
"""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from incasso import clock
from incasso.domain.base import DeferredModel
from incasso.domain.intake import due_date_problem, invoice_date_problem
from incasso.domain.models import AgreedCollectionCosts, Debtor, DebtorType
from incasso.money import Money

STATUTORY_B2B_TERM_DAYS = 30  # art. 6:119a lid 2 BW
# art. 6:119a lid 5 BW: an agreed term over 60 days holds only if expressly agreed and not grossly unfair.
MAX_B2B_TERM_DAYS = 60


class Command(DeferredModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewClaim(Command):
    invoice_number: str = Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f#]+$")
    debtor: Debtor
    principal: Money
    currency: str = Field(default="EUR", pattern="^EUR$", description="only EUR is supported")
    invoice_date: dt.date
    due_date: dt.date = Field(description="the agreed last day of payment; a business debtor's claim may leave it "
                              "out: then the statutory 30 days after the invoice date apply (art. 6:119a lid 2 BW)")
    consumer_sale: bool = Field(default=False, description="the price of a consumer sale: limitation after "
                                "two years (art. 7:28 BW) instead of five")
    agreed_interest_rate: Decimal | None = Field(
        default=None, ge=Decimal("0"), le=Decimal("100"), max_digits=6, decimal_places=3,
        description="a yearly % agreed with a business debtor; replaces the statutory rate where higher "
                    "(art. 6:119 lid 3 BW); refused for consumers")

    agreed_collection_costs: AgreedCollectionCosts | None = Field(
        default=None, description="collection costs agreed with a business debtor, instead of the staffel: "
        "{percentage, minimum?} of the principal still unpaid or {fixed}; letters call them agreed "
        "(art. 6:96 lid 5 BW); refused for consumers")

    @field_validator("debtor")
    @classmethod
    def _reachable_in_writing(cls, debtor: Debtor) -> Debtor:
        # The 14-day letter / notice of default must reach the debtor in writing (art. 6:96 lid 6, 6:82
        # BW): without an e-mail or postal address the claim could never proceed, so it is refused now.
        if not debtor.email and debtor.address is None:
            raise ValueError("the debtor needs an e-mail address or a postal address: the 14-day letter "
                             "or notice of default must reach them in writing")
        return debtor

    @field_validator("agreed_interest_rate")
    @classmethod
    def _business_only(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        debtor = info.data.get("debtor")
        if value is not None and debtor is not None and debtor.type is not DebtorType.BUSINESS:
            raise ValueError("an agreed interest rate applies to business debtors only: a consumer always gets "
                             "the statutory rate (art. 6:119 BW)")
        return value

    @field_validator("agreed_collection_costs")
    @classmethod
    def _agreed_costs_business_only(cls, value: AgreedCollectionCosts | None,
                                    info: ValidationInfo) -> AgreedCollectionCosts | None:
        # art. 6:96 lid 5 BW: only with a non-consumer may costs other than the staffel be agreed.
        debtor = info.data.get("debtor")
        if value is not None and debtor is not None and debtor.type is not DebtorType.BUSINESS:
            raise ValueError("agreed collection costs apply to business debtors only: a consumer owes at most "
                             "the staffel of the Besluit BIK (art. 6:96 lid 5 BW)")
        return value

    @field_validator("principal")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("the principal must be more than 0.00")
        if value > Decimal("100000000.00"):
            raise ValueError("the principal is implausibly large")
        return value

    @model_validator(mode="before")
    @classmethod
    def _statutory_term_for_business(cls, data: Any) -> Any:
        # art. 6:119a lid 2 BW: without an agreed term a business debtor owes 30 days after the invoice.
        if isinstance(data, dict) and data.get("due_date") is None and isinstance(data.get("debtor"), (dict, Debtor)):
            debtor = data["debtor"]
            kind = debtor.get("type") if isinstance(debtor, dict) else debtor.type
            invoiced = data.get("invoice_date")
            if str(getattr(kind, "value", kind)) == DebtorType.BUSINESS.value and invoiced is not None:
                try:
                    day = invoiced if isinstance(invoiced, dt.date) else dt.date.fromisoformat(str(invoiced))
                except ValueError:
                    return data  # the invoice date's own validation says what is wrong
                data = {**data, "due_date": day + dt.timedelta(days=STATUTORY_B2B_TERM_DAYS)}
        return data

    # Dates the engine cannot compute with are refused at intake (422 naming the field), never later.
    @field_validator("invoice_date")
    @classmethod
    def _invoice_date(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        debtor = info.data.get("debtor")
        problem = invoice_date_problem(value, debtor_type=debtor.type if debtor else None, today=clock.today())
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("due_date")
    @classmethod
    def _due_date(cls, value: dt.date, info: ValidationInfo) -> dt.date:
        problem = due_date_problem(value, invoice_date=info.data.get("invoice_date"), today=clock.today())
        if problem:
            raise ValueError(problem)
        return value


class NewPayment(Command):
    amount: Money
    paid_at: dt.datetime | dt.date

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("a payment must be more than 0.00")
        return value

    @property
    def paid_at_instant(self) -> dt.datetime:
        if isinstance(self.paid_at, dt.datetime):
            return self.paid_at if self.paid_at.tzinfo else self.paid_at.replace(tzinfo=dt.timezone.utc)
        return dt.datetime.combine(self.paid_at, dt.time(0, 0), tzinfo=dt.timezone.utc)


class DisputeOutcome(StrEnum):
    REJECTED = "rejected"
    UPHELD = "upheld"


class BailiffUpdateKind(StrEnum):
    SERVED = "served"
    JUDGMENT = "judgment"
    EXECUTED = "executed"
    UNCOLLECTIBLE = "uncollectible"


class CallOutcome(StrEnum):
    NO_ANSWER = "no_answer"  # try again on the next business day
    PROMISE_TO_PAY = "promise_to_pay"  # escalation holds until the day after the promised date
    DISPUTE = "dispute"  # escalation pauses
    ARRANGEMENT = "arrangement"  # instalments agreed on the phone


def b2b_term_flags(new: "NewClaim") -> list[str]:
    """Caveats on a business claim's agreed term (art. 6:119a lid 5 BW)."""
    days = (new.due_date - new.invoice_date).days
    if new.debtor.type is DebtorType.BUSINESS and days > MAX_B2B_TERM_DAYS:
        return [f"the agreed payment term of {days} days is over 60 (art. 6:119a lid 5 BW): it holds only if "
                "expressly agreed and not grossly unfair to the creditor"]
    return []
