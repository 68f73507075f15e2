"""Streaming parser for invoice CSV files (CONTRACT.md §5): bytes in, one result per row out.

``parse_invoices(stream)`` is a lazy generator: it reads the stream in 64 KiB chunks as it goes, so
memory does not grow with the file (except the set of invoice numbers seen, kept to catch a number
used twice in one file: one short string per row). Bad input never raises; it is reported:

- a good row yields one ``ParsedInvoice``;
- a bad row yields one ``RowError`` per bad field (all of them, in column order), or one with
  ``field="row"`` when the row as a whole is unreadable (too long, too many values);
- the header row yields a ``RowError`` per unknown column (the column is ignored, the rest imported);
- a file that cannot be imported yields ``FileError`` results (row 0 for the file as a whole, the
  header's row for a header problem) and nothing after them.

Row numbers are what a spreadsheet shows when it opens the file: the header is row 1 (unless blank
lines come before it; an Excel ``sep=;`` hint line is hidden by Excel and not counted), every
record after it is the next row — blank ones included — and a quoted cell with a line break inside
is still one row, even though it spans several lines of the text.

The delimiter (``;``, ``,`` or tab) is the one that makes the most known column names out of the
header line; encodings are detected as described in ``incasso.invoice_csv.text``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TypeVar

from pydantic import ValidationError

from incasso.domain.models import Debtor
from incasso.invoice_csv import fields as f
from incasso.invoice_csv.results import FileError, ParsedInvoice, RowError, RowResult
from incasso.invoice_csv.text import (
    PhysicalLines,
    RowTooLong,
    TextDecoder,
    binary_kind,
    byte_chunks,
    decoded,
    split_head,
)

MAX_COLUMNS = 100
MAX_ROW_CHARS = 64 * 1024  # below csv.field_size_limit()'s default, so one cell can never trip it
_DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {";": "';'", ",": "','", "\t": "tab"}
_SEP_HINT = re.compile(r'"?sep=([;,\t])"?', re.IGNORECASE)
_BLANK_LINE = frozenset(' \t\r\n;,"')
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\ufffd]")
T = TypeVar("T")
ROW = "row"
HEADER = "header"
FILE = "file"


def parse_invoices(stream: BinaryIO | Iterable[bytes]) -> Iterator[RowResult]:
    """Read an invoice CSV from a binary stream (a file, an S3 body) or an iterable of byte chunks.

    Yields, in file order, a ``ParsedInvoice`` for each good row and ``RowError``s for bad ones;
    ``FileError``s (and nothing more) when the file cannot be imported. See the module docstring.
    """
    head, chunks = split_head(byte_chunks(stream))
    if not head:
        yield FileError(0, FILE, "the file is empty")
        return
    if kind := binary_kind(head):
        yield FileError(0, FILE, f"this is {kind}, not a CSV file: save it as CSV and upload that")
        return
    lines = PhysicalLines(decoded(chunks, TextDecoder()), MAX_ROW_CHARS)
    yield from _InvoiceFile(lines).results()


class _InvoiceFile:
    def __init__(self, lines: PhysicalLines) -> None:
        self._lines = lines
        self._row = 0
        self._delimiter = ","
        self._width = 0
        self._columns: tuple[tuple[str, int], ...] = ()
        self._first_row_of: dict[str, int] = {}  # invoice number -> row it first appeared on

    def results(self) -> Iterator[RowResult]:
        header_problems = list(self._read_header())
        yield from header_problems
        if any(isinstance(problem, FileError) for problem in header_problems):
            return
        reader = self._reader()
        lines = self._lines
        while True:
            self._row += 1
            lines.start_row()
            try:
                record = next(reader)
            except StopIteration:
                return
            except RowTooLong:
                yield RowError(self._row, ROW, f"the row is longer than {MAX_ROW_CHARS:,} characters")
                lines.reread_after_first_line()  # if a quote ran on, the next lines are rows
                reader = self._reader()
                continue
            except csv.Error as error:
                yield RowError(self._row, ROW, _csv_error_message(error))
                lines.reread_after_first_line()  # a quote left open ran on: the next lines are rows
                reader = self._reader()
                continue
            if _is_blank(record):
                continue
            if len(lines.row_lines) > 1 and not self._fits_header(record):
                yield RowError(self._row, ROW, "a quote (\") opened on this row is not closed where it should "
                               f"be: the row runs on over {len(lines.row_lines)} lines; the lines after it are "
                               "read as rows of their own")
                lines.reread_after_first_line()
                reader = self._reader()
                continue
            yield from self._parse_row(record)

    def _fits_header(self, record: list[str]) -> bool:
        """A value for each column and no more — what a cell with a line break inside, written by a
        spreadsheet, always has; a runaway quote swallows delimiters and rows."""
        return len(record) == self._width or (len(record) > self._width and not self._has_extra_values(record))

    def _has_extra_values(self, record: list[str]) -> bool:
        return any(value.strip() for value in record[self._width :])

    def _reader(self) -> Iterator[list[str]]:
        # strict: a quote left open or followed by text is an error (reported), not silently accepted
        return csv.reader(self._lines, delimiter=self._delimiter, quotechar='"', skipinitialspace=True,
                          strict=True)

    # -- header -----------------------------------------------------------------------------------

    def _read_header(self) -> Iterator[RowError]:
        hinted: str | None = None
        while True:
            self._lines.start_row()
            try:
                line = next(self._lines)
            except StopIteration:
                yield FileError(0, FILE, "the file is empty")
                return
            except RowTooLong:
                yield FileError(0, FILE, f"the first row is longer than {MAX_ROW_CHARS:,} characters: "
                                "this does not look like a CSV file")
                return
            if self._row == 0 and hinted is None and (hint := _SEP_HINT.fullmatch(line.strip())):
                hinted = hint.group(1)  # Excel's delimiter hint; Excel hides this line, so no row number
                continue
            self._row += 1
            if not set(line) <= _BLANK_LINE:
                break
        if _NOT_TEXT.search(line):
            yield FileError(0, FILE, "the file is not CSV text: it holds bytes that are not UTF-8 or "
                            "Windows-1252 text (save it from the spreadsheet as CSV)")
            return
        self._delimiter = hinted or _detect_delimiter(line)
        self._lines.push_back([line])
        self._lines.start_row()
        try:
            header = next(self._reader())
        except (RowTooLong, csv.Error):
            yield FileError(self._row, HEADER, "the header row cannot be read: is a quote (\") left open?")
            return
        yield from self._map_columns(header)

    def _map_columns(self, header: list[str]) -> Iterator[RowError]:
        row = self._row
        if len(header) > MAX_COLUMNS:
            yield FileError(row, HEADER, f"the header has {len(header):,} columns; at most {MAX_COLUMNS} are allowed")
            return
        columns: dict[str, int] = {}
        unknown: list[str] = []
        doubled: list[FileError] = []
        for index, cell in enumerate(header):
            key = f.header_key(cell)
            if not key:
                continue  # an empty header cell, e.g. after a trailing delimiter
            field = f.HEADER_FIELDS.get(key)
            if field is None:
                unknown.append(cell.strip())
            elif field in columns:
                first = header[columns[field]].strip()
                doubled.append(FileError(row, field, f"two columns give the {field}: '{first}' (column "
                                         f"{columns[field] + 1}) and '{cell.strip()}' (column {index + 1}); keep one"))
            else:
                columns[field] = index
        if not columns:
            yield FileError(row, HEADER, "no header row: the first row must name the columns, at least "
                            + ", ".join(f.REQUIRED_FIELDS))
            return
        for name in unknown:
            yield RowError(row, f.shortened(name), f"unknown column {f.shown(name)} is ignored")
        yield from doubled
        for field in f.REQUIRED_FIELDS:
            if field not in columns:
                others = ", ".join(f.FIELD_ALIASES[field][1:])
                yield FileError(row, field, f"the required column {field} is missing (also accepted: {others}); "
                                f"the header was read with {_DELIMITER_NAMES[self._delimiter]} as delimiter")
        self._width = len(header)
        self._columns = tuple((field, columns[field]) for field in f.FIELD_ORDER if field in columns)

    # -- rows -------------------------------------------------------------------------------------

    def _parse_row(self, record: list[str]) -> Iterator[RowResult]:
        row = self._row
        if len(record) > MAX_COLUMNS:
            yield RowError(row, ROW, f"the row has {len(record):,} values; at most {MAX_COLUMNS} are read")
            return
        if len(record) > self._width and self._has_extra_values(record):
            yield self._too_many_values(record)
            return
        size = len(record)
        raw = {field: record[index] if index < size else "" for field, index in self._columns}
        errors: dict[str, str] = {}
        invoice_number = _read(errors, f.INVOICE_NUMBER, f.parse_invoice_number, raw)
        debtor = self._debtor(raw, errors)
        principal = _read(errors, f.PRINCIPAL, f.parse_amount, raw)
        currency = _read(errors, f.CURRENCY, f.parse_currency, raw)
        invoice_date = _read(errors, f.INVOICE_DATE, f.parse_date, raw, "invoice date")
        due_date = _read(errors, f.DUE_DATE, f.parse_date, raw, "due date")
        if invoice_date is not None and due_date is not None and due_date < invoice_date:
            errors[f.DUE_DATE] = f"the due date {due_date} is before the invoice date {invoice_date}"
        if invoice_number is not None:
            # O(rows) memory, one short string per row: the price of catching a number used twice
            first_row = self._first_row_of.setdefault(invoice_number, row)
            if first_row != row:
                errors[f.INVOICE_NUMBER] = (f"duplicate invoice number {f.shown(invoice_number)} in this file "
                                            f"(first on row {first_row})")
        if errors:
            for field in f.FIELD_ORDER:
                if field in errors:
                    yield RowError(row, field, errors[field])
            if size > self._width:  # empty values beyond the header are fine, unless they explain the errors
                yield self._too_many_values(record)
            return
        assert invoice_number and debtor and principal and currency and invoice_date and due_date
        yield ParsedInvoice(row, invoice_number, debtor, principal, currency, invoice_date, due_date)

    def _too_many_values(self, record: list[str]) -> RowError:
        return RowError(self._row, ROW, f"the row has {len(record)} values but the header names {self._width} "
                        f"columns: is a value with a {_DELIMITER_NAMES[self._delimiter]} in it not quoted?")

    def _debtor(self, raw: dict[str, str], errors: dict[str, str]) -> Debtor | None:
        """The debtor, validated by the ``Debtor`` model itself so the rules are the API's."""
        cleaned: dict[str, str] = {}
        for field in (f.DEBTOR_NAME, f.EMAIL, f.PHONE, f.STREET, f.POSTAL_CODE, f.CITY, f.COUNTRY, f.DEBTOR_REFERENCE):
            try:
                cleaned[field] = f.clean_text(raw.get(field, ""), multiline=field in _MULTILINE_FIELDS)
            except f.FieldError as error:
                errors[field] = str(error)
                cleaned[field] = ""
        debtor_type = _read(errors, f.DEBTOR_TYPE, f.parse_debtor_type, raw)
        language = _read(errors, f.LANGUAGE, f.parse_language, raw)
        address = _address(cleaned, errors)
        if not cleaned[f.DEBTOR_NAME] and f.DEBTOR_NAME not in errors:
            errors[f.DEBTOR_NAME] = "the debtor name is missing"
        try:
            return Debtor(
                name=cleaned[f.DEBTOR_NAME] or "-",  # a missing name is reported above; check the rest
                type=debtor_type or "consumer",  # likewise for a bad type
                email=cleaned[f.EMAIL] or None,
                phone=cleaned[f.PHONE] or None,
                language=language or "nl",
                address=address,
                reference=cleaned[f.DEBTOR_REFERENCE] or None,
            )
        except ValidationError as invalid:
            for problem in invalid.errors():
                field = _DEBTOR_FIELDS.get(problem["loc"][-1], ROW)
                errors.setdefault(field, debtor_field_message(field, problem))
            return None


def _read(errors: dict[str, str], field: str, parse: Callable[..., T], raw: dict[str, str], *args: str) -> T | None:
    """``parse`` the field's cell (empty if the file has no such column); on failure note why."""
    try:
        return parse(raw.get(field, ""), *args)
    except f.FieldError as error:
        errors[field] = str(error)
        return None


_MULTILINE_FIELDS = frozenset({f.DEBTOR_NAME, f.STREET})
_DEBTOR_FIELDS = {
    "name": f.DEBTOR_NAME,
    "type": f.DEBTOR_TYPE,
    "email": f.EMAIL,
    "phone": f.PHONE,
    "language": f.LANGUAGE,
    "street": f.STREET,
    "postal_code": f.POSTAL_CODE,
    "city": f.CITY,
    "country": f.COUNTRY,
    "reference": f.DEBTOR_REFERENCE,
}


def _address(cleaned: dict[str, str], errors: dict[str, str]) -> dict[str, str] | None:
    """All of street, postal code and city, or none of them; the country defaults to NL."""
    given = [field for field in f.ADDRESS_FIELDS if cleaned[field]]
    if not given:
        return None  # a country alone (an export's default column) is no address
    if len(given) < len(f.ADDRESS_FIELDS):
        for field in f.ADDRESS_FIELDS:
            if field not in given:
                errors.setdefault(field, "an address needs street, postal code and city; this one is missing")
        return None
    country = cleaned[f.COUNTRY] or "NL"
    return {
        "street": cleaned[f.STREET],
        "postal_code": cleaned[f.POSTAL_CODE],
        "city": cleaned[f.CITY],
        "country": country.upper() if len(country) == 2 else country,
    }


def debtor_field_message(field: str, problem: dict) -> str:
    """A debtor field's validation problem (pydantic's error) in the words of a row report; also the UBL
    reader's (``incasso.invoice_ubl``)."""
    kind, value = problem["type"], problem.get("input")
    if kind == "string_pattern_mismatch" and field == f.EMAIL:
        return f"{f.shown(str(value))} is not an e-mail address"
    if kind == "string_pattern_mismatch" and field == f.PHONE:
        return f"{f.shown(str(value))} is not a phone number (6 to 32 digits, spaces, +, - or parentheses)"
    if kind == "string_pattern_mismatch" and field == f.DEBTOR_REFERENCE:
        return f"{f.shown(str(value))} is not a usable customer number (no '#')"
    if kind == "string_too_long":
        return f"longer than {problem['ctx']['max_length']} characters"
    if kind == "string_too_short":
        return f"too short: at least {problem['ctx']['min_length']} characters"
    return str(problem["msg"])


def _csv_error_message(error: csv.Error) -> str:
    if "field limit" in str(error):  # csv.field_size_limit() is process-wide: someone may have lowered it
        return f"a value in this row is longer than {csv.field_size_limit():,} characters"
    return ("the quotes (\") in this row are not well-formed: a value in quotes ends with a quote and then "
            "the delimiter, and a quote inside it is written twice (\"\")")


def _detect_delimiter(line: str) -> str:
    """The delimiter that turns the header line into the most known column names (ties: more cells,
    then ``;`` before ``,`` before tab). Counting per candidate through ``csv`` respects quotes."""

    def score(delimiter: str) -> tuple[int, int]:
        cells = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
        known = sum(1 for cell in cells if f.header_key(cell) in f.HEADER_FIELDS)
        return known, len(cells)

    return max(_DELIMITERS, key=score)


def _is_blank(record: list[str]) -> bool:
    return not any(value.strip() for value in record)
