"""The CSV importer on whole files as finance teams export them (CONTRACT.md §5)."""

import datetime as dt
from decimal import Decimal

import pytest

from incasso.domain.models import Address, DebtorType, Language
from incasso.invoice_csv import FileError, ParsedInvoice, RowError, parse_invoices

DUTCH_EXPORT = (
    "Factuurnummer;Naam;Type;E-mail;Telefoon;Straat;Postcode;Plaats;Land;Bedrag;Factuurdatum;Vervaldatum;Taal\r\n"
    "F2025-001;Zoë Brouwer;particulier;zoe@example.nl;06-12345678;Kerkstraat 1;1234 AB;Utrecht;NL;"
    "€ 1.234,56;01-12-2025;31-12-2025;nl\r\n"
    "F2025-002;Bakkerij Noël B.V.;Zakelijk;;;;;;;€ 250,00;15-11-2025;15-12-2025;\r\n"
)


def parse(data: bytes) -> list:
    return list(parse_invoices(data))


def test_dutch_export_windows_1252_semicolons_decimal_commas_crlf():
    # given a Dutch accounting export: ';', Windows-1252 (€ is 0x80, ë is 0xEB), CRLF, Dutch headers
    data = DUTCH_EXPORT.encode("cp1252")
    assert b"\x80" in data and b"\xeb" in data and b"\r\n" in data
    # when parsed
    first, second = parse(data)
    # then both rows are invoices with the Dutch values read right
    assert first == ParsedInvoice(
        row=2,
        invoice_number="F2025-001",
        debtor=first.debtor,
        principal=Decimal("1234.56"),
        currency="EUR",
        invoice_date=dt.date(2025, 12, 1),
        due_date=dt.date(2025, 12, 31),
    )
    assert first.debtor.name == "Zoë Brouwer"
    assert first.debtor.type is DebtorType.CONSUMER
    assert (first.debtor.email, first.debtor.phone, first.debtor.language) == ("zoe@example.nl", "06-12345678", Language.NL)
    assert first.debtor.address == Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht", country="NL")
    assert (second.row, second.debtor.name, second.debtor.type) == (3, "Bakkerij Noël B.V.", DebtorType.BUSINESS)
    assert (second.principal, second.debtor.address, second.debtor.language) == (Decimal("250.00"), None, Language.NL)


def test_same_export_as_utf8_with_bom_reads_the_same():
    # given the Dutch export saved as UTF-8 with a byte order mark (Excel's "CSV UTF-8")
    data = b"\xef\xbb\xbf" + DUTCH_EXPORT.encode("utf-8")
    # when parsed / then the results equal those of the Windows-1252 file (the BOM is no part of a header)
    assert parse(data) == parse(DUTCH_EXPORT.encode("cp1252"))


def test_same_export_as_utf16_with_bom_reads_the_same():
    # given the export as Excel's "Unicode text" (UTF-16 little endian with BOM)
    data = DUTCH_EXPORT.encode("utf-16")
    # when parsed / then the same invoices
    assert parse(data) == parse(DUTCH_EXPORT.encode("cp1252"))


def test_english_export_commas_utf8_iso_dates():
    # given an English export: ',', UTF-8 without BOM, dot decimals, ISO dates, LF line ends
    data = (
        "invoice_number,debtor_name,debtor_type,email,principal,currency,invoice_date,due_date,language\n"
        "INV-1,Smith & Sons Ltd,business,ap@smith.example,1234.56,EUR,2025-12-01,2025-12-31,en\n"
        "INV-2,Renée Dupont,consumer,,\"1,234.56\",,2025-12-01,2025-12-31,EN\n"
    ).encode("utf-8")
    # when parsed
    first, second = parse(data)
    # then
    assert (first.row, first.invoice_number, first.principal) == (2, "INV-1", Decimal("1234.56"))
    assert (first.debtor.type, first.debtor.language) == (DebtorType.BUSINESS, Language.EN)
    assert (first.invoice_date, first.due_date) == (dt.date(2025, 12, 1), dt.date(2025, 12, 31))
    assert (second.debtor.name, second.principal, second.currency) == ("Renée Dupont", Decimal("1234.56"), "EUR")


def test_tab_separated_file():
    # given a TAB-separated file whose values hold commas and semicolons
    data = (
        "invoice_number\tdebtor_name\tdebtor_type\tprincipal\tinvoice_date\tdue_date\n"
        "T-1\tJansen; de Vries, v.o.f.\tbusiness\t99,95\t1-2-2025\t3/3/2025\n"
    ).encode()
    # when parsed
    [invoice] = parse(data)
    # then the tab was the delimiter and day-month-year dates were read
    assert invoice.debtor.name == "Jansen; de Vries, v.o.f."
    assert (invoice.principal, invoice.invoice_date, invoice.due_date) == (
        Decimal("99.95"), dt.date(2025, 2, 1), dt.date(2025, 3, 3)
    )


def test_headers_are_case_and_spacing_insensitive_in_either_language():
    # given headers in capitals, with spaces and hyphens, mixing English and Dutch names
    data = (
        " INVOICE NUMBER ;Debiteur;Debtor-Type;Amount;Invoice Date;VERVALDATUM;E-Mail\n"
        "A-1;Piet;consumer;10;2025-01-01;2025-01-31;piet@example.nl\n"
    ).encode()
    # when parsed / then every column is recognised and no column is reported unknown
    [invoice] = parse(data)
    assert (invoice.invoice_number, invoice.debtor.name, invoice.debtor.email) == ("A-1", "Piet", "piet@example.nl")


def test_excel_delimiter_hint_line_is_honoured_and_not_counted():
    # given Excel's "sep=;" first line, which Excel hides when it opens the file
    data = b"sep=;\r\ninvoice_number;debtor_name;debtor_type;principal;invoice_date;due_date\r\nS-1;Ann;consumer;5,00;2025-01-01;2025-01-02\r\n"
    # when parsed / then the data row is row 2, as the user sees it in Excel
    [invoice] = parse(data)
    assert (invoice.row, invoice.principal) == (2, Decimal("5.00"))


def test_lone_cr_line_ends_of_old_mac_exports():
    # given a file whose lines end in a bare CR
    data = b"invoice_number,debtor_name,debtor_type,principal,invoice_date,due_date\rM-1,Ann,consumer,5,2025-01-01,2025-01-02\rM-2,Bob,consumer,6,2025-01-01,2025-01-02\r"
    # when parsed / then two rows, numbered 2 and 3
    assert [(r.row, r.invoice_number) for r in parse(data)] == [(2, "M-1"), (3, "M-2")]


def test_a_parsed_invoice_becomes_the_apis_intake_as_it_is():
    from incasso.services.imports import new_claim

    # given a parsed invoice
    [invoice, _] = parse(DUTCH_EXPORT.encode("cp1252"))
    # when it becomes a new claim (the intake of POST /v1/claims) / then its typed values carry over
    new = new_claim(invoice)
    assert new.principal == Decimal("1234.56") and new.invoice_date == dt.date(2025, 12, 1) and new.currency == "EUR"
    assert new.debtor == invoice.debtor and new.debtor.address.postal_code == "1234 AB"


@pytest.mark.parametrize(
    "data",
    [b"", b"\r\n  \r\n;;;\r\n"],
    ids=["zero-bytes", "only-blank-lines"],
)
def test_empty_file_is_a_file_error(data):
    # given an empty file / when parsed / then one FileError for the file as a whole
    assert parse(data) == [FileError(0, "file", "the file is empty")]


def test_header_only_file_yields_nothing():
    # given a header and no data rows / when parsed / then no invoices and no errors: nothing to import
    assert parse(b"invoice_number;debtor_name;debtor_type;principal;invoice_date;due_date\r\n") == []


def test_row_error_as_dict_is_the_contract_shape():
    assert RowError(3, "principal", "why").as_dict() == {"row": 3, "field": "principal", "message": "why"}
