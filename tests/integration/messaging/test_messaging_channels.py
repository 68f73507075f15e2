"""E-mail (SES v2), SMS (SNS) and post (the print outbox) on moto."""

import email
import io

import boto3
import pypdf
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from messaging_support import BUCKET, NOW, REGION, SENDER, letter_context
from incasso.domain.models import Channel, MessageKind
from incasso.letters.message_text import compose


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_email_goes_out_through_ses_with_the_letter_attached(sender, store):
    # given the 14-day letter composed for e-mail
    message = compose(letter_context(), Channel.EMAIL)
    # when it is sent
    sent = sender.send(message)
    # then SES v2 (moto keeps it in the SES v1 backend) holds one raw message from the sender to the debtor
    raw = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages[-1]
    assert raw.source == SENDER and "jan@example.nl" in raw.destinations
    mail = email.message_from_string(raw.raw_data)
    assert mail["Subject"] == message.subject
    assert "Acme Verhuur B.V." in mail["From"] and mail["Reply-To"] == "debiteuren@acme.example"
    # and the text names the costs; the PDF attachment holds them too
    text_part = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
    assert "€ 425,00" in text_part.get_payload(decode=True).decode("utf-8")
    attachment = next(part for part in mail.walk() if part.get_content_type() == "application/pdf")
    assert attachment.get_filename() == "fourteen_day_letter-c-2025-001.pdf"
    assert "€ 425,00" in pdf_text(attachment.get_payload(decode=True))
    # and the PDF is kept in the claim's file, and the record says what went out
    assert sent.document == "tenants/acme/documents/c-2025-001/fourteen_day_letter.pdf"
    assert store.get(sent.document) == message.pdf
    assert sent.provider_message_id == raw.id
    assert sent.to_outbox() == {"claim_id": "c-2025-001", "kind": "fourteen_day_letter", "channel": "email",
                                "sent_at": NOW.isoformat().replace("+00:00", "Z"), "subject": message.subject,
                                "body": message.body_text, "document": sent.document}


def test_sms_is_published_to_the_e164_number(sender):
    # given a first reminder by SMS to a Dutch mobile number written the Dutch way
    message = compose(letter_context(MessageKind.REMINDER_1), Channel.SMS)
    # when it is sent
    sent = sender.send(message)
    # then SNS recorded it for +31612345678 with the short text, and no PDF was made
    phone, text = sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages[sent.provider_message_id]
    assert phone == "+31612345678"
    assert text == message.sms_text and "2025-001" in text and "NL44 RABO 0123 4567 89" in text
    assert sent.body == message.sms_text and sent.document is None and sent.channel is Channel.SMS


def test_letter_by_post_lands_in_the_print_outbox(sender, store):
    # given the 14-day letter for the post
    message = compose(letter_context(), Channel.LETTER)
    # when it is sent
    sent = sender.send(message)
    # then the PDF is in the print outbox and in the claim's file
    outbox_key = "tenants/acme/print-outbox/c-2025-001/fourteen_day_letter.pdf"
    assert sent.provider_message_id == outbox_key
    printed = store.get(outbox_key)
    assert printed == message.pdf and "€ 425,00" in pdf_text(printed)
    assert store.get("tenants/acme/documents/c-2025-001/fourteen_day_letter.pdf") == message.pdf
    listed = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET, Prefix="tenants/acme/")
    assert sorted(obj["Key"] for obj in listed["Contents"]) == [
        "tenants/acme/documents/c-2025-001/fourteen_day_letter.pdf", outbox_key]
    # and nothing went out by e-mail
    assert ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages == []


def test_the_first_reminder_by_email_carries_the_original_ubl_invoice_through_ses(sender, store):
    # given a claim imported from a UBL invoice, its original kept in the documents bucket
    from incasso.services.message_policy import Notifier
    from fakes import InMemoryStore
    from ubl_files import ubl_invoice

    original = ubl_invoice("2025-001")
    key = store.put_original_invoice("acme", "c-2025-001", original)
    ctx = letter_context(MessageKind.REMINDER_1)
    claim = ctx.claim.model_copy(update={"original_invoice": key})
    # when the notifier sends the first reminder by e-mail through SES
    record = Notifier(InMemoryStore(), sender, store).deliver(ctx.tenant, claim, "reminder_1", {})
    # then the raw e-mail carries the XML under the invoice's name, byte for byte
    raw = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages[-1]
    mail = email.message_from_string(raw.raw_data)
    attachment = next(part for part in mail.walk() if part.get_content_type() == "application/xml")
    assert attachment.get_filename() == "factuur-2025-001.xml"
    assert attachment.get_payload(decode=True) == original
    # and its text tells the debtor the invoice is attached, under that name
    body = next(part for part in mail.walk() if part.get_content_type() == "text/plain").get_payload(decode=True).decode()
    assert "De oorspronkelijke factuur is als bijlage bij deze e-mail gevoegd (factuur-2025-001.xml)." in body
    # and the record of what went out names the document it attached
    assert record["attachments"] == [key] and record["channel"] == "email"
