"""The legal review's advice before the court phase (docs/law.md, "The legal phase").

What a lawyer weighs before a bailiff is instructed:
- blocking reasons, which make court action fail whatever it costs: no postal address (the summons is
  served at the debtor's home, art. 45-47 Rv), the claim time-barred or about to be before a judgment
  could interrupt it (art. 3:307, 3:316 BW); an amount below the tenant's minimum for court action
  is advised ``write_off`` too, but goes to debt monitoring rather than to a person;
- what the creditor advances: the court fee (griffierecht, Wet griffierechten burgerlijke zaken; only
  the claimant pays in kanton cases) and the bailiff's fees for the summons and the service of the
  judgment (BTAG) — recoverable from the debtor only if the court awards them and the debtor can pay;
- the competent court: the kantonrechter up to EUR 25,000 (art. 93 Rv), the rechtbank above.
The recommendation: ``write_off`` with a blocking reason; ``settle`` when what the creditor advances
would take half or more of what is owed; otherwise ``proceed``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from functools import lru_cache
from importlib import resources

from incasso.domain.limitation import claim_limitation_date
from incasso.domain.models import Claim, LegalAdvice, Policy, Recommendation, Tenant
from incasso.law.court_fees import estimate_court_fee
from incasso.law.wik import collection_costs
from incasso.money import ZERO, money

BAILIFF_TARIFFS_ENV = "INCASSO_BAILIFF_TARIFFS_FILE"
# A court case takes months; a claim whose limitation date is nearer than this cannot wait for it.
LIMITATION_MARGIN = dt.timedelta(days=60)
SETTLE_SHARE = Decimal("0.5")


@lru_cache(maxsize=4)
def _tariffs(path: str | None) -> tuple[dict, ...]:
    text = open(path, encoding="utf-8").read() if path else \
        resources.files("incasso").joinpath("data/bailiff_tariffs.json").read_text(encoding="utf-8")
    rows = json.loads(text)["tariffs"]
    return tuple(sorted(rows, key=lambda row: row["valid_from"]))


def bailiff_costs(on: dt.date) -> tuple[Decimal, bool]:
    """Summons + service of the judgment (BTAG) in force on ``on``, and whether that row is verified."""
    rows = _tariffs(os.environ.get(BAILIFF_TARIFFS_ENV) or None)
    in_force = [row for row in rows if dt.date.fromisoformat(row["valid_from"]) <= on] or [rows[0]]
    row = in_force[-1]
    return money(row["summons"]) + money(row["service_of_judgment"]), bool(row["verified"])


def legal_advice(claim: Claim, tenant: Tenant, today: dt.date) -> LegalAdvice:
    policy: Policy = tenant.policy
    amounts = claim.amounts
    outstanding = amounts.outstanding
    claim_value = max(amounts.principal + amounts.interest + amounts.collection_costs + amounts.collection_costs_vat
                      - amounts.paid, money("0.01"))
    fee = estimate_court_fee(claim_value, tenant.creditor_type, today)
    bailiff, bailiff_verified = bailiff_costs(today)
    advanced = (fee.fee or ZERO) + bailiff
    lapses_on = claim_limitation_date(claim)
    address_known = claim.debtor.address is not None

    blocking: list[str] = []
    if not address_known:
        blocking.append("no postal address: the bailiff cannot serve a summons (art. 45-47 Rv)")
    if lapses_on < today + LIMITATION_MARGIN:
        blocking.append(f"the claim is time-barred from {lapses_on + dt.timedelta(days=1)} (art. 3:307 BW): "
                        "too soon for a judgment")
    reasons = list(blocking)
    net = outstanding - advanced
    if blocking:
        recommendation = Recommendation.WRITE_OFF
    elif outstanding < policy.bailiff_min_outstanding:
        # Not a blocking reason: such claims go to debt monitoring, where a later payment is still seen.
        recommendation = Recommendation.WRITE_OFF
        reasons.append(f"{outstanding} outstanding is below the tenant's minimum of {policy.bailiff_min_outstanding} "
                       "for court action: debt monitoring instead")
    elif advanced >= outstanding * SETTLE_SHARE:
        recommendation = Recommendation.SETTLE
        reasons.append(f"the court fee and bailiff's fees ({advanced}) are half or more of the {outstanding} "
                       "outstanding: offer a settlement or an arrangement first")
    else:
        recommendation = Recommendation.PROCEED
        reasons.append(f"{outstanding} outstanding against {advanced} to advance (court fee and bailiff's fees, "
                       "recoverable if the court awards them)")
    reasons.append(f"competent court: the {fee.court} (art. 93 Rv)")
    above_staffel = agreed_costs_above_staffel(claim)
    if above_staffel > 0:
        # HR 10-07-2015, ECLI:NL:HR:2015:1868: the court may reduce agreed costs to the staffel of its own motion.
        reasons.append(f"the agreed collection costs are {above_staffel} above the staffel of the Besluit BIK: the "
                       "court may reduce them to the staffel unless higher actual costs are shown (HR 10-07-2015, "
                       "ECLI:NL:HR:2015:1868)")
        net -= above_staffel
    return LegalAdvice(
        recommendation=recommendation, reasons=reasons, blocking=blocking, court=fee.court, claim_value=claim_value,
        court_fee=fee.fee, bailiff_costs=bailiff, limitation_date=lapses_on, address_known=address_known,
        expected_net_recovery=net, verified=fee.verified and bailiff_verified,
    )


def agreed_costs_above_staffel(claim: Claim) -> Decimal:
    """How far the agreed collection costs booked exceed the staffel over the whole principal (zero when
    the staffel was used, or the agreement asks less): at least the part a court may strike (HR 10-07-2015).
    The whole principal, not what was unpaid at the term's end, so the excess is never overstated."""
    notice = claim.notice
    if notice is None or not notice.agreed or claim.amounts.collection_costs <= 0:
        return ZERO
    staffel = collection_costs(claim.amounts.principal) if claim.amounts.principal > 0 else ZERO
    return max(claim.amounts.collection_costs - staffel, ZERO)
