"""Costs only when owed: the 14-day term, payments dated within it, late records, arrangements,
limitation (art. 6:96 lid 6, 6:114 lid 2, 3:307, 3:308, 3:317 BW; HR 2016)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from incasso.domain.escalation import TIME_BARRED, Action, decide
from incasso.domain.ledger import book_costs, open_claim_amounts, settle, term_outcome
from incasso.domain.limitation import claim_limitation_date, interest_barred_before, received_on
from incasso.domain.models import (
    Address,
    Channel,
    Claim,
    ClaimStatus,
    Debtor,
    InterestFreePeriod,
    LedgerEntry,
    LedgerKind,
    Policy,
    Stage,
)
from incasso.domain.notices import build_notice, notice_costs
from incasso.law.interest import InterestKind
from incasso.law.replay import replay
from incasso.law.terms import presumed_delivery
from incasso.law.wik import collection_costs

AT = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
DUE = dt.date(2025, 11, 3)
LETTER_DAY = dt.date(2025, 12, 8)  # a Monday, due + 35


def make_claim(principal="3000.00", debtor_type="consumer", email="jan@example.nl", due=DUE, **changes) -> Claim:
    debtor = Debtor(name="Jan", type=debtor_type, email=email,
                    address=Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht"))
    claim = Claim(tenant_id="acme", claim_id="c1", invoice_number="F1", debtor=debtor,
                  invoice_date=due - dt.timedelta(days=30), due_date=due, principal=Decimal(principal),
                  amounts=open_claim_amounts(Decimal(principal)), created_at=AT, updated_at=AT)
    return claim.model_copy(update=changes)


def payment(amount, on: dt.date, key="p") -> LedgerEntry:
    return LedgerEntry(key=key, kind=LedgerKind.PAYMENT, amount=Decimal(amount), booked_at=AT, value_date=on)


def send_letter(claim: Claim, policy: Policy, day: dt.date = LETTER_DAY):
    """The claim settled on the letter's day and the letter as the escalation service sends it."""
    claim, ledger, _ = settle(claim, [], policy, as_of=day, key="letter", at=AT)
    step = Stage.FOURTEEN_DAY_LETTER if claim.debtor.type == "consumer" else Stage.NOTICE_OF_DEFAULT
    notice = build_notice(claim, policy, step, day, notice_costs(claim, policy))
    return claim.model_copy(update={"notice": notice, "announced_costs": notice.costs,
                                    "term_ends_on": notice.ends_on}), ledger


def book_announced_costs(claim: Claim, ledger: list):
    """What the legal review books when the term ran out unpaid: the costs from the day after the term."""
    claim, entries = book_costs(claim, costs=claim.notice.costs, vat=claim.notice.vat, key="legal_review#costs",
                                at=AT, note="costs", value_date=claim.notice.ends_on + dt.timedelta(days=1))
    return claim, [*ledger, *entries]


# -- art. 6:96 lid 6 BW: the letter's total paid within its term ------------------------------------


def test_art_6_96_lid_6_letter_total_paid_on_the_first_day_of_the_term_owes_no_costs():
    # given a consumer owing 3,000.00 and the 14-day letter demanding principal plus interest to its date
    claim, ledger = send_letter(make_claim(), Policy())
    assert claim.notice.demanded > Decimal("3000.00")
    # when exactly that total is paid on the first day of the term
    paid, entries, _ = settle(claim, ledger, Policy(), as_of=claim.notice.starts_on, key="pay", at=AT,
                              new=[payment(claim.notice.demanded, claim.notice.starts_on)])
    # then nothing is left, no costs are owed, and the interest after the letter's date is written off
    assert paid.amounts.outstanding == 0 and paid.amounts.collection_costs == 0
    assert term_outcome(paid, [*ledger, *entries], Policy()).paid_in_time
    write_off = [e for e in entries if e.kind is LedgerKind.WRITE_OFF]
    assert write_off and write_off[0].amount > 0 and "letter" in write_off[0].note


def test_art_6_96_lid_6_paid_in_time_but_recorded_after_the_costs_were_booked_reverses_them():
    # given the term ran out with nothing recorded, and the costs were booked
    claim, ledger = send_letter(make_claim(), Policy())
    claim, ledger = book_announced_costs(claim, ledger)
    assert claim.amounts.collection_costs == Decimal("425.00")
    # when a payment of the letter's total dated on the term's last day is recorded a month later
    later = claim.notice.ends_on + dt.timedelta(days=30)
    paid, entries, _ = settle(claim, ledger, Policy(), as_of=later, key="pay", at=AT,
                              new=[payment(claim.notice.demanded, claim.notice.ends_on)])
    # then a reversing entry (never an edited one) takes the costs away and the claim is settled
    reversal = [e for e in entries if e.kind is LedgerKind.COLLECTION_COSTS]
    assert [e.amount for e in reversal] == [Decimal("-425.00")]
    assert reversal[0].value_date == claim.notice.ends_on + dt.timedelta(days=1)
    assert paid.amounts.collection_costs == 0 and paid.amounts.outstanding == 0


def test_hr_2016_part_paid_within_the_term_costs_over_the_principal_unpaid_at_its_end():
    # given the letter for 3,000.00 and 2,000.00 paid within the term
    claim, ledger = send_letter(make_claim(), Policy())
    interest_at_letter = claim.amounts.interest
    ledger = [*ledger, payment("2000.00", claim.notice.starts_on)]
    # when the term runs out
    outcome = term_outcome(claim, ledger, Policy())
    # then the staffel applies to the principal still unpaid, the interest of the letter's date paid first
    unpaid = Decimal("3000.00") - (Decimal("2000.00") - interest_at_letter)
    assert not outcome.paid_in_time and outcome.unpaid_principal == unpaid
    assert outcome.costs == collection_costs(unpaid) < claim.notice.costs


def test_a_payment_before_the_letter_reaches_the_debtor_counts_as_within_the_term():
    claim, ledger = send_letter(make_claim(email=None), Policy())  # posted: delivered two days later
    assert claim.notice.channel is Channel.LETTER
    outcome = term_outcome(claim, [*ledger, payment(claim.notice.demanded, claim.notice.sent_on)], Policy())
    assert outcome.paid_in_time


def test_a_payment_after_the_term_does_not_avoid_the_costs():
    claim, ledger = send_letter(make_claim(), Policy())
    late = claim.notice.ends_on + dt.timedelta(days=1)
    outcome = term_outcome(claim, [*ledger, payment(claim.notice.demanded, late)], Policy())
    assert not outcome.paid_in_time and outcome.costs == Decimal("425.00")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cents=st.integers(min_value=1, max_value=100_000_000),
       debtor_type=st.sampled_from(["consumer", "business"]),
       channel=st.sampled_from([Channel.EMAIL, Channel.LETTER]),
       has_email=st.booleans(),
       posting_days=st.integers(min_value=0, max_value=3),
       letter_offset=st.integers(min_value=0, max_value=150),
       day_in_term=st.integers(min_value=0, max_value=40),
       recorded_late=st.booleans())
def test_property_art_6_96_lid_6_whoever_pays_the_letters_total_within_its_term_never_owes_costs(
        cents, debtor_type, channel, has_email, posting_days, letter_offset, day_in_term, recorded_late):
    # given any principal, debtor, channel (and the post when there is no e-mail), letter day and posting delay
    policy = Policy(notice_channel=channel, letter_posting_days=posting_days)
    principal = (Decimal(cents) / 100).quantize(Decimal("0.01"))
    claim = make_claim(str(principal), debtor_type=debtor_type, email="jan@example.nl" if has_email else None)
    claim, ledger = send_letter(claim, policy, LETTER_DAY + dt.timedelta(days=letter_offset))
    notice = claim.notice
    paid_on = min(notice.sent_on + dt.timedelta(days=day_in_term), notice.ends_on)
    if recorded_late:  # the term ran out before the payment was recorded: the costs were booked
        claim, ledger = book_announced_costs(claim, ledger)
    # when the letter's total is paid on any day within the term
    as_of = notice.ends_on + dt.timedelta(days=40) if recorded_late else paid_on
    paid, entries, _ = settle(claim, ledger, policy, as_of=as_of, key="pay", at=AT,
                              new=[payment(notice.demanded, paid_on)])
    # then no collection costs are owed and nothing is left to pay
    assert paid.amounts.collection_costs + paid.amounts.collection_costs_vat == 0
    assert paid.amounts.outstanding == 0
    assert term_outcome(paid, [*ledger, *entries], policy).costs == 0


# -- the term follows the channel actually used ----------------------------------------------------


def test_the_term_follows_the_post_when_the_policy_says_e_mail_but_the_debtor_has_none():
    # given a policy that sends the letter by e-mail, and a debtor with only a postal address
    policy = Policy(notice_channel=Channel.EMAIL, letter_posting_days=1)
    claim, _ = send_letter(make_claim(email=None), policy)
    # then the letter goes by post, one day after the step, and the term counts from its presumed delivery
    notice = claim.notice
    assert notice.channel is Channel.LETTER and notice.posted_on == LETTER_DAY + dt.timedelta(days=1)
    assert notice.delivered_on == presumed_delivery(notice.posted_on)
    assert notice.starts_on == notice.delivered_on + dt.timedelta(days=1)
    assert (notice.ends_on - notice.starts_on).days >= 13


def test_an_e_mailed_letter_counts_from_the_policys_delivery_days():
    claim, _ = send_letter(make_claim(), Policy(notice_channel=Channel.EMAIL, email_delivery_days=1))
    assert claim.notice.channel is Channel.EMAIL and claim.notice.delivered_on == LETTER_DAY + dt.timedelta(days=1)


# -- limitation (art. 3:307, 3:308, 3:317, 3:318, 7:28 BW) -----------------------------------------


def test_art_3_307_five_years_and_art_7_28_two_years_for_a_consumer_sale():
    assert claim_limitation_date(make_claim(due=dt.date(2020, 1, 1))) == dt.date(2025, 1, 1)
    assert claim_limitation_date(make_claim(due=dt.date(2024, 1, 1), consumer_sale=True)) == dt.date(2026, 1, 1)


def test_art_3_317_a_received_written_reminder_interrupts_a_call_or_sms_does_not():
    assert received_on(dt.date(2026, 1, 6), Channel.LETTER) == presumed_delivery(dt.date(2026, 1, 6))
    assert received_on(dt.date(2026, 1, 6), Channel.EMAIL, email_delivery_days=1) == dt.date(2026, 1, 7)
    assert received_on(dt.date(2026, 1, 6), Channel.SMS) is None
    claim = make_claim(due=dt.date(2024, 1, 1), consumer_sale=True, limitation_interruptions=[dt.date(2025, 6, 2)])
    assert claim_limitation_date(claim) == dt.date(2027, 6, 2)  # art. 3:319: a new period of two years


def test_art_3_307_a_time_barred_claim_is_closed_uncollectible_before_any_step():
    claim = make_claim(due=dt.date(2020, 1, 1))
    decision = decide(claim, Policy(), dt.date(2026, 1, 5))
    assert (decision.action, decision.outcome, decision.reason) == (Action.CLOSE, ClaimStatus.UNCOLLECTIBLE, TIME_BARRED)


def test_art_3_308_interest_older_than_five_years_is_not_charged():
    # given a claim due on 1 Jan 2019 with the bailiff (judgment: the claim itself runs 20 years, art.
    # 3:324 BW) and no interruption since
    claim = make_claim(due=dt.date(2019, 1, 1))
    as_of = dt.date(2026, 1, 5)
    # then the interest of the days before 5 Jan 2021 is time-barred: five years have run since each
    first = interest_barred_before(claim, as_of)
    assert first == dt.date(2021, 1, 5)
    settled, _, _ = settle(claim, [], Policy(), as_of=as_of, key="k", at=AT)
    everything = replay(claim.principal, due_date=claim.due_date, as_of=as_of, kind=InterestKind.CONSUMER)
    barred = replay(claim.principal, due_date=claim.due_date, as_of=first - dt.timedelta(days=1),
                    kind=InterestKind.CONSUMER)
    assert settled.amounts.interest == everything.interest - barred.interest > 0
    # and an acknowledgement within the five years keeps all of it
    acknowledged = claim.model_copy(update={"limitation_interruptions": [dt.date(2023, 6, 1)]})
    assert interest_barred_before(acknowledged, as_of) is None


def test_art_3_308_interest_already_paid_is_not_undone_when_it_becomes_time_barred():
    # given interest paid in 2020 on a claim due in 2019, seen from 2026
    claim = make_claim(due=dt.date(2019, 1, 1))
    paid = payment("100.00", dt.date(2020, 1, 2))
    # when the account is settled years later / then the payment stays as it was: no excess, no refund
    settled, _, settlement = settle(claim, [paid], Policy(), as_of=dt.date(2026, 1, 5), key="k", at=AT)
    assert settlement.account.excess == {}
    assert settled.paid_interest + settled.paid_principal == Decimal("100.00") and settled.paid_interest > 0


# -- arrangements ---------------------------------------------------------------------------------


def test_a_kept_arrangement_charges_no_interest_for_its_days_not_even_after_it_breaks():
    # given an arrangement kept from 1 Feb and broken on 1 Mar (the missed instalment due 25 Feb)
    kept = InterestFreePeriod(start=dt.date(2026, 2, 1), end=dt.date(2026, 2, 25), reason="payment arrangement kept")
    claim = make_claim(due=dt.date(2026, 1, 1), interest_free=[kept])
    settled, _, settlement = settle(claim, [], Policy(), as_of=dt.date(2026, 3, 31), key="k", at=AT)
    # then no segment of interest lies in the kept days
    assert all(s.end < kept.start or s.start > kept.end for s in settlement.account.segments)


# -- intake: dates the engine cannot compute with ---------------------------------------------------


@pytest.mark.parametrize("change, field", [
    ({"invoice_date": dt.date(1999, 12, 1), "due_date": dt.date(2000, 1, 1)}, "invoice_date"),
    ({"invoice_date": dt.date(2099, 1, 1), "due_date": dt.date(2099, 2, 1)}, "invoice_date"),
    ({"invoice_date": dt.date(2025, 6, 1), "due_date": dt.date(2025, 5, 1)}, "due_date"),
    ({"invoice_date": dt.date(2025, 6, 1), "due_date": dt.date(2031, 5, 1)}, "due_date"),
])
def test_dates_the_engine_cannot_compute_with_are_refused_at_intake_naming_the_field(change, field):
    from incasso.services.claim_commands import NewClaim

    body = {"invoice_number": "F1", "debtor": {"name": "Jan", "type": "business", "email": "jan@example.nl"},
            "principal": "100.00",
            "invoice_date": dt.date(2025, 6, 1), "due_date": dt.date(2025, 7, 1), **change}
    with pytest.raises(ValidationError) as error:
        NewClaim.model_validate(body)
    assert field in [e["loc"][0] for e in error.value.errors()]


def test_the_tenant_report_counts_the_claims_whose_interest_rests_on_an_unverified_rate():
    from incasso.services.reports import summarize

    # given a claim settled over the second half of 2025 (a ⚠️ row of the rate table)
    claim, _, _ = settle(make_claim(), [], Policy(), as_of=LETTER_DAY, key="k", at=AT)
    assert claim.warnings and "unverified" in claim.warnings[0]
    # when the portfolio is summarised / then the caveat is there, with the number of claims
    summary = summarize([claim, claim.model_copy(update={"claim_id": "c2"})], LETTER_DAY)
    assert summary.warnings[0].startswith("2 claims: interest from 2025-07-01 uses an unverified statutory rate")


def test_art_6_119_lid_3_an_agreed_rate_applies_to_business_debtors_only():
    from incasso.domain.ledger import agreed_rate

    policy = Policy(contractual_interest_rate=Decimal("12"))
    # a consumer always gets the statutory rate, whatever the tenant's general terms say
    assert agreed_rate(make_claim(), policy) is None
    # a business debtor: the claim's own agreement first, else the general terms
    business = make_claim(debtor_type="business")
    assert agreed_rate(business, policy) == Decimal("12")
    assert agreed_rate(business.model_copy(update={"agreed_interest_rate": Decimal("14")}), policy) == Decimal("14")


def test_an_agreed_interest_rate_for_a_consumer_is_refused_at_intake():
    from incasso.services.claim_commands import NewClaim

    body = {"invoice_number": "F1", "debtor": {"name": "Jan", "type": "consumer", "email": "jan@example.nl"},
            "principal": "100.00", "invoice_date": dt.date(2025, 6, 1), "due_date": dt.date(2025, 7, 1),
            "agreed_interest_rate": "12"}
    with pytest.raises(ValidationError) as error:
        NewClaim.model_validate(body)
    assert [e["loc"][0] for e in error.value.errors()] == ["agreed_interest_rate"]
    assert NewClaim.model_validate({**body, "debtor": {**body["debtor"], "type": "business"}}).agreed_interest_rate == 12


@pytest.mark.parametrize("deductible, collector_bills_vat, vat", [
    (True, True, Decimal("0.00")), (False, False, Decimal("0.00")), (True, False, Decimal("0.00")),
    (False, True, Decimal("89.25")),
])
def test_art_2_lid_3_besluit_bik_vat_only_when_the_creditor_cannot_deduct_it_and_a_collector_bills_it(
        deductible, collector_bills_vat, vat):
    policy = Policy(creditor_vat_deductible=deductible, vat_billed_by_collector=collector_bills_vat)
    claim, _ = send_letter(make_claim(), policy)
    assert (claim.notice.costs, claim.notice.vat) == (Decimal("425.00"), vat)
