"""The 14-day letter (art. 6:96 lid 6 BW) or notice of default as it goes out: the costs it names and
its term, computed for the channel the letter actually goes by.

- The term runs fourteen days from the day after receipt (HR 25-11-2016, ECLI:NL:HR:2016:2704): a
  posted letter is presumed delivered on the second day after posting, Sundays, Mondays and public
  holidays not counted; an e-mail after the policy's delivery days. When the policy says e-mail but
  the debtor has no e-mail address, the letter goes by post and the term is that of post.
- A letter goes to the post ``letter_posting_days`` after the step (the print-and-post run); the
  term counts from that day, so a late posting never makes the stated term too short.
- What the letter demands is what is owed on its date, without the costs it announces (those are
  owed only if the term runs out unpaid); the fixed EUR 40 of art. 6:96 lid 4 BW is booked at once.
"""

from __future__ import annotations

import datetime as dt

from incasso.domain.channels import channel_for
from incasso.domain.models import AgreedCollectionCosts, Channel, Claim, DebtorType, MessageKind, Notice, Policy, Stage
from incasso.law.terms import fourteen_day_term
from incasso.law.wik import CollectionCosts, compute_collection_costs


def notice_costs(claim: Claim, policy: Policy) -> CollectionCosts:
    """The costs the letter names: the staffel over the principal still unpaid (or the flat EUR 40), or
    the costs agreed with a business debtor (art. 6:96 lid 5 BW)."""
    return compute_collection_costs([claim.amounts.principal - claim.paid_principal], debtor_type=claim.debtor.type,
                                    creditor_vat_deductible=not policy.vat_uplift,
                                    business_flat_fee=policy.business_flat_fee, agreed=agreed_costs(claim))


def agreed_costs(claim: Claim) -> AgreedCollectionCosts | None:
    """The claim's agreed collection costs where they may apply: with a business debtor only."""
    return claim.agreed_collection_costs if claim.debtor.type is DebtorType.BUSINESS else None


def build_notice(claim: Claim, policy: Policy, step: Stage, today: dt.date, costs: CollectionCosts) -> Notice:
    """The letter of ``step`` sent on ``today`` for ``claim`` as settled on that day (flat fee booked)."""
    # No usable contact: the send parks the claim; the term is that of a posted letter meanwhile.
    channel = channel_for(policy.notice_channel, claim.debtor, MessageKind(step.value)) or Channel.LETTER
    posted_on = today + dt.timedelta(days=policy.letter_posting_days if channel is Channel.LETTER else 0)
    term = fourteen_day_term(posted_on, channel=channel, email_delivery_days=policy.email_delivery_days)
    return Notice(step=step, sent_on=today, channel=channel, posted_on=posted_on, delivered_on=term.delivered_on,
                  starts_on=term.starts_on, ends_on=term.ends_on, demanded=claim.amounts.outstanding,
                  costs=costs.costs, vat=costs.vat, flat_fee=costs.flat_fee, agreed=costs.agreed)
