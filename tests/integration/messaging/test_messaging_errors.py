"""Send failures sorted for Step Functions: TransientSendError is retried, PermanentSendError parks the claim."""

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from incasso.adapters.message_sending import MessageSender, PermanentSendError, TransientSendError
from incasso.domain.models import Channel, MessageKind
from incasso.letters.message_text import compose
from messaging_support import BUCKET, REGION, letter_context


def test_throttled_ses_is_transient(sender):
    # given SES answers "too many requests"
    message = compose(letter_context(), Channel.EMAIL)
    with Stubber(sender.ses) as ses:
        ses.add_client_error("send_email", service_error_code="TooManyRequestsException",
                             service_message="Maximum sending rate exceeded.", http_status_code=429)
        # when the letter is sent / then it is worth a retry, and says why
        with pytest.raises(TransientSendError, match="TooManyRequestsException") as caught:
            sender.send(message)
    assert caught.value.claim_id == "c-2025-001" and caught.value.channel == "email"


def test_rejected_message_is_permanent(sender):
    message = compose(letter_context(), Channel.EMAIL)
    with Stubber(sender.ses) as ses:
        ses.add_client_error("send_email", service_error_code="MessageRejected",
                             service_message="Email address is on the suppression list.", http_status_code=400)
        with pytest.raises(PermanentSendError, match="MessageRejected: Email address is on the suppression list"):
            sender.send(message)


def test_unverified_sender_rejected_by_moto_is_permanent(sender, store):
    # given a sender address SES does not know (moto answers MessageRejected, as SES does)
    unverified = MessageSender(ses=sender.ses, sns=sender.sns, documents=store, sender_email="other@elsewhere.example")
    with pytest.raises(PermanentSendError, match="MessageRejected"):
        unverified.send(compose(letter_context(MessageKind.REMINDER_1), Channel.EMAIL))


def test_dropped_connection_is_transient(sender, monkeypatch):
    def unreachable(**kwargs):
        raise EndpointConnectionError(endpoint_url="https://email.eu-west-1.amazonaws.com")

    monkeypatch.setattr(sender.ses, "send_email", unreachable)
    with pytest.raises(TransientSendError, match="EndpointConnectionError"):
        sender.send(compose(letter_context(MessageKind.REMINDER_1), Channel.EMAIL))


def test_throttled_sns_is_transient(sender):
    with Stubber(sender.sns) as sns:
        sns.add_client_error("publish", service_error_code="Throttled", http_status_code=429)
        with pytest.raises(TransientSendError, match="Throttled"):
            sender.send(compose(letter_context(MessageKind.REMINDER_1), Channel.SMS))


def test_s3_server_error_on_the_print_outbox_is_transient(sender):
    message = compose(letter_context(), Channel.LETTER)
    with Stubber(sender.documents.client) as s3:
        s3.add_client_error("put_object", service_error_code="InternalError", http_status_code=500)
        with pytest.raises(TransientSendError, match="InternalError"):
            sender.send(message)


@pytest.mark.parametrize("channel, contact, reason", [
    (Channel.EMAIL, {"email": None}, "no e-mail address"),
    (Channel.SMS, {"phone": None}, "no phone number"),
    (Channel.SMS, {"phone": "12345678"}, "cannot tell the country"),
    (Channel.LETTER, {"address": None}, "no postal address"),
])
def test_missing_contact_is_permanent_and_nothing_is_written(sender, channel, contact, reason):
    # given a reminder for a channel the debtor has no (usable) contact for
    message = compose(letter_context(MessageKind.REMINDER_1, **contact), channel)
    # when sent / then a permanent error before anything is stored or sent
    with pytest.raises(PermanentSendError, match=reason):
        sender.send(message)
    listed = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET)
    assert listed.get("KeyCount", 0) == 0


def test_legal_notice_is_never_sent_by_sms(sender):
    with pytest.raises(PermanentSendError, match="legal notice cannot be sent by SMS"):
        sender.send(compose(letter_context(), Channel.SMS))
