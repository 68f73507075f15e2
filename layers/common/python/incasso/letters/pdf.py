"""A letter as an A4 PDF with fpdf2 (pure Python): letterhead, address block, date, subject, body,
payment details.

Fonts: a letter whose every character is in cp1252 (WinAnsi: "€", Dutch diacritics, typographic
quotes — nearly all of them) uses the PDF core font Helvetica: nothing to embed, fast. A letter with
any other character (a debtor called Łukasz, Nguyễn, Ἀλέξανδρος, Иванов or محمد) embeds DejaVu Sans
(shipped in ``incasso/fonts``, subset to the glyphs used) with text shaping, so every name prints as
written.
Deterministic: the creation date is the letter's date, so the same context gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from importlib import resources

from incasso.domain.models import BAILIFF_LETTERS, MessageKind
from incasso.letters.formatting import format_date, format_iban, format_money
from incasso.letters.render import AMOUNT_ROW, LetterContext, RenderedMessage

_CORE_FONT = "helvetica"
_UNICODE_FONT = "dejavu"
_UNICODE_FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
_ENCODING = "windows-1252"
_TRANSLITERATE = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "ı": "i", "Ħ": "H", "ħ": "h",
                                "−": "-", "‑": "-"})

_LABELS = {
    "nl": {"date": "Datum", "subject": "Betreft", "reference": "Kenmerk", "payment": "Betaalgegevens",
           "amount": "Te betalen", "iban": "IBAN", "holder": "Ten name van", "kvk": "KvK", "page": "Pagina", "of": "van",
           "portal": "Scan de code om online te betalen, te betwisten of een regeling voor te stellen."},
    "en": {"date": "Date", "subject": "Subject", "reference": "Reference", "payment": "Payment details",
           "amount": "Amount due", "iban": "IBAN", "holder": "Account holder", "kvk": "Chamber of Commerce", "page": "Page", "of": "of",
           "portal": "Scan the code to pay online, dispute or propose a payment plan."},
}


def pdf_text(text: str) -> str:
    """``text`` as the core font can show it: cp1252 as is, anything else without its accents or '?'."""
    try:
        text.encode(_ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text.translate(_TRANSLITERATE):
        try:
            char.encode(_ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode(_ENCODING)
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def fits_core_font(*texts: str) -> bool:
    """True when every character of ``texts`` is in cp1252, which the core font shows as written."""
    try:
        for text in texts:
            text.encode(_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _use_unicode_font(pdf) -> None:
    fonts = resources.files("incasso") / "fonts"
    for style, name in _UNICODE_FONT_FILES.items():
        with resources.as_file(fonts / name) as path:
            pdf.add_font(_UNICODE_FONT, style=style, fname=str(path))
    try:
        pdf.set_text_shaping(True)  # joins and orders right-to-left scripts (uharfbuzz)
    except ImportError:  # pragma: no cover - uharfbuzz is a runtime dependency; without it, unshaped
        pass


def _keep_amounts_together(text: str) -> str:
    """A line never breaks between "€" and its amount: a no-break space (cp1252 0xA0) holds them."""
    return text.replace("€ ", "€\u00a0")


def _paragraph(pdf, width: float, height: float, text: str) -> None:
    """``text`` left-aligned over lines of ``width``, each line a cell of ``height`` (see ``wrap``)."""
    lines = wrap(pdf, width, text)
    if lines is None:  # a word wider than a line: fpdf2 breaks it inside
        pdf.multi_cell(width, height, text, align="L", new_x="LMARGIN", new_y="NEXT")
        return
    for line in lines:  # the no-break space has done its work: written as a plain one, as multi_cell does
        pdf.cell(width, height, line.replace("\u00a0", " "), new_x="LMARGIN", new_y="NEXT")


def wrap(pdf, width: float, text: str) -> list[str] | None:
    """``text`` broken at spaces (never at the no-break space that holds "€" to its amount) into lines
    that fit a cell of ``width`` in the current font; None when a single word is wider than a line.

    fpdf2's ``multi_cell`` measures the line again for every character it adds (quadratic in the line's
    length: 14 of the 20 ms of a 14-day letter); this measures each word once, with fpdf2's own metrics."""
    room = width - 2 * pdf.c_margin
    space = pdf.get_string_width(" ")
    lines: list[str] = []
    line, used = "", 0.0
    for word in text.split(" "):
        size = pdf.get_string_width(word)
        if size > room:
            return None
        if line and used + space + size > room:
            lines.append(line)
            line, used = word, size
        else:
            line, used = (f"{line} {word}", used + space + size) if line else (word, size)
    lines.append(line)
    return lines


def _address_lines(name: str, address) -> list[str]:
    lines = [name]
    if address is not None:
        lines += [address.street, f"{address.postal_code}  {address.city}"]
        if address.country.upper() not in ("NL", "NEDERLAND", "THE NETHERLANDS", "NETHERLANDS"):
            lines.append(address.country)
    return lines


def letter_pdf(rendered: RenderedMessage, ctx: LetterContext) -> bytes:
    # Deferred: fpdf2 with fontTools takes ~150 ms to import, and every function that sends or merely
    # could send (the API, the portal) would pay it at its first request (benchmarks/first_call.py).
    from fpdf import FPDF

    language = ctx.language.value
    labels = _LABELS[language]
    creditor, claim = ctx.creditor, ctx.claim

    class _Letter(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(font, size=8)
            self.set_text_color(110)
            self.cell(0, 5, text(f"{creditor.legal_name} · {labels['reference']} {ctx.payment_reference} · "
                                     f"{labels['page']} {self.page_no()} {labels['of']} {{nb}}"), align="C")
            self.set_text_color(0)

    pdf = _Letter(format="A4", unit="mm")
    names = [rendered.subject, rendered.body_text, creditor.legal_name, claim.debtor.name, creditor.email,
             creditor.phone, *_address_lines("", creditor.address), *_address_lines("", claim.debtor.address),
             ctx.payment_reference,
             ctx.bailiff_name or ""]
    if fits_core_font(*names):
        pdf.core_fonts_encoding = _ENCODING
        font, text = _CORE_FONT, pdf_text
    else:
        _use_unicode_font(pdf)
        font, text = _UNICODE_FONT, str
    pdf.set_creation_date(dt.datetime.combine(ctx.sent_on, dt.time(0, 0), tzinfo=dt.timezone.utc))
    pdf.set_title(text(rendered.subject))
    pdf.set_author(text(creditor.legal_name))
    pdf.set_creator("incasso")
    pdf.set_margins(20, 15, 20)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw

    # Letterhead: the creditor.
    pdf.set_font(font, style="B", size=15)
    pdf.cell(0, 8, text(creditor.legal_name), new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font(font, size=9)
    head = _address_lines("", creditor.address)[1:] + [f"{labels['iban']} {format_iban(creditor.iban)}"]
    if creditor.kvk_number:
        head.append(f"{labels['kvk']} {creditor.kvk_number}")
    head += [creditor.email, creditor.phone]
    for line in head:
        pdf.cell(0, 4.5, text(line), new_x="LMARGIN", new_y="NEXT", align="R")

    # Address block where a window envelope shows it (about 50 mm from the top).
    pdf.set_y(max(pdf.get_y() + 6, 50))
    pdf.set_font(font, size=11)
    # A withdrawal goes to the bailiff: addressed by name, not to the debtor's door.
    recipient = ([ctx.bailiff_name or ("de gerechtsdeurwaarder" if language == "nl" else "the bailiff")]
                 if ctx.kind in BAILIFF_LETTERS else _address_lines(claim.debtor.name, claim.debtor.address))
    for line in recipient:
        pdf.cell(0, 5.5, text(line), new_x="LMARGIN", new_y="NEXT")

    pdf.ln(12)
    pdf.set_font(font, size=10)
    place = f"{creditor.address.city}, "
    pdf.cell(0, 5, text(f"{labels['date']}: {place}{format_date(ctx.sent_on, language)}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, text(f"{labels['reference']}: {ctx.payment_reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(font, style="B", size=11)
    _paragraph(pdf, width, 5.5, text(f"{labels['subject']}: {rendered.subject}"))
    pdf.ln(4)

    # Body: prose as paragraphs, amount rows as a two-column table.
    pdf.set_font(font, size=10)
    for line in rendered.body_text.splitlines():
        row = AMOUNT_ROW.match(line)
        if row:
            pdf.set_x(pdf.l_margin + 6)
            pdf.cell(width - 6 - 40, 5, text(row["label"]))
            pdf.cell(40, 5, text(row["amount"]), align="R", new_x="LMARGIN", new_y="NEXT")
        elif line.strip():
            _paragraph(pdf, width, 5, _keep_amounts_together(text(line.strip())))
        else:
            pdf.ln(2.5)

    # Payment details, boxed, where anything is to be paid.
    if ctx.amounts.outstanding > 0:
        pdf.ln(6)
        rows = [
            (labels["amount"], format_money(ctx.amounts.outstanding, language)),
            (labels["iban"], format_iban(creditor.iban)),
            (labels["holder"], creditor.legal_name),
            (labels["reference"], ctx.payment_reference),
        ]
        height = 6 + 5.5 * len(rows) + 3
        if pdf.get_y() + height > pdf.h - 22:
            pdf.add_page()
        top = pdf.get_y()
        pdf.rect(pdf.l_margin, top, width, height)
        pdf.set_xy(pdf.l_margin + 3, top + 2)
        pdf.set_font(font, style="B", size=10)
        pdf.cell(0, 5, text(labels["payment"]), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(font, size=10)
        for label, value in rows:
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(40, 5.5, text(label))
            pdf.cell(0, 5.5, text(value), new_x="LMARGIN", new_y="NEXT")
    if ctx.portal_link:
        _portal_qr(pdf, ctx.portal_link, font, text(labels["portal"]))
    return bytes(pdf.output())


QR_SIZE_MM = 32


def _portal_qr(pdf, link: str, font: str, caption: str) -> None:
    """The debtor's personal link as a QR code (CONTRACT.md §8), drawn as vector squares: sharp in print."""
    import segno  # deferred: only letters with a portal link draw a QR code

    code = segno.make(link, error="m", micro=False)
    matrix = [list(row) for row in code.matrix]
    quiet = 2
    modules = len(matrix) + 2 * quiet
    cell = QR_SIZE_MM / modules
    pdf.ln(6)
    if pdf.get_y() + QR_SIZE_MM + 8 > pdf.h - 22:
        pdf.add_page()
    top, left = pdf.get_y(), pdf.l_margin
    pdf.set_fill_color(0)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                pdf.rect(left + (x + quiet) * cell, top + (y + quiet) * cell, cell, cell, style="F")
    pdf.set_xy(left + QR_SIZE_MM + 4, top + QR_SIZE_MM / 2 - 5)
    pdf.set_font(font, size=9)
    pdf.multi_cell(pdf.epw - QR_SIZE_MM - 4, 4.5, caption, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top + QR_SIZE_MM + 2)


def render_pdf(rendered: RenderedMessage, ctx: LetterContext) -> bytes:
    """The letter as an A4 PDF."""
    return letter_pdf(rendered, ctx)
