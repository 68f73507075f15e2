"""One debtor, many invoices on the local stack (CONTRACT.md §6): the letters of one kind due for one
debtor on one day go out as one letter listing every invoice; a combined 14-day letter charges the
staffel once, over the sum, divided over the invoices in proportion to their principal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import Address, Debtor, Stage
from incasso.services.claim_commands import NewClaim

START = dt.date(2026, 1, 5)
AFTER_THE_LETTER = START + dt.timedelta(days=36)  # the 14-day letter goes out on day 35 (9 Feb)
TERM_OVER = dt.date(2026, 2, 26)


def debtor(reference: str | None = "K-100") -> Debtor:
    return Debtor(name="J. de Vries", type="consumer", email="jan@example.nl", reference=reference,
                  address=Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht"))


def invoices(world, principals: list[str], reference: str | None = "K-100"):
    return [world.claims.create("acme", NewClaim(
        invoice_number=f"F-{n}", debtor=debtor(reference), principal=Decimal(principal),
        invoice_date=START - dt.timedelta(days=30), due_date=START)) for n, principal in enumerate(principals, 1)]


def letters(world, claim, kind: str) -> list[dict]:
    return [r for r in world.store.list_messages("acme", claim.claim_id) if r["kind"] == kind]


def test_two_invoices_of_one_debtor_get_one_letter_each_step_and_the_costs_once(world):
    # given a consumer with two invoices of 100.00, both due on the same day
    world.tenant()
    first, second = invoices(world, ["100.00", "100.00"])
    # when the trajectory runs past the 14-day letter
    world.until(AFTER_THE_LETTER)
    # then each step's letter went out once, the same letter for both claims, naming both invoices
    for kind in ("reminder_1", "reminder_2", "fourteen_day_letter"):
        mine, theirs = letters(world, first, kind), letters(world, second, kind)
        assert len(mine) == 1 and len(theirs) == 1, kind
        assert mine[0]["sent_at"] == theirs[0]["sent_at"] and mine[0]["body"] == theirs[0]["body"]
        assert mine[0]["document"] == theirs[0]["document"]
        assert "F-1" in mine[0]["body"] and "F-2" in mine[0]["body"] and "facturen F-1 en F-2" in mine[0]["subject"]
    # and the 14-day letter announces the staffel over 200.00 once: EUR 40 in all, 20.00 per invoice
    letter = letters(world, first, "fourteen_day_letter")[0]["body"]
    assert "incassokosten verschuldigd van € 40,00" in letter and "€ 80,00" not in letter
    a, b = world.get(first), world.get(second)
    assert (a.announced_costs, b.announced_costs) == (Decimal("20.00"), Decimal("20.00"))
    assert a.notice.shared_with == sorted([first.claim_id, second.claim_id])
    # when the term runs out unpaid / then 40.00 is booked in all, never 80.00
    world.until(TERM_OVER + dt.timedelta(days=1))
    a, b = world.get(first), world.get(second)
    assert Stage.LEGAL_REVIEW.value in a.step_dates and Stage.LEGAL_REVIEW.value in b.step_dates
    assert a.amounts.collection_costs + b.amounts.collection_costs == Decimal("40.00")


def test_hr_2016_parts_paid_within_a_combined_terms_leave_the_staffel_over_the_sum_still_unpaid(world):
    from incasso.services.claim_commands import NewPayment

    # given two invoices of 1,000.00 in one 14-day letter: 300.00 announced, 150.00 each
    world.tenant()
    first, second = invoices(world, ["1000.00", "1000.00"])
    world.until(AFTER_THE_LETTER)
    assert (world.get(first).announced_costs, world.get(second).announced_costs) == (Decimal("150.00"),
                                                                                     Decimal("150.00"))
    # when the debtor pays 900.00 on each within the term
    for claim in (first, second):
        world.claims.pay("acme", claim.claim_id, NewPayment(amount=Decimal("900.00"), paid_at=AFTER_THE_LETTER))
    world.until(TERM_OVER + dt.timedelta(days=1))
    a, b = world.get(first), world.get(second)
    # then the costs are the staffel over what stayed unpaid of both together (about 200.00: the EUR 40
    # minimum), 20.00 each; per invoice they would have been 40.00 + 40.00
    assert a.amounts.collection_costs == Decimal("20.00") and b.amounts.collection_costs == Decimal("20.00")


def test_five_invoices_split_the_costs_in_proportion_and_the_odd_cent_goes_to_the_largest(world):
    # given five invoices of one debtor: 1,000.00 + 500.00 + 300.00 + 200.00 + 33.33 = 2,033.33
    world.tenant()
    claims = invoices(world, ["1000.00", "500.00", "300.00", "200.00", "33.33"])
    # when the 14-day letter goes out
    world.until(AFTER_THE_LETTER)
    # then one letter, listing all five, for every claim
    documents = {letters(world, c, "fourteen_day_letter")[0]["document"] for c in claims}
    assert len(documents) == 1
    # and the staffel over the sum (15 % of 2,033.33 = 305.00) divided in proportion, the cents to the largest
    shares = [world.get(c).announced_costs for c in claims]
    assert sum(shares) == Decimal("305.00")
    assert shares == [Decimal("150.01"), Decimal("75.00"), Decimal("45.00"), Decimal("30.00"), Decimal("4.99")]


def test_claims_at_different_stages_are_neither_pulled_forward_nor_held_back(world):
    # given two invoices of one debtor due a week apart
    world.tenant()
    early = world.claims.create("acme", NewClaim(invoice_number="E-1", debtor=debtor(), principal=Decimal("100.00"),
                                                 invoice_date=START - dt.timedelta(days=30), due_date=START))
    late = world.claims.create("acme", NewClaim(invoice_number="E-2", debtor=debtor(),
                                                principal=Decimal("100.00"), invoice_date=START - dt.timedelta(days=23),
                                                due_date=START + dt.timedelta(days=7)))
    # when the first reminders are due / then each goes out on its own day, alone
    world.until(START + dt.timedelta(days=20))
    early_letter, late_letter = letters(world, early, "reminder_1"), letters(world, late, "reminder_1")
    assert len(early_letter) == 1 and len(late_letter) == 1
    assert early_letter[0]["sent_at"] != late_letter[0]["sent_at"]
    assert "E-2" not in early_letter[0]["body"] and "E-1" not in late_letter[0]["body"]
    assert world.get(early).step_dates["reminder_1"] == START + dt.timedelta(days=7)


def test_without_a_debtor_reference_each_claim_stands_alone(world):
    # given two invoices of the same person but no customer number
    world.tenant()
    first, second = invoices(world, ["100.00", "100.00"], reference=None)
    # when the 14-day letters go out / then two letters, each with the EUR 40 minimum: never merged by name
    world.until(AFTER_THE_LETTER)
    assert letters(world, first, "fourteen_day_letter")[0]["document"] != \
        letters(world, second, "fourteen_day_letter")[0]["document"]
    assert (world.get(first).announced_costs, world.get(second).announced_costs) == (Decimal("40.00"), Decimal("40.00"))


def test_art_6_43_a_debtor_payment_settles_two_invoices_and_part_of_a_third_and_their_letters_stop(world):
    from incasso.domain.models import ClaimStatus
    from incasso.services import wiring
    from incasso.services.claim_commands import NewPayment

    # given three invoices of one debtor due on three days, past their first reminders, interest running
    world.tenant()
    claims = [world.claims.create("acme", NewClaim(
        invoice_number=f"F-{n}", debtor=debtor(), principal=Decimal(principal),
        invoice_date=START - dt.timedelta(days=30), due_date=START + dt.timedelta(days=n - 1)))
        for n, principal in enumerate(["100.00", "200.00", "300.00"], 1)]
    world.until(START + dt.timedelta(days=10))
    owed = [world.claims.current("acme", c.claim_id).amounts.outstanding for c in claims]
    # when the debtor pays the first two in full and 50.00 more, quoting only the customer number
    today = START + dt.timedelta(days=10)
    result = wiring.debtor_payment_service().pay("acme", "K-100", NewPayment(amount=owed[0] + owed[1] + Decimal("50.00"),
                                                                             paid_at=today))
    # then the two oldest are paid and closed, the third has 50.00 off, in that order
    assert [claim_id for claim_id, _ in result.parts] == [c.claim_id for c in claims]
    first, second, third = (world.get(c) for c in claims)
    assert first.status is ClaimStatus.PAID and second.status is ClaimStatus.PAID
    assert third.amounts.paid == Decimal("50.00") and third.amounts.outstanding == owed[2] - Decimal("50.00")
    # and the trajectory goes on for the third only: the second reminder names it alone
    world.until(AFTER_THE_LETTER)
    assert not letters(world, claims[0], "reminder_2") and not letters(world, claims[1], "reminder_2")
    reminder = letters(world, claims[2], "reminder_2")
    assert len(reminder) == 1 and "F-3" in reminder[0]["subject"] and "F-1" not in reminder[0]["body"]


def test_stb_2024_44_small_recurring_claims_of_one_debtor_stop_at_140_in_costs(world):
    # given a subscription: five monthly invoices of 50.00 of one customer, each due a month after the last
    world.tenant()
    claims = []
    for n in range(5):
        invoiced = START + dt.timedelta(days=30 * n - 30)
        if invoiced > START:
            world.until(invoiced)
        claims.append(world.claims.create("acme", NewClaim(
            invoice_number=f"M-{n}", debtor=debtor("K-SUB"), principal=Decimal("50.00"),
            invoice_date=invoiced, due_date=invoiced + dt.timedelta(days=30))))
    # when every one of them reaches its 14-day letter
    world.until(START + dt.timedelta(days=30 * 4 + 36))
    # then each letter went alone (a month apart) and the costs they announce stop at 140.00 in all
    announced = [world.get(c).announced_costs for c in claims]
    assert announced == [Decimal("40.00"), Decimal("40.00"), Decimal("40.00"), Decimal("20.00"), Decimal("0.00")]
    last = letters(world, claims[4], "fourteen_day_letter")[0]["body"]
    assert "geen incassokosten in rekening" in last and "het wettelijke maximum al aangekondigd" in last
