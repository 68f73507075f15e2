"""Bad rows are reported by row number, field and reason; bad files fail with a clear FileError."""

import csv

import pytest

from incasso.invoice_csv import MAX_COLUMNS, MAX_ROW_CHARS, FileError, ParsedInvoice, RowError, parse_invoices

HEADER = "invoice_number,debtor_name,debtor_type,principal,invoice_date,due_date,email,street,postal_code,city\n"


def row(number: str, name: str = "Acme", amount: str = "12.50", rest: str = ",,,,") -> str:
    return f"{number},{name},business,{amount},2025-01-01,2025-02-01{rest}\n"


def parse(text: str, encoding: str = "utf-8") -> list:
    return list(parse_invoices(text.encode(encoding)))


def errors_of(results: list) -> list[tuple[int, str]]:
    return [(r.row, r.field) for r in results if isinstance(r, RowError)]


def accepted(results: list) -> list[int]:
    return [r.row for r in results if isinstance(r, ParsedInvoice)]


def test_bad_rows_are_reported_with_row_field_and_reason_and_the_rest_is_imported():
    # given a file with good rows around bad ones (one row with several bad fields)
    text = (
        HEADER
        + row("A-1")
        + "A-2,,someone,1.2.3,31-02-2025,2025-02-01,not-an-email,,,\n"
        + row("A-3")
        + "A-4,Acme,business,12.50,2025-03-01,2025-02-01,,Dorpsstraat 1,,\n"
        + row("A-1")
    )
    # when parsed
    results = parse(text)
    # then every bad field is reported, in column order, with its row; good rows are imported
    assert accepted(results) == [2, 4]
    by_place = {(r.row, r.field): r.message for r in results if isinstance(r, RowError)}
    assert list(by_place) == [
        (3, "debtor_name"), (3, "debtor_type"), (3, "email"), (3, "principal"), (3, "invoice_date"),
        (5, "postal_code"), (5, "city"), (5, "due_date"),
        (6, "invoice_number"),
    ]
    assert by_place[3, "debtor_name"] == "the debtor name is missing"
    assert "'someone' is not a debtor type" in by_place[3, "debtor_type"]
    assert by_place[3, "email"] == "'not-an-email' is not an e-mail address"
    assert "'1.2.3' is ambiguous" in by_place[3, "principal"]
    assert "'31-02-2025' is not a valid date" in by_place[3, "invoice_date"]
    assert "needs street, postal code and city" in by_place[5, "city"]
    assert by_place[5, "due_date"] == "the due date 2025-02-01 is before the invoice date 2025-03-01"
    assert by_place[6, "invoice_number"] == "duplicate invoice number 'A-1' in this file (first on row 2)"


def test_only_eur_is_accepted():
    # given a currency column with USD and an amount in dollars
    text = "invoice_number,debtor_name,debtor_type,principal,currency,invoice_date,due_date\n" \
        "C-1,Ann,consumer,10,usd,2025-01-01,2025-01-02\nC-2,Ann,consumer,$10,EUR,2025-01-01,2025-01-02\n"
    # when parsed / then both rows are rejected on the field at fault
    results = parse(text)
    assert [(r.row, r.field, r.message) for r in results] == [
        (2, "currency", "only EUR is accepted, not 'usd'"),
        (3, "principal", "'$10' is not in euros: only EUR amounts are accepted"),
    ]


def test_unknown_column_is_reported_and_ignored():
    # given an export with an extra column
    text = "invoice_number,debtor_name,debtor_type,Kostenplaats,principal,invoice_date,due_date\n" \
        "U-1,Ann,consumer,K-17,10,2025-01-01,2025-01-02\n"
    # when parsed
    notice, invoice = parse(text)
    # then the header row (1) names the column; the row is imported without it
    assert notice == RowError(1, "Kostenplaats", "unknown column 'Kostenplaats' is ignored")
    assert isinstance(invoice, ParsedInvoice) and invoice.row == 2


def test_missing_required_column_fails_the_file():
    # given a header without the due date and the debtor type
    text = "factuurnummer;naam;bedrag;factuurdatum\nF-1;Ann;10;2025-01-01\n"
    # when parsed
    results = parse(text)
    # then a FileError per missing column on the header row, and no rows are read
    assert [(type(r), r.row, r.field) for r in results] == [
        (FileError, 1, "debtor_type"), (FileError, 1, "due_date"),
    ]
    assert "the required column due_date is missing (also accepted: vervaldatum)" in results[1].message


def test_two_columns_for_one_field_fail_the_file():
    # given both "naam" and "debiteur", which the contract both reads as the debtor name
    text = "factuurnummer;debiteur;naam;type;bedrag;factuurdatum;vervaldatum\nF-1;D-17;Ann;particulier;10;1-1-2025;2-1-2025\n"
    # when parsed / then the file fails: which one is the name is not for the importer to guess
    [problem] = parse(text)
    assert isinstance(problem, FileError) and problem.field == "debtor_name"
    assert "'debiteur' (column 2) and 'naam' (column 3)" in problem.message


def test_a_file_without_header_row_says_so():
    # given data where the header should be
    results = parse(row("A-1") + row("A-2"))
    # then one FileError naming what the header must hold
    assert len(results) == 1 and isinstance(results[0], FileError)
    assert results[0].message.startswith("no header row")


def test_a_workbook_uploaded_instead_of_a_csv():
    # given an .xlsx (a ZIP archive) / when parsed / then the user is told to save it as CSV
    [problem] = list(parse_invoices(b"PK\x03\x04\x14\x00\x06\x00" + bytes(100)))
    assert isinstance(problem, FileError) and "Excel workbook" in problem.message


def test_binary_garbage_is_not_csv_text():
    [problem] = list(parse_invoices(bytes(range(256)) * 4))
    assert problem == FileError(0, "file", problem.message) and "not CSV text" in problem.message


def test_row_with_ten_thousand_columns_is_one_row_error():
    # given a row of 10,000 values between good rows
    text = HEADER + row("A-1") + "A-2," + ",".join(["x"] * 9_999) + "\n" + row("A-3")
    # when parsed
    results = parse(text)
    # then that row alone is rejected, as a whole
    assert accepted(results) == [2, 4]
    assert [(r.row, r.field, r.message) for r in results if isinstance(r, RowError)] == [
        (3, "row", f"the row has 10,000 values; at most {MAX_COLUMNS} are read")
    ]


def test_more_values_than_header_columns_points_at_an_unquoted_delimiter():
    # given a comma file with an unquoted Dutch amount: "12,50" splits into two values
    results = parse(HEADER + row("A-1", amount="12,50", rest=",,,,x"))
    # then the row is rejected as a whole, with the likely cause
    [error] = results
    assert (error.row, error.field) == (2, "row") and "the row has 11 values but the header names 10" in error.message
    assert "is a value with a ',' in it not quoted?" in error.message


def test_shifted_values_with_an_empty_last_value_get_the_hint_too():
    # given the same mistake where the value pushed out of the last column is empty
    results = parse(HEADER + row("A-1", amount="12,50"))
    # then the misread fields are reported and, last, the likely cause
    assert all(isinstance(r, RowError) and r.row == 2 for r in results)
    assert results[-1].field == "row" and "not quoted" in results[-1].message


def test_trailing_empty_values_are_fine():
    # given rows ending in extra delimiters, as some exports write them
    results = parse(HEADER + row("A-1", rest=",,,,,,"))
    assert accepted(results) == [2]


def test_quoted_values_with_the_delimiter_and_a_newline_inside():
    # given a quoted name with a comma and a line break, and a quoted street with CRLF
    text = HEADER + '"A-1","Acme, Inc.\nt.a.v. J. Jansen",business,"12.50",2025-01-01,2025-02-01,,"Main St 1\r\nUnit 2",1011 AB,Amsterdam\n' + row("A-2")
    # when parsed
    first, second = parse(text)
    # then the record is one row (the spreadsheet's row 2); the next one is row 3
    assert first.debtor.name == "Acme, Inc. t.a.v. J. Jansen"
    assert first.debtor.address.street == "Main St 1 Unit 2"
    assert (first.row, second.row) == (2, 3)


def test_a_line_break_in_an_invoice_number_is_refused():
    text = HEADER + '"A-\n1",Acme,business,1,2025-01-01,2025-02-01,,,,\n'
    assert [(r.row, r.field) for r in parse(text)] == [(2, "invoice_number")]


def test_a_quote_left_open_is_reported_and_the_following_rows_still_read():
    # given a row whose name opens a quote that is never closed
    text = HEADER + row("A-1") + row("A-2", name='"Acme') + row("A-3") + row("A-4")
    # when parsed
    results = parse(text)
    # then that row is an error and the rows after it are read as themselves, with their own numbers
    assert errors_of(results) == [(3, "row")]
    assert "not well-formed" in results[1].message
    assert accepted(results) == [2, 4, 5]


def test_a_row_longer_than_the_limit_is_an_error_not_a_crash():
    # given one row with a name of 100,000 characters
    results = parse(HEADER + row("A-1") + row("A-2", name="x" * 100_000) + row("A-3"))
    # then it alone is rejected
    assert accepted(results) == [2, 4]
    assert [(r.row, r.message) for r in results if isinstance(r, RowError)] == [
        (3, f"the row is longer than {MAX_ROW_CHARS:,} characters")
    ]


def test_a_huge_quoted_field_beyond_csv_field_size_limit_is_an_error():
    # given a quoted value longer than csv.field_size_limit() (128 KiB), spanning many lines
    huge = '"' + ("y" * 1000 + "\n") * 200 + '"'
    results = parse(HEADER + row("A-1", name=huge) + row("A-2"))
    # then its row is an error; the lines it spanned are read again as rows (all rejected as junk)
    # and the next real row is still imported
    assert isinstance(results[0], RowError) and results[0].row == 2
    assert isinstance(results[-1], ParsedInvoice) and results[-1].invoice_number == "A-2"


def test_a_lowered_csv_field_size_limit_gives_a_row_error_not_an_exception():
    # given a process where someone lowered the csv module's (process-wide) field size limit
    previous = csv.field_size_limit(100)
    try:
        # when a row holds a longer value
        results = parse(HEADER + row("A-1", name="x" * 500) + row("A-2"))
    finally:
        csv.field_size_limit(previous)
    # then that row is an error saying so, and the next row is read
    assert results[0] == RowError(2, "row", "a value in this row is longer than 100 characters")
    assert accepted(results) == [3]


def test_blank_lines_are_skipped_but_counted_like_a_spreadsheet_does():
    # given blank lines between rows (and before the header)
    text = "\n" + HEADER + row("A-1") + "\n  \n,,,,\n" + row("A-2")
    # when parsed / then no errors; rows numbered as the spreadsheet shows them
    assert [(r.row, r.invoice_number) for r in parse(text)] == [(3, "A-1"), (7, "A-2")]


def test_undecodable_bytes_in_a_utf8_file_reject_only_their_row():
    # given a UTF-8 file (ë is two bytes) with one stray byte 0xFF in a later row's name
    data = (HEADER + row("A-1", name="Zoë")).encode() + row("A-2", name="Bad\xff").encode("latin-1") + row("A-3", name="Zoë").encode()
    # when parsed
    results = list(parse_invoices(data))
    # then that row alone is rejected, on the field holding the bad byte; UTF-8 is kept for the rest
    assert [(r.row, r.field) for r in results if isinstance(r, RowError)] == [(3, "debtor_name")]
    assert [r.debtor.name for r in results if isinstance(r, ParsedInvoice)] == ["Zoë", "Zoë"]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64 * 1024])
def test_late_invalid_utf8_byte_switches_to_windows_1252(chunk_size):
    # given 3,000 ASCII rows and then a Windows-1252 row (ë = 0xEB, € = 0x80), fed in small chunks
    data = (HEADER + "".join(row(f"A-{n}") for n in range(3000))).encode("ascii") + row("B-1", name="Noël", amount="€ 5").encode("cp1252")
    chunks = (data[i : i + chunk_size] for i in range(0, len(data), chunk_size))
    # when parsed
    results = list(parse_invoices(chunks))
    # then no crash and no error: the late byte is read as Windows-1252
    assert all(isinstance(r, ParsedInvoice) for r in results) and len(results) == 3001
    assert (results[-1].row, results[-1].debtor.name) == (3002, "Noël")
