"""CAMT.053 and MT940 of the Dutch banks' dialects, and files that must be refused unread."""

from decimal import Decimal
from pathlib import Path

import pytest

from incasso.domain.bank.statement_files import MAX_STATEMENT_BYTES, StatementFileError, parse_statement

FIXTURES = Path(__file__).parent / "fixtures"
IBAN = "NL44RABO0123456789"


def _entries(name: str):
    statement = parse_statement((FIXTURES / name).read_bytes())
    assert (statement.account, statement.currency) == (IBAN, "EUR")
    return statement.entries


@pytest.mark.parametrize("name", ["ing.camt053.xml", "ing.mt940"])
def test_ing_the_betalingskenmerk_in_the_structured_reference(name):
    credit, debit = [e for e in _entries(name)][:2]
    assert (credit.amount, credit.direction.value, credit.structured_reference) == (
        Decimal("425.00"), "credit", "5000056789012345")
    assert (credit.counterparty, credit.counterparty_iban) == ("J. de Vries", "NL20INGB0001234567")
    assert (debit.direction.value, debit.remittance) == ("debit", "Bestelling 7781")
    assert credit.bank_reference and credit.entry_id != debit.entry_id


@pytest.mark.parametrize("name, reference", [("rabobank.camt053.xml", "7654321098"), ("rabobank.mt940", "7654321099")])
def test_rabobank_the_reference_of_the_transaction_and_the_counterparty(name, reference):
    (entry,) = _entries(name)
    assert entry.bank_reference == reference and entry.counterparty in ("P. Jansen", "K. Bakker")
    assert entry.counterparty_iban in ("NL69RABO0111222333", "NL02ABNA0457283921")


def test_abn_amro_the_description_in_the_additional_entry_information():
    (entry,) = _entries("abnamro.camt053.xml")
    assert (entry.remittance, entry.counterparty, entry.counterparty_iban) == (
        "klantnr 88123 juni", "K. Bakker", "NL02ABNA0457283921")
    (mt,) = _entries("abnamro.mt940")
    assert mt.remittance == "betalingskenmerk 5000 0567 8901 2345" and mt.counterparty == "M. de Boer"


def test_bunq_a_batch_entry_is_one_entry_per_transaction():
    one, two = _entries("bunq.camt053.xml")
    assert (one.amount, two.amount) == (Decimal("100.00"), Decimal("200.00"))
    assert one.bank_reference != two.bank_reference and one.identity != two.identity
    assert one.booked_on.isoformat() == "2025-06-02"  # from BookgDt/DtTm
    (mt,) = _entries("bunq.mt940")
    assert mt.remittance == "B. Smit bedankt!"


def test_knab_camt_001_08_and_a_pending_entry_that_is_not_booked_yet():
    booked, pending = _entries("knab.camt053.xml")
    assert booked.counterparty == "M. de Boer" and booked.problem is None
    assert "not booked" in pending.problem
    (mt,) = _entries("knab.mt940")
    assert "inv 2025 0042" in mt.remittance


def test_the_same_entry_has_the_same_identity_in_another_upload():
    first = _entries("ing.mt940")
    assert [e.identity for e in first] == [e.identity for e in _entries("ing.mt940")]


@pytest.mark.parametrize("data, message", [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><x>&b;</x>', "DTD"),
    (b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd"><x/>', "DTD"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02"/>', "not a CAMT.053"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>', "0 statements"),
    (b"<Document", "cannot be read"),
    (b"PK\x03\x04 a zip", "not a CAMT.053"),
    (b":20:X\r\n:25:NL44RABO0123456789\r\n:61:garbage\r\n", "MT940"),
    # a DTD hidden in UTF-16, where the byte check cannot see it
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>'.encode("utf-16-le"),
     "not UTF-8"),
])
def test_files_that_are_refused_whole(data, message):
    with pytest.raises(StatementFileError, match=message):
        parse_statement(data)


def test_a_file_above_the_size_limit_is_refused_before_parsing():
    with pytest.raises(StatementFileError, match="larger than"):
        parse_statement(b"<" + b" " * MAX_STATEMENT_BYTES)
