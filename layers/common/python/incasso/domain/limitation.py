"""Limitation (verjaring) of a claim as the engine tracks it: the periods of ``incasso.law.limitation``
over the claim's due date and the days on which limitation was really interrupted.

Only acts that interrupt count (art. 3:317 lid 1, 3:318 BW), each on the day it took effect:
- a written reminder or letter, on the day it is (presumed) received (art. 3:37 lid 3 BW): an
  e-mail after the policy's delivery days, a posted letter on its presumed delivery day;
- a payment, on its value date, and an agreed payment arrangement: acknowledgements (art. 3:318 BW).
A phone call and an SMS do not count (not a written notice that reaches the debtor in full).
"""

from __future__ import annotations

import datetime as dt

from incasso.domain.models import Channel, Claim
from incasso.law.limitation import GENERAL_LIMITATION_YEARS, limitation_date
from incasso.law.terms import presumed_delivery

ONE_DAY = dt.timedelta(days=1)
# art. 3:308 BW — interest: five years from the day after it fell due (every day's interest falls due
# on its day).
INTEREST_LIMITATION_YEARS = GENERAL_LIMITATION_YEARS


def claim_limitation_date(claim: Claim) -> dt.date:
    """The last day before the claim is time-barred (art. 3:307 / 7:28, 3:319 BW)."""
    return limitation_date(claim.due_date, consumer_sale=claim.consumer_sale,
                           interruptions=claim.limitation_interruptions)


def is_time_barred(claim: Claim, today: dt.date) -> bool:
    return today > claim_limitation_date(claim)


def received_on(sent_on: dt.date, channel: Channel, *, email_delivery_days: int = 0,
                posting_days: int = 0) -> dt.date | None:
    """The day a written message interrupts limitation (art. 3:317 BW): when it is (presumed)
    received. None for a channel that does not interrupt (SMS)."""
    if channel is Channel.EMAIL:
        return sent_on + dt.timedelta(days=email_delivery_days)
    if channel is Channel.LETTER:
        return presumed_delivery(sent_on + dt.timedelta(days=posting_days))
    return None


def with_interruption(claim: Claim, day: dt.date | None) -> list[dt.date]:
    """The claim's interruptions with ``day`` added (kept sorted, without repeats)."""
    if day is None or day in claim.limitation_interruptions:
        return list(claim.limitation_interruptions)
    return sorted([*claim.limitation_interruptions, day])


def interest_barred_before(claim: Claim, as_of: dt.date) -> dt.date | None:
    """The first day whose interest is not time-barred on ``as_of`` (art. 3:308 BW); None when none is.

    The interest of a day is barred once five years have run from the next day without an
    interruption; a day later in the claim's life is never barred earlier than one before it.
    """
    first_day = claim.due_date + ONE_DAY

    def barred(day: dt.date) -> bool:
        return as_of > limitation_date(day, consumer_sale=False, interruptions=claim.limitation_interruptions)

    if not barred(first_day):
        return None
    low, high = first_day, as_of  # barred(low) holds; find the first day that is not barred
    if barred(high):
        return as_of + ONE_DAY
    while (high - low).days > 1:
        middle = low + (high - low) // 2
        if barred(middle):
            low = middle
        else:
            high = middle
    return high


def limitation_notice_due(claim: Claim, today: dt.date, interval_days: int) -> bool:
    """Debt monitoring: time to reserve the right in writing (art. 3:317 BW) before limitation runs out —
    when the limitation date falls before two more check-ins (at least half a year ahead)."""
    horizon = dt.timedelta(days=max(2 * interval_days, 183))
    return today <= claim_limitation_date(claim) <= today + horizon
