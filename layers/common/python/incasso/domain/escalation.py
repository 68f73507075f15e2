"""The trajectory as pure domain logic: which step comes next for a claim, and when.

Every run of the state machine asks ``decide``; the answer is one of: take a step now, wait until an
instant, pause (dispute), follow an arrangement, or stop. A wait is not held in the state machine: the run
ends and the claim records the day of its next run (``next_action_day``, the due index the sweep reads).
No AWS, no clock: ``today`` is passed in.
"""

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import ConfigDict

from incasso.domain.base import DeferredModel
from incasso.domain.limitation import is_time_barred
from incasso.domain.models import Claim, ClaimStatus, DebtorType, Instalment, MessageKind, Policy, Stage
from incasso.domain.send_window import held_until
from incasso.money import ZERO

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Steps are taken in the morning (Dutch time), after the daily sweep has run.
STEP_TIME = dt.time(8, 0)
# An instalment counts as missed when it is still unpaid this many days after its due date.
INSTALMENT_GRACE_DAYS = 3
TIME_BARRED = "time_barred"


class Action(StrEnum):
    STEP = "step"  # take `step` now
    WAIT = "wait"  # the run ends; the next one starts at `wait_until` and decides again
    PAUSE = "pause"  # the run ends until the dispute is resolved (the API's resolve starts the next)
    CLOSE = "close"  # the claim is settled: close it with `outcome`
    RESUME = "resume"  # an arrangement instalment was missed: back into collection, decide again
    END = "end"  # nothing more for this execution (debt monitoring, needs attention)


class Decision(DeferredModel):
    model_config = ConfigDict(frozen=True)

    action: Action
    step: Stage | None = None
    wait_until: dt.datetime | None = None
    outcome: ClaimStatus | None = None
    reason: str = ""


def notice_step(claim: Claim) -> Stage:
    # art. 6:96 lid 6 BW: consumers get the 14-day letter; businesses a notice of default.
    if claim.debtor.type is DebtorType.CONSUMER:
        return Stage.FOURTEEN_DAY_LETTER
    return Stage.NOTICE_OF_DEFAULT


def route(claim: Claim, policy: Policy) -> list[tuple[Stage, int]]:
    """The pre-court steps for this claim with their day offsets after the due date."""
    steps = [(Stage.REMINDER_1, policy.reminder_1_days), (Stage.REMINDER_2, policy.reminder_2_days)]
    if policy.call_enabled and claim.debtor.phone:
        steps.append((Stage.CALL_SCHEDULED, policy.call_days))
    steps.append((notice_step(claim), policy.notice_days))
    return steps


def scheduled_on(claim: Claim, policy: Policy, step: Stage) -> dt.date:
    """The day ``step`` is due. A late claim keeps the policy's gaps between steps, so that a claim
    handed over long after its due date does not get two reminders on one day."""
    if step is Stage.LEGAL_REVIEW:
        # After the term of the 14-day letter / notice has run out (art. 6:96 lid 6 BW).
        assert claim.term_ends_on is not None
        return claim.term_ends_on + dt.timedelta(days=1)
    if step is Stage.BAILIFF_FILING:
        # The file goes to the bailiff on the day the legal review found court action worthwhile.
        return claim.step_dates[Stage.LEGAL_REVIEW.value]
    steps = route(claim, policy)
    previous_offset, previous_day = None, None
    for candidate, offset in steps:
        day = claim.due_date + dt.timedelta(days=offset)
        if previous_day is not None:
            # Never two steps on one day, even where the policy gives two steps the same offset.
            day = max(day, previous_day + dt.timedelta(days=max(1, offset - previous_offset)))
        if candidate is step:
            return day
        taken = claim.step_dates.get(candidate.value)
        if taken is None:
            return day  # earlier step not yet taken: this one cannot be due before it
        previous_offset, previous_day = offset, taken
    raise ValueError(f"{step} is not on the route of claim {claim.claim_id}")


def pre_due_on(claim: Claim, policy: Policy) -> dt.date | None:
    """The day of the friendly reminder before the due date (``pre_due_reminder_days``), while it may
    still go: the policy asks for one and no step has been taken yet. It is never sent on or after the
    due date (``decide`` skips it then); the trajectory's own steps keep their days after the due date."""
    if not policy.pre_due_reminder_days or claim.step_dates:
        return None
    return claim.due_date - dt.timedelta(days=policy.pre_due_reminder_days)


def next_action_day(decision: Decision, today: dt.date) -> dt.date | None:
    """The Dutch day on which the claim's next run is due, as the claim records it for the sweep: the day
    a wait ends, today for a step still to take (a run that is lost is started again by the next sweep),
    none when nothing is planned (closed, paused, with the bailiff, awaiting a person)."""
    if decision.action is Action.WAIT and decision.wait_until is not None:
        return decision.wait_until.astimezone(AMSTERDAM).date()
    if decision.action in (Action.STEP, Action.RESUME):
        return today
    return None


def first_action_on(due_date: dt.date, policy: Policy) -> dt.date:
    """The day the daily sweep first takes a new claim up: the pre-due reminder's, else the first reminder's."""
    if policy.pre_due_reminder_days:
        return due_date - dt.timedelta(days=policy.pre_due_reminder_days)
    return due_date + dt.timedelta(days=policy.reminder_1_days)


def step_instant(day: dt.date) -> dt.datetime:
    """The UTC instant at which a step due on ``day`` is taken."""
    return dt.datetime.combine(day, STEP_TIME, tzinfo=AMSTERDAM).astimezone(dt.timezone.utc)


def next_step(claim: Claim, policy: Policy) -> Stage | None:
    for step, _ in route(claim, policy):
        if step.value not in claim.step_dates:
            return step
    if Stage.LEGAL_REVIEW.value not in claim.step_dates:
        return Stage.LEGAL_REVIEW
    if Stage.BAILIFF_FILING.value not in claim.step_dates and claim.status is ClaimStatus.IN_COLLECTION:
        if claim.legal_approved_on is not None:  # the tenant weighed the advice and approved court action
            return Stage.BAILIFF_FILING if policy.bailiff_enabled else None
        return Stage.BAILIFF_FILING if bailiff_worthwhile(claim, policy) else None
    return None


def bailiff_worthwhile(claim: Claim, policy: Policy) -> bool:
    """Court and bailiff only where the tenant allows it and the amount is worth the costs."""
    return policy.bailiff_enabled and claim.amounts.outstanding >= policy.bailiff_min_outstanding


def first_open_instalment(claim: Claim) -> Instalment | None:
    """The first instalment of the claim's arrangement not yet covered by what was paid since."""
    arrangement = claim.arrangement
    assert arrangement is not None
    paid_since = claim.amounts.paid - arrangement.paid_at_start
    cumulative = ZERO
    for instalment in sorted(arrangement.instalments, key=lambda i: i.due_date):
        cumulative += instalment.amount
        if paid_since < cumulative:
            return instalment
    return None


def arrangement_state(claim: Claim, today: dt.date) -> tuple[str, dt.date | None]:
    """('kept', next check day) | ('missed', None) | ('completed', None) for a claim on an arrangement."""
    instalment = first_open_instalment(claim)
    if instalment is None:
        return "completed", None
    deadline = instalment.due_date + dt.timedelta(days=INSTALMENT_GRACE_DAYS)
    if today > deadline:
        return "missed", None
    return "kept", deadline + dt.timedelta(days=1)


def decide(claim: Claim, policy: Policy, today: dt.date, *, ready: bool = True,
           now: dt.datetime | None = None) -> Decision:
    """What to do with ``claim`` on ``today``. ``ready``: the tenant's profile is complete; until it is,
    nothing goes out (CONTRACT.md §7) and the claim waits, checked again the next morning. ``now``: the
    instant of asking, for the policy's send window (None: the morning step time of ``today``)."""
    if not ready and claim.status not in (ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE) \
            and claim.amounts.outstanding > Decimal("0"):
        return Decision(action=Action.WAIT, wait_until=step_instant(today + dt.timedelta(days=1)),
                        reason="waiting for the creditor's profile")
    if claim.status in (ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE):
        return Decision(action=Action.CLOSE, outcome=claim.status, reason=f"claim is {claim.status.value}")
    if claim.amounts.outstanding <= Decimal("0") and claim.disputed_amount is not None:
        # Disputes in part (docs/law.md): the undisputed part is paid; the disputed part awaits resolution.
        return Decision(action=Action.PAUSE, reason="the undisputed part is paid; the disputed part is disputed")
    if claim.amounts.outstanding <= Decimal("0"):
        return Decision(action=Action.CLOSE, outcome=ClaimStatus.PAID, reason="paid in full")
    if Stage.BAILIFF_FILING.value not in claim.step_dates and is_time_barred(claim, today):
        # art. 3:307 / 7:28 BW: past its limitation date a claim is neither charged nor taken to court.
        return Decision(action=Action.CLOSE, outcome=ClaimStatus.UNCOLLECTIBLE, reason=TIME_BARRED)
    if claim.status is ClaimStatus.PAUSED:
        return Decision(action=Action.PAUSE, reason="disputed")
    if claim.status is ClaimStatus.AWAITING_APPROVAL:
        return Decision(action=Action.END, reason="court action awaits the tenant's approval")
    if claim.status in (ClaimStatus.NEEDS_ATTENTION, ClaimStatus.DEBT_MONITORING):
        return Decision(action=Action.END, reason=f"claim is {claim.status.value}")
    if claim.status is ClaimStatus.ARRANGEMENT:
        state, check_on = arrangement_state(claim, today)
        if state == "missed":
            return Decision(action=Action.RESUME, reason="instalment missed")
        if state == "completed":
            return Decision(action=Action.CLOSE, outcome=ClaimStatus.PAID, reason="arrangement completed")
        assert check_on is not None
        return Decision(action=Action.WAIT, wait_until=step_instant(check_on), reason="arrangement kept")
    if Stage.BAILIFF_FILING.value in claim.step_dates:
        return Decision(action=Action.END, reason="with the bailiff")
    if claim.promised_on is not None and today <= claim.promised_on:
        # A promise to pay (made on the call) is given its chance before the next step.
        return Decision(action=Action.WAIT, wait_until=step_instant(claim.promised_on + dt.timedelta(days=1)),
                        reason=f"promised to pay by {claim.promised_on}")
    pre_due = pre_due_on(claim, policy)
    if pre_due is not None and today < claim.due_date:
        step: Stage | None = Stage.PRE_DUE_REMINDER
        due = pre_due
    else:
        step = next_step(claim, policy)
        if step is None:
            return Decision(action=Action.CLOSE, outcome=ClaimStatus.DEBT_MONITORING,
                            reason="court action not worthwhile: debt monitoring")
        due = scheduled_on(claim, policy, step)
    if due > today:
        return Decision(action=Action.WAIT, step=step, wait_until=step_instant(due), reason=f"{step.value} due {due}")
    opening = _send_window_opening(claim, policy, step, now or step_instant(today))
    if opening is not None:
        return Decision(action=Action.WAIT, step=step, wait_until=opening,
                        reason=f"{step.value} waits for the send window")
    return Decision(action=Action.STEP, step=step, reason=f"{step.value} due {due}")


def _send_window_opening(claim: Claim, policy: Policy, step: Stage, instant: dt.datetime) -> dt.datetime | None:
    """When the message of ``step`` may go, if not now (``incasso.domain.send_window``)."""
    try:
        kind = MessageKind(step.value)
    except ValueError:
        return None  # a step without a message to the debtor (the legal review)
    return held_until(policy, claim.debtor, kind, instant)
