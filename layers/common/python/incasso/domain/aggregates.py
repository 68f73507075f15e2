"""A tenant's portfolio as counters that add up: what each claim contributes to the counts and sums of the
summary (``GET /v1/reports/summary``) and of the report's history, as whole numbers (counts and cents).

The claims table keeps their total per tenant in the same conditional transaction that changes a claim:
the store ADDs ``delta(before, after)`` to an aggregates item, so a retried write (its version condition
fails) adds nothing, and the summary reads a handful of items instead of every claim
(docs/architecture.md, "Aggregates"). Pure: no AWS.

Counter names (``|`` separates their parts):

- ``n|<status>|<stage>``, ``p|...``, ``c|...``, ``o|...``: claims, principal, paid (collected) and
  outstanding of the claims with that status and stage (the summary's ``by_status`` and ``by_stage`` are
  sums over these pairs);
- ``open_principal``: principal not yet paid on claims not closed (the DSO's numerator);
- ``interest``, ``costs``, ``costs_vat``: booked on all claims;
- ``inv|<YYYY-MM-DD>``: claims invoiced on that day (the first of them starts the DSO's period);
- ``w|<digest>``: claims carrying that warning; its text is in ``warning_texts``.
"""

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from incasso.domain.models import CLOSED_STATUSES, Claim, ClaimStatus, Stage
from incasso.money import CENT, ZERO

SHARDS = 10  # aggregate items per tenant: writes spread over them, a read sums them (<= 10 items)
HISTORY_PREFIXES = ("n|", "c|", "open_principal")  # what a day's bucket keeps: the report's history


def cents(amount: Decimal) -> int:
    """Money (``Decimal`` quantized to cents) as whole cents, exactly."""
    value = amount / CENT
    if value != value.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(value)


def euros(value: int) -> Decimal:
    return (Decimal(value) * CENT).quantize(CENT)


def warning_key(text: str) -> str:
    return "w|" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Aggregate:
    """Counters (zero ones left out) and the texts of the warnings they count."""

    counters: Mapping[str, int] = field(default_factory=dict)
    warning_texts: frozenset[str] = frozenset()

    def __add__(self, other: "Aggregate") -> "Aggregate":
        return Aggregate(_combine(self.counters, other.counters, 1), self.warning_texts | other.warning_texts)

    def signature(self) -> str:
        """A short digest of the counters: stored on the claim item so that a write can require the stored
        claim to be the one whose contribution it takes away (``agg_sig``)."""
        text = ";".join(f"{k}={v}" for k, v in sorted(self.counters.items()))
        text += "|" + ";".join(sorted(self.warning_texts))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def history_part(self) -> "Aggregate":
        """What a day's bucket keeps of it."""
        return Aggregate({k: v for k, v in self.counters.items() if k.startswith(HISTORY_PREFIXES)})


def _combine(left: Mapping[str, int], right: Mapping[str, int], sign: int) -> dict[str, int]:
    result = dict(left)
    for key, value in right.items():
        result[key] = result.get(key, 0) + sign * value
    return {key: value for key, value in result.items() if value}


def contribution(claim: Claim) -> Aggregate:
    """What ``claim`` adds to its tenant's aggregates."""
    pair = f"{claim.status.value}|{claim.stage.value}"
    amounts = claim.amounts
    counters = {
        f"n|{pair}": 1,
        f"p|{pair}": cents(amounts.principal),
        f"c|{pair}": cents(amounts.paid),
        f"o|{pair}": cents(amounts.outstanding),
        "interest": cents(amounts.interest),
        "costs": cents(amounts.collection_costs),
        "costs_vat": cents(amounts.collection_costs_vat),
        f"inv|{claim.invoice_date.isoformat()}": 1,
    }
    if not claim.is_closed:
        counters["open_principal"] = cents(max(amounts.principal - claim.paid_principal, ZERO))
    texts = frozenset(claim.warnings)
    counters.update({warning_key(text): 1 for text in texts})
    return Aggregate({k: v for k, v in counters.items() if v}, texts)


def delta(before: Claim | None, after: Claim) -> Aggregate:
    """What a write that turns ``before`` (None: a new claim, or one not counted yet) into ``after`` adds."""
    new = contribution(after)
    if before is None:
        return new
    return Aggregate(_combine(new.counters, contribution(before).counters, -1), new.warning_texts)


def total(parts: Iterable[Aggregate]) -> Aggregate:
    result = Aggregate()
    for part in parts:
        result = result + part
    return result


# -- reading the totals ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    count: int = 0
    principal: Decimal = ZERO
    collected: Decimal = ZERO
    outstanding: Decimal = ZERO


@dataclass(frozen=True)
class Portfolio:
    """The totals as the summary needs them."""

    by_status: dict[str, Group]
    by_stage: dict[str, Group]
    claims: int
    principal: Decimal
    collected: Decimal
    outstanding: Decimal  # on claims not closed
    open_principal: Decimal
    first_invoice: dt.date | None
    warnings: dict[str, int]  # text -> claims


def portfolio(aggregate: Aggregate) -> Portfolio:
    counters = aggregate.counters
    status_parts: dict[str, dict[str, int]] = {s.value: {} for s in ClaimStatus}
    stage_parts: dict[str, dict[str, int]] = {s.value: {} for s in Stage}
    first_invoice: dt.date | None = None
    for key, value in counters.items():
        kind, _, rest = key.partition("|")
        if kind in ("n", "p", "c", "o"):
            status, _, stage = rest.partition("|")
            for parts, name in ((status_parts, status), (stage_parts, stage)):
                bucket = parts.setdefault(name, {})
                bucket[kind] = bucket.get(kind, 0) + value
        elif kind == "inv" and value > 0:
            day = dt.date.fromisoformat(rest)
            first_invoice = day if first_invoice is None or day < first_invoice else first_invoice

    def group(parts: dict[str, int]) -> Group:
        return Group(parts.get("n", 0), euros(parts.get("p", 0)), euros(parts.get("c", 0)), euros(parts.get("o", 0)))

    by_status = {name: group(parts) for name, parts in status_parts.items()}
    by_stage = {name: group(parts) for name, parts in stage_parts.items()}
    closed = {status.value for status in CLOSED_STATUSES}
    texts = {warning_key(text): text for text in aggregate.warning_texts}
    return Portfolio(
        by_status=by_status, by_stage=by_stage,
        claims=sum(g.count for g in by_status.values()),
        principal=sum((g.principal for g in by_status.values()), ZERO),
        collected=sum((g.collected for g in by_status.values()), ZERO),
        outstanding=sum((g.outstanding for name, g in by_status.items() if name not in closed), ZERO),
        open_principal=euros(counters.get("open_principal", 0)),
        first_invoice=first_invoice,
        warnings={texts[key]: value for key, value in counters.items()
                  if key.startswith("w|") and value > 0 and key in texts},
    )


@dataclass(frozen=True)
class Aggregates:
    """A tenant's aggregates as read: their total, whether they were built (every claim counted), and how
    many items the read took."""

    total: Aggregate
    built: bool
    items_read: int


@dataclass(frozen=True)
class DayBucket:
    """What changed on one (Dutch) day: the sum of that day's deltas (``Aggregate.history_part``)."""

    day: dt.date
    change: Aggregate
