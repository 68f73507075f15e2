"""One UBL 2.1 invoice (Peppol BIS Billing 3.0, NLCIUS / SI-UBL 2.0 and plain UBL 2.1) read into the
claim it asks to be paid: the same ``ParsedInvoice`` a CSV row gives, with the original bytes beside it.

Where each value is taken from (the Peppol BIS 3.0 business terms, EN 16931):

- invoice number: ``cbc:ID`` (BT-1); invoice date: ``cbc:IssueDate`` (BT-2);
- due date: ``cbc:DueDate`` (BT-9), else ``cac:PaymentMeans/cbc:PaymentDueDate`` (UBL 2.0 habit), else
  ``cac:PaymentTerms/cbc:PaymentDueDate``, else a term in days in ``cac:PaymentTerms/cbc:Note`` (BT-20,
  "betaling binnen 14 dagen", "Net 30") counted from the invoice date; without any of them a business
  debtor owes 30 days after the invoice date (art. 6:119a lid 2 BW, applied by ``NewClaim``) and a
  consumer's invoice is refused (no term can be presumed);
- amount: ``cac:LegalMonetaryTotal/cbc:PayableAmount`` (BT-115, what remains to be paid after any
  prepayment), in euros only (``currencyID``, ``cbc:DocumentCurrencyCode`` BT-5);
- debtor: ``cac:AccountingCustomerParty/cac:Party`` — name ``cac:PartyLegalEntity/cbc:RegistrationName``
  (BT-44) or ``cac:PartyName/cbc:Name`` (BT-45); address ``cac:PostalAddress`` (BT-50, BT-52, BT-53,
  BT-55; ``cbc:BuildingNumber`` where plain UBL has it); e-mail and phone ``cac:Contact`` (BT-58, BT-57);
  reference ``cac:PartyIdentification/cbc:ID`` (BT-46);
- debtor type: business when the buyer has a company registration (``cac:PartyLegalEntity/cbc:CompanyID``,
  BT-47: a KvK number), a VAT number (``cac:PartyTaxScheme/cbc:CompanyID``, BT-48) or a Peppol address
  in a Dutch organisation scheme (``cbc:EndpointID`` 0106 KvK, 0190 OIN, 9944 NL VAT); else consumer
  (docs/law.md, "UBL invoices: consumer or business").

A credit note (``CreditNote-2``, or an invoice of type 381 or 396) is no claim and is refused; so is an
invoice for accounting only (type 751).

Safety (what defusedxml guards against, enforced on lxml as for bank statements): the document must be
UTF-8 (what UBL and Peppol prescribe) or another ASCII-compatible encoding, so that a DTD cannot hide in
UTF-16; a document with a DTD or an entity declaration is refused unread — an invoice never has one —
so no entity expansion (billion laughs) and no external entity can be reached; the parser resolves no
entities, loads no DTD, never touches the network and keeps lxml's limits on depth and text size
(``huge_tree`` off); and the file is refused by size before it is read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from pydantic import ValidationError

from incasso.domain.models import Debtor, DebtorType
from incasso.invoice_csv import fields as f
from incasso.invoice_csv.csv_parser import debtor_field_message
from incasso.invoice_csv.results import ParsedInvoice, RowError, RowResult

MAX_INVOICE_BYTES = 10 * 1024 * 1024  # an invoice with an embedded PDF is a few hundred KB
INVOICE_NAMESPACE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NAMESPACE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
# UNTDID 1001 document types that are not a demand for payment.
CREDIT_NOTE_TYPES = frozenset({"381", "396"})
NOT_A_DEMAND_TYPES = frozenset({"751"})  # invoice information for accounting purposes
# Peppol electronic address schemes (EAS) of Dutch organisations: a buyer reachable there is a business.
ORGANISATION_SCHEMES = frozenset({"0106", "0190", "9944"})
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ASCII_COMPATIBLE = frozenset({"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1",
                               "iso-8859-15", "windows-1252", "cp1252"})
_XSD_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?")
_TERM_DAYS = re.compile(r"\b(?:net\s*(?P<net>[0-9]{1,3})|(?P<days>[0-9]{1,3})\s*(?:kalender)?(?:dagen|dag|days|day)\b)",
                        re.IGNORECASE)
_MAX_TERM_DAYS = 366
T = TypeVar("T")


class UblProblem(ValueError):
    """The document as a whole cannot be read as an invoice: nothing of it is imported."""


@dataclass(frozen=True, slots=True)
class ParsedUblInvoice(ParsedInvoice):
    """A good invoice and the file it came in, kept with the claim and sent with its first reminder."""

    original: bytes = b""
    source_name: str = ""


def parse_ubl_invoice(data: bytes, *, row: int = 1, name: str = "") -> ParsedUblInvoice | list[RowError]:
    """The invoice in ``data``, or the problems of its fields (at least one), reported on ``row``.

    Raises ``UblProblem`` when the document as a whole is refused: not XML, not a UBL invoice, a credit
    note, a DTD or entity declaration, too large.
    """
    root = _document(data)
    errors: dict[str, str] = {}
    type_code = _text(root, "cbc:InvoiceTypeCode")
    if type_code in CREDIT_NOTE_TYPES:
        raise UblProblem(f"this is a credit note (invoice type {type_code}), not an invoice: a credit note is "
                         "no claim; deduct it from the invoice it corrects and upload that")
    if type_code in NOT_A_DEMAND_TYPES:
        raise UblProblem(f"invoice type {type_code} is for accounting only and asks for no payment")
    invoice_number = _read(errors, f.INVOICE_NUMBER, f.parse_invoice_number, _text(root, "cbc:ID"))
    invoice_date = _date(errors, f.INVOICE_DATE, _text(root, "cbc:IssueDate"), "invoice date (cbc:IssueDate)")
    principal, currency = _payable(root, errors)
    party = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    debtor = _debtor(party, errors)
    due_date = _due_date(root, invoice_date, debtor, errors)
    if errors:
        return [RowError(row, field, errors[field]) for field in f.FIELD_ORDER if field in errors]
    assert invoice_number and invoice_date and principal and currency and debtor
    return ParsedUblInvoice(row, invoice_number, debtor, principal, currency, invoice_date, due_date,
                            original=data, source_name=name)


# -- the document ------------------------------------------------------------------------------------
def _parser() -> Any:
    from lxml import etree  # deferred: only an upload of XML needs lxml (~15 ms to import)

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


def _document(data: bytes) -> Any:
    from lxml import etree  # deferred with _parser

    if len(data) > MAX_INVOICE_BYTES:
        raise UblProblem(f"the file is larger than {MAX_INVOICE_BYTES // (1024 * 1024)} MB; an invoice is far smaller")
    if not data.strip():
        raise UblProblem("the file is empty")
    if b"\x00" in data[:1024]:
        raise UblProblem("the XML is not UTF-8 (it looks like UTF-16): UBL invoices are UTF-8; export it again")
    declared = _DECLARED_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared.group(1).decode("ascii").lower() not in _ASCII_COMPATIBLE:
        raise UblProblem(f"the XML declares the encoding {declared.group(1).decode('ascii')!r}: UBL invoices are "
                         "UTF-8; export it again")
    if _DTD.search(data):
        raise UblProblem("the file declares a DTD or entities, which an invoice never does: refused unread")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UblProblem(f"the XML cannot be read: {str(exc.msg)[:200]}") from None
    if root.getroottree().docinfo.doctype:  # belt and braces: nothing may slip past the check above
        raise UblProblem("the file declares a DTD, which an invoice never does: refused")
    qname = etree.QName(root)
    if qname.namespace == CREDIT_NOTE_NAMESPACE:
        raise UblProblem("this is a credit note (UBL CreditNote), not an invoice: a credit note is no claim; "
                         "deduct it from the invoice it corrects and upload that")
    if qname.namespace != INVOICE_NAMESPACE or qname.localname != "Invoice":
        raise UblProblem(f"not a UBL invoice: the document is {qname.localname[:60]} in "
                         f"{(qname.namespace or 'no namespace')[:120]}")
    return root


def _text(node: Any, path: str) -> str:
    found = node.find(path, NS) if node is not None else None
    return " ".join(found.text.split()) if found is not None and found.text else ""


def _read(errors: dict[str, str], field: str, parse: Callable[[str], T], raw: str) -> T | None:
    try:
        return parse(raw)
    except f.FieldError as error:
        errors[field] = str(error)
        return None


# -- dates -------------------------------------------------------------------------------------------
def _xsd_date(raw: str, what: str) -> dt.date:
    """An ``xs:date`` (``2026-01-31``, with a time zone allowed)."""
    if not raw:
        raise f.FieldError(f"the {what} is missing")
    match = _XSD_DATE.fullmatch(raw)
    if match is None:
        raise f.FieldError(f"{f.shown(raw)} is not a date: UBL writes YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(match.group(1))
    except ValueError:
        raise f.FieldError(f"{f.shown(raw)} is not a valid date (no such day in the calendar)") from None


def _date(errors: dict[str, str], field: str, raw: str, what: str) -> dt.date | None:
    try:
        return _xsd_date(raw, what)
    except f.FieldError as error:
        errors[field] = str(error)
        return None


def _due_date(root: Any, invoice_date: dt.date | None, debtor: Debtor | None,
              errors: dict[str, str]) -> dt.date | None:
    """The due date in the order of the module docstring; None: the statutory term (business only)."""
    for path, what in (("cbc:DueDate", "due date (cbc:DueDate)"),
                       ("cac:PaymentMeans/cbc:PaymentDueDate", "due date (cac:PaymentMeans/cbc:PaymentDueDate)"),
                       ("cac:PaymentTerms/cbc:PaymentDueDate", "due date (cac:PaymentTerms/cbc:PaymentDueDate)")):
        raw = _text(root, path)
        if raw:
            due = _date(errors, f.DUE_DATE, raw, what)
            if due is not None and invoice_date is not None and due < invoice_date:
                errors[f.DUE_DATE] = f"the due date {due} is before the invoice date {invoice_date}"
            return due
    for note in root.findall("cac:PaymentTerms/cbc:Note", NS):
        days = _term_days(" ".join((note.text or "").split()))
        if days is not None and invoice_date is not None:
            return invoice_date + dt.timedelta(days=days)
    if debtor is not None and debtor.type is DebtorType.CONSUMER:
        errors[f.DUE_DATE] = ("the due date is missing (cbc:DueDate, cac:PaymentMeans/cbc:PaymentDueDate or a "
                              "term in cac:PaymentTerms/cbc:Note): a consumer owes nothing before an agreed date")
    return None  # a business debtor: 30 days after the invoice date (art. 6:119a lid 2 BW, in NewClaim)


def _term_days(note: str) -> int | None:
    """``betaling binnen 14 dagen`` -> 14; ``Net 30`` -> 30; None when the note names no term."""
    match = _TERM_DAYS.search(note)
    if match is None:
        return None
    days = int(match.group("net") or match.group("days"))
    return days if 0 <= days <= _MAX_TERM_DAYS else None


# -- the amount --------------------------------------------------------------------------------------
def _payable(root: Any, errors: dict[str, str]) -> tuple[Decimal | None, str | None]:
    node = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS)
    document_currency = _text(root, "cbc:DocumentCurrencyCode").upper()
    currency = ((node.get("currencyID") or "").strip().upper() if node is not None else "") or document_currency
    if currency and currency != "EUR":
        errors[f.CURRENCY] = f"the invoice is in {f.shown(currency)}: only EUR is accepted"
    elif document_currency and document_currency != "EUR":
        errors[f.CURRENCY] = f"the invoice's currency is {f.shown(document_currency)}: only EUR is accepted"
    raw = " ".join((node.text or "").split()) if node is not None else ""
    if not raw:
        errors[f.PRINCIPAL] = "the amount to pay (cac:LegalMonetaryTotal/cbc:PayableAmount) is missing"
        return None, None
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or len(raw) > 40:
        errors[f.PRINCIPAL] = f"{f.shown(raw)} is not an amount: UBL writes 1234.56"
    elif amount != amount.quantize(Decimal("0.01")):
        errors[f.PRINCIPAL] = f"{f.shown(raw)} has more than two decimals"
    elif amount <= 0:
        errors[f.PRINCIPAL] = (f"the amount to pay is {raw}: nothing is owed on this invoice "
                               "(paid in advance, or a credit)")
    elif amount > f.MAX_PRINCIPAL:
        errors[f.PRINCIPAL] = f"{f.shown(raw)} is more than the maximum of 10,000,000.00 for one invoice"
    else:
        return amount.quantize(Decimal("0.01")), "EUR"
    return None, None


# -- the debtor --------------------------------------------------------------------------------------
_DEBTOR_FIELDS = {"name": f.DEBTOR_NAME, "type": f.DEBTOR_TYPE, "email": f.EMAIL, "phone": f.PHONE,
                  "street": f.STREET, "postal_code": f.POSTAL_CODE, "city": f.CITY, "country": f.COUNTRY,
                  "reference": f.DEBTOR_REFERENCE, "language": f.LANGUAGE}


def debtor_type(party: Any) -> DebtorType:
    """Business when the buyer is registered as an undertaking (docs/law.md, "UBL invoices: consumer or
    business"): a company id (KvK), a VAT number, or a Peppol address in a Dutch organisation scheme."""
    if _text(party, "cac:PartyLegalEntity/cbc:CompanyID") or _text(party, "cac:PartyTaxScheme/cbc:CompanyID"):
        return DebtorType.BUSINESS
    endpoint = party.find("cbc:EndpointID", NS) if party is not None else None
    if endpoint is not None and (endpoint.get("schemeID") or "").strip() in ORGANISATION_SCHEMES and (endpoint.text or "").strip():
        return DebtorType.BUSINESS
    return DebtorType.CONSUMER


def _debtor(party: Any, errors: dict[str, str]) -> Debtor | None:
    if party is None:
        errors[f.DEBTOR_NAME] = "the invoice names no buyer (cac:AccountingCustomerParty/cac:Party)"
        return None
    cleaned: dict[str, str] = {}
    raw = {
        f.DEBTOR_NAME: _text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or _text(party, "cac:PartyName/cbc:Name"),
        f.EMAIL: _text(party, "cac:Contact/cbc:ElectronicMail"),
        f.PHONE: _text(party, "cac:Contact/cbc:Telephone"),
        f.STREET: " ".join(filter(None, (_text(party, "cac:PostalAddress/cbc:StreetName"),
                                         _text(party, "cac:PostalAddress/cbc:BuildingNumber")))),
        f.POSTAL_CODE: _text(party, "cac:PostalAddress/cbc:PostalZone"),
        f.CITY: _text(party, "cac:PostalAddress/cbc:CityName"),
        f.COUNTRY: _text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode").upper(),
        f.DEBTOR_REFERENCE: _text(party, "cac:PartyIdentification/cbc:ID"),
    }
    for field, value in raw.items():
        try:
            cleaned[field] = f.clean_text(value, multiline=True)
        except f.FieldError as error:
            errors[field] = str(error)
            cleaned[field] = ""
    if not cleaned[f.DEBTOR_NAME] and f.DEBTOR_NAME not in errors:
        errors[f.DEBTOR_NAME] = ("the buyer's name is missing (cac:PartyLegalEntity/cbc:RegistrationName or "
                                 "cac:PartyName/cbc:Name)")
    # A postal address needs street, postal code and city; Peppol asks only the country, so a partial
    # address is left out rather than refused — unless it is the only way to reach the debtor in writing.
    full = all(cleaned[field] for field in f.ADDRESS_FIELDS)
    address = {"street": cleaned[f.STREET], "postal_code": cleaned[f.POSTAL_CODE], "city": cleaned[f.CITY],
               "country": cleaned[f.COUNTRY] or "NL"} if full else None
    if not full and not cleaned[f.EMAIL] and f.EMAIL not in errors:
        given = [field for field in f.ADDRESS_FIELDS if cleaned[field]]
        if given:
            for field in f.ADDRESS_FIELDS:
                if not cleaned[field]:
                    errors.setdefault(field, "an address needs street, postal code and city; this one is missing")
        else:
            errors[f.EMAIL] = ("the buyer has neither an e-mail address (cac:Contact/cbc:ElectronicMail) nor a "
                               "postal address: the 14-day letter or notice of default must reach them in writing")
    try:
        return Debtor(name=cleaned[f.DEBTOR_NAME] or "-", type=debtor_type(party), email=cleaned[f.EMAIL] or None,
                      phone=cleaned[f.PHONE] or None, address=address, reference=cleaned[f.DEBTOR_REFERENCE] or None)
    except ValidationError as invalid:
        for problem in invalid.errors():
            field = _DEBTOR_FIELDS.get(str(problem["loc"][-1]) if problem["loc"] else "", "row")
            if problem["loc"] and problem["loc"][0] == "address":
                field = _DEBTOR_FIELDS.get(str(problem["loc"][-1]), f.STREET)
            errors.setdefault(field, debtor_field_message(field, problem))
        return None


__all__ = ["CREDIT_NOTE_NAMESPACE", "INVOICE_NAMESPACE", "MAX_INVOICE_BYTES", "ParsedUblInvoice", "RowResult",
           "UblProblem", "debtor_type", "parse_ubl_invoice"]
