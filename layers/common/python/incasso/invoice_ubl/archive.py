"""An upload of UBL invoices: one XML file, or a zip of several, into the CSV parser's results.

Rows: a single XML is row 1; the invoices of a zip are rows 1, 2, ... in the archive's order (folders
and the macOS ``__MACOSX/`` and ``._`` companions left out), and each message names the file in the
zip. A problem with one invoice (a credit note, broken XML, a missing due date) rejects that invoice
and the rest is imported, exactly as a bad CSV row; a problem with the upload as a whole (not a zip, too
many files, a zip bomb) is a ``FileError`` and nothing of it is imported.

Zip limits, checked on the central directory before anything is read: at most ``MAX_MEMBERS`` entries,
at most ``MAX_UNCOMPRESSED_BYTES`` unpacked in all and ``MAX_INVOICE_BYTES`` per file, and an overall
compression ratio below ``MAX_RATIO`` (XML packs about 10:1; a bomb packs 1000:1). Python's
``zipfile`` never unpacks a file beyond the size its directory declares, so the declared sizes bound
what is read. Nothing is extracted to disk; still, a name that climbs out of the archive (``..``, an
absolute path) is refused, and so is a zip inside the zip (never unpacked) and an encrypted file.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

from incasso.invoice_csv import fields as f
from incasso.invoice_csv.results import FileError, RowError, RowResult
from incasso.invoice_ubl.sniff import UploadKind, upload_kind
from incasso.invoice_ubl.ubl_parser import MAX_INVOICE_BYTES, ParsedUblInvoice, UblProblem, parse_ubl_invoice

MAX_ARCHIVE_BYTES = 50 * 1024 * 1024  # the zip as uploaded
MAX_MEMBERS = 1_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
_BOMB_FLOOR = 1024 * 1024  # below this much unpacked, a high ratio is harmless
FILE = "file"


def parse_ubl_upload(data: bytes, filename: str = "") -> Iterator[RowResult]:
    """The invoices of an upload of XML or zip (``upload_kind``), in order; see the module docstring."""
    if upload_kind(data[:512], filename) is UploadKind.ZIP:
        yield from _archive(data)
        return
    try:
        result = parse_ubl_invoice(data, row=1, name=filename)
    except UblProblem as problem:
        yield FileError(0, FILE, str(problem))
        return
    yield from (result if isinstance(result, list) else [result])


def _archive(data: bytes) -> Iterator[RowResult]:
    if len(data) > MAX_ARCHIVE_BYTES:
        yield FileError(0, FILE, f"the zip is larger than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MB: split it")
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield FileError(0, FILE, f"the zip cannot be read: {str(exc)[:200]}")
        return
    if problem := _archive_problem(entries):
        yield FileError(0, FILE, problem)
        return
    members = [entry for entry in entries if not entry.is_dir() and not _companion(entry.filename)]
    if not members:
        yield FileError(0, FILE, "the zip holds no files")
        return
    first_row_of: dict[str, int] = {}
    with archive:
        for row, entry in enumerate(members, start=1):
            label = f.shortened(entry.filename.replace("\\", "/"))
            try:
                result = parse_ubl_invoice(_member(archive, entry), row=row, name=entry.filename)
            except UblProblem as problem:
                yield RowError(row, FILE, f"{label}: {problem}")
                continue
            if isinstance(result, list):
                yield from (RowError(e.row, e.field, f"{label}: {e.message}") for e in result)
                continue
            first = first_row_of.setdefault(result.invoice_number, row)
            if first != row:
                yield RowError(row, f.INVOICE_NUMBER, f"{label}: duplicate invoice number "
                               f"{f.shown(result.invoice_number)} in this zip (first in file {first})")
                continue
            yield result


def _archive_problem(entries: list[zipfile.ZipInfo]) -> str | None:
    if len(entries) > MAX_MEMBERS:
        return f"the zip holds {len(entries):,} entries; at most {MAX_MEMBERS:,} are read: split it"
    unpacked = sum(entry.file_size for entry in entries)
    packed = sum(entry.compress_size for entry in entries)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        return (f"the zip unpacks to {unpacked // (1024 * 1024):,} MB; at most "
                f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB are read: split it")
    if unpacked > _BOMB_FLOOR and unpacked > MAX_RATIO * max(packed, 1):
        return "the zip unpacks to more than a hundred times its size, as a zip bomb does: refused unread"
    return None


def _companion(name: str) -> bool:
    """What macOS adds to a zip it makes (resource forks, Finder files): not the tenant's files."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith("._") or base == ".DS_Store"


def _member(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    """The file's bytes, or ``UblProblem`` why it is not read."""
    name = entry.filename.replace("\\", "/")
    if name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":"):
        raise UblProblem("the name leads out of the zip (an absolute path or '..'): refused unread")
    if entry.flag_bits & 0x1:
        raise UblProblem("the file is encrypted: zip it again without a password")
    if name.lower().endswith(".zip"):
        raise UblProblem("a zip inside the zip is not unpacked: put the invoices in one zip")
    if entry.file_size > MAX_INVOICE_BYTES:
        raise UblProblem(f"the file is larger than {MAX_INVOICE_BYTES // (1024 * 1024)} MB; an invoice is far smaller")
    try:
        with archive.open(entry) as member:
            content = member.read(MAX_INVOICE_BYTES + 1)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, zlib.error) as exc:
        raise UblProblem(f"the file cannot be unpacked: {str(exc)[:200]}") from None
    if content.startswith(b"PK\x03\x04"):
        raise UblProblem("a zip inside the zip is not unpacked: put the invoices in one zip")
    return content


__all__ = ["MAX_ARCHIVE_BYTES", "MAX_MEMBERS", "MAX_UNCOMPRESSED_BYTES", "MAX_RATIO", "ParsedUblInvoice",
           "parse_ubl_upload"]
