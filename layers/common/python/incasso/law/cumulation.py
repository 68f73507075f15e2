"""The stacking cap on collection costs for small recurring claims (Besluit BIK as amended by Stb. 2024,
44; in force 1 October 2024; domain-facts.md §1, "Stacking cap"): a creditor that sends one debtor
letters for several small claims (each below EUR 266.67) may charge at most EUR 140 in costs for them
together, counting the letters of the last six months.

⚠️ Unverified (the figures and the mechanics come from secondary sources; ``data/cumulation_cap.json``
says so and an operator corrects it without a release through ``INCASSO_CUMULATION_CAP_FILE``). Where
the facts are uncertain the engine reads them so that it charges less, never more (docs/law.md, "The
stacking cap"): every earlier small claim's letter counts with the costs it announced, whether or not
they were later owed; the cap holds for consumers and businesses alike.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Iterable

from incasso.money import ZERO

CUMULATION_CAP_FILE_ENV = "INCASSO_CUMULATION_CAP_FILE"


@dataclass(frozen=True)
class CumulationRule:
    in_force_from: dt.date
    small_claim_below: Decimal
    cap: Decimal
    look_back_months: int
    verified: bool
    source: str


@lru_cache(maxsize=4)
def _rule(path: str | None) -> CumulationRule:
    text = open(path, encoding="utf-8").read() if path else \
        resources.files("incasso").joinpath("data/cumulation_cap.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return CumulationRule(in_force_from=dt.date.fromisoformat(raw["in_force_from"]),
                          small_claim_below=Decimal(raw["small_claim_below"]), cap=Decimal(raw["cap"]),
                          look_back_months=int(raw["look_back_months"]), verified=bool(raw["verified"]),
                          source=str(raw["source"]))


def cumulation_rule() -> CumulationRule:
    """The rule in force: the shipped file, or the operator's (``INCASSO_CUMULATION_CAP_FILE``)."""
    return _rule(os.environ.get(CUMULATION_CAP_FILE_ENV) or None)


def months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class EarlierLetter:
    """A letter that announced collection costs for another small claim of the same debtor."""

    sent_on: dt.date
    principal: Decimal
    costs: Decimal


def is_small(principal: Decimal, on: dt.date, rule: CumulationRule | None = None) -> bool:
    rule = rule or cumulation_rule()
    return on >= rule.in_force_from and principal < rule.small_claim_below


def room_under_cap(principal: Decimal, on: dt.date, earlier: Iterable[EarlierLetter],
                   rule: CumulationRule | None = None) -> Decimal | None:
    """What a letter sent ``on`` for a claim of ``principal`` may still announce under the cap, given the
    debtor's earlier letters; None where the cap does not apply (not a small claim, or before it was
    in force)."""
    rule = rule or cumulation_rule()
    if not is_small(principal, on, rule):
        return None
    since = months_before(on, rule.look_back_months)
    used = sum((letter.costs for letter in earlier
                if since <= letter.sent_on <= on and letter.principal < rule.small_claim_below), ZERO)
    return max(rule.cap - used, ZERO)
