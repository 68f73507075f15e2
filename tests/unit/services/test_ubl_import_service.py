"""UBL invoices through the import service on the fakes: claims made the CSV way, the original kept as the
claim's document, and that original sent with the first reminder."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from conftest import TENANT

from incasso.domain.channels import attaches_original_invoice
from incasso.domain.import_records import ImportStatus
from incasso.domain.models import Channel, MessageKind, Stage
from incasso.letters.message_text import OutgoingMessage, SentMessage
from incasso.services.imports import ImportService
from incasso.services.message_policy import Notifier
from ubl_files import fixture, ubl_credit_note, ubl_invoice, zip_of

BUCKET = "imports"


@pytest.fixture(autouse=True)
def clock():
    """January 2026: the invoices of the fixtures (November, December 2025) lie in the past."""
    from incasso.clock import FixedClock, set_clock

    previous = set_clock(FixedClock(dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.timezone.utc)))
    yield
    set_clock(previous)


@pytest.fixture
def imports(store, claims, files, events, documents) -> ImportService:
    return ImportService(store, claims, bucket=BUCKET, files=files, events=events, documents=documents)


def drop(imports: ImportService, store, files, filename: str, data: bytes, etag: str = "e1"):
    started = imports.start(TENANT, filename)
    key = store.get_import(TENANT, started.import_id).key
    files.objects[(BUCKET, key)] = data
    return imports.ingest_object(BUCKET, key, etag=etag)


def test_a_dropped_peppol_invoice_becomes_a_claim_with_its_original_kept(imports, store, files, documents, events):
    # given the Peppol BIS 3.0 invoice dropped like a CSV
    data = fixture("peppol-bis3-invoice.xml")
    # when the S3 event arrives
    record = drop(imports, store, files, "F-2025-0412.xml", data)
    # then one claim was made from it, through the same NewClaim as a CSV row
    assert (record.status, record.accepted, record.rejected, record.errors) == (ImportStatus.COMPLETED, 1, 0, [])
    (claim,) = store.claims.values()
    assert (claim.invoice_number, claim.principal, claim.due_date) == ("F-2025-0412", Decimal("1315.00"),
                                                                      dt.date(2025, 12, 13))
    assert claim.debtor.type.value == "business" and claim.debtor.reference == "K-1001"
    # and the original XML is kept as the claim's document, byte for byte
    assert claim.original_invoice == f"tenants/{TENANT}/documents/{claim.claim_id}/invoice.xml"
    assert documents.get(claim.original_invoice) == data
    assert events.types() == ["ClaimCreated", "ImportCompleted"]


def test_a_zip_makes_a_claim_per_good_invoice_and_reports_the_rest_like_csv_rows(imports, store, files, documents):
    # given a zip of two good invoices, a credit note and a dollar invoice
    data = zip_of({"F-1.xml": ubl_invoice("F-1"), "CN-1.xml": ubl_credit_note(),
                   "F-2.xml": ubl_invoice("F-2", currency="USD"), "F-3.xml": ubl_invoice("F-3", amount="80.00")})
    # when it is imported
    record = drop(imports, store, files, "december.zip", data)
    # then the good ones are claims, each with its own original; the others are reported by row and field
    assert (record.status, record.accepted, record.rejected) == (ImportStatus.COMPLETED, 2, 2)
    assert [(e.row, e.field) for e in record.errors] == [(2, "file"), (3, "currency")]
    claims = {c.invoice_number: c for c in store.claims.values()}
    assert set(claims) == {"F-1", "F-3"}
    assert documents.get(claims["F-3"].original_invoice) == ubl_invoice("F-3", amount="80.00")
    # and nothing is kept for the invoices refused
    assert sorted(documents.inbox) == sorted(c.original_invoice for c in claims.values())


def test_an_invoice_number_the_tenant_has_already_is_reported_and_its_copy_not_kept(imports, store, files, documents):
    # given an invoice imported before
    drop(imports, store, files, "a.xml", ubl_invoice("F-1"))
    # when the same invoice comes again in another upload
    record = drop(imports, store, files, "b.xml", ubl_invoice("F-1"), etag="e2")
    # then it is reported as a duplicate and only the first claim's original is kept
    assert (record.accepted, record.rejected) == (0, 1)
    assert [(e.row, e.field) for e in record.errors] == [(1, "invoice_number")]
    (claim,) = store.claims.values()
    assert list(documents.inbox) == [claim.original_invoice]


def test_the_same_ubl_object_delivered_twice_is_imported_once(imports, store, files, documents):
    # given an imported zip
    started = imports.start(TENANT, "x.zip")
    key = store.get_import(TENANT, started.import_id).key
    files.objects[(BUCKET, key)] = zip_of({"F-1.xml": ubl_invoice("F-1"), "F-2.xml": ubl_invoice("F-2")})
    first = imports.ingest_object(BUCKET, key, etag="e1")
    # when S3 delivers it again / then the finished record is answered and no claim or document is added
    assert imports.ingest_object(BUCKET, key, etag="e1") == first
    assert len(store.claims) == 2 and len(documents.inbox) == 2


def test_a_credit_note_alone_fails_the_import_with_a_file_error(imports, store, files):
    record = drop(imports, store, files, "cn.xml", ubl_credit_note())
    assert (record.status, record.accepted, record.rejected) == (ImportStatus.FAILED, 0, 0)
    assert [(e.row, e.field) for e in record.errors] == [(0, "file")] and "credit note" in record.errors[0].message
    assert not store.claims


def test_without_a_documents_store_ubl_is_refused_whole(store, claims, files, events):
    imports = ImportService(store, claims, bucket=BUCKET, files=files, events=events)
    record = drop(imports, store, files, "a.xml", ubl_invoice("F-1"))
    assert record.status is ImportStatus.FAILED and not store.claims


def test_a_csv_still_goes_the_csv_way(imports, store, files):
    csv = (b"invoice_number,debtor_name,debtor_type,email,principal,invoice_date,due_date\n"
           b"A-1,Ann,consumer,ann@example.nl,100.00,2025-04-01,2025-05-01\n")
    record = drop(imports, store, files, "x.csv", csv)
    assert record.accepted == 1 and next(iter(store.claims.values())).original_invoice is None


# -- the first reminder carries the original --------------------------------------------------------------

class CapturingSender:
    def __init__(self) -> None:
        self.sent: list[OutgoingMessage] = []

    def send(self, message: OutgoingMessage) -> SentMessage:
        self.sent.append(message)
        return SentMessage(tenant_id=message.tenant_id, claim_id=message.claim_id, kind=message.kind,
                           channel=message.channel, sent_at=dt.datetime(2025, 6, 2, 9, tzinfo=dt.timezone.utc),
                           subject=message.subject, body=message.body_text,
                           attachments=[a.document for a in message.attachments])


@pytest.fixture
def imported(imports, store, files):
    drop(imports, store, files, "F-1.xml", ubl_invoice("F-1", issued="2025-04-01", due="2025-05-01"))
    return next(iter(store.claims.values()))


def test_the_first_reminder_by_e_mail_carries_the_original_invoice_and_later_ones_do_not(imported, store, documents):
    # given a claim imported from UBL and a notifier on the fakes
    sender = CapturingSender()
    notifier = Notifier(store, sender, documents)
    tenant = store.get_tenant(TENANT)
    # when its first and second reminder go out by e-mail
    first = notifier.deliver(tenant, imported, "reminder_1", {})
    notifier.deliver(tenant, imported.model_copy(update={"step_dates": {"reminder_1": dt.date(2025, 5, 8)}}),
                     "reminder_2", {})
    # then the first carries the original XML under the invoice's name, and the record names it
    reminder_1, reminder_2 = sender.sent
    (attachment,) = reminder_1.attachments
    assert (attachment.filename, attachment.content_type) == ("factuur-F-1.xml", "application/xml")
    assert attachment.data == ubl_invoice("F-1", issued="2025-04-01", due="2025-05-01")
    assert first["attachments"] == [imported.original_invoice]
    # and the second goes without it
    assert reminder_2.attachments == ()


def test_where_a_pre_due_reminder_goes_it_is_the_first_reminder():
    claim = _claim_from_ubl()
    assert attaches_original_invoice(claim, MessageKind.PRE_DUE_REMINDER, Channel.EMAIL)
    after_pre_due = claim.model_copy(update={"step_dates": {Stage.PRE_DUE_REMINDER.value: dt.date(2025, 4, 28)}})
    assert not attaches_original_invoice(after_pre_due, MessageKind.REMINDER_1, Channel.EMAIL)
    assert attaches_original_invoice(claim, MessageKind.REMINDER_1, Channel.EMAIL)


def test_an_sms_or_a_letter_by_post_cannot_carry_the_file_and_a_csv_claim_has_none():
    claim = _claim_from_ubl()
    assert not attaches_original_invoice(claim, MessageKind.REMINDER_1, Channel.SMS)
    assert not attaches_original_invoice(claim, MessageKind.REMINDER_1, Channel.LETTER)
    assert not attaches_original_invoice(claim.model_copy(update={"original_invoice": None}),
                                         MessageKind.REMINDER_1, Channel.EMAIL)


def _claim_from_ubl():
    from incasso.domain.models import Claim, Debtor

    now = dt.datetime(2025, 6, 2, 9, tzinfo=dt.timezone.utc)
    return Claim(tenant_id=TENANT, claim_id="clm_1", invoice_number="F-1", invoice_date=dt.date(2025, 4, 1),
                 due_date=dt.date(2025, 5, 1), principal=Decimal("100.00"), created_at=now, updated_at=now,
                 debtor=Debtor(name="Ann", type="consumer", email="ann@example.nl"),
                 original_invoice=f"tenants/{TENANT}/documents/clm_1/invoice.xml")
