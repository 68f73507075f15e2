"""The 14-day letter (art. 6:96 lid 6 BW) as the debtor and the court read it."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from pydantic import ValidationError

from letters_factories import SENT_ON, make_claim
from incasso.domain.models import MessageKind
from incasso.letters.render import CostNotice, LetterContext, LetterTerm, render_message

# 3,000 principal -> 15% of 2,500 + 10% of 500 = 425.00 (Stb. 2012, 141 art. 2); with 21% VAT 514.25.
COSTS = CostNotice(costs=Decimal("425.00"))
COSTS_WITH_VAT = CostNotice(costs=Decimal("425.00"), vat=Decimal("89.25"))
TERM = LetterTerm(delivered_on=dt.date(2025, 6, 5), starts_on=dt.date(2025, 6, 6), ends_on=dt.date(2025, 6, 19))

# HR 25-11-2016, ECLI:NL:HR:2016:2704 — wordings that make the letter defective (no costs owed).
DEFECTIVE = [
    r"14 dagen na (dagtekening|heden|verzending)",
    r"veertien dagen na (dagtekening|heden|verzending)",
    r"binnen 14 dagen",
    r"within 14 days",
    r"(14|fourteen) days (of|from|after) (the date of )?(this letter|sending|today)",
    r"date of this letter",
]


def letter(tenant, claim, language, costs=COSTS, term=TERM):
    ctx = LetterContext(tenant=tenant, claim=claim, kind=MessageKind.FOURTEEN_DAY_LETTER, sent_on=SENT_ON,
                        language=language, costs_notice=costs, term=term)
    return render_message(ctx)


def test_dutch_letter_names_exact_costs_safe_term_consequences_and_payment(tenant, consumer_claim):
    # given a consumer owing EUR 3,000 and a creditor that deducts VAT
    # when the 14-day letter is rendered in Dutch
    message = letter(tenant, consumer_claim, "nl")
    body = message.body_text
    # then it names the exact collection costs in euros
    assert "incassokosten verschuldigd van € 425,00" in body
    # and the term runs from the day after delivery, in the safe wording
    assert "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd" in body
    assert "De termijn loopt dan van 6 juni 2025 tot en met 19 juni 2025" in body
    # and it states the consequences of not paying
    assert "Gevolgen van niet betalen" in body
    assert "gerechtsdeurwaarder" in body
    # and how to pay: the creditor's IBAN and the reference
    assert "IBAN NL44 RABO 0123 4567 89" in body
    assert f"kenmerk {consumer_claim.payment_reference}" in body
    # and the creditor, the invoice and the amounts
    assert "Acme Verhuur B.V." in body
    assert "Factuur 2025-001 van 1 april 2025, vervaldatum 1 mei 2025" in body
    assert re.search(r"Hoofdsom\s+€ 3\.000,00", body)
    assert re.search(r"Totaal openstaand\s+€ 3\.012,34", body)
    assert message.subject.startswith("Veertiendagenbrief")


def test_english_letter_names_exact_costs_safe_term_consequences_and_payment(tenant, consumer_claim):
    message = letter(tenant, consumer_claim, "en")
    body = message.body_text
    assert "extrajudicial collection costs of €425.00" in body
    assert "within fourteen days starting on the day after this letter is delivered to you" in body
    assert "runs from 6 June 2025 up to and including 19 June 2025" in body
    assert "Consequences of non-payment" in body
    assert "IBAN NL44 RABO 0123 4567 89" in body
    assert f"reference {consumer_claim.payment_reference}" in body
    assert re.search(r"Principal\s+€3,000\.00", body)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_no_defective_term_wording(tenant, consumer_claim, language):
    # given both languages, with and without the expected delivery dates
    for term in (TERM, None):
        body = letter(tenant, consumer_claim, language, term=term).body_text.lower()
        # then none of the wordings the Hoge Raad held defective appears
        for pattern in DEFECTIVE:
            assert not re.search(pattern, body), pattern


@pytest.mark.parametrize("language, vat_marker", [("nl", "btw"), ("en", "vat")])
def test_vat_line_only_where_the_uplift_applies(tenant, consumer_claim, language, vat_marker):
    # given a creditor that can deduct VAT: no uplift, so no VAT anywhere in the letter
    without = letter(tenant, consumer_claim, language, costs=COSTS).body_text
    assert vat_marker not in without.lower()
    # given a creditor that cannot deduct VAT (art. 2 lid 3 Besluit BIK): the uplift, its amount and the declaration
    with_vat = letter(tenant, consumer_claim, language, costs=COSTS_WITH_VAT).body_text
    if language == "nl":
        assert "vermeerderd met 21% btw van € 89,25, samen € 514,25" in with_vat
        assert "wij deze btw niet als voorbelasting kunnen verrekenen" in with_vat
        assert "incassokosten van € 514,25 direct verschuldigd" in with_vat
    else:
        assert "increased by 21% VAT of €89.25, €514.25 in total" in with_vat
        assert "cannot deduct this VAT" in with_vat


def test_without_expected_dates_the_letter_still_gives_the_legal_term(tenant, consumer_claim):
    body = letter(tenant, consumer_claim, "nl", term=None).body_text
    assert "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd" in body
    assert "De termijn loopt dan" not in body


def test_partly_paid_claim_shows_what_was_paid(tenant):
    claim = make_claim(paid="500.00")
    body = letter(tenant, claim, "nl").body_text
    assert re.search(r"Af: reeds betaald\s+€ 500,00", body)
    assert re.search(r"Totaal openstaand\s+€ 2\.512,34", body)


def test_letter_cannot_be_rendered_without_its_cost_amount(tenant, consumer_claim):
    # art. 6:96 lid 6 BW — a 14-day letter without the exact costs is worthless: refuse to make one
    with pytest.raises(ValidationError, match="costs_notice"):
        LetterContext(tenant=tenant, claim=consumer_claim, kind=MessageKind.FOURTEEN_DAY_LETTER, sent_on=SENT_ON)
    with pytest.raises(ValidationError, match="flat fee"):
        LetterContext(tenant=tenant, claim=consumer_claim, kind=MessageKind.FOURTEEN_DAY_LETTER, sent_on=SENT_ON,
                      costs_notice=CostNotice(costs=Decimal("40.00"), flat_fee=True))


def test_term_must_start_the_day_after_delivery():
    with pytest.raises(ValidationError, match="day after delivery"):
        LetterTerm(delivered_on=dt.date(2025, 6, 5), starts_on=dt.date(2025, 6, 5), ends_on=dt.date(2025, 6, 19))
    with pytest.raises(ValidationError, match="fourteen days"):
        LetterTerm(delivered_on=dt.date(2025, 6, 5), starts_on=dt.date(2025, 6, 6), ends_on=dt.date(2025, 6, 18))


def test_term_and_costs_taken_from_the_law_engines_objects(tenant, consumer_claim):
    # given objects shaped like incasso.law.terms.FourteenDayTerm and incasso.law.wik.CollectionCosts
    from types import SimpleNamespace

    term = SimpleNamespace(sent_on=SENT_ON, delivered_on=dt.date(2025, 6, 5), starts_on=dt.date(2025, 6, 6),
                           ends_on=dt.date(2025, 6, 19), costs_due_from=dt.date(2025, 6, 20))
    costs = SimpleNamespace(costs=Decimal("425.00"), vat=Decimal("0.00"), total=Decimal("425.00"),
                            basis=Decimal("3000.00"), flat_fee=False)
    # when they are validated from attributes / then the letter context accepts them as they are
    assert LetterTerm.model_validate(term, from_attributes=True) == TERM
    assert CostNotice.model_validate(costs, from_attributes=True) == COSTS
