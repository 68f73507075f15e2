"""The credit check before trade: a score (0-100), a payment term and a credit limit for one debtor of one
tenant, with the reasons in words.

It reads the debtor's payment behaviour at this tenant (``incasso.domain.debtors.PaymentBehaviour``) and,
where one was consulted, an external bureau's report (``BureauReport``, from the ``CreditBureau`` port).
Nothing else: no other tenant's claims reach it, so one tenant's experience never informs another's
score. The weights and bands are choices, not law; docs/debtors.md gives each with its reason.

Pure: no AWS, no clock.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from pydantic import Field

from incasso.domain.debtors import PaymentBehaviour, stage_rank
from incasso.domain.base import Model
from incasso.domain.models import Stage
from incasso.money import ZERO, Money

MAX_SCORE = 100
# A debtor that has not paid an invoice yet starts here at most: nothing shows how they pay.
NO_HISTORY_CAP = 60
# Penalties (points off 100), each with its cap.
POINTS_PER_DAY_LATE = Decimal("1")
DAYS_LATE_CAP = 30
# The further a paid invoice had to be pushed, the more it costs (averaged over the paid invoices).
STAGE_POINTS = (
    (Stage.LEGAL_REVIEW, 25),
    (Stage.FOURTEEN_DAY_LETTER, 15),  # the 14-day letter or the notice of default
    (Stage.CALL_SCHEDULED, 10),
    (Stage.REMINDER_2, 5),
)
STAGE_CAP = 25
BROKEN_ARRANGEMENT_POINTS, BROKEN_ARRANGEMENTS_CAP = 10, 20
DISPUTE_POINTS, DISPUTES_CAP = 3, 9  # a dispute may be justified: it weighs little
UNCOLLECTIBLE_POINTS, UNCOLLECTIBLE_CAP = 65, 65  # on its own enough for payment in advance
# What an open claim's furthest step costs now.
OPEN_STAGE_POINTS = (
    (Stage.LEGAL_REVIEW, 30),
    (Stage.FOURTEEN_DAY_LETTER, 20),
    (Stage.CALL_SCHEDULED, 10),
    (Stage.REMINDER_1, 5),
)
# With a bureau's score, the blend: the tenant's own experience weighs most.
OWN_WEIGHT, BUREAU_WEIGHT = Decimal("0.6"), Decimal("0.4")


@dataclass(frozen=True)
class Band:
    """What a score from ``minimum`` up gets: a payment term and a limit as a multiple of the largest invoice.
    A constant of this module, never validated input: a dataclass (a model here was built at import)."""

    minimum: int
    name: str
    payment_term_days: int
    limit_factor: Decimal


BANDS = (
    Band(minimum=80, name="good", payment_term_days=30, limit_factor=Decimal("3")),
    Band(minimum=60, name="fair", payment_term_days=14, limit_factor=Decimal("1.5")),
    Band(minimum=40, name="weak", payment_term_days=7, limit_factor=Decimal("0.5")),
    Band(minimum=0, name="poor", payment_term_days=0, limit_factor=Decimal("0")),
)
LIMIT_STEP = Decimal("10")  # limits are whole tens of euros, rounded down


class BureauReport(Model):
    """What an external credit bureau (Graydon, Creditsafe, ...) said about the debtor."""

    bureau: str
    score: int = Field(ge=0, le=MAX_SCORE, description="the bureau's score mapped onto 0-100")
    credit_limit: Money | None = None
    retrieved_on: dt.date


class CreditSource(Model):
    name: str
    used: bool
    note: str


class CreditAssessment(Model):
    score: int = Field(ge=0, le=MAX_SCORE)
    band: str
    payment_term_days: int = Field(description="0: deliver only against payment in advance")
    credit_limit: Money
    available_credit: Money = Field(description="the limit less what is open now, not below 0.00")
    reasons: list[str]
    sources: list[CreditSource]


def _stage_points(stage: Stage, table: tuple[tuple[Stage, int], ...]) -> int:
    for threshold, points in table:
        if stage_rank(stage) >= stage_rank(threshold):
            return points
    return 0


def _euros(amount: Decimal) -> str:
    return f"EUR {amount:.2f}"


def own_score(record: PaymentBehaviour) -> tuple[int, list[str]]:
    """The score from the tenant's own experience, and why."""
    score, reasons = Decimal(MAX_SCORE), []
    paid = record.paid_claims
    if paid:
        late = record.average_days_late or Decimal(0)
        points = min(Decimal(DAYS_LATE_CAP), late * POINTS_PER_DAY_LATE)
        score -= points
        reasons.append(f"paid {len(paid)} invoice(s) on average {late} days after the due date (-{points:.0f})"
                       if late > 0 else f"paid all {len(paid)} invoice(s) on time")
        stage_points = Decimal(sum(_stage_points(p.stage_reached, STAGE_POINTS) for p in paid)) / len(paid)
        stage_points = min(Decimal(STAGE_CAP), stage_points).quantize(Decimal(1), ROUND_HALF_UP)
        if stage_points:
            furthest = max((p.stage_reached for p in paid), key=stage_rank)
            score -= stage_points
            reasons.append(f"paid invoices needed reminders or letters, the furthest {furthest.value} (-{stage_points})")
    if record.broken_arrangements:
        points = min(BROKEN_ARRANGEMENTS_CAP, record.broken_arrangements * BROKEN_ARRANGEMENT_POINTS)
        score -= points
        reasons.append(f"broke {record.broken_arrangements} payment arrangement(s) (-{points})")
    if record.disputes:
        points = min(DISPUTES_CAP, record.disputes * DISPUTE_POINTS)
        score -= points
        reasons.append(f"disputed {record.disputes} time(s) (-{points})")
    if record.uncollectible_claims:
        points = min(UNCOLLECTIBLE_CAP, record.uncollectible_claims * UNCOLLECTIBLE_POINTS)
        score -= points
        reasons.append(f"{record.uncollectible_claims} claim(s) closed as uncollectible (-{points})")
    open_points = _stage_points(record.furthest_open_stage, OPEN_STAGE_POINTS)
    if open_points:
        score -= open_points
        reasons.append(f"{record.overdue_open_claims} open claim(s) overdue, the furthest at "
                       f"{record.furthest_open_stage.value} (-{open_points})")
    elif record.open_claims:
        reasons.append(f"{record.open_claims} open claim(s), none in collection yet")
    if not paid and score > NO_HISTORY_CAP:
        score = Decimal(NO_HISTORY_CAP)
        reasons.append(f"no invoice paid yet at this creditor: a new customer starts at {NO_HISTORY_CAP} at most")
    return int(max(Decimal(0), score).quantize(Decimal(1), ROUND_HALF_UP)), reasons


def band_for(score: int) -> Band:
    return next(band for band in BANDS if score >= band.minimum)


def credit_check(record: PaymentBehaviour, *, largest_invoice: Decimal, bureau: BureauReport | None = None,
                 bureau_note: str = "not consulted") -> CreditAssessment:
    """The assessment of one debtor at one tenant: ``record`` is that tenant's experience,
    ``largest_invoice`` the largest principal that tenant invoiced the debtor, ``bureau`` an external
    report where one was consulted (``bureau_note`` says why not otherwise)."""
    score, reasons = own_score(record)
    sources = [CreditSource(name="payment_record", used=True,
                            note=f"{record.claims} claim(s) of this debtor at this creditor only")]
    if bureau is not None:
        blended = (OWN_WEIGHT * score + BUREAU_WEIGHT * bureau.score).quantize(Decimal(1), ROUND_HALF_UP)
        reasons.append(f"{bureau.bureau} scores the debtor {bureau.score}; blended {OWN_WEIGHT}/{BUREAU_WEIGHT} "
                       f"with {score} from the payment record")
        score = int(blended)
        sources.append(CreditSource(name=bureau.bureau, used=True, note=f"report of {bureau.retrieved_on.isoformat()}"))
    else:
        sources.append(CreditSource(name="credit_bureau", used=False, note=bureau_note))
    band = band_for(score)
    limit = (largest_invoice * band.limit_factor / LIMIT_STEP).to_integral_value(ROUND_FLOOR) * LIMIT_STEP
    limit = limit.quantize(Decimal("0.01"))
    if band.limit_factor:
        reasons.append(f"score {score} ({band.name}): a limit of {band.limit_factor} times the largest invoice "
                       f"({_euros(largest_invoice)}) and {band.payment_term_days} days to pay")
    else:
        reasons.append(f"score {score} ({band.name}): deliver only against payment in advance")
    if bureau is not None and bureau.credit_limit is not None and bureau.credit_limit < limit:
        limit = bureau.credit_limit.quantize(Decimal("0.01"))
        reasons.append(f"{bureau.bureau} advises at most {_euros(limit)}")
    available = max(ZERO, limit - record.open_amount).quantize(Decimal("0.01"))
    if record.open_amount > 0:
        reasons.append(f"{_euros(record.open_amount)} is open now, leaving {_euros(available)} of the limit")
    return CreditAssessment(score=score, band=band.name, payment_term_days=band.payment_term_days,
                            credit_limit=limit, available_credit=available, reasons=reasons, sources=sources)
