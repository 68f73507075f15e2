"""Personal data of debtors (AVG / GDPR): what an export holds, what erasure removes and when.

- Access (art. 15 AVG): everything held about one debtor of one tenant, found by the creditor's
  customer number (``debtor.reference``).
- Erasure (art. 17 AVG): on request, or automatically once all the debtor's claims are closed and the
  tenant's retention period (``Policy.personal_data_retention_years``, default 7 years: the fiscal
  retention of art. 52 AWR) has passed since the last one closed. Not while a claim is open: the data is
  needed to establish and exercise a legal claim (art. 17 lid 3 (e) AVG).
- What goes: name, e-mail, phone, address, the customer number (replaced by a pseudonym that is the same
  for one debtor, so the books still group them), the free text on the timeline (dispute reasons,
  notes, error causes), the text of every message, and every document (letters, dossier) in S3.
- What stays: the claim, its amounts, dates, statuses and ledger — the creditor's books (art. 52 AWR).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from incasso.domain.models import Claim, Debtor
from incasso.law.interest import add_years

ERASED = "[erased]"
# Timeline details that hold free text a person wrote, or an error that may quote a contact.
FREE_TEXT_DETAILS = frozenset({"reason", "note", "cause", "error"})


def pseudonym(tenant_id: str, reference: str) -> str:
    """The same stand-in for one debtor's customer number, that cannot be turned back into it."""
    digest = hashlib.sha256(f"{tenant_id}#{reference}".encode()).hexdigest()[:16]
    return f"erased-{digest}"


def erased_debtor(debtor: Debtor, tenant_id: str) -> Debtor:
    return Debtor(name=ERASED, type=debtor.type, language=debtor.language,
                  reference=pseudonym(tenant_id, debtor.reference) if debtor.reference else None)


def redact_details(event_type: str, details: dict[str, Any]) -> dict[str, Any]:
    return {key: (ERASED if key in FREE_TEXT_DETAILS and value else value) for key, value in details.items()}


def redact_message(record: dict[str, Any]) -> dict[str, Any]:
    return {**record, "subject": ERASED, "body": ERASED, "document": None}


def open_claims(claims: Sequence[Claim]) -> list[Claim]:
    return [claim for claim in claims if not claim.is_closed]


def retention_over(claims: Sequence[Claim], today: dt.date, years: int) -> bool:
    """All the claims are closed, the last one at least ``years`` years before ``today``."""
    if not claims or open_claims(claims):
        return False
    last_closed = max(claim.updated_at.date() for claim in claims)
    return add_years(last_closed, years) <= today
