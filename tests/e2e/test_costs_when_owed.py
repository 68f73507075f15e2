"""Costs only when owed, end to end on the local stack with the simulated clock (CONTRACT §6):
art. 6:96 lid 6 BW (the 14-day term), art. 6:114 lid 2 BW (a payment counts on its value date),
art. 3:307 / 7:28 BW (limitation), and arrangements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import Address, ClaimStatus, Debtor, Instalment, LedgerKind, Stage
from incasso.services.claim_commands import NewClaim, NewPayment

START = dt.date(2026, 1, 5)  # the local stack starts on Monday 5 Jan 2026
DAY = dt.timedelta(days=1)


def ledger(world, claim, kind: LedgerKind) -> list:
    return [entry for entry in world.store.get_ledger("acme", claim.claim_id) if entry.kind is kind]


def timeline_types(world, claim) -> list[str]:
    return [event.type for event in world.store.get_timeline("acme", claim.claim_id)]


def test_art_6_96_lid_6_a_consumer_who_pays_the_letters_total_on_the_first_day_of_the_term_owes_no_costs(world):
    # given a consumer owing 3,000.00 who received the 14-day letter (Mon 9 Feb, term 12-25 Feb)
    world.tenant()
    claim = world.claim()
    world.until(START + 35 * DAY)
    letter = world.get(claim)
    demanded = letter.notice.demanded
    assert demanded > Decimal("3000.00") and letter.notice.starts_on == dt.date(2026, 2, 12)
    # when the debtor pays exactly what the letter demanded on the first day of the term
    world.until(letter.notice.starts_on)
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=demanded, paid_at=letter.notice.starts_on))
    world.until(dt.date(2026, 3, 31))
    # then the claim is closed as paid, without costs, with the interest after the letter written off
    closed = world.get(claim)
    assert closed.status is ClaimStatus.PAID
    assert closed.amounts.collection_costs == 0 and closed.amounts.outstanding == 0
    assert ledger(world, claim, LedgerKind.COLLECTION_COSTS) == []
    assert [e.amount > 0 for e in ledger(world, claim, LedgerKind.WRITE_OFF)] == [True]
    assert "bailiff_filing" not in world.sent(claim)


def test_art_6_96_lid_6_a_payment_dated_in_the_term_but_recorded_after_the_bailiff_hand_over(world):
    # given a claim whose term ran out with nothing recorded: costs booked, file with the bailiff
    world.tenant()
    claim = world.claim()
    world.until(dt.date(2026, 2, 26))
    filed = world.get(claim)
    assert filed.stage is Stage.BAILIFF_FILING and filed.amounts.collection_costs == Decimal("425.00")
    # when the tenant records, on 10 March, the letter's total that reached its account on 25 Feb
    world.until(dt.date(2026, 3, 10))
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=filed.notice.demanded, paid_at=filed.notice.ends_on))
    world.until(dt.date(2026, 3, 11))
    # then the costs are reversed by a new entry (the booked one stays), the claim is paid, and the
    # bailiff is told to stop
    closed = world.get(claim)
    assert closed.status is ClaimStatus.PAID and closed.amounts.outstanding == 0
    assert sorted(e.amount for e in ledger(world, claim, LedgerKind.COLLECTION_COSTS)) == [Decimal("-425.00"),
                                                                                          Decimal("425.00")]
    assert closed.amounts.collection_costs == 0
    assert "bailiff_withdrawal" in world.sent(claim)
    withdrawal = next(r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "bailiff_withdrawal")
    assert "bailiff-inbox" in withdrawal["document"] and claim.invoice_number in withdrawal["subject"]
    assert "costs_reversed" in timeline_types(world, claim)
    assert world.stack.running_executions == 0


def test_hr_2016_part_paid_in_the_term_the_costs_are_over_the_unpaid_part(world):
    world.tenant()
    claim = world.claim()
    world.until(START + 35 * DAY)
    letter = world.get(claim)
    world.until(letter.notice.starts_on)
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=Decimal("2000.00"), paid_at=letter.notice.starts_on))
    world.until(letter.notice.ends_on + DAY)
    reviewed = world.get(claim)
    # (2026's statutory rate is not yet confirmed from the Staatsblad: the claim says so)
    assert any("unverified statutory rate" in warning for warning in reviewed.warnings)
    unpaid = Decimal("3000.00") - (Decimal("2000.00") - letter.amounts.interest)
    # 15 % of the principal still unpaid when the term ended, the EUR 40 minimum where it applies
    assert reviewed.amounts.collection_costs == max(Decimal("40.00"), (unpaid * Decimal("0.15")).quantize(Decimal("0.01")))


def test_art_6_114_lid_2_a_backdated_payment_is_charged_like_a_timely_one(world):
    # given two claims of 10,000.00 due 10 Dec 2025, each paid 5,000.00 on 22 Feb 2026
    world.tenant()
    timely = world.claim(principal="10000.00", due=dt.date(2025, 12, 10), invoice="F-1")
    late = world.claim(principal="10000.00", due=dt.date(2025, 12, 10), invoice="F-2")
    paid_on = dt.date(2026, 2, 22)
    # when one is recorded that day and the other twenty days later
    world.until(paid_on)
    world.claims.pay("acme", timely.claim_id, NewPayment(amount=Decimal("5000.00"), paid_at=paid_on))
    world.until(paid_on + 20 * DAY)
    world.claims.pay("acme", late.claim_id, NewPayment(amount=Decimal("5000.00"), paid_at=paid_on))
    # then both owe exactly the same, then and later
    for day in (paid_on + 20 * DAY, dt.date(2026, 4, 30)):
        world.until(day)
        a = world.claims.current("acme", timely.claim_id)
        b = world.claims.current("acme", late.claim_id)
        assert a.amounts == b.amounts
        assert (a.paid_costs, a.paid_interest, a.paid_principal) == (b.paid_costs, b.paid_interest, b.paid_principal)


def test_the_term_follows_the_post_when_the_debtor_has_no_e_mail(world):
    # given a policy that e-mails the 14-day letter, a posting run of one day, and a debtor without e-mail
    world.tenant(notice_channel="email", letter_posting_days=1)
    debtor = Debtor(name="P. Jansen", type="consumer", address=Address(street="Laan 2", postal_code="1000 AA",
                                                                        city="Amsterdam"))
    claim = world.claims.create("acme", NewClaim(invoice_number="F-9", debtor=debtor, principal=Decimal("500.00"),
                                                 invoice_date=START - 30 * DAY, due_date=START))
    # when the letter goes out (Mon 9 Feb)
    world.until(START + 35 * DAY)
    notice = world.get(claim).notice
    # then it went by post, posted Tue 10 Feb, presumed delivered Thu 12 Feb, term 13-26 Feb, and says so
    assert (notice.channel.value, notice.posted_on, notice.delivered_on) == ("letter", dt.date(2026, 2, 10),
                                                                             dt.date(2026, 2, 12))
    assert (notice.starts_on, notice.ends_on) == (dt.date(2026, 2, 13), dt.date(2026, 2, 26))
    letter = next(r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == "fourteen_day_letter")
    assert letter["channel"] == "letter"
    assert "13-02-2026" in letter["body"] or "13 februari 2026" in letter["body"]
    assert "26-02-2026" in letter["body"] or "26 februari 2026" in letter["body"]


def test_art_7_28_a_time_barred_claim_becomes_uncollectible_without_costs_or_letters(world):
    # given the price of a consumer sale due 1 Dec 2023 (two years: time-barred since 2 Dec 2025)
    world.tenant()
    debtor = Debtor(name="J. de Vries", type="consumer", email="jan@example.nl")
    claim = world.claims.create("acme", NewClaim(invoice_number="F-7", debtor=debtor, principal=Decimal("800.00"),
                                                 invoice_date=dt.date(2023, 11, 1), due_date=dt.date(2023, 12, 1),
                                                 consumer_sale=True))
    # when the sweep finds it
    world.until(START + 2 * DAY)
    # then it is closed uncollectible with a time_barred event, and nothing was sent or charged
    closed = world.get(claim)
    assert closed.status is ClaimStatus.UNCOLLECTIBLE
    assert "time_barred" in timeline_types(world, claim)
    assert world.sent(claim) == [] and closed.amounts.collection_costs == 0


def test_a_broken_arrangement_charges_no_interest_for_the_days_it_was_kept(world):
    # given a claim on an arrangement agreed on day 8, its first instalment paid, the second missed
    world.tenant()
    claim = world.claim(principal="1000.00")
    world.until(START + 8 * DAY)
    owed = world.claims.current("acme", claim.claim_id).amounts.outstanding
    first = (owed / 2).quantize(Decimal("0.01"))
    agreed = world.claims.arrange("acme", claim.claim_id, [
        Instalment(due_date=START + 20 * DAY, amount=first), Instalment(due_date=START + 40 * DAY, amount=owed - first)])
    world.until(START + 20 * DAY)
    world.claims.pay("acme", claim.claim_id, NewPayment(amount=first, paid_at=START + 20 * DAY))
    world.until(START + 50 * DAY)
    # then collection resumed, and interest runs again only from the day after the missed instalment
    broken = world.claims.current("acme", claim.claim_id)
    assert broken.status is ClaimStatus.IN_COLLECTION
    period = next(p for p in broken.interest_free if p.reason == "payment arrangement kept")
    assert (period.start, period.end) == (START + 9 * DAY, START + 40 * DAY)
    assert "arrangement_broken" in timeline_types(world, claim)
    # and the arrangement confirmation said so in plain words
    confirmation = next(r for r in world.store.list_messages("acme", claim.claim_id)
                        if r["kind"] == "arrangement_confirmation")
    assert "geen rente" in confirmation["body"] and agreed.status is ClaimStatus.ARRANGEMENT


def test_an_arrangement_agreed_within_the_letters_term_covers_what_the_letter_demanded(world):
    # given a consumer within the term of the 14-day letter
    world.tenant()
    claim = world.claim(principal="1000.00")
    world.until(START + 35 * DAY)
    letter = world.get(claim)
    world.until(letter.notice.starts_on + 3 * DAY)
    # when an arrangement is agreed for what GET shows
    shown = world.claims.current("acme", claim.claim_id).amounts.outstanding
    first = (shown / 2).quantize(Decimal("0.01"))
    agreed = world.claims.arrange("acme", claim.claim_id, [
        Instalment(due_date=letter.notice.starts_on + 20 * DAY, amount=first),
        Instalment(due_date=letter.notice.starts_on + 50 * DAY, amount=shown - first)])
    # then it is what the letter demanded: the interest after the letter's date is not charged
    assert shown == letter.notice.demanded
    assert agreed.status is ClaimStatus.ARRANGEMENT and agreed.amounts.outstanding == letter.notice.demanded
