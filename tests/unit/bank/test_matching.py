"""The matcher: reference, then invoice number, then debtor reference with the exact amount; never a guess."""

import datetime as dt
from decimal import Decimal

from incasso.domain import payment_reference as ref
from incasso.domain.bank.entries import BankEntry, Direction
from incasso.domain.bank.matching import Candidate, ClaimIndex, loose_keys


def _claim(n: int, invoice: str, outstanding: str = "100.00", debtor: str | None = None) -> Candidate:
    return Candidate(claim_id=f"clm_{n}", payment_reference=ref.for_claim("acme", f"clm_{n}"), invoice_number=invoice,
                     debtor_reference=debtor, outstanding=Decimal(outstanding), principal=Decimal(outstanding))


def _credit(amount: str, remittance: str = "", structured: str | None = None) -> BankEntry:
    return BankEntry(position=1, account="NL44RABO0123456789", booked_on=dt.date(2025, 6, 2), amount=Decimal(amount),
                     direction=Direction.CREDIT, remittance=remittance, structured_reference=structured)


CLAIMS = [_claim(1, "F-2025-00123"), _claim(2, "2025-001", debtor="K-8801"), _claim(3, "INV7", debtor="K-8801"),
          _claim(4, "A-1000"), _claim(5, "A-1001")]
INDEX = ClaimIndex.of(CLAIMS)


def test_the_reference_wins_written_in_groups_or_structured():
    reference = CLAIMS[3].payment_reference
    assert INDEX.match(_credit("5.00", structured=reference)).claims == (CLAIMS[3],)
    grouped = ref.grouped(reference)
    match = INDEX.match(_credit("5.00", f"betaling {grouped} factuur F-2025-00123"))
    assert match.kind.value == "reference" and match.claims == (CLAIMS[3],)


def test_a_reference_with_a_wrong_check_digit_is_not_a_reference():
    reference = CLAIMS[0].payment_reference
    wrong = f"{(int(reference[0]) + 1) % 10}{reference[1:]}"
    assert INDEX.match(_credit("5.00", wrong)).kind.value == "none"


def test_invoice_numbers_tolerate_spaces_dashes_and_leading_zeros():
    assert loose_keys("F-2025-00123") & loose_keys("f 2025 123")
    for text in ("factuur F-2025-00123", "F 2025 00123", "f2025123", "FACTUUR:F-2025-123 dank"):
        match = INDEX.match(_credit("40.00", text))
        assert (match.kind.value, match.claims) == ("invoice_number", (CLAIMS[0],)), text
    assert INDEX.match(_credit("40.00", "2025001")).claims == (CLAIMS[1],)


def test_debtor_reference_with_the_exact_amount_and_two_claims_together():
    together = INDEX.match(_credit("200.00", "klant K-8801"))
    assert together.kind.value == "debtor_amount" and {c.claim_id for c in together.claims} == {"clm_2", "clm_3"}
    ambiguous = INDEX.match(_credit("100.00", "klant K-8801"))
    assert ambiguous.kind.value == "none" and set(ambiguous.candidates) == {"clm_2", "clm_3"}



def test_art_6_43_the_customer_number_with_an_amount_that_fits_no_invoice_goes_to_the_debtors_invoices():
    # given a credit naming only customer K-8801, for an amount that is no invoice's nor their sum
    match = INDEX.match(_credit("33.00", "klant K-8801"))
    # then it is the debtor's, to be divided over its invoices in the order of art. 6:43 BW
    assert match.kind.value == "debtor" and {c.claim_id for c in match.claims} == {"clm_2", "clm_3"}


def test_two_invoices_named_are_booked_together_only_when_the_amount_is_their_sum():
    both = INDEX.match(_credit("200.00", "A-1000 A-1001"))
    assert both.kind.value == "invoice_number" and len(both.claims) == 2
    unsure = INDEX.match(_credit("150.00", "A-1000 A-1001"))
    assert unsure.claims == () and set(unsure.candidates) == {"clm_4", "clm_5"}


def test_short_numbers_and_debits_never_match():
    index = ClaimIndex.of([_claim(9, "12")])
    assert index.match(_credit("12.00", "12")).claims == ()
    debit = _credit("100.00", "F-2025-00123").model_copy(update={"direction": Direction.DEBIT})
    assert INDEX.match(debit).claims == ()


def test_an_invoice_number_glued_to_a_word_is_found_whatever_it_starts_with():
    # given remittances that glue the number to "nr." or "fact#" (the benchmark's only misses before)
    for text in ("betaling nr.F-2025-00123", "NR.F2025-00123", "fact#F-2025-00123"):
        match = INDEX.match(_credit("40.00", text))
        assert (match.kind.value, match.claims) == ("invoice_number", (CLAIMS[0],)), text
    # and a word alone never makes an invoice number
    assert INDEX.match(_credit("40.00", "dhr.Jansen bedankt")).kind.value == "none"
