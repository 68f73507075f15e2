"""A tenant's portfolio at a glance: counts and amounts by status and by stage, collected, outstanding,
DSO.

``summarize`` computes it from the claims themselves (the recount; pure). ``ReportService.summary`` reads
it from the tenant's aggregates (``incasso.domain.aggregates``, kept by every claim write): at most
``SHARDS`` items whatever the tenant's size, with the very same answer. A tenant whose claims were written
before aggregates existed has them rebuilt once (``ReportService.rebuild``: on its first summary, under a
lock, or ahead of time with ``incasso aggregates rebuild``); while another process holds the lock, the
summary is the recount.
"""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from pydantic import Field

from incasso import clock
from incasso.domain.aggregates import Aggregate, DayBucket, Group, portfolio
from incasso.domain.base import DeferredModel
from incasso.domain.models import CLOSED_STATUSES, Claim, ClaimStatus, Stage
from incasso.money import ZERO, Money

if TYPE_CHECKING:  # a type only (cold start)
    from incasso.domain.ports import ClaimsStore

REBUILD_LOCK = dt.timedelta(minutes=15)  # a rebuild that died lets another take over after this
PAGE = 100


class GroupTotals(DeferredModel):
    count: int = 0
    principal: Money = ZERO
    collected: Money = ZERO
    outstanding: Money = ZERO

    def add(self, claim: Claim) -> "GroupTotals":
        return GroupTotals(count=self.count + 1, principal=self.principal + claim.amounts.principal,
                           collected=self.collected + claim.amounts.paid,
                           outstanding=self.outstanding + claim.amounts.outstanding)


class Summary(DeferredModel):
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
                   warnings=_warnings(dict(caveats)))


def _warnings(caveats: dict[str, int]) -> list[str]:
    return [f"{n} {'claim' if n == 1 else 'claims'}: {text}" for text, n in sorted(caveats.items())]


def summary_of(aggregate: Aggregate, as_of: dt.date) -> Summary:
    """The summary from a tenant's aggregates: equal to ``summarize`` of its claims."""
    totals = portfolio(aggregate)

    def group(g: Group) -> GroupTotals:
        return GroupTotals(count=g.count, principal=g.principal, collected=g.collected, outstanding=g.outstanding)

    return Summary(as_of=as_of, claims=totals.claims,
                   by_status={name: group(g) for name, g in totals.by_status.items()},
                   by_stage={name: group(g) for name, g in totals.by_stage.items()},
                   principal=totals.principal, collected=totals.collected, outstanding=totals.outstanding,
                   dso=days_sales_outstanding(totals.open_principal, totals.principal, totals.first_invoice, as_of),
                   warnings=_warnings(totals.warnings))


class ReportService:
    """The summary from the aggregates, and their rebuild for a tenant whose claims predate them."""

    def __init__(self, store: "ClaimsStore") -> None:
        self.store = store

    def summary(self, tenant_id: str) -> Summary:
        aggregates = self.store.read_aggregates(tenant_id)
        if not aggregates.built:
            if not self.rebuild(tenant_id):
                return summarize(self.all_claims(tenant_id), clock.today())  # another is rebuilding
            aggregates = self.store.read_aggregates(tenant_id)
        return summary_of(aggregates.total, clock.today())

    def rebuild(self, tenant_id: str) -> bool:
        """Counts every claim not counted yet, once, under the tenant's lock, then marks the aggregates
        built. False when they are built already or another process holds the lock."""
        owner = uuid.uuid4().hex
        if not self.store.lock_aggregates(tenant_id, owner, clock.now() + REBUILD_LOCK):
            return False
        for claim in self.all_claims(tenant_id):
            self.store.count_claim(tenant_id, claim.claim_id)
        self.store.mark_aggregates_built(tenant_id, owner)
        return True

    def history(self, tenant_id: str) -> "History":
        """Where the portfolio stood at the end of each day (the report's history), from the day buckets:
        one Query per shard, growing with the days the tenant has been active, not with its claims."""
        if not self.store.read_aggregates(tenant_id).built:
            self.rebuild(tenant_id)  # claims that predate the aggregates appear on the day they were created
        return history_of(self.store.aggregate_history(tenant_id), clock.today())

    def all_claims(self, tenant_id: str) -> Iterator[Claim]:
        token = None
        while True:
            claims, token = self.store.list_claims(tenant_id, None, PAGE, token)
            yield from claims
            if not token:
                return


class HistoryDay(DeferredModel):
    date: dt.date
    positions: dict[str, int] = Field(description="claims per '<status>|<stage>' at the end of the day")
    open_principal: Money = Field(description="principal not yet paid on claims not closed, at the end of the day")
    collected: Money = Field(description="everything paid so far, at the end of the day")


class History(DeferredModel):
    as_of: dt.date
    days: list[HistoryDay] = Field(description="each day something changed, oldest first; a day not listed "
                                               "is as the day before it")


def history_of(buckets: Iterable[DayBucket], as_of: dt.date) -> History:
    """The portfolio at the end of each day with a change, from the day buckets (running sums)."""
    running = Aggregate()
    days = []
    for bucket in buckets:
        if bucket.day > as_of:
            break
        running = running + bucket.change
        counters = running.counters
        positions = {key[2:]: value for key, value in sorted(counters.items()) if key.startswith("n|") and value}
        collected = sum(value for key, value in counters.items() if key.startswith("c|"))
        days.append(HistoryDay(date=bucket.day, positions=positions,
                               open_principal=Decimal(counters.get("open_principal", 0)) / 100,
                               collected=Decimal(collected) / 100))
    return History(as_of=as_of, days=days)
