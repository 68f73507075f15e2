"""Payment arrangements: what a kept one means and what a broken one charges (docs/law.md).

- While an arrangement is kept the debtor is not in default for instalments not yet due: no
  interest runs, no step is taken. The instalments add up to what was owed on the day of agreement.
- An instalment still unpaid ``INSTALMENT_GRACE_DAYS`` (3) days after its due date breaks the arrangement.
  Interest runs again from the day after that instalment's due date, on what is then unpaid; the
  days the arrangement was kept stay free of interest (never charged retroactively).
- Agreed within a 14-day letter's term, an arrangement covers what the letter demanded (the interest
  after the letter's date is not charged), as paying the letter's total in the term would have.
- Collection costs: those booked before the agreement stay owed. Where the agreement fell within a
  14-day letter's term, that letter's costs are not charged on the strength of it: a new letter with
  a new term goes out first. The arrangement confirmation says all of this in plain words.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from incasso.domain.escalation import INSTALMENT_GRACE_DAYS, first_open_instalment
from incasso.domain.models import Claim, Instalment, TimelineEvent

ARRANGEMENT_KEPT = "payment arrangement kept"
ARRANGED_IN_TERM = "payment arrangement agreed within the letter's term"
# Instalments reach no further than this: an arrangement over more years is a typing error.
MAX_ARRANGEMENT_YEARS = 10


def instalments_problem(instalments: Sequence[Instalment], today: dt.date) -> str | None:
    """Why these instalments cannot make an arrangement, or None."""
    dates = [instalment.due_date for instalment in instalments]
    if not dates:
        return "an arrangement needs at least one instalment"
    if any(day < today for day in dates):
        return "an instalment falls in the past"
    if len(set(dates)) != len(dates):
        return "two instalments fall on the same day"
    if dates != sorted(dates):
        return "instalments must be listed in the order of their due dates"
    if dates[-1] > today + dt.timedelta(days=365 * MAX_ARRANGEMENT_YEARS):
        return f"the last instalment is more than {MAX_ARRANGEMENT_YEARS} years ahead"
    return None


def missed_instalment(claim: Claim, today: dt.date) -> Instalment | None:
    """The first instalment of the claim's arrangement that is missed on ``today``, if any."""
    if claim.arrangement is None:
        return None
    instalment = first_open_instalment(claim)
    if instalment is not None and today > instalment.due_date + dt.timedelta(days=INSTALMENT_GRACE_DAYS):
        return instalment
    return None


# A debtor's proposal (from the portal) waits for the tenant until an arrangement is agreed or the
# tenant refuses it; the claim's timeline holds the record.
PROPOSAL_EVENTS = ("arrangement_proposed", "arrangement_agreed", "arrangement_refused")


def open_proposal(timeline: Sequence[TimelineEvent]) -> TimelineEvent | None:
    """The debtor's arrangement proposal still waiting for the tenant, or None."""
    last = next((event for event in reversed(timeline) if event.type in PROPOSAL_EVENTS), None)
    return last if last is not None and last.type == "arrangement_proposed" else None
