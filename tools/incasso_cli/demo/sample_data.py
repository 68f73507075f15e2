"""Sample invoices for the demo: consumers and businesses, Dutch and English, realistic names, addresses
and amounts, due dates around the demo's start. Deterministic: the same seed gives the same file.

The CSV is written the way a Dutch bookkeeping package exports it (CONTRACT.md §5): Dutch headers,
``;`` as delimiter, amounts as ``€ 1.234,56``, dates as ``DD-MM-YYYY``, UTF-8 with a BOM.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from incasso.money import format_eur

DEFAULT_SEED = 20260105

DUTCH_FIRST = ("Jan", "Sanne", "Pieter", "Emma", "Daan", "Lotte", "Bram", "Fleur", "Ruben", "Anouk", "Joris",
               "Iris", "Thijs", "Femke", "Sem", "Noor", "Lars", "Eva", "Willem", "Mila", "Koen", "Sophie",
               "Jeroen", "Marloes", "Sven", "Esther", "Gijs", "Maaike", "Zoë", "Mehmet", "Fatima", "Priya")
DUTCH_LAST = ("de Vries", "van den Berg", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
              "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit",
              "Dijkstra", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen",
              "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "Schouten", "van Beek", "Willems",
              "van Vliet", "Hoekstra", "Maas", "Verhoeven", "Koster", "van Dam", "Prins", "Blom", "Huisman",
              "Yılmaz", "Öztürk", "El Amrani", "Ramdin")
ENGLISH_FIRST = ("Oliver", "Amelia", "James", "Emily", "Harry", "Charlotte", "Jack", "Isla", "George", "Ava",
                 "Noah", "Grace", "Liam", "Chloe", "Ethan", "Sophia", "Aidan", "Niamh")
ENGLISH_LAST = ("Smith", "Jones", "Taylor", "Brown", "Wilson", "Davies", "Evans", "Thomas", "Johnson", "Roberts",
                "Walker", "Wright", "O'Brien", "Murphy", "Hughes", "Green", "Kowalski", "Novak")
DUTCH_BUSINESSES = ("Bakkerij De Gouden Korst", "Van Dijk Installatietechniek B.V.", "Hoveniersbedrijf Groen & Zn.",
                    "De Vries Transport B.V.", "Café 't Hoekje", "Schildersbedrijf Mulder", "Jansen Bouw B.V.",
                    "Fietsenmaker Visser", "Kapsalon Knip & Kleur", "Drukkerij Hoekstra B.V.",
                    "Brouwer ICT Solutions B.V.", "Restaurant De Waag", "Autobedrijf Kok", "Bloemenhandel Bos",
                    "Loodgietersbedrijf De Boer", "Architectenbureau Meijer", "Stichting Buurthuis De Linde",
                    "Timmerbedrijf Dekker", "Koffiebranderij Prins B.V.", "Praktijk voor Fysiotherapie Smit",
                    "Zeilmakerij Hoorn V.O.F.", "Groothandel Vermeulen B.V.")
ENGLISH_BUSINESSES = ("Northwind Trading Ltd", "Blue Harbour Consulting Ltd", "Brightside Media Ltd",
                      "Maple & Finch LLP", "Greenfield Logistics GmbH", "Atlas Software Ltd", "Harbourview Events Ltd",
                      "Kestrel Design Studio")
CITIES = (("Amsterdam", "1012"), ("Rotterdam", "3011"), ("Utrecht", "3511"), ("Den Haag", "2511"),
          ("Eindhoven", "5611"), ("Groningen", "9711"), ("Tilburg", "5038"), ("Almere", "1315"), ("Breda", "4811"),
          ("Nijmegen", "6511"), ("Haarlem", "2011"), ("Arnhem", "6811"), ("Leiden", "2311"), ("Zwolle", "8011"),
          ("Maastricht", "6211"), ("Delft", "2611"), ("Amersfoort", "3811"), ("Leeuwarden", "8911"))
STREETS = ("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Schoolstraat", "Julianastraat",
           "Wilhelminalaan", "Prinsengracht", "Lindelaan", "Beukenlaan", "Hoofdstraat", "Nieuwe Gracht",
           "Marktplein", "Industrieweg", "Havenkade", "Oranjestraat")
POSTCODE_LETTERS = "ABCEGHJKLMNPRSTVWXZ"

_LEGAL_FORMS = {"b.v.", "ltd", "llp", "gmbh", "v.o.f.", "&", "zn.", "'t"}

HEADERS = ("factuurnummer", "klantnummer", "debiteur", "type", "e-mail", "telefoon", "straat", "postcode", "plaats",
           "land", "bedrag", "valuta", "factuurdatum", "vervaldatum", "taal")
# A share of consumers with a second (or third) unpaid invoice; half of those fall due on the same day as
# the earlier one, so their letters go out together (one debtor, many invoices: CONTRACT.md §6).
RETURNING_CONSUMERS = 0.22


@dataclass(frozen=True)
class SampleInvoice:
    invoice_number: str
    customer_number: str  # the creditor's own number for the debtor: one per debtor, whatever it owes
    debtor_name: str
    debtor_type: str  # consumer | business
    email: str | None
    phone: str | None
    street: str
    postal_code: str
    city: str
    country: str
    principal: Decimal
    invoice_date: dt.date
    due_date: dt.date
    language: str  # nl | en


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum() or ch in ".-")


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    """Log-uniform between ``low`` and ``high`` euros, in cents; some invoices are round amounts."""
    low_cents, high_cents = low * 100, high * 100
    cents = int(low_cents * (high_cents / low_cents) ** rng.random())
    if rng.random() < 0.3:
        cents -= cents % 500  # a round amount (whole 5 euros)
    return (Decimal(max(cents, low_cents)) / 100).quantize(Decimal("0.01"))


def _address(rng: random.Random) -> tuple[str, str, str]:
    city, prefix = rng.choice(CITIES)
    postal = f"{int(prefix) + rng.randrange(0, 9)} {rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
    return f"{rng.choice(STREETS)} {rng.randrange(1, 240)}", postal, city


def generate(count: int = 100, *, start: dt.date, seed: int = DEFAULT_SEED) -> list[SampleInvoice]:
    """``count`` invoices with due dates from about six weeks before ``start`` to ten days after it."""
    rng = random.Random(seed)
    invoices: list[SampleInvoice] = []
    customers: dict[str, str] = {}
    for number in range(count):
        consumers = [i for i in invoices if i.debtor_type == "consumer"]
        if len(consumers) >= 3 and rng.random() < RETURNING_CONSUMERS:
            earlier = rng.choice(consumers)
            due = earlier.due_date if rng.random() < 0.5 else \
                min(earlier.due_date + dt.timedelta(days=rng.randrange(7, 31)), start + dt.timedelta(days=10))
            invoices.append(SampleInvoice(**{
                **earlier.__dict__, "invoice_number": f"F{(due - dt.timedelta(days=14)).year}-{1001 + number:04d}",
                "principal": _amount(rng, 35, 2_400), "invoice_date": due - dt.timedelta(days=14), "due_date": due}))
            continue
        business = rng.random() < 0.35
        english = rng.random() < 0.2
        if business:
            pool = ENGLISH_BUSINESSES if english else DUTCH_BUSINESSES
            name = rng.choice(pool)  # a business may have several unpaid invoices
            words = [_ascii(word) for word in name.split() if word.lower() not in _LEGAL_FORMS]
            local = "-".join(word for word in words[:2] if word) or "info"
            email = f"administratie@{local}.example.nl" if not english else f"accounts@{local}.example.com"
            phone = f"+31 {rng.choice(('20', '10', '30', '70', '40'))} {rng.randrange(200, 999)} {rng.randrange(1000, 9999)}" \
                if rng.random() < 0.5 else None
            principal = _amount(rng, 180, 12_500)
            terms = 30
        else:
            first, last = (rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)) if english else \
                (rng.choice(DUTCH_FIRST), rng.choice(DUTCH_LAST))
            name = f"{first} {last}"
            email = f"{_ascii(first)}.{_ascii(last.replace(' ', ''))}@example.{'com' if english else 'nl'}" \
                if rng.random() < 0.85 else None
            phone = f"+31 6 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}" if rng.random() < 0.7 else None
            principal = _amount(rng, 35, 2_400)
            terms = 14
        # One debtor, one address, however many invoices it has.
        street, postal_code, city = _address(random.Random(f"{seed}:{name}"))
        due = start + dt.timedelta(days=rng.randrange(-42, 11))
        # A business is known by its name (the same firm again); a consumer is a new customer unless returning.
        customer = customers.setdefault(name if business else f"{name}#{number}", f"KL-{len(customers) + 1:05d}")
        invoices.append(SampleInvoice(
            invoice_number=f"F{(due - dt.timedelta(days=terms)).year}-{1001 + number:04d}", customer_number=customer,
            debtor_name=name, debtor_type="business" if business else "consumer", email=email, phone=phone,
            street=street, postal_code=postal_code, city=city, country="NL", principal=principal,
            invoice_date=due - dt.timedelta(days=terms), due_date=due, language="en" if english else "nl",
        ))
    return invoices


def _row(invoice: SampleInvoice) -> list[str]:
    return [
        invoice.invoice_number, invoice.customer_number, invoice.debtor_name,
        "zakelijk" if invoice.debtor_type == "business" else "particulier",
        invoice.email or "", invoice.phone or "", invoice.street, invoice.postal_code, invoice.city, invoice.country,
        format_eur(invoice.principal, "nl"), "EUR", invoice.invoice_date.strftime("%d-%m-%Y"),
        invoice.due_date.strftime("%d-%m-%Y"), invoice.language,
    ]


# Rows a real export gets wrong now and then: the import reports them (row, field, why) and goes on.
FAULTY_ROWS = (
    ["F2025-9001", "KL-09001", "Kees Verbeek", "particulier", "kees@example.nl", "", "Kerkstraat 9", "3511 AB", "Utrecht",
     "NL", "twaalf euro", "EUR", "01-12-2025", "15-12-2025", "nl"],
    ["F2025-9002", "KL-09002", "Lisa de Ridder", "particulier", "lisa@example.nl", "", "Molenweg 3", "2011 CD", "Haarlem",
     "NL", "€ 89,95", "EUR", "01-12-2025", "31-02-2026", "nl"],
)


def to_csv(invoices: list[SampleInvoice], *, faulty_rows: bool = True) -> bytes:
    """The invoices as a Dutch bookkeeping export (UTF-8 with BOM, ``;``); with two faulty rows in
    the middle when ``faulty_rows``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    middle = len(invoices) // 2
    for index, invoice in enumerate(invoices):
        if faulty_rows and index == middle:
            writer.writerows(FAULTY_ROWS)
        writer.writerow(_row(invoice))
    if faulty_rows and not invoices:
        writer.writerows(FAULTY_ROWS)
    return buffer.getvalue().encode("utf-8-sig")
