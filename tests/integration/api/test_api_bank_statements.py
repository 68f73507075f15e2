"""Bank statements through the API and the reconciliation Lambda on moto (CONTRACT.md §9)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api_support import NOW, TENANT_A, TENANT_B, LambdaContext, call, claim_body, lambda_handler, setup_client
from bank_files import Payment, camt053, mt940
from infra.topology import IMPORTS


def _claim(number: str, principal: str = "425.00", **changes) -> dict:
    answer = call("POST", "/v1/claims", TENANT_A, claim_body(number, principal, **changes))
    assert answer.status == 201, answer.body
    return answer.body


def _upload(data: bytes, tenant_id: str = TENANT_A, filename: str = "statement.xml") -> str:
    """POST /v1/bank-statements, PUT the file where it says, and deliver the S3 event to the Lambda."""
    started = call("POST", "/v1/bank-statements", tenant_id, {"filename": filename})
    assert started.status == 201 and started.body["upload_url"].startswith("http")
    statement_id = started.body["statement_id"]
    key = f"statements/{tenant_id}/{statement_id}/{filename}"
    assert key.split("/")[-1] in started.body["upload_url"] and statement_id in started.body["upload_url"]
    put = setup_client("s3").put_object(Bucket=IMPORTS.name, Key=key, Body=data)
    _deliver(key, put["ETag"], len(data))
    return statement_id


def _deliver(key: str, etag: str, size: int) -> None:
    event = {"Records": [{"s3": {"bucket": {"name": IMPORTS.name},
                                 "object": {"key": key, "eTag": etag, "size": size}}}]}
    lambda_handler("reconcile")(event, LambdaContext())


def _statement(statement_id: str, tenant_id: str = TENANT_A) -> dict:
    answer = call("GET", f"/v1/bank-statements/{statement_id}", tenant_id)
    assert answer.status == 200, answer.body
    return answer.body


def test_a_camt053_credit_quoting_the_payment_reference_pays_the_claim_dated_its_booking_day(api):
    # Given an open claim and a statement whose credit quotes its betalingskenmerk, booked on 1 June
    claim = _claim("F-2025-001")
    data = camt053([Payment("500.00", reference=claim["payment_reference"], booked_on="2025-06-01"),
                    Payment("12.50", remittance="kantoor", debit=True, bank_reference="REF-2")])
    # When it is uploaded
    statement = _statement(_upload(data))
    # Then the statement reports both entries: the credit booked by reference, the debit listed
    assert (statement["status"], statement["entries"], statement["matched"], statement["unmatched"]) == (
        "completed", 2, 1, 0)
    credit, debit = statement["items"]
    assert set(credit) >= {"entry_id", "amount", "booked_on", "counterparty", "remittance", "claim_id", "match"}
    assert (credit["claim_id"], credit["match"], credit["amount"], credit["booked_on"]) == (
        claim["claim_id"], "reference", "500.00", "2025-06-01")
    assert (debit["direction"], debit["outcome"], debit["claim_id"], debit["match"]) == ("debit", "debit", None, "none")
    # and the claim is paid, dated the booking day
    paid = call("GET", f"/v1/claims/{claim['claim_id']}").body
    assert paid["status"] == "paid" and paid["amounts"]["outstanding"] == "0.00"
    # (principal and a month's interest; the rest is listed for refund)
    assert Decimal(credit["refund"]) == Decimal("500.00") - Decimal(paid["amounts"]["paid"]) > 0
    payment = next(e for e in paid["timeline"] if e["type"] == "payment_received")
    assert payment["paid_at"].startswith("2025-06-01")


def test_the_same_statement_again_and_an_overlapping_one_book_nothing_twice(api):
    # Given a claim paid in part by an MT940 statement
    claim = _claim("F-2025-002", "300.00")
    part = Payment("100.00", remittance="factuur F 2025 002", bank_reference="ING0001")
    first = _statement(_upload(mt940([part]), filename="juni.940"))
    assert first["items"][0]["match"] == "invoice_number" and first["matched"] == 1
    # When the same file is uploaded again, and a statement overlapping it with one new entry
    again = _statement(_upload(mt940([part]), filename="juni.940"))
    overlap = _statement(_upload(mt940([part, Payment("50.00", remittance="F-2025-002",
                                                     bank_reference="ING0002")]), filename="juni2.940"))
    # Then the repeated entry is listed as seen before and only the new one is booked
    assert [i["outcome"] for i in again["items"]] == ["seen_before"]
    assert [i["outcome"] for i in overlap["items"]] == ["seen_before", "booked"]
    assert call("GET", f"/v1/claims/{claim['claim_id']}").body["amounts"]["paid"] == "150.00"
    # and the same S3 event delivered twice reads the object once
    record = overlap["statement_id"]
    assert _statement(record)["matched"] == 1


def test_an_overpayment_books_what_was_owed_and_lists_the_rest_for_refund(api):
    claim = _claim("F-2025-003", "100.00")
    item = _statement(_upload(camt053([Payment("130.00", reference=claim["payment_reference"])])))["items"][0]
    # (100.00 and the interest since the due date)
    paid = call("GET", f"/v1/claims/{claim['claim_id']}").body
    assert paid["status"] == "paid" and item["outcome"] == "booked"
    assert item["bookings"] == [{"claim_id": claim["claim_id"], "amount": paid["amounts"]["paid"]}]
    assert Decimal(item["refund"]) == Decimal("130.00") - Decimal(paid["amounts"]["paid"]) > 0


def test_a_combined_payment_books_each_claim_and_two_that_fit_are_never_guessed(api):
    # Given one debtor with two claims, and another two claims whose invoice numbers both appear
    debtor = {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl", "reference": "KLANT-77"}
    one, two = _claim("F-10", "100.00", debtor=debtor), _claim("F-11", "50.00", debtor=debtor)
    three, four = _claim("F-2025-020", "80.00"), _claim("F-2025-021", "90.00")
    data = camt053([
        Payment("150.00", remittance="klantnummer KLANT-77", bank_reference="A"),  # exactly both of KLANT-77
        Payment("100.00", remittance="facturen F-2025-020 en F-2025-021", bank_reference="B"),  # fits neither sum
    ])
    combined, ambiguous = _statement(_upload(data))["items"]
    assert combined["match"] == "debtor_amount"
    assert sorted(b["claim_id"] for b in combined["bookings"]) == sorted([one["claim_id"], two["claim_id"]])
    assert (ambiguous["outcome"], ambiguous["claim_id"], ambiguous["match"]) == ("unmatched", None, "none")
    assert sorted(ambiguous["candidates"]) == sorted([three["claim_id"], four["claim_id"]])
    # and it waits in the tenant's queue, where a clerk assigns it by hand
    queue = call("GET", "/v1/bank-statements/unmatched").body["items"]
    assert [i["entry_id"] for i in queue] == [ambiguous["entry_id"]]
    path = f"/v1/bank-statements/{ambiguous['statement_id']}/entries/{ambiguous['entry_id']}/assign"
    assert call("POST", path, TENANT_A, {"claim_id": three["claim_id"]}, role="viewer").status == 403
    assigned = call("POST", path, TENANT_A, {"claim_id": three["claim_id"]}, role="clerk")
    assert assigned.status == 201, assigned.body
    assert assigned.body["claim"]["status"] == "paid" and assigned.body["allocation"]["principal"] == "80.00"
    assert call("GET", "/v1/bank-statements/unmatched").body["items"] == []
    assert call("POST", path, TENANT_A, {"claim_id": three["claim_id"]}).status == 409
    after = _statement(ambiguous["statement_id"])
    assert (after["matched"], after["unmatched"]) == (2, 0)
    assert after["items"][1]["match"] == "manual" and Decimal(after["items"][1]["refund"]) == Decimal("100.00") - Decimal(
        assigned.body["claim"]["amounts"]["paid"])


def test_art_6_43_a_credit_quoting_only_the_customer_number_is_divided_over_its_invoices_oldest_first(api):
    # given one debtor with two invoices due on different days, and a credit quoting only its number
    debtor = {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl", "reference": "KLANT-88"}
    older = _claim("G-10", "100.00", debtor=debtor, invoice_date="2025-04-01", due_date="2025-05-01")
    newer = _claim("G-11", "200.00", debtor=debtor, invoice_date="2025-04-15", due_date="2025-05-15")
    data = camt053([Payment("400.00", remittance="klantnummer KLANT-88", bank_reference="C", booked_on="2025-05-01")])
    # when the statement is reconciled
    item = _statement(_upload(data))["items"][0]
    # then it is booked to both, the older first in full, up to what was owed; the rest is for refund
    assert (item["outcome"], item["match"]) == ("booked", "debtor")
    assert [b["claim_id"] for b in item["bookings"]] == [older["claim_id"], newer["claim_id"]]
    assert [b["amount"] for b in item["bookings"]] == ["100.00", "200.00"] and item["refund"] == "100.00"
    assert call("GET", f"/v1/claims/{older['claim_id']}").body["status"] == "paid"


@pytest.mark.parametrize("data, reason", [
    (b"<Document><unclosed>", "cannot be read"),
    (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
     b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol2;</Document>', "DTD"),
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>', "DTD"),
    (camt053([Payment("10.00", remittance="x")], account="NL91ABNA0417164300"), "not the tenant's"),
    (camt053([Payment("10.00", remittance="x")], currency="USD"), "only EUR"),
    (b"hello, this is not a statement", "not a CAMT.053"),
])
def test_a_file_that_cannot_be_read_whole_or_is_not_the_tenants_books_nothing(api, data, reason):
    claim = _claim("F-BAD-1", "10.00")
    data = data.replace(b"<Ustrd>x</Ustrd>", f"<Ustrd>{claim['payment_reference']}</Ustrd>".encode())
    statement = _statement(_upload(data))
    assert statement["status"] == "failed" and reason in statement["error"] and statement["items"] == []
    assert call("GET", f"/v1/claims/{claim['claim_id']}").body["amounts"]["paid"] == "0.00"


def test_a_200_mb_file_is_refused_by_its_size_before_it_is_read(api):
    started = call("POST", "/v1/bank-statements", TENANT_A, {"filename": "huge.xml"}).body
    key = f"statements/{TENANT_A}/{started['statement_id']}/huge.xml"
    _deliver(key, '"e"', 200 * 1024 * 1024)  # no object at all: reading it would fail
    statement = _statement(started["statement_id"])
    assert statement["status"] == "failed" and "200 MB" in statement["error"]


def test_entry_errors_duplicates_in_the_file_other_currency_and_the_rest_still_booked(api):
    claim = _claim("F-2025-030", "60.00")
    twice = Payment("20.00", reference=claim["payment_reference"], bank_reference="D1")
    data = camt053([twice, twice, Payment("5.00", remittance="F-2025-030", bank_reference="D2", currency="USD")])
    items = _statement(_upload(data))["items"]
    assert [i["outcome"] for i in items] == ["booked", "rejected", "rejected"]
    assert "earlier in this file" in items[1]["error"] and "USD" in items[2]["error"]
    assert call("GET", f"/v1/claims/{claim['claim_id']}").body["amounts"]["paid"] == "20.00"


def test_another_tenants_statement_is_404_and_its_entries_cannot_be_assigned(api):
    claim = _claim("F-2025-040", "60.00")
    statement_id = _upload(camt053([Payment("33.00", remittance="no idea")]))
    entry_id = _statement(statement_id)["items"][0]["entry_id"]
    assert call("GET", f"/v1/bank-statements/{statement_id}", TENANT_B).status == 404
    assert call("GET", "/v1/bank-statements/unmatched", TENANT_B).body["items"] == []
    path = f"/v1/bank-statements/{statement_id}/entries/{entry_id}/assign"
    assert call("POST", path, TENANT_B, {"claim_id": claim["claim_id"]}).status == 404
    other = call("POST", "/v1/claims", TENANT_B, claim_body("G-1")).body
    assert call("POST", path, TENANT_A, {"claim_id": other["claim_id"]}).status == 404
    assert NOW.date().isoformat() == "2025-06-02" and Decimal(claim["amounts"]["paid"]) == 0
