"""Where uploads go and how a dropped object is recognised: the key is the only source of the tenant."""

import pytest

from incasso.domain.import_records import MAX_LISTED_ERRORS
from incasso.services.imports import (
    Tally,
    _distributed_dialect,
    import_claim_id,
    inbox_key,
    object_source,
    parse_inbox_key,
    safe_filename,
)


@pytest.mark.parametrize("name,safe", [
    ("facturen.csv", "facturen.csv"),
    ("maart export (2).csv", "maart_export_2_.csv"),
    ("../../etc/passwd", "etc_passwd"),
    ("...", "upload.csv"),
    ("Überweisung €.csv", "berweisung_.csv"),
    ("x" * 300 + ".csv", "x" * 120),
])
def test_a_filename_becomes_one_harmless_key_segment(name, safe):
    assert safe_filename(name) == safe


def test_an_inbox_key_round_trips_through_the_url_encoding_of_s3_events():
    key = inbox_key("acme", "imp_1", "maart export.csv")
    assert key == "tenants/acme/inbox/imp_1/maart_export.csv"
    parsed = parse_inbox_key("tenants/acme/inbox/imp_1/export+juni%2B2.csv")
    assert (parsed.tenant_id, parsed.import_id, parsed.filename) == ("acme", "imp_1", "export juni+2.csv")


@pytest.mark.parametrize("key", [
    "tenants/acme/facturen.csv", "tenants/acme/inbox/imp_1/", "tenants/acme/inbox/imp_1/a/b.csv",
    "tenants/Acme/inbox/imp_1/f.csv", "tenants/acme%23x/inbox/imp_1/f.csv", "results/acme/imp_1/x.json",
    "tenants/acme/inbox/imp#1/f.csv", "/tenants/acme/inbox/imp_1/f.csv",
])
def test_keys_outside_the_inbox_shape_are_not_imports(key):
    assert parse_inbox_key(key) is None


def test_a_rows_claim_id_is_the_same_on_every_delivery_of_one_upload():
    one = import_claim_id("acme", "imp_1", "etag", 7)
    assert one == import_claim_id("acme", "imp_1", "etag", 7)
    assert len({one, import_claim_id("acme", "imp_1", "etag", 8), import_claim_id("acme", "imp_1", "other", 7),
                import_claim_id("globex", "imp_1", "etag", 7)}) == 4
    assert one.startswith("clm_") and len(one) == 24


def test_the_object_source_is_the_etag_and_version():
    assert object_source('"abc"', None) == "abc"
    assert object_source("abc", "null") == "abc"
    assert object_source("abc", "v2") == "abc:v2"


def test_the_tally_counts_rows_not_errors_and_keeps_a_bounded_list():
    tally = Tally()
    tally.note(3, "principal", "not an amount")
    tally.note(3, "due_date", "not a date")
    tally.note(1, "remarks", "unknown column", rejects_row=False)
    for row in range(10, 10 + MAX_LISTED_ERRORS):
        tally.note(row, "principal", "bad")
    assert tally.rejected == 1 + MAX_LISTED_ERRORS
    report = tally.report()
    assert len(report) == MAX_LISTED_ERRORS and report[0].row == 1
    assert tally.more_errors == 3  # listed: rows 3 (twice) and 1, then 997 of the 1,000 others


@pytest.mark.parametrize("head,delimiter", [
    (b"invoice_number,debtor_name,principal\n1,2,3", "COMMA"),
    (b"\xef\xbb\xbffactuurnummer;naam;bedrag\r\n", "SEMICOLON"),
    (b"invoice_number\tdebtor_name\n", "TAB"),
    ("factuurnummer;naam\n1;Zoë".encode("utf-8")[:-1], "SEMICOLON"),  # a character cut off by the range
])
def test_the_distributed_reader_gets_the_files_delimiter(head, delimiter):
    assert _distributed_dialect(head) == (delimiter, None)


def test_the_distributed_reader_refuses_what_it_cannot_read():
    assert _distributed_dialect("naam;bedrag\nCafé;1\n".encode("cp1252") * 3)[1]
    assert _distributed_dialect(b"just one column\n")[1]
