"""UBL invoices as intake end to end on the local stack: a tenant drops a Peppol BIS 3.0 invoice (and a zip of
them) through the import URL, S3's event runs the ingest Lambda, the claims run their trajectory on the
simulated clock, and the first reminder goes out by e-mail with the original invoice attached."""

from __future__ import annotations

import datetime as dt
import email

import requests
from moto.ses.models import ses_backends

from infra.local.http import outbox
from incasso.domain.models import DebtorType
from ubl_files import ubl_credit_note, ubl_invoice, zip_of

START = dt.date(2026, 1, 5)  # the local stack starts on Monday 5 Jan 2026
DAY = dt.timedelta(days=1)



def drop(world, data: bytes, filename: str) -> dict:
    """POST /v1/imports, PUT the file to the URL it answers, and answer the import's report once settled."""
    status, started = world.api("POST", "/v1/imports", {"filename": filename})
    assert status == 201, started
    assert requests.put(started["upload_url"], data=data, timeout=10).status_code == 200
    world.stack.settle()
    status, report = world.api("GET", f"/v1/imports/{started['import_id']}")
    assert status == 200, report
    return report


def claims_by_invoice(world) -> dict:
    claims, _ = world.store.list_claims("acme", limit=100)
    return {claim.invoice_number: claim for claim in claims}


def mails_to(world, address: str) -> list[email.message.Message]:
    backend = ses_backends[world.stack.account_id][world.stack.region]
    return [email.message_from_string(m.raw_data) for m in backend.sent_messages if address in m.destinations]


def test_a_dropped_ubl_invoice_becomes_a_claim_whose_first_reminder_carries_the_original(world):
    # given a tenant ready to send, and a Peppol BIS 3.0 invoice due today
    world.tenant()
    original = ubl_invoice("F-2026-0001", issued="2025-12-05", due=START.isoformat(), amount="1210.00",
                           email="administratie@smit.example")
    # when the tenant drops it through the import URL
    report = drop(world, original, "F-2026-0001.xml")
    # then the import made one claim of the buyer, for the payable amount and with the invoice's dates
    assert (report["status"], report["accepted"], report["rejected"]) == ("completed", 1, 0)
    claim = claims_by_invoice(world)["F-2026-0001"]
    assert (claim.principal, claim.due_date, claim.debtor.type) == (1210, START, DebtorType.BUSINESS)
    # when the clock runs past the first reminder (due + 7 days) and the second (due + 21)
    world.until(START + 22 * DAY)
    # then the first reminder went by e-mail with the original XML attached, and the outbox names it
    sent = outbox(world.stack, tenant_id="acme", claim_id=claim.claim_id)
    reminders = {m["kind"]: m for m in sent}
    assert {"reminder_1", "reminder_2"} <= set(reminders)
    assert reminders["reminder_1"]["channel"] == "email"
    assert reminders["reminder_1"]["attachments"] == [f"tenants/acme/documents/{claim.claim_id}/invoice.xml"]
    assert "attachments" not in reminders["reminder_2"]
    mails = {m["Subject"]: m for m in mails_to(world, "administratie@smit.example")}
    first = mails[reminders["reminder_1"]["subject"]]
    (xml,) = [p for p in first.walk() if p.get_content_type() == "application/xml"]
    assert xml.get_filename() == "factuur-F-2026-0001.xml" and xml.get_payload(decode=True) == original
    second = mails[reminders["reminder_2"]["subject"]]
    assert not [p for p in second.walk() if p.get_content_type() == "application/xml"]
    # and only the first says so in its text
    text = {name: next(p for p in mail.walk() if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
            for name, mail in (("first", first), ("second", second))}
    assert "is als bijlage bij deze e-mail gevoegd (factuur-F-2026-0001.xml)" in text["first"]
    assert "bijlage" not in text["second"]


def test_a_zip_of_invoices_makes_a_claim_of_each_good_one_and_reports_the_credit_note(world):
    # given a tenant, and a zip of two invoices and a credit note
    world.tenant()
    data = zip_of({"F-1.xml": ubl_invoice("F-1", issued="2025-12-05", due=START.isoformat()),
                   "CN-1.xml": ubl_credit_note(),
                   "F-2.xml": ubl_invoice("F-2", issued="2025-12-05", due=START.isoformat(), kvk=None,
                                          email="jan@example.nl", buyer="Jan de Vries", reference="K-2002")})
    # when it is dropped
    report = drop(world, data, "december.zip")
    # then both invoices are claims (the one without company numbers a consumer's), the credit note reported
    assert (report["status"], report["accepted"], report["rejected"]) == ("completed", 2, 1)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "file")]
    claims = claims_by_invoice(world)
    assert set(claims) == {"F-1", "F-2"} and claims["F-2"].debtor.type is DebtorType.CONSUMER
    # and each claim's first reminder carries its own invoice
    world.until(START + 8 * DAY)
    for number, address in (("F-1", "administratie@smit.example"), ("F-2", "jan@example.nl")):
        (reminder,) = [m for m in outbox(world.stack, tenant_id="acme", claim_id=claims[number].claim_id)
                       if m["kind"] == "reminder_1"]
        assert reminder["attachments"] == [claims[number].original_invoice]
        (mail,) = [m for m in mails_to(world, address) if m["Subject"] == reminder["subject"]]
        (xml,) = [p for p in mail.walk() if p.get_content_type() == "application/xml"]
        assert f"<cbc:ID>{number}</cbc:ID>".encode() in xml.get_payload(decode=True)
