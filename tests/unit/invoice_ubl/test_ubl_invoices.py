"""UBL 2.1 / Peppol BIS Billing 3.0 invoices as intake: what a dropped XML or zip becomes, and what is refused."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import pytest

from incasso.domain.models import Address, DebtorType
from incasso.invoice_csv.results import FileError, ParsedInvoice, RowError
from incasso.invoice_ubl import (
    MAX_INVOICE_BYTES,
    MAX_MEMBERS,
    ParsedUblInvoice,
    UploadKind,
    parse_ubl_upload,
    upload_kind,
)
from ubl_files import BILLION_LAUGHS, XXE, fixture, ubl_credit_note, ubl_invoice, zip_of


def parse(data: bytes, filename: str = "factuur.xml") -> list:
    return list(parse_ubl_upload(data, filename))


def problems(results: list) -> list[tuple[int, str]]:
    return [(r.row, r.field) for r in results if isinstance(r, RowError)]


# -- the Peppol example ---------------------------------------------------------------------------------

def test_a_peppol_bis_3_invoice_becomes_one_claim_with_its_debtor_amount_and_dates():
    # given the Peppol BIS Billing 3.0 invoice of a Dutch wholesaler to a bakery (KvK, VAT, a prepayment)
    data = fixture("peppol-bis3-invoice.xml")
    # when it is read
    (invoice,) = parse(data)
    # then it is the invoice as the CSV path would give it, with the original beside it
    assert isinstance(invoice, ParsedUblInvoice) and isinstance(invoice, ParsedInvoice)
    assert (invoice.row, invoice.invoice_number, invoice.currency) == (1, "F-2025-0412", "EUR")
    assert (invoice.invoice_date, invoice.due_date) == (dt.date(2025, 11, 13), dt.date(2025, 12, 13))
    # and the amount is what remains to be paid after the prepayment (PayableAmount, BT-115), a Decimal
    assert invoice.principal == Decimal("1315.00") and isinstance(invoice.principal, Decimal)
    # and the debtor is the buyer: its registered name, address, contact and customer number
    debtor = invoice.debtor
    assert (debtor.name, debtor.type, debtor.reference) == ("Bakkerij Smit B.V.", DebtorType.BUSINESS, "K-1001")
    assert (debtor.email, debtor.phone) == ("administratie@smit.example", "+31 40 123 4567")
    assert debtor.address == Address(street="Markt 1", postal_code="5611 AA", city="Eindhoven", country="NL")
    assert invoice.original == data and invoice.source_name == "factuur.xml"


def test_a_plain_ubl_21_invoice_to_a_consumer_takes_its_due_date_from_payment_means():
    # given a bookkeeping package's UBL 2.1 export: no company ids, house number apart, due date in PaymentMeans
    (invoice,) = parse(fixture("ubl21-consumer-invoice.xml"))
    # then the buyer is a consumer, the street has its number, the due date is PaymentMeans/PaymentDueDate
    assert invoice.debtor.type is DebtorType.CONSUMER
    assert invoice.debtor.address.street == "Dorpsstraat 5" and invoice.debtor.address.country == "NL"
    assert (invoice.due_date, invoice.principal) == (dt.date(2025, 10, 15), Decimal("246.95"))


# -- debtor type ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kvk", "vat", "expected"), [
    ("87654321", None, DebtorType.BUSINESS),  # KvK in PartyLegalEntity/CompanyID (BT-47)
    (None, "NL009876543B01", DebtorType.BUSINESS),  # VAT number in PartyTaxScheme (BT-48)
    (None, None, DebtorType.CONSUMER),  # neither: a private person
])
def test_the_debtor_is_a_business_when_the_buyer_has_a_company_or_vat_number(kvk, vat, expected):
    # given an invoice whose buyer has (or has not) a company registration or VAT number
    (invoice,) = parse(ubl_invoice(kvk=kvk, vat=vat))
    # then the debtor type follows (docs/law.md, "UBL invoices: consumer or business")
    assert invoice.debtor.type is expected


def test_a_buyer_with_a_peppol_address_in_the_kvk_scheme_is_a_business():
    # given a buyer without CompanyID but reachable on Peppol by its KvK number (scheme 0106)
    data = ubl_invoice(kvk=None).replace(b"<cac:AccountingCustomerParty><cac:Party>",
                                         b'<cac:AccountingCustomerParty><cac:Party><cbc:EndpointID schemeID="0106">'
                                         b"87654321</cbc:EndpointID>")
    # then it is a business
    assert parse(data)[0].debtor.type is DebtorType.BUSINESS


# -- due dates ------------------------------------------------------------------------------------------

def test_a_payment_term_in_days_counts_from_the_invoice_date():
    # given an invoice without a due date whose payment terms say "binnen 14 dagen"
    (invoice,) = parse(ubl_invoice(due=None, issued="2025-12-01", terms="Betaling binnen 14 dagen na factuurdatum"))
    # then the due date is 14 days after the invoice date
    assert invoice.due_date == dt.date(2025, 12, 15)


def test_art_6_119a_lid_2_bw_a_business_invoice_without_a_term_leaves_the_due_date_to_the_statutory_30_days():
    # given a business invoice that names no due date and no term
    (invoice,) = parse(ubl_invoice(due=None, kvk="87654321"))
    # then the parser leaves it open, for NewClaim to apply the statutory 30 days
    from incasso.services.imports import new_claim

    assert invoice.due_date is None
    assert new_claim(invoice).due_date == dt.date(2025, 12, 31)


def test_a_consumer_invoice_without_a_due_date_is_refused_naming_the_field():
    # given a consumer invoice without a due date or term
    results = parse(ubl_invoice(due=None, kvk=None))
    # then it is a row error on due_date (no term can be presumed for a consumer)
    assert problems(results) == [(1, "due_date")]
    assert "cbc:DueDate" in results[0].message


def test_a_due_date_before_the_invoice_date_is_refused():
    results = parse(ubl_invoice(issued="2025-12-01", due="2025-11-01"))
    assert problems(results) == [(1, "due_date")]


# -- refused: missing fields, currency, amounts ---------------------------------------------------------

def test_missing_fields_are_each_reported_by_their_contract_name():
    # given an invoice without number, issue date, amount and buyer name
    data = ubl_invoice(number=None, issued=None, buyer=None).replace(
        b'<cbc:PayableAmount currencyID="EUR">1210.00</cbc:PayableAmount>', b"")
    # when it is read
    results = parse(data)
    # then every missing field is named, in the contract's order, and no invoice comes out
    assert problems(results) == [(1, "invoice_number"), (1, "debtor_name"), (1, "principal"), (1, "invoice_date")]
    assert not [r for r in results if isinstance(r, ParsedInvoice)]


def test_an_invoice_in_another_currency_is_a_row_error_on_currency():
    # given an invoice in US dollars
    results = parse(ubl_invoice(currency="USD"))
    # then it is refused on its currency, saying only EUR is taken
    assert problems(results) == [(1, "currency")]
    assert "only EUR" in results[0].message


@pytest.mark.parametrize(("amount", "why"), [("0.00", "nothing is owed"), ("-12.50", "nothing is owed"),
                                             ("12.345", "more than two decimals"), ("twelve", "not an amount")])
def test_an_amount_to_pay_that_is_not_a_positive_sum_in_cents_is_refused(amount, why):
    results = parse(ubl_invoice(amount=amount))
    assert problems(results) == [(1, "principal")] and why in results[0].message


def test_a_buyer_that_cannot_be_reached_in_writing_is_refused():
    # given a buyer with neither an e-mail address nor a postal address
    results = parse(ubl_invoice(email=None, street=None, postal_code=None, city=None))
    # then the invoice is refused on the e-mail field, saying why (the 14-day letter must reach them)
    assert problems(results) == [(1, "email")] and "in writing" in results[0].message


def test_a_partial_address_is_left_out_when_the_buyer_has_an_e_mail_address():
    (invoice,) = parse(ubl_invoice(street=None))
    assert invoice.debtor.address is None and invoice.debtor.email == "administratie@smit.example"


# -- refused: credit notes and documents that are no invoice --------------------------------------------

def test_a_credit_note_is_refused_with_a_clear_file_error():
    # given a UBL CreditNote
    results = parse(ubl_credit_note())
    # then the file is refused as a whole, saying a credit note is no claim
    assert len(results) == 1 and isinstance(results[0], FileError)
    assert (results[0].row, results[0].field) == (0, "file") and "credit note" in results[0].message


def test_an_invoice_typed_as_credit_note_is_refused_too():
    results = parse(ubl_invoice(type_code="381"))
    assert isinstance(results[0], FileError) and "credit note" in results[0].message


@pytest.mark.parametrize(("data", "why"), [
    (b"<Invoice><ID>1</ID></Invoice>", "not a UBL invoice"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>', "not a UBL invoice"),
    (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><unclosed>", "cannot be read"),
    (b"", "empty"),
])
def test_a_document_that_is_not_a_readable_ubl_invoice_is_a_file_error(data, why):
    results = parse(data)
    assert len(results) == 1 and isinstance(results[0], FileError) and why in results[0].message


# -- refused: XML attacks ---------------------------------------------------------------------------------

@pytest.mark.parametrize("attack", [BILLION_LAUGHS, XXE], ids=["billion laughs", "external entity"])
def test_entity_declarations_are_refused_unread(attack):
    # given an invoice that declares entities (an expansion bomb, or a file on the server)
    results = parse(attack)
    # then the file is refused before it is parsed, and nothing of /etc/passwd or the expansion shows
    assert len(results) == 1 and isinstance(results[0], FileError)
    assert "DTD or entities" in results[0].message and "root:" not in results[0].message


def test_an_xml_in_utf_16_is_refused_so_that_no_declaration_can_hide_in_it():
    data = XXE.decode().replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16")
    results = parse(data)
    assert isinstance(results[0], FileError) and "UTF-8" in results[0].message


def test_a_declared_encoding_that_is_not_ascii_compatible_is_refused():
    data = ubl_invoice().replace(b'encoding="UTF-8"', b'encoding="UTF-7"')
    assert "UTF-8" in parse(data)[0].message


def test_a_file_larger_than_the_limit_is_refused_by_its_size():
    data = ubl_invoice(extra="<!-- " + "x" * MAX_INVOICE_BYTES + " -->")
    results = parse(data)
    assert isinstance(results[0], FileError) and "larger than" in results[0].message


# -- zips -----------------------------------------------------------------------------------------------

def test_a_zip_of_several_invoices_gives_one_row_per_file_and_reports_the_bad_ones_by_file():
    # given a zip of three good invoices, a credit note, a dollar invoice and macOS's companions
    data = zip_of({"jan/F-1.xml": ubl_invoice("F-1"), "jan/F-2.xml": ubl_invoice("F-2", amount="99.95"),
                   "__MACOSX/jan/._F-1.xml": b"\x00\x05\x16\x07", "jan/CN-1.xml": ubl_credit_note(),
                   "jan/F-3.xml": ubl_invoice("F-3", currency="USD"), "jan/F-4.xml": ubl_invoice("F-4")})
    # when it is read
    results = parse(data, "januari.zip")
    # then the good invoices come out as rows 1, 2 and 5 and the others are reported by row and file name
    invoices = [r for r in results if isinstance(r, ParsedUblInvoice)]
    assert [(i.row, i.invoice_number, i.source_name) for i in invoices] == [
        (1, "F-1", "jan/F-1.xml"), (2, "F-2", "jan/F-2.xml"), (5, "F-4", "jan/F-4.xml")]
    assert invoices[1].principal == Decimal("99.95") and invoices[0].original == ubl_invoice("F-1")
    assert problems(results) == [(3, "file"), (4, "currency")]
    assert [r.message.split(":")[0] for r in results if isinstance(r, RowError)] == ["jan/CN-1.xml", "jan/F-3.xml"]


def test_the_same_invoice_number_twice_in_one_zip_is_imported_once():
    results = parse(zip_of({"a.xml": ubl_invoice("F-1"), "b.xml": ubl_invoice("F-1")}), "x.zip")
    assert [r.row for r in results if isinstance(r, ParsedInvoice)] == [1]
    assert problems(results) == [(2, "invoice_number")] and "first in file 1" in results[1].message


def test_a_zip_bomb_is_refused_unread_before_anything_is_imported():
    # given a zip whose one file unpacks from a few kilobytes to 20 MB of zeros
    data = zip_of({"a.xml": ubl_invoice("F-1"), "bomb.xml": b"\x00" * (20 * 1024 * 1024)})
    # then the whole upload is refused: nothing of it is imported, not even the good invoice
    results = parse(data, "x.zip")
    assert len(results) == 1 and isinstance(results[0], FileError) and "zip bomb" in results[0].message


def test_a_zip_with_too_many_files_is_refused():
    data = zip_of({f"f{n}.xml": b"" for n in range(MAX_MEMBERS + 1)}, compression=zipfile.ZIP_STORED)
    results = parse(data, "x.zip")
    assert len(results) == 1 and isinstance(results[0], FileError) and "entries" in results[0].message


def test_names_leading_out_of_the_zip_and_nested_zips_are_refused_per_file():
    # given a zip with a path-traversal name, an absolute name, a zip inside and one good invoice
    data = zip_of({"../../etc/F-1.xml": ubl_invoice("F-1"), "/abs/F-2.xml": ubl_invoice("F-2"),
                   "more.zip": zip_of({"F-3.xml": ubl_invoice("F-3")}), "F-4.xml": ubl_invoice("F-4")})
    # when it is read
    results = parse(data, "x.zip")
    # then each of the three is refused on its own row, and the good invoice imported
    assert problems(results) == [(1, "file"), (2, "file"), (3, "file")]
    assert [r.invoice_number for r in results if isinstance(r, ParsedInvoice)] == ["F-4"]


def test_a_damaged_zip_is_a_file_error():
    results = parse(b"PK\x03\x04" + b"\x00" * 100, "x.zip")
    assert len(results) == 1 and isinstance(results[0], FileError) and "zip cannot be read" in results[0].message


def test_an_entity_bomb_inside_a_zip_is_refused_for_that_file_only():
    results = parse(zip_of({"a.xml": BILLION_LAUGHS, "b.xml": ubl_invoice("F-2")}), "x.zip")
    assert problems(results) == [(1, "file")] and "DTD or entities" in results[0].message
    assert results[1].invoice_number == "F-2"


# -- what an upload is ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("head", "name", "kind"), [
    (b"\xef\xbb\xbf<?xml version='1.0'?>", "export.csv", UploadKind.XML),
    (b"PK\x03\x04....", "facturen", UploadKind.ZIP),
    (b"invoice_number;debtor_name\n", "facturen.csv", UploadKind.CSV),
    (b"garbage", "facturen.xml", UploadKind.XML),
    (b"\xff\xfe<\x00?\x00", "x", UploadKind.XML),
])
def test_an_upload_is_told_by_its_first_bytes_before_its_name(head, name, kind):
    assert upload_kind(head, name) is kind
