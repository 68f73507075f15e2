"""The Dutch collection law as pure functions: no AWS, no clock, no I/O beyond the rate table file.

- ``wik``: collection costs (BIK staffel, art. 6:96 BW and Besluit BIK)
- ``interest``: statutory interest (art. 6:119 / 6:119a BW) with yearly capitalisation
- ``allocation``: payments over costs, interest, principal (art. 6:44 BW)
- ``terms``: business days, presumed delivery, the 14-day term (art. 6:96 lid 6 BW), call slots
- ``limitation``: verjaring (art. 3:307, 7:28, 3:317–3:319, 3:324 BW)
"""

from incasso.law.allocation import OverpaymentError, allocate
from incasso.law.interest import (
    InterestKind,
    InterestResult,
    RateNotKnownError,
    RateTable,
    RateTableError,
    Segment,
    compute_interest,
    default_rate_table,
    interest_kind_for,
    load_rate_table,
)
from incasso.law.limitation import is_time_barred, judgment_limitation_date, limitation_date
from incasso.law.terms import (
    FourteenDayTerm,
    business_day_on_or_after,
    fourteen_day_term,
    is_business_day,
    is_public_holiday,
    next_business_day,
    next_call_slot,
    presumed_delivery,
)
from incasso.law.wik import (
    CollectionCosts,
    collection_costs,
    collection_costs_after_partial_payment,
    compute_collection_costs,
)

__all__ = [
    "CollectionCosts",
    "FourteenDayTerm",
    "InterestKind",
    "InterestResult",
    "OverpaymentError",
    "RateNotKnownError",
    "RateTable",
    "RateTableError",
    "Segment",
    "allocate",
    "business_day_on_or_after",
    "collection_costs",
    "collection_costs_after_partial_payment",
    "compute_collection_costs",
    "compute_interest",
    "default_rate_table",
    "fourteen_day_term",
    "interest_kind_for",
    "is_business_day",
    "is_public_holiday",
    "is_time_barred",
    "judgment_limitation_date",
    "limitation_date",
    "load_rate_table",
    "next_business_day",
    "next_call_slot",
    "presumed_delivery",
]
