"""Sequences of claim writes for the aggregates' property tests: the same scenarios run on the in-memory
fake (tests/unit) and on the claims table on moto (tests/integration), and after any of them the summary
from the aggregates must equal the recount of every claim.

A step creates a claim, changes one through ``change_claim`` (as every service does), saves one with a
``previous`` that is not the stored claim (a caller's mistake the store must absorb), retries a write that
already happened (a stale version: nothing may be counted twice), or stores a claim the way it was
written before aggregates existed (the rebuild counts it once).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from incasso.domain.errors import ConcurrentModificationError
from incasso.domain.models import Amounts, Claim, ClaimStatus, Debtor, Stage
from incasso.services.versioned import Change, change_claim

AT = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.timezone.utc)
WARNINGS = ("interest computed with an unverified statutory rate", "business term over 60 days")

cents = st.integers(min_value=0, max_value=500_000)
shape = st.fixed_dictionaries({
    "status": st.sampled_from(list(ClaimStatus)),
    "stage": st.sampled_from(list(Stage)),
    "interest": st.integers(0, 20_000),
    "costs": st.integers(0, 20_000),
    "paid_share": st.integers(0, 100),
    "warnings": st.lists(st.sampled_from(WARNINGS), max_size=2, unique=True),
})
step = st.one_of(
    st.tuples(st.just("create"), st.integers(100, 900_000), st.integers(0, 400)),
    st.tuples(st.just("uncounted"), st.integers(100, 900_000), st.integers(0, 400)),
    st.tuples(st.just("change"), st.integers(0, 50), shape),
    st.tuples(st.just("wrong_previous"), st.integers(0, 50), shape),
    st.tuples(st.just("retry"), st.integers(0, 50), shape),
)
scenarios = st.lists(step, min_size=1, max_size=25)


def new_claim(tenant: str, n: int, principal_cents: int, days_before: int) -> Claim:
    principal = Decimal(principal_cents) / 100
    invoiced = dt.date(2025, 5, 1) - dt.timedelta(days=days_before)
    return Claim(tenant_id=tenant, claim_id=f"clm-{n}", invoice_number=f"F-{n}",
                 debtor=Debtor(name="Jan", type="consumer"), invoice_date=invoiced,
                 due_date=invoiced + dt.timedelta(days=14), principal=principal,
                 amounts=Amounts(principal=principal, outstanding=principal), created_at=AT, updated_at=AT)


def reshaped(claim: Claim, how: dict[str, Any]) -> Claim:
    interest, costs = Decimal(how["interest"]) / 100, Decimal(how["costs"]) / 100
    owed = claim.principal + interest + costs
    paid = (owed * how["paid_share"] / 100).quantize(Decimal("0.01"))
    return claim.model_copy(update={
        "status": how["status"], "stage": how["stage"], "warnings": list(how["warnings"]),
        "paid_principal": min(paid, claim.principal),
        "amounts": Amounts(principal=claim.principal, interest=interest, collection_costs=costs, paid=paid,
                           outstanding=owed - paid)})


def run(store: Any, tenant: str, steps: list[tuple], put_uncounted: Any) -> list[str]:
    """Plays ``steps`` on ``store``; answers the ids of the claims made."""
    ids: list[str] = []
    for n, (kind, *args) in enumerate(steps):
        if kind in ("create", "uncounted"):
            claim = new_claim(tenant, n, args[0], args[1])
            if kind == "create":
                store.create_claim(claim)
            else:
                put_uncounted(claim)
            ids.append(claim.claim_id)
            continue
        if not ids:
            continue
        claim_id, how = ids[args[0] % len(ids)], args[1]
        current = store.get_claim(tenant, claim_id)
        if kind == "change":
            change_claim(store, lambda: store.get_claim(tenant, claim_id), lambda c: Change(claim=reshaped(c, how)),
                         first=current, gave_up=RuntimeError)
        elif kind == "wrong_previous":
            # the caller hands a previous at the right version that is not what is stored
            wrong = reshaped(current, {**how, "status": ClaimStatus.PAID, "paid_share": 100})
            store.save_claim(reshaped(current, how), expected_version=current.version, previous=wrong)
        else:  # retry: the same write once more after it was made; the version condition refuses it
            store.save_claim(reshaped(current, how), expected_version=current.version, previous=current)
            try:
                store.save_claim(reshaped(current, how), expected_version=current.version, previous=current)
            except ConcurrentModificationError:
                pass
            else:
                raise AssertionError("a retried write was accepted")
    return ids
