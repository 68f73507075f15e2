"""Which channel a message goes by: the policy's, or the fallback when the debtor lacks that contact.

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

from incasso.domain.models import Channel, Debtor, MessageKind

# The legal notices: in writing, with their full contents (art. 6:96 lid 6 BW; art. 6:82 BW).
LEGAL_NOTICE_KINDS = frozenset({
    MessageKind.FOURTEEN_DAY_LETTER,
    MessageKind.NOTICE_OF_DEFAULT,
    MessageKind.BAILIFF_FILING,
    MessageKind.LIMITATION_NOTICE,  # must reach the debtor in writing to interrupt limitation (art. 3:317 BW)
})


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
