"""Importing invoices from UBL 2.1 / Peppol BIS Billing 3.0 files, one XML or several in a zip.

Pure code: the S3 ingest hands it the upload's bytes; it yields the CSV parser's results
(``ParsedInvoice``, ``RowError``, ``FileError``), so an import report reads the same whatever was dropped.
"""

from incasso.invoice_ubl.archive import MAX_ARCHIVE_BYTES, MAX_MEMBERS, MAX_UNCOMPRESSED_BYTES, parse_ubl_upload
from incasso.invoice_ubl.ubl_parser import MAX_INVOICE_BYTES, ParsedUblInvoice, UblProblem, parse_ubl_invoice
from incasso.invoice_ubl.sniff import UploadKind, upload_kind

__all__ = ["MAX_ARCHIVE_BYTES", "MAX_INVOICE_BYTES", "MAX_MEMBERS", "MAX_UNCOMPRESSED_BYTES", "ParsedUblInvoice",
           "UblProblem", "UploadKind", "parse_ubl_invoice", "parse_ubl_upload", "upload_kind"]
