"""CSV import speed and memory: does parsing stream, i.e. does memory stay flat as files grow?

Generates a Dutch export (semicolons, Windows-1252, decimal commas) on the fly as 64 KiB byte chunks,
so the file itself is never in memory, and parses it with ``parse_invoices``:

- ``csv_parse_rows_per_second``: rows parsed per second over the large file (no tracing);
- ``csv_parse_memory_growth_mb``: tracemalloc peak for the large file minus the peak for the small
  one (10x fewer rows). What may grow is the per-file map of invoice numbers that catches a number
  used twice (one short string per row); ``csv_parse_duplicate_check_mb`` is that map's own size for
  the extra rows, measured apart, so the rest of the growth is what the parser itself holds.

Run: ``.venv/bin/python benchmarks/csv_parse.py [--rows 200000]``.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Iterator

from incasso.invoice_csv import ParsedInvoice, parse_invoices

HEADER = "factuurnummer;naam;type;e-mail;telefoon;straat;postcode;plaats;land;bedrag;factuurdatum;vervaldatum;taal\r\n"
CHUNK_BYTES = 64 * 1024


def dutch_export(rows: int) -> Iterator[bytes]:
    """A generated export of ``rows`` invoices, as byte chunks, produced lazily."""
    buffer = [HEADER]
    size = len(HEADER)
    for number in range(1, rows + 1):
        kind = "particulier" if number % 3 else "zakelijk"
        line = (
            f"F2025-{number:07d};Zoë de Vries {number};{kind};debiteur{number}@example.nl;06-{number % 10**8:08d};"
            f"Dorpsstraat {number % 300 + 1};{1000 + number % 9000} AB;Utrecht;NL;€ {number % 900 + 1}.{number % 1000:03d},"
            f"{number % 100:02d};{number % 28 + 1:02d}-11-2025;{number % 28 + 1:02d}-12-2025;nl\r\n"
        )
        buffer.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield "".join(buffer).encode("cp1252")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("cp1252")


def parse_all(rows: int) -> int:
    accepted = 0
    for result in parse_invoices(dutch_export(rows)):
        if isinstance(result, ParsedInvoice):
            accepted += 1
        else:
            raise AssertionError(f"the generated file should be clean: {result}")
    return accepted


def peak_mb(rows: int) -> float:
    tracemalloc.start()
    try:
        parse_all(rows)
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def duplicate_check_mb(small: int, rows: int) -> float:
    """What a map of invoice number -> first row costs for the rows the large file has extra."""
    tracemalloc.start()
    try:
        first_row_of = {f"F2025-{number:07d}": number for number in range(small + 1, rows + 1)}
        return tracemalloc.get_traced_memory()[0] / 2**20 if first_row_of else 0.0
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    small = max(rows // 10, 1)

    started = time.perf_counter()
    accepted = parse_all(rows)
    elapsed = time.perf_counter() - started
    assert accepted == rows, (accepted, rows)

    growth = peak_mb(rows) - peak_mb(small)

    print(f"csv_parse_rows: {rows}")
    print(f"csv_parse_rows_per_second: {rows / elapsed:.0f}")
    print(f"csv_parse_memory_growth_mb: {growth:.2f}")
    print(f"csv_parse_duplicate_check_mb: {duplicate_check_mb(small, rows):.2f}")


if __name__ == "__main__":
    main()
