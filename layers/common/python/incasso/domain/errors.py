"""The domain's errors: what the ports raise on purpose, and what the services catch (never boto3's).

The store's (``ConcurrentModificationError``, ``AlreadyDoneError``, ...) are raised by the claims table's
adapters and by the in-memory fakes alike; the send errors by the messenger. The send errors' class names
are the ``errorType`` that the state machine's Retry and Catch match on: keep them.
"""

from __future__ import annotations

from collections.abc import Sequence


class StoreError(Exception):
    """Base of what the claims store raises on purpose."""


class ConcurrentModificationError(StoreError):
    """The claim changed since it was read (its version moved on): read again and decide again."""

    def __init__(self, message: str = "the claim was changed by someone else", *,
                 current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class ClaimNotFoundError(StoreError, LookupError):
    """A save for a claim that does not exist (for this tenant)."""


class ClaimAlreadyExistsError(StoreError):
    """A new claim whose id is taken by a claim with another invoice number."""


class DuplicateInvoiceError(StoreError):
    """The tenant already has a claim for this invoice number."""

    def __init__(self, existing_claim_id: str, invoice_number: str = "") -> None:
        super().__init__(f"invoice {invoice_number or '?'} already belongs to claim {existing_claim_id}")
        self.existing_claim_id = existing_claim_id
        self.invoice_number = invoice_number


class AlreadyDoneError(StoreError):
    """A ledger entry or message with this idempotency key exists: the step was done before."""

    def __init__(self, done_keys: Sequence[str]) -> None:
        super().__init__(f"already done: {', '.join(done_keys)}")
        self.done_keys = list(done_keys)


class InvalidPageToken(StoreError, ValueError):
    """A page token that this store did not issue for this tenant and this listing."""


class SendError(Exception):
    """A message could not be sent. ``reason`` says why, for the claim's timeline."""

    def __init__(self, reason: str, *, claim_id: str = "", kind: str = "", channel: str = "") -> None:
        self.reason = reason
        self.claim_id = claim_id
        self.kind = kind
        self.channel = channel
        where = " ".join(part for part in (kind, f"for claim {claim_id}" if claim_id else "",
                                           f"by {channel}" if channel else "") if part)
        super().__init__(f"{where}: {reason}" if where else reason)


class TransientSendError(SendError):
    """Worth retrying: throttling, a 5xx, a dropped connection."""


class PermanentSendError(SendError):
    """Retrying will not help: rejected, bad address, no contact for the channel."""


class UserExistsError(Exception):
    """The e-mail address already belongs to a user (of this tenant or another)."""
