"""What an upload to the imports inbox is: a CSV export, one XML invoice or a zip of them.

Told from the first bytes before the name (an export named ``.csv`` that holds XML is read as XML); where
the bytes are neither, an ``.xml`` or ``.zip`` name still decides, so the report of a broken file speaks
of XML or zip rather than of CSV columns.
"""

from __future__ import annotations

from enum import StrEnum

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive
_UTF16_XML = (b"\xff\xfe<\x00", b"\xfe\xff\x00<")


class UploadKind(StrEnum):
    CSV = "csv"
    XML = "xml"
    ZIP = "zip"


def upload_kind(head: bytes, filename: str = "") -> UploadKind:
    """``head``: the upload's first bytes (a few hundred are plenty)."""
    if head.startswith(_ZIP_SIGNATURES):
        return UploadKind.ZIP
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if text.startswith(b"<") or head.startswith(_UTF16_XML):
        return UploadKind.XML
    name = filename.lower()
    if name.endswith(".xml"):
        return UploadKind.XML
    if name.endswith(".zip"):
        return UploadKind.ZIP
    return UploadKind.CSV
