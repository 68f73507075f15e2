"""A tenant's portfolio at a glance: counts and amounts by status and by stage, collected, outstanding,
DSO. Pure: a function of the claims and the day, no AWS (the API pages the claims out of the store).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, Field

from incasso.domain.models import CLOSED_STATUSES, Claim, ClaimStatus, Stage
from incasso.money import ZERO, Money


class GroupTotals(BaseModel):
    count: int = 0
    principal: Money = ZERO
    collected: Money = ZERO
    outstanding: Money = ZERO

    def add(self, claim: Claim) -> "GroupTotals":
        return GroupTotals(count=self.count + 1, principal=self.principal + claim.amounts.principal,
                           collected=self.collected + claim.amounts.paid,
                           outstanding=self.outstanding + claim.amounts.outstanding)


class Summary(BaseModel):
    as_of: dt.date
    claims: int = Field(description="number of claims")
    by_status: dict[str, GroupTotals] = Field(description="every status, also those without claims")
    by_stage: dict[str, GroupTotals] = Field(description="every stage (the last step taken)")
    principal: Money = Field(description="principal of all claims")
    collected: Money = Field(description="everything paid on all claims")
    outstanding: Money = Field(description="still owed on claims not closed (paid, cancelled, uncollectible)")
    # Days, not money: a JSON number with one decimal (pydantic turns the exact Decimal into it here).
    dso: float | None = Field(description="days sales outstanding: open principal / principal invoiced x days "
                                          "since the first invoice date, to 0.1 day; null without claims")
    warnings: list[str] = Field(default_factory=list, description="caveats on the amounts, with the number of "
                                "claims they concern: e.g. interest computed with an unverified statutory rate")


def days_sales_outstanding(open_principal: Decimal, invoiced: Decimal, first_invoice: dt.date | None,
                           as_of: dt.date) -> Decimal | None:
    """The classic DSO (receivables / sales x days in the period), in days rounded half up to 0.1; the
    period runs from the first invoice."""
    if first_invoice is None or invoiced <= 0:
        return None
    days = max((as_of - first_invoice).days, 1)
    return (open_principal / invoiced * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def summarize(claims: Iterable[Claim], as_of: dt.date) -> Summary:
    by_status = {status.value: GroupTotals() for status in ClaimStatus}
    by_stage = {stage.value: GroupTotals() for stage in Stage}
    count, principal, collected, outstanding, open_principal = 0, ZERO, ZERO, ZERO, ZERO
    first_invoice: dt.date | None = None
    caveats: Counter[str] = Counter()
    for claim in claims:
        count += 1
        caveats.update(set(claim.warnings))
        by_status[claim.status.value] = by_status[claim.status.value].add(claim)
        by_stage[claim.stage.value] = by_stage[claim.stage.value].add(claim)
        principal += claim.amounts.principal
        collected += claim.amounts.paid
        if claim.status not in CLOSED_STATUSES:
            outstanding += claim.amounts.outstanding
            open_principal += max(claim.amounts.principal - claim.paid_principal, ZERO)
        if first_invoice is None or claim.invoice_date < first_invoice:
            first_invoice = claim.invoice_date
    return Summary(as_of=as_of, claims=count, by_status=by_status, by_stage=by_stage, principal=principal,
                   collected=collected, outstanding=outstanding,
                   dso=days_sales_outstanding(open_principal, principal, first_invoice, as_of),
                   warnings=[f"{n} {'claim' if n == 1 else 'claims'}: {text}" for text, n in sorted(caveats.items())])
