"""A claim joins its debtor: the first claim with a reference creates the debtor's record, every later one
must agree with it on the debtor's type and language (``incasso.domain.debtors.debtor_conflicts``). Used
by the API's intake (``ClaimService.create``) and the CSV import, before the claim is written."""

from __future__ import annotations

import datetime as dt

from incasso.domain.debtors import DebtorRecord, debtor_conflicts
from incasso.domain.models import Debtor
from incasso.domain.ports import DebtorRecords
from incasso.services.errors import ConflictError

ATTEMPTS = 3  # a record added in between is read again; more than that is a busy debtor, try again


def seed_record(store: DebtorRecords, tenant_id: str, debtor: Debtor, at: dt.datetime) -> DebtorRecord:
    """The record a debtor without one gets: from its newest claim where claims exist (made before debtor
    records did), else from ``debtor``."""
    assert debtor.reference
    existing = [claim for claim in store.claims_of_debtor(tenant_id, debtor.reference)
                if claim.personal_data_erased_on is None]
    details = existing[-1].debtor if existing else debtor
    return DebtorRecord(tenant_id=tenant_id, reference=debtor.reference, debtor=details, created_at=at, updated_at=at)


def known_debtor(store: DebtorRecords, tenant_id: str, debtor: Debtor, at: dt.datetime) -> DebtorRecord | None:
    """The record of ``debtor``'s reference, created now (from ``debtor``) where there was none; None for a
    debtor without a reference (the claim stands alone)."""
    if not debtor.reference:
        return None
    for _ in range(ATTEMPTS):
        record = store.get_debtor(tenant_id, debtor.reference)
        if record is not None:
            return record
        record = seed_record(store, tenant_id, debtor, at)
        if store.add_debtor(record):
            return record
    raise ConflictError(f"debtor {debtor.reference} is being changed by another request; try again")


def join_debtor(store: DebtorRecords, tenant_id: str, debtor: Debtor, at: dt.datetime) -> list[dict[str, str]]:
    """What keeps a claim on ``debtor`` from joining its debtor (each ``{"field", "message"}``); empty when
    it may. Creates the debtor's record when it is the first."""
    record = known_debtor(store, tenant_id, debtor, at)
    return [] if record is None else debtor_conflicts(record.debtor, debtor)
