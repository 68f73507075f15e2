"""A bank statement as read from its file: the account, its currency, and its entries (credits and
debits), each with the identity that keeps it from being booked twice."""

import datetime as dt
import hashlib
from enum import StrEnum

from pydantic import Field

from incasso.domain.base import Model
from incasso.money import Money


class Direction(StrEnum):
    CREDIT = "credit"  # money in: a debtor paying
    DEBIT = "debit"  # money out: listed, never booked


class StatementFormat(StrEnum):
    CAMT053 = "camt.053"
    MT940 = "mt940"


class BankEntry(Model):
    """One entry of a statement (a CAMT ``Ntry`` or its ``TxDtls``; an MT940 ``:61:`` with its ``:86:``)."""

    position: int = Field(ge=1, description="its place in the file, from 1")
    account: str = Field(description="the IBAN of the statement's account")
    booked_on: dt.date
    value_date: dt.date | None = None
    amount: Money = Field(description="always positive; see direction")
    direction: Direction
    currency: str = "EUR"
    bank_reference: str = Field(default="", description="AcctSvcrRef (CAMT) or the :61: bank reference")
    end_to_end_id: str | None = None
    counterparty: str | None = None
    counterparty_iban: str | None = None
    remittance: str = ""
    structured_reference: str | None = Field(default=None, description="CdtrRefInf/Ref or /REMI/STRD/CUR/")
    problem: str | None = Field(default=None, description="why the entry cannot be booked whatever it matches")

    @property
    def identity(self) -> str:
        """The bank's reference plus account, date and amount (direction included); where a bank gives
        no reference, the end-to-end id, the counterparty's account and the remittance stand in for it.
        The same entry in a second upload or an overlapping statement has the same identity."""
        reference = self.bank_reference or "\x1f".join(
            ["no-ref", self.end_to_end_id or "", self.counterparty_iban or "", " ".join(self.remittance.split())])
        text = "\n".join([self.account.replace(" ", "").upper(), reference, self.booked_on.isoformat(),
                          self.direction.value, f"{self.amount:.2f}"])
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def entry_id(self) -> str:
        return f"ent_{self.identity[:24]}"


class ParsedStatement(Model):
    format: StatementFormat
    account: str
    currency: str
    entries: list[BankEntry]
