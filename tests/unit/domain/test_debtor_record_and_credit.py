"""The debtor's payment behaviour (incasso.domain.debtors) and the credit check read from it
(incasso.domain.credit): pure, with claims, timelines and ledgers built by hand."""

import datetime as dt
from decimal import Decimal

from incasso.domain.credit import BureauReport, credit_check, own_score
from incasso.domain.debtors import ClaimHistory, debtor_conflicts, payment_behaviour, stage_reached
from incasso.domain.models import (
    Amounts,
    Claim,
    ClaimStatus,
    Debtor,
    LedgerEntry,
    LedgerKind,
    Stage,
    TimelineEvent,
)

TODAY = dt.date(2025, 6, 2)
AT = dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.timezone.utc)
DEBTOR = Debtor(name="Bakkerij Jansen", type="business", email="ap@jansen.nl", reference="K-100")


def claim(n: int, *, status: ClaimStatus = ClaimStatus.PAID, due: dt.date = dt.date(2025, 1, 31),
          principal: str = "100.00", outstanding: str = "0.00", tenant: str = "acme") -> Claim:
    value = Decimal(principal)
    paid = value - Decimal(outstanding)
    return Claim(tenant_id=tenant, claim_id=f"clm_{n}", invoice_number=f"INV-{n}", debtor=DEBTOR,
                 invoice_date=due - dt.timedelta(days=30), due_date=due, principal=value, status=status,
                 amounts=Amounts(principal=value, paid=paid, outstanding=Decimal(outstanding)),
                 created_at=AT, updated_at=AT)


def steps(*stages: Stage) -> list[TimelineEvent]:
    return [TimelineEvent(at=AT, type="step_taken", details={"step": stage.value}) for stage in stages]


def paid(on: dt.date, amount: str = "100.00") -> list[LedgerEntry]:
    return [LedgerEntry(key="principal", kind=LedgerKind.PRINCIPAL, amount=Decimal(amount), booked_at=AT),
            LedgerEntry(key="payment#1", kind=LedgerKind.PAYMENT, amount=Decimal(amount), booked_at=AT, value_date=on)]


def history(n: int, *, paid_on: dt.date | None = None, timeline=(), **kwargs) -> ClaimHistory:
    return ClaimHistory(claim(n, **kwargs), list(timeline), paid(paid_on) if paid_on else [])


# -- the record ----------------------------------------------------------------------------------------
def test_days_late_are_the_paid_date_less_the_due_date_and_early_payment_counts_as_zero():
    # given two paid invoices due 31 January: one paid 10 February, one paid 20 January
    histories = [history(1, paid_on=dt.date(2025, 2, 10)), history(2, paid_on=dt.date(2025, 1, 20))]
    # when the record is made
    record = payment_behaviour(histories, today=TODAY)
    # then they are 10 and 0 days late, 5.0 on average
    assert [p.days_late for p in record.paid_claims] == [10, 0]
    assert record.average_days_late == Decimal("5.0")


def test_the_paid_date_is_the_payments_value_date_not_the_day_it_was_booked():
    # given a payment booked on 2 June for money that came in on 3 February (art. 6:114 lid 2 BW)
    record = payment_behaviour([history(1, paid_on=dt.date(2025, 2, 3))], today=TODAY)
    # then the claim was paid 3 February, 3 days late
    assert record.paid_claims[0].paid_on == dt.date(2025, 2, 3) and record.paid_claims[0].days_late == 3


def test_the_stage_a_paid_claim_reached_is_the_furthest_step_on_its_timeline():
    # given a paid claim that went through reminder 1, reminder 2 and the notice of default
    timeline = steps(Stage.REMINDER_1, Stage.REMINDER_2, Stage.NOTICE_OF_DEFAULT)
    record = payment_behaviour([history(1, paid_on=dt.date(2025, 3, 20), timeline=timeline)], today=TODAY)
    # then it reached the notice of default
    assert record.paid_claims[0].stage_reached is Stage.NOTICE_OF_DEFAULT
    assert stage_reached([]) is Stage.NONE


def test_broken_arrangements_disputes_and_the_open_amount_are_counted():
    # given a paid claim with a dispute, and an open claim with a broken arrangement, 80.00 open, at reminder 2
    events = [TimelineEvent(at=AT, type="dispute_opened", details={}),
              TimelineEvent(at=AT, type="arrangement_broken", details={})]
    histories = [history(1, paid_on=dt.date(2025, 2, 1), timeline=events[:1]),
                 history(2, status=ClaimStatus.IN_COLLECTION, outstanding="80.00",
                         timeline=[*steps(Stage.REMINDER_1, Stage.REMINDER_2), events[1]])]
    # when the record is made
    record = payment_behaviour(histories, today=TODAY)
    # then it counts one dispute, one broken arrangement, one open overdue claim of 80.00 at reminder 2
    assert (record.disputes, record.broken_arrangements) == (1, 1)
    assert (record.open_claims, record.overdue_open_claims, record.open_amount) == (1, 1, Decimal("80.00"))
    assert record.furthest_open_stage is Stage.REMINDER_2 and record.claims == 2


def test_a_later_claim_with_another_type_or_language_conflicts_naming_both_fields():
    # given a business debtor in Dutch
    known = DEBTOR
    # when a claim says consumer and English for the same reference
    other = Debtor(name="Bakkerij Jansen", type="consumer", language="en", email="ap@jansen.nl", reference="K-100")
    conflicts = debtor_conflicts(known, other)
    # then both fields are named; another name or e-mail is no conflict
    assert [c["field"] for c in conflicts] == ["debtor.type", "debtor.language"]
    assert "K-100" in conflicts[0]["message"]
    assert debtor_conflicts(known, DEBTOR.model_copy(update={"name": "Jansen B.V.", "email": "x@jansen.nl"})) == []


# -- the score -----------------------------------------------------------------------------------------
def test_a_debtor_who_always_paid_on_time_scores_100_gets_30_days_and_three_times_the_largest_invoice():
    # given three invoices of up to 400.00, all paid before the due date after a first reminder at most
    histories = [history(1, paid_on=dt.date(2025, 1, 30)), history(2, paid_on=dt.date(2025, 1, 31)),
                 history(3, paid_on=dt.date(2025, 1, 31), timeline=steps(Stage.REMINDER_1))]
    record = payment_behaviour(histories, today=TODAY)
    # when it is assessed
    assessment = credit_check(record, largest_invoice=Decimal("400.00"))
    # then 100, good, 30 days, EUR 1200.00, and the reasons say it
    assert (assessment.score, assessment.band, assessment.payment_term_days) == (100, "good", 30)
    assert assessment.credit_limit == Decimal("1200.00") and assessment.available_credit == Decimal("1200.00")
    assert any("on time" in reason for reason in assessment.reasons)


def test_lateness_escalation_and_a_broken_arrangement_lower_the_score_each_by_its_weight():
    # given one invoice paid 20 days late after the notice of default, and a broken arrangement
    histories = [history(1, paid_on=dt.date(2025, 2, 20),
                         timeline=[*steps(Stage.REMINDER_1, Stage.NOTICE_OF_DEFAULT),
                                   TimelineEvent(at=AT, type="arrangement_broken", details={})])]
    record = payment_behaviour(histories, today=TODAY)
    # when it is scored
    score, reasons = own_score(record)
    # then 100 - 20 (days late) - 15 (notice of default) - 10 (broken arrangement) = 55
    assert score == 55
    assert any("20.0 days" in r for r in reasons) and any("notice_of_default" in r for r in reasons)
    assert any("broke 1 payment arrangement" in r for r in reasons)
    # and 55 is weak: 7 days, half the largest invoice rounded down to tens
    assessment = credit_check(record, largest_invoice=Decimal("333.33"))
    assert (assessment.band, assessment.payment_term_days, assessment.credit_limit) == ("weak", 7, Decimal("160.00"))


def test_a_new_customer_without_a_paid_invoice_starts_at_60_at_most():
    # given one open claim not yet due
    record = payment_behaviour([history(1, status=ClaimStatus.OPEN, outstanding="100.00",
                                        due=TODAY + dt.timedelta(days=10))], today=TODAY)
    # when it is assessed
    assessment = credit_check(record, largest_invoice=Decimal("100.00"))
    # then 60 (fair): 14 days, 150.00 of which 100.00 is open now
    assert (assessment.score, assessment.payment_term_days) == (60, 14)
    assert (assessment.credit_limit, assessment.available_credit) == (Decimal("150.00"), Decimal("50.00"))
    assert any("new customer" in reason for reason in assessment.reasons)


def test_an_uncollectible_claim_means_payment_in_advance():
    # given a claim closed as uncollectible and one paid 30 days late after the bailiff
    histories = [history(1, status=ClaimStatus.UNCOLLECTIBLE, outstanding="100.00"),
                 history(2, paid_on=dt.date(2025, 3, 2), timeline=steps(Stage.BAILIFF_FILING))]
    record = payment_behaviour(histories, today=TODAY)
    # when it is assessed
    assessment = credit_check(record, largest_invoice=Decimal("100.00"))
    # then the score is poor: no term, no credit
    assert assessment.score < 40 and assessment.payment_term_days == 0 and assessment.credit_limit == 0


def test_the_sources_say_which_were_used_and_a_bureau_report_is_blended_and_caps_the_limit():
    # given a clean record and, for the second check, a bureau's score of 50 and limit of 500.00
    record = payment_behaviour([history(1, paid_on=dt.date(2025, 1, 31))], today=TODAY)
    report = BureauReport(bureau="test-bureau", score=50, credit_limit=Decimal("500.00"), retrieved_on=TODAY)
    # when it is assessed without and with the report
    alone = credit_check(record, largest_invoice=Decimal("1000.00"), bureau_note="no report")
    blended = credit_check(record, largest_invoice=Decimal("1000.00"), bureau=report)
    # then alone it rests on the payment record only; blended 0.6 x 100 + 0.4 x 50 = 80, limit capped at 500.00
    assert [(s.name, s.used) for s in alone.sources] == [("payment_record", True), ("credit_bureau", False)]
    assert blended.score == 80 and blended.credit_limit == Decimal("500.00")
    assert [(s.name, s.used) for s in blended.sources] == [("payment_record", True), ("test-bureau", True)]


def test_one_tenants_history_never_informs_another_tenants_score():
    # given the same reference at two tenants: paid on time at acme, uncollectible at other
    at_acme = payment_behaviour([history(1, paid_on=dt.date(2025, 1, 31))], today=TODAY)
    at_other = payment_behaviour([history(2, status=ClaimStatus.UNCOLLECTIBLE, outstanding="100.00",
                                          tenant="other")], today=TODAY)
    # when each is assessed from its own record
    acme, other = (credit_check(r, largest_invoice=Decimal("100.00")) for r in (at_acme, at_other))
    # then acme's assessment is that of a debtor with no bad history at all
    assert acme.score == 100 and other.score < 40
    assert acme == credit_check(payment_behaviour([history(1, paid_on=dt.date(2025, 1, 31))], today=TODAY),
                                largest_invoice=Decimal("100.00"))
