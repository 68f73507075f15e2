"""What the CSV parser yields: a parsed invoice per good row, a ``RowError`` per bad field.

``FileError`` is a ``RowError`` that ends the parse: the file as a whole cannot be imported (empty,
not CSV text, a required column missing). Every result is a ``ParsedInvoice`` or a ``RowError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeAlias

from incasso.domain.models import Debtor


@dataclass(frozen=True, slots=True)
class ParsedInvoice:
    """One good data row, ready to become a claim."""

    row: int
    invoice_number: str
    debtor: Debtor
    principal: Decimal
    currency: str
    invoice_date: dt.date
    # None only from a UBL invoice of a business debtor that names no term: the statutory 30 days
    # after the invoice date apply (art. 6:119a lid 2 BW, applied by ``NewClaim``). A CSV row has one.
    due_date: dt.date | None


@dataclass(frozen=True, slots=True)
class RowError:
    """A problem in the file: ``row`` as a spreadsheet shows it (header = 1), the field, and why.

    ``field`` is the contract's English column name (``principal``, ``due_date``, ...), ``row`` for a
    problem with the row as a whole, or, for an unknown column on the header row, the column as written.
    """

    row: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The contract's import error shape: ``{"row", "field", "message"}``."""
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class FileError(RowError):
    """The file cannot be imported: nothing follows. ``row`` is 0 for the file as a whole."""


RowResult: TypeAlias = ParsedInvoice | RowError
