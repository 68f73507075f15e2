"""Verjaring (limitation) of a claim and of a judgment.

Periods
- art. 3:307 lid 1 BW — a claim to performance of a contract: 5 years "na aanvang van de dag,
  volgende op die waarop de vordering opeisbaar is geworden". We take an invoice as opeisbaar on its
  due date (the earlier of the two readings), so the date given is never later than the law's.
- art. 7:28 BW — the purchase price in a consumer sale (consumentenkoop): 2 years (mandatory).
- art. 3:324 lid 1 BW — enforcing a judgment: 20 years from the day after the judgment. Interest and
  other sums payable yearly or more often under the judgment: 5 years (art. 3:324 lid 2 BW).
- The court never applies limitation of its own motion (art. 3:322 lid 1 BW): the debtor must
  invoke it. The engine uses these dates to stop chasing, not to decide the claim is void.

What interrupts (stuiting) — and so belongs in ``interruptions`` with the date it took effect:
- a written aanmaning (reminder) or a written notice in which the creditor unambiguously reserves
  its right to payment (art. 3:317 lid 1 BW). It takes effect when it reaches the debtor
  (art. 3:37 lid 3 BW), so pass the (presumed) delivery date, not the posting date;
- an acknowledgement of the debt by the debtor, e.g. a part payment or a payment arrangement
  (art. 3:318 BW);
- legal action (art. 3:316 BW) — this interrupts for as long as the proceedings last and, once the
  claim is granted, the judgment period of art. 3:324 applies instead: model that with
  ``judgment_limitation_date``, not here.
A phone call does not interrupt. An interruption after the period has run out revives nothing.

Effect (art. 3:319 lid 1 BW): a new period starts "met de aanvang van de volgende dag", of the
original length but at most five years; the claim is never time-barred earlier than it would have
been without the interruption (art. 3:319 lid 2 BW).
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from incasso.law import _checks as checks
from incasso.law.interest import add_years

GENERAL_LIMITATION_YEARS = 5  # art. 3:307 BW
CONSUMER_SALE_LIMITATION_YEARS = 2  # art. 7:28 BW
JUDGMENT_LIMITATION_YEARS = 20  # art. 3:324 lid 1 BW
MAX_RENEWED_PERIOD_YEARS = 5  # art. 3:319 lid 1 BW — "doch niet langer dan vijf jaren"

ONE_DAY = dt.timedelta(days=1)


def _last_day_of_period(first_day: dt.date, years: int) -> dt.date:
    return add_years(first_day, years) - ONE_DAY


def limitation_date(due_date: dt.date, *, consumer_sale: bool, interruptions: Sequence[dt.date] = ()) -> dt.date:
    """The last day of the limitation period of a claim that fell due on ``due_date``: the claim is
    time-barred from the day after (if the debtor invokes it, art. 3:322 BW).

    ``consumer_sale``: the price of a consumer sale (2 years, art. 7:28 BW); otherwise 5 years
    (art. 3:307 BW). ``interruptions``: the days on which a stuiting took effect (see the module
    notes); those before the period began or after it ended change nothing.
    """
    due_date = checks.date_only("due_date", due_date)
    years = CONSUMER_SALE_LIMITATION_YEARS if consumer_sale else GENERAL_LIMITATION_YEARS
    renewed_years = min(years, MAX_RENEWED_PERIOD_YEARS)
    period_start = due_date + ONE_DAY  # art. 3:307 — from the day after the claim fell due
    last_day = _last_day_of_period(period_start, years)
    for interrupted_on in sorted(checks.date_only("interruption", day) for day in interruptions):
        if interrupted_on < period_start or interrupted_on > last_day:
            continue  # nothing running to interrupt yet, or already time-barred
        # art. 3:319 lid 1 — a new period from the next day; lid 2 — never earlier than before.
        last_day = max(last_day, _last_day_of_period(interrupted_on + ONE_DAY, renewed_years))
    return last_day


def is_time_barred(due_date: dt.date, on: dt.date, *, consumer_sale: bool, interruptions: Sequence[dt.date] = ()) -> bool:
    """True when the limitation period has run out before ``on``."""
    return checks.date_only("on", on) > limitation_date(due_date, consumer_sale=consumer_sale, interruptions=interruptions)


def judgment_limitation_date(judgment_date: dt.date) -> dt.date:
    """The last day a judgment can be enforced: 20 years from the day after it (art. 3:324 lid 1 BW)."""
    return _last_day_of_period(checks.date_only("judgment_date", judgment_date) + ONE_DAY, JUDGMENT_LIMITATION_YEARS)

