"""Sending messages: e-mail (SES v2, raw MIME with the PDF and any other attachment, such as the original
UBL invoice, attached), SMS (SNS) and letters by post
(the PDF into the print outbox of the documents bucket).

Errors are sorted for the state machine: ``TransientSendError`` (throttling, 5xx, connection
trouble — Step Functions retries it with backoff) and ``PermanentSendError`` (rejected message, bad
address, no contact for the channel — the claim is parked for a person to look at). Their class
names are the ``errorType`` the Retry and Catch match on.

The errors and the channel fallback are the domain's (``incasso.domain.errors``, ``incasso.domain.channels``,
where no contact at all for the message is a ``PermanentSendError``: the claim needs a person).
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid
from functools import lru_cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from incasso import clock
from incasso.adapters import aws
from incasso.adapters.documents import DocumentStore
from incasso.domain.channels import LEGAL_NOTICE_KINDS, channel_for, choose_channel  # noqa: F401 (re-exported)
from incasso.domain.errors import PermanentSendError, SendError, TransientSendError  # noqa: F401 (re-exported)
from incasso.domain.models import Channel
from incasso.letters.message_text import OutgoingMessage, SentMessage
from incasso.settings import get_settings


# Error codes AWS answers when trying again later can succeed (SES, SNS, S3, DynamoDB spellings).
RETRYABLE_ERROR_CODES = frozenset({
    "Throttling", "ThrottlingException", "Throttled", "ThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded", "SlowDown", "ServiceUnavailable", "ServiceUnavailableException",
    "InternalFailure", "InternalError", "InternalErrorException", "InternalServerError",
    "RequestTimeout", "RequestTimeoutException", "KMSThrottlingException", "EndpointRequestTimedOut",
})

_SMS_MAX_CHARS = 480  # three concatenated SMS parts; reminders are written to fit in two


def e164(phone: str, default_country_code: str = "31") -> str:
    """A phone number in E.164 for SNS: ``06 12345678`` -> ``+31612345678``; ``0031...`` -> ``+31...``."""
    digits = re.sub(r"[\s()\-.]", "", phone)
    if digits.startswith("+"):
        number = digits
    elif digits.startswith("00"):
        number = "+" + digits[2:]
    elif digits.startswith("0"):
        number = f"+{default_country_code}{digits[1:]}"
    else:
        raise ValueError("cannot tell the country of the phone number")  # never the number: it ends up in logs
    if not re.fullmatch(r"\+[1-9][0-9]{7,14}", number):
        raise ValueError("not a valid phone number")
    return number


def is_retryable(error: BaseException) -> bool:
    """True for AWS errors worth retrying: throttling, 5xx, connection and timeout errors."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code in RETRYABLE_ERROR_CODES or status >= 500 or status == 429
    return isinstance(error, (BotoConnectionError, HTTPClientError))


_EMAIL_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")
_PHONE_NUMBER = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def redact(text: str) -> str:
    """A provider's message without the addresses and numbers it may quote (SES: "... failed the
    check in region EU-WEST-1: jan@example.nl"): a send error's message ends up in logs."""
    return _PHONE_NUMBER.sub("<phone number>", _EMAIL_ADDRESS.sub("<e-mail address>", text))


def _describe(error: BaseException) -> str:
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        message = redact(str(detail.get("Message", "")))
        return f"{error.operation_name} failed: {detail.get('Code', 'error')}: {message}".rstrip(": ")
    return f"{type(error).__name__}: {redact(str(error))}"


class MessageSender:
    """Delivers an ``OutgoingMessage`` and returns the ``SentMessage`` record.

    Every PDF is kept in the claim's file first (``tenants/{t}/documents/{claim}/{kind}.pdf``), so a
    retry after a failed send rewrites the same key instead of adding a copy.
    """

    def __init__(self, *, ses: Any | None = None, sns: Any | None = None, documents: DocumentStore | None = None,
                 sender_email: str | None = None) -> None:
        self._ses = ses
        self._sns = sns
        self.documents = documents or DocumentStore()
        self._sender_email = sender_email

    @property
    def ses(self) -> Any:
        if self._ses is None:
            self._ses = aws.client("sesv2")
        return self._ses

    @property
    def sns(self) -> Any:
        if self._sns is None:
            self._sns = aws.client("sns")
        return self._sns

    @property
    def sender_email(self) -> str:
        return self._sender_email or get_settings().sender_email

    def send(self, message: OutgoingMessage) -> SentMessage:
        self._check_deliverable(message)
        sent_at = clock.now()
        document = None
        if message.pdf is not None:
            document = self._aws(message, lambda: self.documents.put_document(
                message.tenant_id, message.claim_id, message.kind.value, message.pdf))
        if message.channel is Channel.EMAIL:
            provider_id = self._aws(message, lambda: self._send_email(message))
            body = message.body_text
        elif message.channel is Channel.SMS:
            provider_id = self._aws(message, lambda: self._send_sms(message))
            body = message.sms_text
        else:
            provider_id = self._aws(message, lambda: self.documents.put_print_letter(
                message.tenant_id, message.claim_id, message.kind.value, message.pdf))
            body = message.body_text
        return SentMessage(
            tenant_id=message.tenant_id,
            claim_id=message.claim_id,
            kind=message.kind,
            channel=message.channel,
            sent_at=sent_at,
            subject=message.subject,
            body=body,
            document=document,
            provider_message_id=provider_id,
            attachments=[attachment.document for attachment in message.attachments] if message.channel is Channel.EMAIL else [],
        )

    # --- before anything goes out ---------------------------------------------------------------

    def _permanent(self, message: OutgoingMessage, reason: str) -> PermanentSendError:
        return PermanentSendError(reason, claim_id=message.claim_id, kind=message.kind.value,
                                  channel=message.channel.value)

    def _check_deliverable(self, message: OutgoingMessage) -> None:
        debtor = message.recipient
        if message.channel is Channel.EMAIL and not debtor.email:
            raise self._permanent(message, "the debtor has no e-mail address")
        if message.channel is Channel.SMS:
            if not debtor.phone:
                raise self._permanent(message, "the debtor has no phone number")
            if message.kind in LEGAL_NOTICE_KINDS:
                raise self._permanent(message, "a legal notice cannot be sent by SMS")
            try:
                e164(debtor.phone)
            except ValueError as exc:
                raise self._permanent(message, str(exc)) from None
            if len(message.sms_text) > _SMS_MAX_CHARS:
                raise self._permanent(message, f"the SMS text is longer than {_SMS_MAX_CHARS} characters")
        if message.channel is Channel.LETTER:
            if debtor.address is None:
                raise self._permanent(message, "the debtor has no postal address")
            if message.pdf is None:
                raise self._permanent(message, "a letter by post needs its PDF")

    def _aws(self, message: OutgoingMessage, call):
        """Run one AWS call; sort its failure into a transient or a permanent send error."""
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            error_type = TransientSendError if is_retryable(exc) else PermanentSendError
            raise error_type(_describe(exc), claim_id=message.claim_id, kind=message.kind.value,
                             channel=message.channel.value) from exc

    # --- the channels ------------------------------------------------------------------------------

    def mime(self, message: OutgoingMessage) -> bytes:
        """The e-mail as raw MIME: text (UTF-8) and, for letters, the PDF as an attachment."""
        mail = EmailMessage(policy=SMTP)
        mail["Subject"] = message.subject
        mail["From"] = formataddr((message.sender_name, self.sender_email))
        mail["To"] = formataddr((message.recipient.name, message.recipient.email or ""))
        if message.reply_to:
            mail["Reply-To"] = message.reply_to
        mail["Message-ID"] = make_msgid(idstring=f"{message.claim_id}.{message.kind.value}",
                                        domain=self.sender_email.rpartition("@")[2] or "incasso.local")
        mail["Content-Language"] = message.language.value
        mail.set_content(message.body_text, charset="utf-8")
        if message.pdf is not None:
            mail.add_attachment(message.pdf, maintype="application", subtype="pdf",
                                filename=message.attachment_name)
        for attachment in message.attachments:
            maintype, subtype = attachment.content_type.split("/", 1)
            mail.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename)
        return mail.as_bytes()

    def _send_email(self, message: OutgoingMessage) -> str:
        response = self.ses.send_email(
            FromEmailAddress=self.sender_email,
            Destination={"ToAddresses": [message.recipient.email]},
            Content={"Raw": {"Data": self.mime(message)}},
            EmailTags=[{"Name": "kind", "Value": message.kind.value}],
        )
        return response["MessageId"]

    def _send_sms(self, message: OutgoingMessage) -> str:
        response = self.sns.publish(
            PhoneNumber=e164(message.recipient.phone or ""),
            Message=message.sms_text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return response["MessageId"]


@lru_cache(maxsize=1)
def default_sender() -> MessageSender:
    """The process's sender (warm Lambdas reuse its clients)."""
    return MessageSender()


def reset_clients() -> None:
    """Forget cached clients and the default sender (tests and the local stack switch endpoints)."""
    aws.reset_clients()
    default_sender.cache_clear()
