"""Buitengerechtelijke incassokosten (BIK), the "WIK staffel".

Art. 6:96 BW (⚠️ exact wording of lid 5–7 not checked) with the Besluit vergoeding voor
buitengerechtelijke incassokosten (Stb. 2012, 141). The bands, minimum and maximum live in ``data/wik_staffel.json``
with their source. A wrong amount in a 14-day letter makes the costs unclaimable, so every input is
checked and every result is rounded once, half up, to cents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Sequence

from incasso.domain.models import AgreedCollectionCosts, DebtorType
from incasso.law import _checks as checks
from incasso.money import ZERO, round_cents

DEFAULT_VAT_RATE = Decimal("0.21")
# art. 6:96 lid 4 BW (⚠️ huurgeschil.nl) — in a commercial contract a fixed EUR 40 is due once the
# payment term has expired, without any reminder.
BUSINESS_FLAT_FEE = Decimal("40.00")


@dataclass(frozen=True)
class StaffelBand:
    """One band of the staffel: ``rate`` (a fraction) applies to the part of the hoofdsom up to ``up_to``."""

    up_to: Decimal | None  # None: no upper bound
    rate: Decimal


@dataclass(frozen=True)
class Staffel:
    bands: tuple[StaffelBand, ...]
    minimum: Decimal
    maximum: Decimal
    source: str


@lru_cache(maxsize=1)
def staffel() -> Staffel:
    """The staffel of art. 2 Besluit BIK, read once from ``incasso/data/wik_staffel.json``."""
    text = resources.files("incasso").joinpath("data/wik_staffel.json").read_text(encoding="utf-8")
    raw = json.loads(text, parse_float=Decimal)
    bands = tuple(
        StaffelBand(
            up_to=None if band["up_to"] is None else Decimal(band["up_to"]),
            rate=Decimal(band["rate_percent"]) / 100,
        )
        for band in raw["bands"]
    )
    tops = [band.up_to for band in bands[:-1]]
    if not bands or bands[-1].up_to is not None or None in tops or tops != sorted(tops):
        raise ValueError("wik_staffel.json: bands must be ascending and only the last one open-ended")
    return Staffel(bands=bands, minimum=Decimal(raw["minimum"]), maximum=Decimal(raw["maximum"]), source=raw["source"])


def _check_amount(name: str, value: Decimal, *, allow_zero: bool) -> Decimal:
    value = checks.amount(name, value)
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'zero or more' if allow_zero else 'positive'}: {value}")
    return value


def collection_costs(principal: Decimal) -> Decimal:
    """The BIK over a hoofdsom (art. 2 lid 1 Besluit BIK), with the EUR 40 minimum (lid 2) and the
    EUR 6,775 maximum; rounded half up to cents.

    >>> collection_costs(Decimal("3000.00"))
    Decimal('425.00')
    """
    principal = _check_amount("principal", principal, allow_zero=False)
    table = staffel()
    costs = ZERO
    lower = ZERO
    for band in table.bands:
        upper = principal if band.up_to is None else min(principal, band.up_to)
        if upper <= lower:
            break
        costs += (upper - lower) * band.rate
        lower = upper
    # art. 2 lid 1 — "met een maximum van € 6.775"; art. 2 lid 2 — "minimaal € 40".
    return round_cents(min(max(costs, table.minimum), table.maximum))


@dataclass(frozen=True)
class CollectionCosts:
    """What a letter may claim: the costs, the VAT uplift on them, and the two together.

    ``basis`` is the hoofdsom the staffel was applied to (principals + capitalised interest);
    ``flat_fee`` says the fixed EUR 40 of art. 6:96 lid 4 BW was used instead of the staffel;
    ``agreed`` that costs agreed with a business debtor were (art. 6:96 lid 5 BW).
    """

    costs: Decimal
    vat: Decimal = ZERO
    total: Decimal | None = None  # filled in as costs + vat
    basis: Decimal = ZERO
    flat_fee: bool = False
    agreed: bool = False

    def __post_init__(self) -> None:
        expected = self.costs + self.vat
        if self.total is None:
            object.__setattr__(self, "total", expected)
        elif self.total != expected:
            raise ValueError(f"total {self.total} is not costs {self.costs} + VAT {self.vat}")


def compute_collection_costs(
    principals: Sequence[Decimal],
    *,
    debtor_type: DebtorType,
    creditor_vat_deductible: bool = True,
    business_flat_fee: bool = False,
    capitalised_interest: Decimal = ZERO,
    vat_rate: Decimal = DEFAULT_VAT_RATE,
    agreed: AgreedCollectionCosts | None = None,
) -> CollectionCosts:
    """The collection costs for one letter.

    - Several invoices in one aanmaning are added up before the staffel is applied (⚠️ practice,
      ruebincasso.nl).
    - ``capitalised_interest``: once collection has lasted more than a year, the interest added to
      the principal under art. 6:119 lid 2 / 6:119a lid 3 BW counts towards the hoofdsom (Nota van
      Toelichting Besluit BIK, point 5). Pass ``InterestResult.capitalised``; accrued interest that
      is not capitalised never counts.
    - ``business_flat_fee``: for a business debtor the fixed EUR 40 of art. 6:96 lid 4 BW instead of
      the staffel. Ignored for consumers, for whom the staffel is mandatory (art. 6:96 BW). No
      VAT uplift on the flat fee: it is a fixed statutory sum, not costs under the Besluit.
    - VAT: art. 2 lid 3 Besluit BIK — only a creditor that cannot deduct the VAT it pays for
      collection may add it (and must declare so in the letter).
    - ``agreed``: costs agreed with a business debtor replace the staffel and the flat fee (art. 6:96
      lid 5 BW: for a non-consumer the Besluit is only the default). Refused for a consumer, for whom
      the staffel is mandatory. No VAT uplift on an agreed sum: the uplift of art. 2 lid 3 is a rule of
      the Besluit's own computation (docs/law.md, "Agreed collection costs").
    """
    if isinstance(principals, (Decimal, int, str)):
        raise TypeError("principals must be a sequence of amounts")
    if not principals:
        raise ValueError("at least one principal is needed")
    basis = sum((_check_amount("principal", p, allow_zero=False) for p in principals), ZERO)
    basis += _check_amount("capitalised_interest", capitalised_interest, allow_zero=True)
    debtor_type = DebtorType(debtor_type)
    if not (isinstance(vat_rate, Decimal) and Decimal(0) <= vat_rate < 1):
        raise ValueError(f"vat_rate is a fraction such as Decimal('0.21'), got {vat_rate!r}")

    if agreed is not None:
        if debtor_type is not DebtorType.BUSINESS:
            raise ValueError("agreed collection costs apply to business debtors only: a consumer owes the "
                             "staffel of the Besluit BIK (art. 6:96 lid 5 BW)")
        return CollectionCosts(costs=agreed_collection_costs(agreed, basis), vat=ZERO, basis=basis, agreed=True)

    if debtor_type is DebtorType.BUSINESS and business_flat_fee:
        return CollectionCosts(costs=BUSINESS_FLAT_FEE, vat=ZERO, basis=basis, flat_fee=True)

    costs = collection_costs(basis)
    vat = ZERO if creditor_vat_deductible else round_cents(costs * vat_rate)
    return CollectionCosts(costs=costs, vat=vat, basis=basis)


def collection_costs_after_partial_payment(principal: Decimal, paid_within_term: Decimal) -> Decimal:
    """BIK when the debtor paid part of the principal within the 14-day term: the staffel over the
    unpaid part only (HR 2016, see domain-facts §1); nothing when the whole principal was paid."""
    principal = _check_amount("principal", principal, allow_zero=False)
    paid_within_term = _check_amount("paid_within_term", paid_within_term, allow_zero=True)
    if paid_within_term > principal:
        raise ValueError(f"paid within the term ({paid_within_term}) exceeds the principal ({principal})")
    unpaid = principal - paid_within_term
    return ZERO if unpaid == 0 else collection_costs(unpaid)


def agreed_collection_costs(agreed: AgreedCollectionCosts, basis: Decimal) -> Decimal:
    """Costs agreed with a business debtor over ``basis`` (the principal still unpaid): the fixed sum, or
    the percentage with its minimum; rounded half up to cents (art. 6:96 lid 5 BW).

    >>> agreed_collection_costs(AgreedCollectionCosts(percentage=Decimal("15"), minimum=Decimal("75")), Decimal("400"))
    Decimal('75.00')
    """
    basis = _check_amount("basis", basis, allow_zero=False)
    if agreed.fixed is not None:
        return round_cents(agreed.fixed)
    assert agreed.percentage is not None  # the model holds one of the two
    costs = round_cents(basis * agreed.percentage / 100)
    return max(costs, round_cents(agreed.minimum)) if agreed.minimum is not None else costs
