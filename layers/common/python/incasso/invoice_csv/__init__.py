"""Importing invoices from CSV files (CONTRACT.md §5). Pure code: the S3 ingest feeds it a byte stream."""

from incasso.invoice_csv.csv_parser import MAX_COLUMNS, MAX_ROW_CHARS, parse_invoices
from incasso.invoice_csv.results import FileError, ParsedInvoice, RowError, RowResult

__all__ = ["MAX_COLUMNS", "MAX_ROW_CHARS", "FileError", "ParsedInvoice", "RowError", "RowResult", "parse_invoices"]
