"""Bytes to lines, incrementally: encodings, line ends split across chunks, laziness, fuzzing."""

import io
import itertools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from incasso.invoice_csv import ParsedInvoice, RowError, parse_invoices
from incasso.invoice_csv.text import PhysicalLines, RowTooLong, TextDecoder, decoded

HEADER = "invoice_number;debtor_name;debtor_type;principal;invoice_date;due_date\r\n"


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    """``data`` cut at the given positions (any order, duplicates and out-of-range ones dropped)."""
    points = sorted({c for c in cuts if 0 < c < len(data)})
    return [data[a:b] for a, b in itertools.pairwise([0, *points, len(data)])]


def decode(chunks: list[bytes]) -> tuple[str, str | None]:
    decoder = TextDecoder()
    return "".join(decoded(chunks, decoder)), decoder.encoding


@given(st.text(max_size=200), st.lists(st.integers(0, 800), max_size=20))
def test_utf8_decodes_the_same_however_it_is_chunked(text, cuts):
    # given any text as UTF-8, cut anywhere (also inside a multi-byte character)
    data = text.encode("utf-8")
    # when decoded incrementally / then the text comes back exactly
    assert decode(chunked(data, cuts))[0] == text


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _starts_with_utf8_character(data: bytes) -> bool:
    """Whether the first non-ASCII bytes of ``data`` form a valid multi-byte UTF-8 character."""
    first = next((i for i, byte in enumerate(data) if byte >= 0x80), None)
    if first is None:
        return False
    for size in (2, 3, 4):
        try:
            if len(data[first:first + size].decode("utf-8")) == 1:
                return True
        except UnicodeDecodeError:
            continue
    return False


@given(st.text(alphabet=st.sampled_from("abc ;\r\n€ëéöüï"), max_size=200), st.lists(st.integers(0, 200), max_size=20))
def test_windows_1252_is_recognised_however_it_is_chunked(text, cuts):
    # given Windows-1252 text whose accented letters are no valid UTF-8 (a lead byte, never followed
    # by continuation bytes), cut anywhere
    data = text.encode("cp1252")
    # ("é€€" is E9 80 80: valid UTF-8 for "退" — such bytes are genuinely ambiguous and read as UTF-8)
    assume(not _valid_utf8(data) or text.isascii())
    # (and where the first accented letters happen to make a valid UTF-8 character, "é€€" then a lone
    # "é", the decoder's documented rule reads a damaged UTF-8 file: real UTF-8 came before the bad byte)
    assume(not _starts_with_utf8_character(data))
    # when decoded / then the text comes back exactly
    decoded_text, encoding = decode(chunked(data, cuts))
    assert decoded_text == text
    assert encoding == ("utf-8" if text.isascii() else "windows-1252")


def test_bom_decides_the_encoding():
    assert decode([b"\xef\xbb", b"\xbfa\xc3\xab"]) == ("aë", "utf-8-sig")
    assert decode(["aë".encode("utf-16")]) == ("aë", "utf-16")


def test_bytes_undefined_in_windows_1252_become_replacement_characters():
    assert decode([b"caf\xe9 \x81"]) == ("café \ufffd", "windows-1252")


@given(st.text(alphabet=st.sampled_from("ab;\"\r\n"), max_size=120), st.lists(st.integers(0, 120), max_size=30))
def test_lines_split_like_universal_newlines_however_chunked(text, cuts):
    # given text with CRLF, LF and lone CR line ends, cut anywhere (also between a CR and its LF)
    pieces = [text[a:b] for a, b in itertools.pairwise([0, *sorted({c for c in cuts if 0 < c < len(text)}), len(text)])]
    # when split into lines
    lines = list(PhysicalLines(iter(pieces), 10_000))
    # then the lines are those open(newline="") gives (a CRLF cut in two may lose its LF, harmlessly)
    expected = io.StringIO(text, newline="").readlines()
    assert [line.rstrip("\r\n") for line in lines] == [line.rstrip("\r\n") for line in expected]
    assert all(line.endswith(("\r", "\n")) for line in lines[:-1])


def test_an_overlong_line_is_skipped_and_reading_goes_on():
    # given a line of 50 characters between short ones, with a limit of 10, in chunks of 3
    text = "ab\n" + "x" * 50 + "\r\ncd\n"
    lines = PhysicalLines(iter([text[i : i + 3] for i in range(0, len(text), 3)]), 10)
    # when read / then the short lines come through and the long one raises once, then is gone
    assert next(lines) == "ab\n"
    lines.start_row()
    try:
        next(lines)
        raise AssertionError("expected RowTooLong")
    except RowTooLong:
        pass
    lines.start_row()
    assert list(lines) == ["cd\n"]


def test_parse_invoices_is_lazy():
    # given a stream of 10,000 rows in chunks that records how far it has been read
    row = "{n};Ann;consumer;10,00;01-01-2025;31-01-2025\r\n"
    data = (HEADER + "".join(row.format(n=n) for n in range(10_000))).encode("cp1252")
    consumed = []

    def chunks():
        for start in range(0, len(data), 4096):
            consumed.append(start)
            yield data[start : start + 4096]

    # when the generator is made and its first result taken
    results = parse_invoices(chunks())
    assert consumed == []  # nothing read before the first result is asked for
    first = next(results)
    # then that result is there while most of the stream is still unread
    assert isinstance(first, ParsedInvoice) and first.row == 2
    assert len(consumed) <= 2 < len(data) // 4096
    assert sum(1 for _ in results) == 9_999


def test_a_binary_file_object_is_read_in_chunks():
    # given a file object, as an S3 body is
    body = io.BytesIO((HEADER + "1;Ann;consumer;10;01-01-2025;31-01-2025\r\n").encode())
    # when parsed / then the invoice is read
    [invoice] = parse_invoices(body)
    assert invoice.invoice_number == "1"


CSV_PIECES = st.sampled_from(list(";,\t\"\r\n €.-/0123456789abcëEUR") + ["2025-01-01", "31-12-2025", "particulier", "business", "1.234,56"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.lists(st.integers(0, 2000), max_size=10))
def test_random_bytes_never_raise(data, cuts):
    # given arbitrary bytes in arbitrary chunks / when parsed / then only results, never an exception
    results = list(parse_invoices(chunked(data, cuts)))
    assert all(isinstance(r, ParsedInvoice | RowError) for r in results)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.lists(st.lists(CSV_PIECES, max_size=4).map("".join), max_size=9), max_size=12),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_csvish_text_never_raises(rows, delimiter, encoding):
    # given a real header followed by random CSV-like rows, in any of the accepted encodings
    text = HEADER.replace(";", delimiter) + "\r\n".join(delimiter.join(cells) for cells in rows)
    # when parsed
    results = list(parse_invoices(text.encode(encoding, "replace")))
    # then every result is an invoice or an error, rows ascend, and data rows come after the header
    assert all(isinstance(r, ParsedInvoice | RowError) for r in results)
    assert [r.row for r in results] == sorted(r.row for r in results)
    assert all(r.row >= 2 for r in results if isinstance(r, ParsedInvoice))
