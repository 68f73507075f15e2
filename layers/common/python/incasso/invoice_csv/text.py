"""Bytes to lines for CSV exports, incrementally: memory stays bounded whatever the file's size.

Encodings: a BOM decides (UTF-8, UTF-16); otherwise the bytes are read as UTF-8 until the first
byte that is not valid UTF-8. If everything before it was plain ASCII, the file is Windows-1252 (a
Dutch accounting export) and the rest is decoded as such — ASCII reads the same in both, so nothing
already decoded changes. If real UTF-8 characters came before it, the file is UTF-8 with a damaged
byte: that byte becomes U+FFFD and the row holding it is rejected by the parser. Bytes Windows-1252
leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) also become U+FFFD.

Lines end at CRLF, LF or a lone CR (old Mac exports), as ``open(newline="")`` splits them for the
``csv`` module; each line keeps its ending so that quoted fields spanning lines keep their newlines.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from typing import BinaryIO

CHUNK_BYTES = 64 * 1024
REPLACEMENT_CHARACTER = "\ufffd"

_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_HEAD_BYTES = 8

# Files that are uploaded instead of a CSV now and then; named so the user knows what to do.
_BINARY_SIGNATURES = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_LINE_END = re.compile(r"\r\n|\r|\n")


def byte_chunks(stream: BinaryIO | Iterable[bytes] | bytes) -> Iterator[bytes]:
    """The stream as chunks of at most ``CHUNK_BYTES``: a file-like object (``read``), an iterable of
    bytes (e.g. botocore's ``StreamingBody.iter_chunks()``) or one ``bytes`` value."""
    if isinstance(stream, bytes | bytearray | memoryview):
        yield from _bounded(bytes(stream))
        return
    read = getattr(stream, "read", None)
    source: Iterable[bytes] = iter(lambda: read(CHUNK_BYTES), b"") if callable(read) else stream
    for chunk in source:
        if isinstance(chunk, str):
            raise TypeError("parse_invoices reads bytes; open the file in binary mode")
        if chunk is None:  # a non-blocking raw stream with nothing yet; S3 bodies never do this
            continue
        yield from _bounded(bytes(chunk))


def _bounded(chunk: bytes) -> Iterator[bytes]:
    if len(chunk) <= CHUNK_BYTES:
        if chunk:
            yield chunk
        return
    for start in range(0, len(chunk), CHUNK_BYTES):
        yield chunk[start : start + CHUNK_BYTES]


def split_head(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    """The first few bytes (for sniffing) and an iterator that still yields every byte."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= _HEAD_BYTES:
            break

    def replay() -> Iterator[bytes]:
        if head:
            yield head
        yield from chunks

    return head[:_HEAD_BYTES], replay()


def binary_kind(head: bytes) -> str | None:
    """What a binary upload is, from its first bytes; ``None`` if it may be text."""
    for signature, kind in _BINARY_SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


class TextDecoder:
    """Incremental decoder that picks the encoding as described in the module docstring."""

    def __init__(self) -> None:
        self.encoding: str | None = None  # "utf-8", "utf-8-sig", "utf-16", "windows-1252"
        self._utf8_confirmed = False
        self._head = b""
        self._pending = b""  # an incomplete UTF-8 sequence at the end of the previous chunk
        self._utf16: codecs.IncrementalDecoder | None = None

    def decode(self, data: bytes, final: bool = False) -> str:
        if self.encoding is None:
            self._head += data
            if len(self._head) < 4 and not final:
                return ""
            data, self._head = self._head, b""
            data = self._detect(data)
        if self.encoding == "windows-1252":
            return data.decode("cp1252", "replace")
        if self.encoding == "utf-16":
            assert self._utf16 is not None
            return self._utf16.decode(data, final)
        if self._utf8_confirmed:
            return self._decode_utf8(data, final, "replace")
        return self._decode_utf8_tentatively(data, final)

    def _detect(self, data: bytes) -> bytes:
        if data.startswith(_UTF8_BOM):
            self.encoding, self._utf8_confirmed = "utf-8-sig", True
            return data[len(_UTF8_BOM) :]
        if data.startswith(_UTF16_BOMS):
            self.encoding = "utf-16"
            self._utf16 = codecs.getincrementaldecoder("utf-16")("replace")  # reads and drops the BOM
            return data
        self.encoding = "utf-8"
        return data

    def _decode_utf8(self, data: bytes, final: bool, errors: str) -> str:
        data = self._pending + data
        text, used = codecs.utf_8_decode(data, errors, final)
        self._pending = data[used:]
        return text

    def _decode_utf8_tentatively(self, data: bytes, final: bool) -> str:
        try:
            text = self._decode_utf8(data, final, "strict")
        except UnicodeDecodeError as error:
            data = self._pending + data
            self._pending = b""
            valid = data[: error.start].decode("utf-8")
            if valid.isascii():  # only ASCII so far: this is a Windows-1252 file
                self.encoding = "windows-1252"
                return valid + data[error.start :].decode("cp1252", "replace")
            self._utf8_confirmed = True  # real UTF-8 before the bad byte: a damaged UTF-8 file
            return valid + self._decode_utf8(data[error.start :], final, "replace")
        if not text.isascii():
            self._utf8_confirmed = True
        return text


def decoded(chunks: Iterable[bytes], decoder: TextDecoder) -> Iterator[str]:
    """The chunks as text, decoded incrementally."""
    for chunk in chunks:
        text = decoder.decode(chunk)
        if text:
            yield text
    text = decoder.decode(b"", final=True)
    if text:
        yield text


class RowTooLong(Exception):
    """A row (one physical line, or a record spanning lines) is longer than the limit."""


class PhysicalLines:
    """Lines of the text, each with its ending, for ``csv.reader``; guards the length of a row.

    A plain iterator class rather than a generator: after it raises ``RowTooLong`` (the rest of that
    line is skipped) it goes on with the next line, so the parser can start a fresh ``csv.reader``.
    The parser calls ``start_row()`` before each record; ``row_lines`` holds the lines the record
    read (at most ``max_row_chars`` of them), so that a record run on by an unclosed quote can be
    read again from its second line (``reread_after_first_line``).
    """

    def __init__(self, texts: Iterator[str], max_row_chars: int) -> None:
        self._texts = texts
        self._max_row_chars = max_row_chars
        self._lines: list[str] = []
        self._next = 0
        self._tail: list[str] = []  # the start of a line whose end has not been read yet, in pieces
        self._tail_chars = 0
        self._ended = False
        self._overlong_line = False  # the tail grew past the limit: report it, then skip to its end
        self._skipping = False
        self._drop_lf = False  # the last chunk ended in CR: if the next starts with LF, that LF is its pair
        self._pushed_back: list[str] = []  # a stack: the next line is last
        self.row_chars = 0
        self.row_lines: list[str] = []
        self.row_is_replayed = False

    def start_row(self) -> None:
        self.row_chars = 0
        self.row_lines = []
        self.row_is_replayed = bool(self._pushed_back)

    def push_back(self, lines: list[str]) -> None:
        """Lines to be read again, first to last, before the rest of the text."""
        self._pushed_back.extend(reversed(lines))

    def reread_after_first_line(self) -> None:
        """Read the current row's lines again from its second line — unless the row itself began in
        lines read again: each line is read again at most once, so a hostile file costs linear time."""
        if not self.row_is_replayed:
            self.push_back(self.row_lines[1:])

    def __iter__(self) -> PhysicalLines:
        return self

    def __next__(self) -> str:
        if self._pushed_back:
            line = self._pushed_back.pop()
        else:
            while self._next >= len(self._lines):
                self._fill()
            line = self._lines[self._next]
            self._next += 1
        self.row_chars += len(line)
        self.row_lines.append(line)
        if self.row_chars > self._max_row_chars:
            raise RowTooLong
        return line

    def _fill(self) -> None:
        self._lines, self._next = [], 0
        if self._overlong_line:
            self._overlong_line, self._skipping = False, True
            raise RowTooLong
        if self._ended:
            raise StopIteration
        text = next(self._texts, None)
        if text is None:
            self._ended = True
            if self._tail and not self._skipping:
                self._lines, self._tail = ["".join(self._tail)], []
            return
        if self._drop_lf:
            self._drop_lf = False
            if text.startswith("\n"):
                text = text[1:]
        if self._skipping:
            end = _LINE_END.search(text)
            if end is None:
                return
            self._skipping = False
            self._drop_lf = end.group() == "\r" and end.end() == len(text)
            text = text[end.end() :]
        end = max(text.rfind("\n"), text.rfind("\r")) + 1
        if end == 0:
            self._extend_tail(text)  # no line end yet: keep the pieces, join them once (linear time)
            return
        if self._tail:
            end += self._tail_chars
            text = "".join(self._tail) + text
            self._tail, self._tail_chars = [], 0
        self._lines = _LINE.findall(text, 0, end)  # only whole lines go to the regex: linear time
        self._drop_lf = end == len(text) and text[-1] == "\r"  # the CR of a CRLF split between chunks
        self._extend_tail(text[end:])

    def _extend_tail(self, text: str) -> None:
        if not text:
            return
        self._tail.append(text)
        self._tail_chars += len(text)
        if self._tail_chars > self._max_row_chars:
            self._tail, self._tail_chars, self._overlong_line = [], 0, True
