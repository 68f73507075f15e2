"""The debtor's page (CONTRACT.md §8) as HTML: Jinja2 with autoescape, beside the letters' templates
(``templates/portal/``), in Dutch or English. No scripts; the style sheet carries the response's CSP nonce."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from incasso.letters.formatting import format_date, format_iban, format_money

STRINGS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Uw openstaande facturen", "creditor": "Schuldeiser", "invoice": "Factuur", "due": "Vervaldatum",
        "principal": "Hoofdsom", "interest": "Rente", "costs": "Incassokosten", "paid": "Betaald",
        "outstanding": "Openstaand", "status": "Status", "letters": "Brieven (PDF)", "total": "Totaal te betalen",
        "pay": "Nu betalen met iDEAL", "dispute": "Betwisten", "reason": "Waarom betwist u deze factuur?",
        "send_dispute": "Betwisting versturen", "arrangement": "Betalingsregeling voorstellen",
        "instalments": "Aantal maandelijkse termijnen", "first_due": "Eerste termijn op",
        "send_arrangement": "Regeling voorstellen", "switch": "English", "nothing": "Er staat niets meer open. Dank u wel.",
        "status_paid": "Betaald", "status_paused": "Betwist: in behandeling", "status_arrangement": "Betalingsregeling",
        "status_open": "Openstaand", "proposed": "Uw voorstel voor een regeling ligt bij de schuldeiser.",
        "accepted": "Uw betalingsregeling is aanvaard. U ontvangt een bevestiging.",
        "left": "Uw voorstel valt buiten wat direct kan worden aanvaard; de schuldeiser beoordeelt het.",
        "disputed": "Uw betwisting is ontvangen. De incasso is gepauzeerd.",
        "payment_back": "Dank u. Zodra de betaling is bevestigd, ziet u dat hier.", "contact": "Contact",
        "iban": "IBAN", "kvk": "KvK", "disputed_part": "Betwist deel (gepauzeerd)",
        "disputed_amount": "Betwist bedrag (optioneel)",
        "disputed_amount_hint": "Laat leeg als u de hele factuur betwist. Het overige deel blijft verschuldigd.",
        "disputed_in_part": "Uw betwisting van een deel is ontvangen. Dat deel is gepauzeerd; het overige blijft verschuldigd.",
    },
    "en": {
        "title": "Your open invoices", "creditor": "Creditor", "invoice": "Invoice", "due": "Due date",
        "principal": "Principal", "interest": "Interest", "costs": "Collection costs", "paid": "Paid",
        "outstanding": "Outstanding", "status": "Status", "letters": "Letters (PDF)", "total": "Total to pay",
        "pay": "Pay now with iDEAL", "dispute": "Dispute", "reason": "Why do you dispute this invoice?",
        "send_dispute": "Send dispute", "arrangement": "Propose a payment plan",
        "instalments": "Number of monthly instalments", "first_due": "First instalment on",
        "send_arrangement": "Propose plan", "switch": "Nederlands", "nothing": "Nothing is left to pay. Thank you.",
        "status_paid": "Paid", "status_paused": "Disputed: under review", "status_arrangement": "Payment plan",
        "status_open": "Outstanding", "proposed": "Your proposed payment plan is with the creditor.",
        "accepted": "Your payment plan has been accepted. You will receive a confirmation.",
        "left": "Your proposal is beyond what can be accepted at once; the creditor will review it.",
        "disputed": "Your dispute has been received. Collection is paused.",
        "payment_back": "Thank you. Once the payment is confirmed you will see it here.", "contact": "Contact",
        "iban": "IBAN", "kvk": "Chamber of Commerce", "disputed_part": "Disputed part (paused)",
        "disputed_amount": "Disputed amount (optional)",
        "disputed_amount_hint": "Leave empty to dispute the whole invoice. The rest remains due.",
        "disputed_in_part": "Your dispute of a part has been received. That part is paused; the rest remains due.",
    },
}


@lru_cache(maxsize=1)
def _environment():
    import jinja2  # deferred with the line below: only the portal Lambda renders these pages

    from incasso.letters.render import TEMPLATES_DIR  # deferred: render.py loads the letters' environment

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR / "portal")),
                             autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


def render_page(*, language: str, variables: dict[str, Any]) -> str:
    language = language if language in STRINGS else "nl"
    env = _environment()
    return env.get_template("page.html.j2").render(
        lang=language, t=STRINGS[language], money=lambda amount: format_money(amount, language),
        date=lambda day: format_date(day, language), iban=format_iban, **variables)


def render_notice(*, language: str, title: str, message: str, nonce: str) -> str:
    """A short page (404, a refused action) in the same style."""
    return _environment().get_template("notice.html.j2").render(lang=language if language in STRINGS else "nl",
                                                                 title=title, message=message, nonce=nonce)
