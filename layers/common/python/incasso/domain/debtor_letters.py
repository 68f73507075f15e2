"""One debtor, many invoices: the letters of one kind due for one debtor on one day go out as one
(CONTRACT.md §6), and a combined 14-day letter or notice of default charges the staffel once, over
the sum of its invoices (docs/law.md, "One debtor, many invoices").

A *letter group* is decided by the first of the debtor's claims to take the step that day and kept
(``DebtorLetters`` port), so every other claim of the group takes its share from the same record:
- members: the claims of the tenant with the same ``debtor.reference`` and the same contact details
  (type, language, e-mail, address: one letter reaches one addressee by one channel) that take this
  step today; claims at other stages are neither pulled forward nor held back;
- costs (staffel only): computed over the sum of the members' unpaid principal, divided in proportion
  to each member's principal; cents that do not divide go to the largest claim. A member with costs
  agreed for itself, or a tenant using the flat EUR 40 of art. 6:96 lid 4 BW, keeps its own costs.
"""

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from typing import Iterable, Mapping

from pydantic import Field

from incasso.domain.base import Model
from incasso.domain.models import Amounts, Claim, DebtorType, MessageKind, Policy, Stage, Tenant
from incasso.domain.escalation import Action, decide
from incasso.domain.notices import agreed_costs
from incasso.law.cumulation import EarlierLetter, room_under_cap
from incasso.law.wik import compute_collection_costs
from incasso.money import ZERO, Money, round_cents

CENT = Decimal("0.01")
# The messages of the trajectory's own steps; confirmations and letters to the bailiff stay per claim.
COMBINED_KINDS = frozenset({MessageKind.PRE_DUE_REMINDER, MessageKind.REMINDER_1, MessageKind.REMINDER_2,
                            MessageKind.CALL_SCHEDULED, MessageKind.FOURTEEN_DAY_LETTER,
                            MessageKind.NOTICE_OF_DEFAULT})
NOTICE_STEPS = frozenset({Stage.FOURTEEN_DAY_LETTER, Stage.NOTICE_OF_DEFAULT})


class Share(Model):
    """One member's part of the letter's collection costs."""

    costs: Money = ZERO
    vat: Money = ZERO


class LetterInvoice(Model):
    """One invoice of a combined letter as it lists it: the claim, its amounts on the letter's date and,
    in a notice, its part of the collection costs the letter announces."""

    claim: Claim
    amounts: Amounts
    costs: Money = ZERO
    vat: Money = ZERO


class LetterGroup(Model):
    """The claims of one debtor in one letter of ``kind`` on ``day``, and how its costs are divided."""

    tenant_id: str
    debtor_reference: str
    kind: MessageKind
    day: dt.date
    members: list[str] = Field(min_length=1, description="claim ids, the deciding claim first")
    basis: Money = ZERO  # the summed unpaid principal the staffel was applied to (notices only)
    costs: Money = ZERO
    vat: Money = ZERO
    shares: dict[str, Share] = Field(default_factory=dict, description="per member sharing the staffel")

    @property
    def combined(self) -> bool:
        return len(self.members) > 1


def contact_of(claim: Claim) -> tuple:
    """What must be equal for two claims to share a letter: one addressee, one channel, one language."""
    debtor = claim.debtor
    return (debtor.type, debtor.language, (debtor.email or "").lower(),
            debtor.address.model_dump_json() if debtor.address else "")


def split_in_proportion(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """``total`` divided over the keys in proportion to their weights, each share rounded down to cents
    and the cents left over added to the largest weight (the first of equals, by key), so the shares add
    up to ``total`` exactly."""
    if not weights:
        return {}
    whole = sum(weights.values(), ZERO)
    if whole <= 0:
        raise ValueError("the weights must add up to more than zero")
    shares = {key: (total * weight / whole).quantize(CENT, rounding=ROUND_DOWN) for key, weight in weights.items()}
    largest = min(weights, key=lambda key: (-weights[key], key))
    shares[largest] += total - sum(shares.values(), ZERO)
    return shares


def shares_staffel(claim: Claim, policy: Policy) -> bool:
    """Whether the claim's notice costs come from the staffel, which a combined letter applies once."""
    return agreed_costs(claim) is None and not (claim.debtor.type is DebtorType.BUSINESS and policy.business_flat_fee)


def earlier_small_letters(claim: Claim, others: Iterable[Claim], exclude: Iterable[str] = ()) -> list[EarlierLetter]:
    """The debtor's other letters that announced staffel costs, for the stacking cap (``law.cumulation``)."""
    skip = {claim.claim_id, *exclude}
    return [EarlierLetter(sent_on=o.notice.sent_on, principal=o.principal, costs=o.notice.costs)
            for o in others if o.claim_id not in skip and o.notice is not None and o.notice.costs > 0
            and not o.notice.flat_fee and not o.notice.agreed]


def capped(costs: Decimal, vat: Decimal, room: Decimal | None) -> tuple[Decimal, Decimal]:
    """Costs (and their VAT, in proportion) cut to the room the stacking cap leaves; None: no cap."""
    if room is None or costs <= room:
        return costs, vat
    return room, round_cents(vat * room / costs) if costs > 0 else ZERO


def decide_group(tenant_id: str, claim: Claim, kind: MessageKind, day: dt.date, companions: Iterable[Claim],
                 policy: Policy, earlier: Iterable[EarlierLetter] = ()) -> LetterGroup:
    """The group ``claim`` decides as the first of its debtor's claims to take the step of ``kind``
    today; ``companions``: the debtor's other claims that take it today too (already filtered);
    ``earlier``: the debtor's earlier letters that count towards the stacking cap."""
    alike = (contact_of(claim), shares_staffel(claim, policy))
    members = [claim, *sorted((c for c in companions if (contact_of(c), shares_staffel(c, policy)) == alike),
                              key=lambda c: c.claim_id)]
    group = LetterGroup(tenant_id=tenant_id, debtor_reference=claim.debtor.reference or "", kind=kind, day=day,
                        members=[m.claim_id for m in members])
    if Stage(kind.value) not in NOTICE_STEPS:
        return group
    sharing = [m for m in members if shares_staffel(m, policy)]
    unpaid = {m.claim_id: m.amounts.principal - m.paid_principal for m in sharing}
    unpaid = {key: value for key, value in unpaid.items() if value > 0}
    if len(unpaid) < 2:
        return group  # nothing to share: each member's own costs
    costs = compute_collection_costs(list(unpaid.values()), debtor_type=claim.debtor.type,
                                     creditor_vat_deductible=not policy.vat_uplift)
    principals = {key: next(m.amounts.principal for m in sharing if m.claim_id == key) for key in unpaid}
    cost_shares = split_in_proportion(costs.costs, principals)
    vat_shares = split_in_proportion(costs.vat, principals)
    # The stacking cap (Stb. 2024, 44), small invoices the oldest first, each after the letters before it.
    counted = list(earlier)
    shares: dict[str, Share] = {}
    for member in sorted((m for m in sharing if m.claim_id in unpaid), key=lambda m: (m.due_date, m.claim_id)):
        key = member.claim_id
        own, vat = capped(cost_shares[key], vat_shares[key], room_under_cap(member.principal, day, counted))
        shares[key] = Share(costs=own, vat=vat)
        counted.append(EarlierLetter(sent_on=day, principal=member.principal, costs=own))
    return group.model_copy(update={
        "basis": costs.basis, "costs": sum((s.costs for s in shares.values()), ZERO),
        "vat": sum((s.vat for s in shares.values()), ZERO), "shares": shares})


def takes_step_today(claim: Claim, tenant: Tenant, step: Stage, today: dt.date, now: dt.datetime) -> bool:
    """Whether ``claim`` took ``step`` today or takes it now: only such claims share a letter, so no
    step is pulled forward or held back."""
    if claim.step_dates.get(step.value) == today:
        return True
    decision = decide(claim, tenant.policy, today, ready=tenant.ready, now=now)
    return decision.action is Action.STEP and decision.step is step


class MemberAtTermEnd(Model):
    """One claim of a combined notice when its term ended: what the split weighs and what it caps."""

    principal: Money
    unpaid: Money  # the principal unpaid at the end of the term (HR 2016)
    announced_costs: Money
    announced_vat: Money = ZERO


def shared_term_costs(claim_id: str, members: Mapping[str, MemberAtTermEnd], *, debtor_type: DebtorType,
                      creditor_vat_deductible: bool) -> Share:
    """This claim's part of the costs owed after a combined notice's term: the staffel over the sum of
    what stayed unpaid of its invoices (HR 2016: over the unpaid part; Besluit BIK: invoices of one letter
    added up), divided over the invoices still unpaid in proportion to their principal, and never more
    than this claim's letter announced."""
    unpaid = {key: member for key, member in members.items() if member.unpaid > 0}
    if claim_id not in unpaid:
        return Share()
    owed = compute_collection_costs([member.unpaid for member in unpaid.values()], debtor_type=debtor_type,
                                    creditor_vat_deductible=creditor_vat_deductible)
    weights = {key: member.principal for key, member in unpaid.items()}
    own = unpaid[claim_id]
    return Share(costs=min(split_in_proportion(owed.costs, weights)[claim_id], own.announced_costs),
                 vat=min(split_in_proportion(owed.vat, weights)[claim_id], own.announced_vat))
