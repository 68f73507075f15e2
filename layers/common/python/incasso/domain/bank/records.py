"""A bank statement as incasso keeps it (CONTRACT.md §9): its state, and what became of each entry."""

import datetime as dt
from enum import StrEnum

from pydantic import Field

from incasso.domain.bank.entries import Direction
from incasso.domain.base import Model
from incasso.money import ZERO, Money


class StatementStatus(StrEnum):
    PENDING = "pending"  # the upload URL was handed out; no file yet
    PROCESSING = "processing"
    COMPLETED = "completed"  # every entry was read; each says what became of it
    FAILED = "failed"  # the file could not be read whole (or is not the tenant's): nothing was booked


class MatchKind(StrEnum):
    REFERENCE = "reference"  # the claim's payment_reference (betalingskenmerk)
    INVOICE_NUMBER = "invoice_number"  # an invoice number in the remittance text
    DEBTOR_AMOUNT = "debtor_amount"  # the debtor's reference with the exact amount
    DEBTOR = "debtor"  # the debtor's reference alone: divided over its invoices (art. 6:43 BW)
    MANUAL = "manual"  # assigned by hand (POST .../assign)
    NONE = "none"


class EntryOutcome(StrEnum):
    BOOKED = "booked"  # matched and booked as a payment (or payments, for a combined one)
    UNMATCHED = "unmatched"  # a credit no claim fits, or more than one (candidates listed): the queue
    DEBIT = "debit"  # money out: listed, never booked
    SEEN_BEFORE = "seen_before"  # the same entry came in an earlier statement (or upload): nothing booked
    REJECTED = "rejected"  # cannot be booked (another currency, a duplicate inside the file, not booked yet)


class Booking(Model):
    claim_id: str
    amount: Money


class StatementItem(Model):
    """One entry of a statement and what became of it."""

    statement_id: str
    entry_id: str
    position: int = Field(ge=1)
    identity: str
    amount: Money
    direction: Direction
    booked_on: dt.date
    counterparty: str | None = None
    counterparty_iban: str | None = None
    remittance: str = ""
    outcome: EntryOutcome
    match: MatchKind = MatchKind.NONE
    bookings: list[Booking] = Field(default_factory=list)
    refund: Money = Field(default=ZERO, description="paid beyond what was owed: to be paid back")
    candidates: list[str] = Field(default_factory=list, description="claims that fit equally: never guessed")
    error: str | None = None
    seen_in: str | None = Field(default=None, description="the statement that brought it first")

    @property
    def claim_id(self) -> str | None:
        return self.bookings[0].claim_id if self.bookings else None

    @property
    def is_open_credit(self) -> bool:
        """A credit waiting in the tenant's queue for a hand to assign it."""
        return self.outcome is EntryOutcome.UNMATCHED


class StatementRecord(Model):
    tenant_id: str
    statement_id: str = Field(min_length=1, max_length=100)
    filename: str = Field(min_length=1, max_length=255)
    key: str = ""
    source: str | None = None
    status: StatementStatus = StatementStatus.PENDING
    format: str | None = None
    account: str | None = None
    entries: int = Field(default=0, ge=0)
    matched: int = Field(default=0, ge=0)
    unmatched: int = Field(default=0, ge=0)
    error: str | None = Field(default=None, description="why the file as a whole was refused")
    created_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None = None
