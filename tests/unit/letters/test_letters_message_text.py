"""Composing messages, the outbox record, channel choice and error sorting (no AWS needed)."""

import datetime as dt

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from incasso.adapters.message_sending import PermanentSendError, TransientSendError, choose_channel, e164, is_retryable
from incasso.domain.models import Address, Channel, Debtor, MessageKind
from incasso.letters.message_text import OUTBOX_FIELDS, SentMessage, compose
from letters_factories import make_context

ADDRESS = Address(street="Dorpsstraat 5", postal_code="1234 AB", city="Utrecht")


def debtor(**contact) -> Debtor:
    return Debtor(name="Jan", type="consumer", **contact)


def test_letters_get_a_pdf_and_plain_messages_do_not():
    # given a 14-day letter by e-mail / then the PDF comes along
    letter = compose(make_context("fourteen_day_letter"), Channel.EMAIL)
    assert letter.pdf and letter.pdf.startswith(b"%PDF")
    assert letter.attachment_name == "fourteen_day_letter-c-2025-001.pdf"
    # given a first reminder by e-mail / then no PDF; by post / then a PDF
    assert compose(make_context("reminder_1"), Channel.EMAIL).pdf is None
    assert compose(make_context("reminder_1"), Channel.LETTER).pdf.startswith(b"%PDF")
    # and the sender is the creditor
    assert letter.sender_name == "Acme Verhuur B.V." and letter.reply_to == "debiteuren@acme.example"


def test_outbox_record_has_exactly_the_contract_shape():
    sent = SentMessage(tenant_id="acme", claim_id="c-1", kind=MessageKind.REMINDER_1, channel=Channel.SMS,
                       sent_at=dt.datetime(2025, 6, 3, 9, tzinfo=dt.timezone.utc), subject="s", body="b",
                       provider_message_id="m-1")
    assert sent.to_outbox() == {"claim_id": "c-1", "kind": "reminder_1", "channel": "sms",
                                "sent_at": "2025-06-03T09:00:00Z", "subject": "s", "body": "b", "document": None}
    assert tuple(sent.to_outbox()) == OUTBOX_FIELDS


@pytest.mark.parametrize("policy, contact, kind, expected", [
    (Channel.EMAIL, dict(email="a@b.nl", address=ADDRESS), MessageKind.REMINDER_1, Channel.EMAIL),
    (Channel.EMAIL, dict(address=ADDRESS, phone="0612345678"), MessageKind.REMINDER_1, Channel.LETTER),
    (Channel.EMAIL, dict(phone="0612345678"), MessageKind.REMINDER_1, Channel.SMS),
    (Channel.SMS, dict(phone="0612345678", email="a@b.nl"), MessageKind.REMINDER_1, Channel.SMS),
    (Channel.SMS, dict(phone="0612345678", email="a@b.nl", address=ADDRESS), MessageKind.FOURTEEN_DAY_LETTER, Channel.LETTER),
    (Channel.SMS, dict(phone="0612345678", email="a@b.nl"), MessageKind.NOTICE_OF_DEFAULT, Channel.EMAIL),
    (Channel.LETTER, dict(address=ADDRESS, email="a@b.nl"), MessageKind.FOURTEEN_DAY_LETTER, Channel.LETTER),
    (Channel.LETTER, dict(email="a@b.nl"), MessageKind.FOURTEEN_DAY_LETTER, Channel.EMAIL),
    (Channel.LETTER, dict(phone="0612345678"), MessageKind.PAYMENT_CONFIRMATION, Channel.SMS),
])
def test_choose_channel_falls_back_to_a_contact_the_debtor_has(policy, contact, kind, expected):
    assert choose_channel(policy, debtor(**contact), kind) is expected


def test_no_usable_contact_is_a_permanent_error():
    # given only a phone number for a legal notice, which never goes by SMS
    with pytest.raises(PermanentSendError, match="no e-mail address, postal address or usable phone") as caught:
        choose_channel(Channel.LETTER, debtor(phone="0612345678"), MessageKind.FOURTEEN_DAY_LETTER)
    assert caught.value.kind == "fourteen_day_letter"
    with pytest.raises(PermanentSendError):
        choose_channel(Channel.EMAIL, debtor())


def test_phone_numbers_become_e164():
    assert e164("06 12345678") == "+31612345678"
    assert e164("0031 6-1234 5678") == "+31612345678"
    assert e164("+44 20 7946 0958") == "+442079460958"
    for bad in ("12345678", "06 12"):
        with pytest.raises(ValueError):
            e164(bad)


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "SendEmail")


def test_aws_errors_are_sorted_into_retryable_and_permanent():
    # given throttling, server errors and dropped connections / then worth a retry
    assert is_retryable(client_error("TooManyRequestsException", 429))
    assert is_retryable(client_error("Throttling", 400))
    assert is_retryable(client_error("InternalFailure", 500))
    assert is_retryable(client_error("Whatever", 503))
    assert is_retryable(EndpointConnectionError(endpoint_url="http://x"))
    # given a rejected message or a bad request / then not
    assert not is_retryable(client_error("MessageRejected", 400))
    assert not is_retryable(client_error("BadRequestException", 400))
    assert not is_retryable(ParamValidationError(report="bad"))


def test_error_types_carry_reason_and_where():
    error = TransientSendError("SendEmail failed: Throttling", claim_id="c-1", kind="reminder_1", channel="email")
    assert str(error) == "reminder_1 for claim c-1 by email: SendEmail failed: Throttling"
    assert error.reason == "SendEmail failed: Throttling"
    assert type(error).__name__ == "TransientSendError"  # the errorType Step Functions matches on
