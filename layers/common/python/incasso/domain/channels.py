"""The message kinds and their channel rules: which of the policy's channels a kind goes by, and the
fallback when the debtor lacks that contact.

- ``email`` policy: the debtor's e-mail address; without one a letter by post (to the address);
  without that an SMS, except for a legal notice.
- ``sms`` policy: the phone; a legal notice (14-day letter, notice of default, bailiff filing) never
  goes by SMS — it cannot carry the mandatory contents — so it goes by post, else by e-mail.
- ``letter`` policy: post; without an address e-mail (⚠️ e-mail counts as "written", but receipt is
  harder to prove — lawfox.nl), else an SMS for a non-legal message.

The term of a 14-day letter is computed for the channel this returns (art. 6:96 lid 6 BW: the term
runs from the day after receipt), so the letter's dates and the engine's agree.
"""

from __future__ import annotations

from incasso.domain.errors import PermanentSendError
from incasso.domain.models import Channel, Claim, Debtor, MessageKind, Stage, Tenant

# The legal notices: in writing, with their full contents (art. 6:96 lid 6 BW; art. 6:82 BW).
LEGAL_NOTICE_KINDS = frozenset({
    MessageKind.FOURTEEN_DAY_LETTER,
    MessageKind.NOTICE_OF_DEFAULT,
    MessageKind.BAILIFF_FILING,
    MessageKind.LIMITATION_NOTICE,  # must reach the debtor in writing to interrupt limitation (art. 3:317 BW)
})
# Which of the policy's channels a kind goes by: the formal letters by the notice channel (post by
# default, so that delivery can be presumed), the rest by the reminder channel.
NOTICE_KINDS = LEGAL_NOTICE_KINDS
# The claim's dossier for the bailiff: pending like a message, delivered after the step's write (and its
# last check) to a fixed key in the bailiff's inbox, so delivering it again replaces it.
BAILIFF_DOSSIER = "bailiff_dossier"
# Messages about collection: never sent once the claim is settled, even if decided just before.
COLLECTION_KINDS = frozenset({"pre_due_reminder", "reminder_1", "reminder_2", "call_scheduled", "fourteen_day_letter",
                              "notice_of_default", "bailiff_filing", BAILIFF_DOSSIER, "limitation_notice"})


def attaches_original_invoice(claim: Claim, kind: MessageKind, channel: Channel) -> bool:
    """Whether the message carries the UBL invoice the claim was imported from: the first reminder does
    (the pre-due reminder where the policy sends one, else ``reminder_1``), so the debtor has the invoice
    asked for in hand. Only an e-mail can carry the file; a letter by post or an SMS goes without it
    (README, "Invoices in")."""
    if claim.original_invoice is None or Channel(channel) is not Channel.EMAIL:
        return False
    if kind is MessageKind.PRE_DUE_REMINDER:
        return True
    return kind is MessageKind.REMINDER_1 and Stage.PRE_DUE_REMINDER.value not in claim.step_dates


def policy_channel(tenant: Tenant, kind: MessageKind) -> Channel:
    """The channel of the tenant's policy that ``kind`` goes by (before any fallback)."""
    return tenant.policy.notice_channel if kind in NOTICE_KINDS else tenant.policy.reminder_channel


def channel_for(policy_channel: Channel, debtor: Debtor, kind: MessageKind | None = None) -> Channel | None:
    """The channel ``kind`` goes by for ``debtor``; None when the debtor has no usable contact."""
    policy_channel = Channel(policy_channel)
    sms_allowed = kind is None or MessageKind(kind) not in LEGAL_NOTICE_KINDS
    available = {
        Channel.EMAIL: bool(debtor.email),
        Channel.LETTER: debtor.address is not None,
        Channel.SMS: bool(debtor.phone) and sms_allowed,
    }
    preference = {
        Channel.EMAIL: (Channel.EMAIL, Channel.LETTER, Channel.SMS),
        Channel.SMS: (Channel.SMS, Channel.LETTER, Channel.EMAIL) if sms_allowed else (Channel.LETTER, Channel.EMAIL),
        Channel.LETTER: (Channel.LETTER, Channel.EMAIL, Channel.SMS),
    }[policy_channel]
    return next((channel for channel in preference if available[channel]), None)


def choose_channel(policy_channel: Channel, debtor: Debtor, kind: MessageKind | None = None) -> Channel:
    """The channel a message goes by (``channel_for``).

    Raises ``PermanentSendError`` when the debtor has no contact the message can use.
    """
    channel = channel_for(policy_channel, debtor, kind)
    if channel is None:
        raise PermanentSendError(
            "the debtor has no e-mail address, postal address or usable phone number for this message",
            kind=str(getattr(kind, "value", kind)) if kind else "", channel=Channel(policy_channel).value,
        )
    return channel
