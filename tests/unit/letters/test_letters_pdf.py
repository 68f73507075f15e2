"""Letter PDFs open, carry the amounts as text, and are the same bytes for the same letter."""

import email
import io
from email.header import decode_header, make_header
import re

import pypdf
import pytest

from incasso.domain.models import Language, MessageKind
from incasso.letters.pdf import pdf_text
from incasso.letters.pdf import render_pdf
from incasso.letters.render import render_message
from letters_factories import make_claim, make_context


def pdf_of(ctx) -> bytes:
    return render_pdf(render_message(ctx), ctx)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_fourteen_day_letter_pdf_contains_amounts_term_and_payment_details():
    # given the Dutch 14-day letter with the VAT uplift
    from decimal import Decimal

    from incasso.letters.render import CostNotice

    ctx = make_context("fourteen_day_letter", costs_notice=CostNotice(costs=Decimal("425.00"), vat=Decimal("89.25")))
    # when it is made into a PDF
    pdf = pdf_of(ctx)
    # then it opens, and its text holds what the court reads
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    for expected in ("€ 425,00", "€ 89,25", "€ 514,25", "€ 3.000,00", "€ 3.012,34", "NL44 RABO 0123 4567 89",
                     "2025-001", "Acme Verhuur B.V.", "Jan de Vries", "Dorpsstraat 5", "1234 AB", "3 juni 2025"):
        assert expected in text, expected
    # the safe term wording survives line wrapping
    assert "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd" in " ".join(text.split())
    # and the letter's metadata: its date, not the time it was rendered
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert reader.metadata["/CreationDate"].startswith("D:20250603")
    assert reader.metadata["/Title"].startswith("Veertiendagenbrief")


@pytest.mark.parametrize("kind", list(MessageKind))
@pytest.mark.parametrize("language", list(Language))
def test_every_kind_makes_a_pdf_in_both_languages(kind, language):
    text = text_of(pdf_of(make_context(kind, language=language.value)))
    euro = r"€ 3\.012,34" if language is Language.NL else r"€3,012\.34"
    assert re.search(euro, text)
    assert "NL44 RABO 0123 4567 89" in text


def test_same_letter_same_bytes():
    ctx = make_context("notice_of_default", claim=make_claim(debtor_type="business"))
    assert pdf_of(ctx) == pdf_of(ctx)


@pytest.mark.parametrize("name", [
    "Zoë Öztürk",  # cp1252: the core font shows it
    "Łukasz Şahin-Nowak",  # Latin Extended
    "Nguyễn Văn An",  # Vietnamese
    "Ἀλέξανδρος Παπαδόπουλος",  # Greek, polytonic
    "Иван Петров",  # Cyrillic
    "محمد عبد الله",  # Arabic: shaped, right to left
])
def test_every_name_prints_as_written_in_the_pdf_and_the_e_mail(name):
    # given a debtor named in any script
    ctx = make_context("reminder_2", claim=make_claim(name=name))
    message = render_message(ctx)
    # when the letter is rendered / then the PDF and the e-mail carry the name as written
    assert name in text_of(render_pdf(message, ctx))
    from incasso.adapters.message_sending import MessageSender
    from incasso.letters.message_text import compose

    mime = MessageSender(sender_email="noreply@incasso.example").mime(compose(ctx, "email"))
    to = email.message_from_bytes(mime)["To"]
    assert name in str(make_header(decode_header(to)))  # RFC 2047: adjacent encoded words join


def test_a_letter_in_cp1252_embeds_no_font_and_one_outside_it_embeds_dejavu():
    plain = pdf_of(make_context("reminder_2", claim=make_claim(name="Jan de Vries")))
    wide = pdf_of(make_context("reminder_2", claim=make_claim(name="Иван Петров")))
    assert b"FontFile2" not in plain and b"DejaVu" not in plain
    assert b"FontFile2" in wide and b"DejaVu" in wide
    assert pdf_text("€ ‘Zoë’ “ï”") == "€ ‘Zoë’ “ï”"  # cp1252 holds these as they are


def test_paid_in_full_letter_has_no_payment_box():
    ctx = make_context("payment_confirmation", claim=make_claim(paid="3012.34"))
    text = text_of(pdf_of(ctx))
    assert "Betaalgegevens" not in text
    assert "volledig betaald" in text


def _pdf_at_10pt():
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    return pdf


def test_wrap_fills_each_line_without_overflowing_and_keeps_every_word_in_order():
    # given a long Dutch paragraph with an amount held together by a no-break space
    from incasso.letters.pdf import wrap

    pdf = _pdf_at_10pt()
    text = ("Betaalt u niet binnen deze termijn, dan bent u buitengerechtelijke incassokosten verschuldigd van "
            "€\u00a0425,00, berekend volgens het Besluit vergoeding voor buitengerechtelijke incassokosten. " * 3).strip()
    # when it is wrapped to 80 mm
    lines = wrap(pdf, 80, text)
    # then no line is wider than the cell's room, and no line could have taken the next word
    room = 80 - 2 * pdf.c_margin
    assert lines and all(pdf.get_string_width(line) <= room for line in lines)
    for line, following in zip(lines, lines[1:]):
        assert pdf.get_string_width(f"{line} {following.split(' ')[0]}") > room
    # and the words are all there, in order; the amount is never split from its "€"
    assert " ".join(lines) == text
    assert all(not line.endswith("€") for line in lines)


def test_wrap_gives_up_on_a_word_wider_than_a_line():
    # given a word wider than the cell / when wrapped / then None: fpdf2's multi_cell breaks it instead
    from incasso.letters.pdf import wrap

    assert wrap(_pdf_at_10pt(), 20, "kort " + "x" * 80) is None
    assert wrap(_pdf_at_10pt(), 20, "") == [""]
