"""Importing invoices from CSV files (CONTRACT.md §5). Pure code: the S3 ingest feeds it a byte stream."""

from incasso.imports.csv_parser import MAX_COLUMNS, MAX_ROW_CHARS, parse_invoices
from incasso.imports.results import FileError, ParsedInvoice, RowError, RowResult

__all__ = ["MAX_COLUMNS", "MAX_ROW_CHARS", "FileError", "ParsedInvoice", "RowError", "RowResult", "parse_invoices"]
