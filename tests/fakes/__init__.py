"""In-memory fakes of the ports (``incasso.domain.ports``): fakes over mocks, so a service test runs in
milliseconds with no AWS and no moto. Each keeps what it was given and raises the domain's errors where
the adapter does (a stale version, a key written twice, a duplicate invoice number)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from incasso import clock
from incasso.domain.errors import (
    AlreadyDoneError,
    ClaimNotFoundError,
    ConcurrentModificationError,
    DuplicateInvoiceError,
    InvalidPageToken,
)
from incasso.domain.aggregates import Aggregate, Aggregates, DayBucket, contribution, delta
from incasso.domain.debtor_letters import LetterGroup
from incasso.domain.debtors import DebtorRecord
from incasso.domain.import_records import ImportRecord
from incasso.domain.models import Claim, ClaimStatus, LedgerEntry, Tenant, TimelineEvent
from incasso.domain.ports import DueClaim, Dossier


class InMemoryClaims:
    """``ClaimRepository`` and ``PortfolioAggregates``: claims by (tenant, id), each with its ledger and
    timeline, and the tenants' aggregates changed with them; ``conflicts`` makes the next saves fail as if
    someone wrote in between; ``put_uncounted`` stores a claim as if written before aggregates existed."""

    def __init__(self) -> None:
        self.claims: dict[tuple[str, str], Claim] = {}
        self.ledgers: dict[tuple[str, str], list[LedgerEntry]] = {}
        self.timelines: dict[tuple[str, str], list[TimelineEvent]] = {}
        self.message_keys: dict[tuple[str, str], set[str]] = {}
        self.conflicts = 0
        self.aggregates: dict[str, Aggregate] = {}
        self.day_buckets: dict[tuple[str, dt.date], Aggregate] = {}
        self.counted: set[tuple[str, str]] = set()
        self.built: set[str] = set()
        self.locks: dict[str, tuple[str, dt.datetime]] = {}

    def _add_to_aggregates(self, tenant_id: str, change: Aggregate, day: dt.date) -> None:
        self.aggregates[tenant_id] = self.aggregates.get(tenant_id, Aggregate()) + change
        self.day_buckets[(tenant_id, day)] = self.day_buckets.get((tenant_id, day), Aggregate()) + change.history_part()

    def put_uncounted(self, claim: Claim) -> None:
        key = (claim.tenant_id, claim.claim_id)
        self.claims[key] = claim
        self.ledgers.setdefault(key, [])
        self.message_keys.setdefault(key, set())
        self.timelines.setdefault(key, [TimelineEvent(at=claim.created_at, type="claim_created", details={})])

    def _invoice_owner(self, claim: Claim) -> str | None:
        return next((c.claim_id for c in self.claims.values()
                     if c.tenant_id == claim.tenant_id and c.invoice_number == claim.invoice_number), None)

    def create_claim(self, claim: Claim, *, event: TimelineEvent | None = None) -> Claim:
        owner = self._invoice_owner(claim)
        if owner is not None:
            raise DuplicateInvoiceError(owner, claim.invoice_number)
        key = (claim.tenant_id, claim.claim_id)
        self.claims[key] = claim
        self.counted.add(key)
        self._add_to_aggregates(claim.tenant_id, contribution(claim), clock.today())
        self.ledgers[key], self.message_keys[key] = [], set()
        self.timelines[key] = [event or TimelineEvent(at=clock.now(), type="claim_created", details={})]
        return claim

    def create_claims_batch(self, claims: Sequence[Claim]) -> dict[str, str | None]:
        not_created: dict[str, str | None] = {}
        for claim in claims:
            owner = self._invoice_owner(claim)
            if owner is None:
                self.create_claim(claim)
            else:
                not_created[claim.claim_id] = owner
        return not_created

    def get_claim(self, tenant_id: str, claim_id: str) -> Claim | None:
        return self.claims.get((tenant_id, claim_id))

    def save_claim(self, claim: Claim, *, expected_version: int, timeline: Sequence[TimelineEvent] = (),
                   ledger: Sequence[LedgerEntry] = (), message_keys: Sequence[str] = (),
                   previous: Claim | None = None) -> Claim:
        key = (claim.tenant_id, claim.claim_id)
        current = self.claims.get(key)
        if current is None:
            raise ClaimNotFoundError(f"claim {claim.claim_id} does not exist")
        booked = {entry.key for entry in self.ledgers[key]}
        done = [entry.key for entry in ledger if entry.key in booked] + \
            [k for k in message_keys if k in self.message_keys[key]]
        if done:
            raise AlreadyDoneError(done)
        if self.conflicts:
            self.conflicts -= 1
            raise ConcurrentModificationError(current_version=current.version)
        if current.version != expected_version:
            raise ConcurrentModificationError(current_version=current.version)
        saved = claim.model_copy(update={"version": expected_version + 1})
        self._add_to_aggregates(claim.tenant_id, delta(current if key in self.counted else None, saved), clock.today())
        self.counted.add(key)
        self.claims[key] = saved
        self.ledgers[key] += list(ledger)
        self.timelines[key] += list(timeline)
        self.message_keys[key] |= set(message_keys)
        return saved

    def add_timeline_event(self, tenant_id: str, claim_id: str, type: str,  # noqa: A002 - the model's name
                           details: dict[str, Any] | None = None, *, at: dt.datetime | None = None) -> TimelineEvent:
        event = TimelineEvent(at=at or clock.now(), type=type, details=details or {})
        self.timelines[(tenant_id, claim_id)].append(event)
        return event

    def get_timeline(self, tenant_id: str, claim_id: str) -> list[TimelineEvent]:
        return list(self.timelines.get((tenant_id, claim_id), []))

    def get_ledger(self, tenant_id: str, claim_id: str) -> list[LedgerEntry]:
        return list(self.ledgers.get((tenant_id, claim_id), []))

    def list_claims(self, tenant_id: str, status: ClaimStatus | str | None = None, limit: int = 50,
                    next_token: str | None = None) -> tuple[list[Claim], str | None]:
        claims = [c for (t, _), c in self.claims.items()
                  if t == tenant_id and (status is None or c.status == ClaimStatus(status))]
        try:
            start = int(next_token or 0)
        except ValueError as error:
            raise InvalidPageToken("not a page token") from error
        page = claims[start:start + limit]
        return page, str(start + limit) if start + limit < len(claims) else None

    def due_claims(self, tenant_id: str, day: dt.date) -> Iterator[DueClaim]:
        due = [c for (t, _), c in self.claims.items()
               if t == tenant_id and c.next_action_on is not None and c.next_action_on <= day]
        for claim in sorted(due, key=lambda c: c.next_action_on):
            yield DueClaim(claim.claim_id, claim.next_action_on, claim.phase)

    # -- PortfolioAggregates ---------------------------------------------------------------------
    def read_aggregates(self, tenant_id: str) -> Aggregates:
        total = self.aggregates.get(tenant_id)
        return Aggregates(total=total or Aggregate(), built=tenant_id in self.built,
                          items_read=1 if total is not None or tenant_id in self.built else 0)

    def aggregate_history(self, tenant_id: str) -> list[DayBucket]:
        return [DayBucket(day, change) for (t, day), change in sorted(self.day_buckets.items()) if t == tenant_id]

    def count_claim(self, tenant_id: str, claim_id: str) -> bool:
        key = (tenant_id, claim_id)
        if key not in self.claims or key in self.counted:
            return False
        claim = self.claims[key]
        self._add_to_aggregates(tenant_id, contribution(claim), claim.created_at.date())
        self.counted.add(key)
        return True

    def lock_aggregates(self, tenant_id: str, owner: str, until: dt.datetime) -> bool:
        held = self.locks.get(tenant_id)
        if tenant_id in self.built or (held is not None and held[0] != owner and held[1] >= clock.now()):
            return False
        self.locks[tenant_id] = (owner, until)
        return True

    def mark_aggregates_built(self, tenant_id: str, owner: str) -> None:
        if self.locks.get(tenant_id, ("",))[0] != owner:
            raise ConcurrentModificationError("the rebuild's lock is another's")
        self.built.add(tenant_id)
        del self.locks[tenant_id]


class InMemoryDebtorLetters:
    """``DebtorLetters``: groups by (tenant, reference, kind, day); the send taken with a lease."""

    def __init__(self) -> None:
        self.letter_groups: dict[tuple, dict[str, Any]] = {}

    @staticmethod
    def _key(tenant_id: str, reference: str, kind: Any, day: dt.date) -> tuple:
        return tenant_id, reference, str(getattr(kind, "value", kind)), day

    def letter_group(self, tenant_id: str, reference: str, kind: str, day: dt.date) -> LetterGroup | None:
        held = self.letter_groups.get(self._key(tenant_id, reference, kind, day))
        return held["group"] if held else None

    def put_letter_group(self, group: LetterGroup) -> LetterGroup:
        held = self.letter_groups.setdefault(self._key(group.tenant_id, group.debtor_reference, group.kind, group.day),
                                             {"group": group})
        return held["group"]

    def take_letter_send(self, group: LetterGroup, claim_id: str, *, now: dt.datetime,
                         lease: dt.timedelta) -> dict[str, Any] | bool:
        held = self.letter_groups[self._key(group.tenant_id, group.debtor_reference, group.kind, group.day)]
        if "record" in held:
            return held["record"]
        if held.get("sender") not in (None, claim_id) and held["until"] >= now:
            return False
        held.update(sender=claim_id, until=now + lease)
        return True

    def debtor_payment(self, tenant_id: str, reference: str, key: str) -> dict[str, Any] | None:
        return self.letter_groups.get((tenant_id, reference, "PAYMENT", key))

    def put_debtor_payment(self, tenant_id: str, reference: str, key: str, plan: dict[str, Any]) -> dict[str, Any]:
        return self.letter_groups.setdefault((tenant_id, reference, "PAYMENT", key),
                                             json.loads(json.dumps(plan, default=str)))

    def finish_letter_send(self, group: LetterGroup, record: dict[str, Any]) -> None:
        self.letter_groups[self._key(group.tenant_id, group.debtor_reference, group.kind, group.day)]["record"] = \
            json.loads(json.dumps(record, default=str))


class InMemoryMessages:
    """``MessageLog``: the record of each message under its key; the first record stays."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def has_message(self, tenant_id: str, claim_id: str, key: str) -> bool:
        return key in self.records.get((tenant_id, claim_id), {})

    def put_message(self, tenant_id: str, claim_id: str, key: str, record: dict[str, Any]) -> bool:
        kept = self.records.setdefault((tenant_id, claim_id), {})
        if key in kept:
            return False
        kept[key] = json.loads(json.dumps(record, default=str))
        return True

    def list_messages(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]:
        return list(self.records.get((tenant_id, claim_id), {}).values())


class InMemoryTenants:
    """``TenantDirectory``: profiles by id; the registry is their ids in the order they came."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}

    def list_tenants(self) -> list[str]:
        return list(self.tenants)

    def put_tenant(self, tenant: Tenant) -> Tenant:
        self.tenants[tenant.tenant_id] = tenant
        return tenant

    def get_tenant(self, tenant_id: str, *, max_age: float = 0.0) -> Tenant | None:
        return self.tenants.get(tenant_id)


class InMemoryImports:
    """``ImportRecords``: import records by (tenant, id)."""

    def __init__(self) -> None:
        self.imports: dict[tuple[str, str], ImportRecord] = {}

    def put_import(self, tenant_id_or_record: str | ImportRecord, record: ImportRecord | None = None) -> ImportRecord:
        record = tenant_id_or_record if isinstance(tenant_id_or_record, ImportRecord) else record
        assert record is not None
        self.imports[(record.tenant_id, record.import_id)] = record
        return record

    def get_import(self, tenant_id: str, import_id: str) -> ImportRecord | None:
        return self.imports.get((tenant_id, import_id))


class InMemoryDebtors:
    """``DebtorRecords``: debtor records by (tenant, reference); one debtor's claims from the claims kept
    (``self.claims``, as ``InMemoryClaims`` has them)."""

    claims: dict[tuple[str, str], Claim]

    def __init__(self) -> None:
        self.debtors: dict[tuple[str, str], DebtorRecord] = {}

    def claims_of_debtor(self, tenant_id: str, reference: str) -> list[Claim]:
        return sorted((c for (t, _), c in self.claims.items() if t == tenant_id and c.debtor.reference == reference),
                      key=lambda c: (c.created_at, c.claim_id))

    def get_debtor(self, tenant_id: str, reference: str) -> DebtorRecord | None:
        return self.debtors.get((tenant_id, reference))

    def add_debtor(self, record: DebtorRecord) -> bool:
        key = (record.tenant_id, record.reference)
        if key in self.debtors:
            return False
        self.debtors[key] = record
        return True

    def save_debtor(self, record: DebtorRecord, *, expected_version: int) -> DebtorRecord:
        key = (record.tenant_id, record.reference)
        current = self.debtors.get(key)
        if current is None or current.version != expected_version:
            raise ConcurrentModificationError("the debtor was changed by someone else")
        saved = record.model_copy(update={"version": expected_version + 1})
        self.debtors[key] = saved
        return saved

    def delete_debtor(self, tenant_id: str, reference: str) -> None:
        self.debtors.pop((tenant_id, reference), None)

    def list_debtors(self, tenant_id: str, limit: int = 50,
                     next_token: str | None = None) -> tuple[list[DebtorRecord], str | None]:
        records = sorted((r for (t, _), r in self.debtors.items() if t == tenant_id), key=lambda r: r.reference)
        try:
            start = int(next_token or 0)
        except ValueError as error:
            raise InvalidPageToken("not a page token") from error
        return records[start:start + limit], str(start + limit) if start + limit < len(records) else None


class InMemoryStore(InMemoryClaims, InMemoryMessages, InMemoryTenants, InMemoryImports, InMemoryDebtors,
                    InMemoryDebtorLetters):
    """``ClaimsStore``: the record kinds together, as the services take them."""

    def __init__(self) -> None:
        InMemoryDebtorLetters.__init__(self)
        InMemoryClaims.__init__(self)
        InMemoryMessages.__init__(self)
        InMemoryTenants.__init__(self)
        InMemoryImports.__init__(self)
        InMemoryDebtors.__init__(self)


class InMemoryFiles:
    """``ImportFiles``: objects by (bucket, key)."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def upload_url(self, bucket: str, key: str, *, expires_in: int) -> str:
        return f"https://{bucket}.example/{key}?expires={expires_in}"

    @contextmanager
    def chunks(self, bucket: str, key: str, version_id: str | None = None) -> Iterator[Iterator[bytes]]:
        yield iter([self.objects[(bucket, key)]])

    def head(self, bucket: str, key: str, size: int = 64 * 1024) -> bytes:
        return self.objects[(bucket, key)][:size]

    def put_json(self, bucket: str, key: str, data: Any) -> None:
        self.objects[(bucket, key)] = json.dumps(data).encode()

    def read_json_under(self, bucket: str, prefix: str) -> Iterator[Any]:
        for (b, key), body in sorted(self.objects.items()):
            if b == bucket and key.startswith(prefix):
                yield json.loads(body)


@dataclass
class InMemoryDocuments:
    """``Documents``: what went into the bailiff's inbox and the claims' documents, by key."""

    inbox: dict[str, str | bytes] = field(default_factory=dict)

    def deliver_dossier(self, dossier: Dossier) -> str:
        key = f"tenants/{dossier.tenant_id}/bailiff-inbox/{dossier.claim_id}/dossier.json"
        self.inbox[key] = dossier.to_json()
        return key

    def put_bailiff_letter(self, tenant_id: str, claim_id: str, kind: str, pdf: bytes) -> str:
        key = f"tenants/{tenant_id}/bailiff-inbox/{claim_id}/{kind}.pdf"
        self.inbox[key] = pdf
        return key

    def put_original_invoice(self, tenant_id: str, claim_id: str, data: bytes) -> str:
        key = f"tenants/{tenant_id}/documents/{claim_id}/invoice.xml"
        self.inbox[key] = data
        return key

    def get(self, key: str) -> bytes:
        value = self.inbox[key]
        return value.encode() if isinstance(value, str) else value

    def exists(self, key: str) -> bool:
        return key in self.inbox

    def delete_claim_documents(self, tenant_id: str, claim_id: str) -> int:
        gone = [key for key in self.inbox
                if any(key.startswith(f"tenants/{tenant_id}/{folder}/{claim_id}/")
                       for folder in ("documents", "print-outbox", "bailiff-inbox"))]
        for key in gone:
            del self.inbox[key]
        return len(gone)


@dataclass
class RecordingWorkflows:
    """``Workflows``: records every run started and planned; a run of one name starts once."""

    started: list[tuple[str, str, str]] = field(default_factory=list)
    planned: list[tuple[str, str, str, dt.datetime]] = field(default_factory=list)
    imports: list[dict[str, Any]] = field(default_factory=list)

    def start_run(self, tenant_id: str, claim_id: str, key: str) -> bool:
        if (tenant_id, claim_id, key) in self.started:
            return False
        self.started.append((tenant_id, claim_id, key))
        return True

    def plan_run(self, tenant_id: str, claim_id: str, key: str, at: dt.datetime) -> None:
        if not any(plan[:3] == (tenant_id, claim_id, key) for plan in self.planned):
            self.planned.append((tenant_id, claim_id, key, at))

    def start_import(self, execution_input: dict[str, Any]) -> bool:
        self.imports.append(execution_input)
        return True


@dataclass
class RecordingEventBus:
    """``EventBus``: the events published, in order, as (tenant, detail type, detail)."""

    events: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def publish(self, tenant_id: str, detail_type: str, detail: Mapping[str, Any]) -> None:
        self.events.append((tenant_id, detail_type, dict(detail)))

    def publish_many(self, events: list[tuple[str, str, Mapping[str, Any]]]) -> None:
        for tenant_id, detail_type, detail in events:
            self.publish(tenant_id, detail_type, detail)

    def types(self) -> list[str]:
        return [detail_type for _, detail_type, _ in self.events]


@dataclass
class RecordingMessenger:
    """``Messenger``: every message delivered or confirmation sent, as (claim id, kind); ``failing``
    raises that error on delivery instead."""

    delivered: list[tuple[str, str]] = field(default_factory=list)
    notified: list[tuple[str, str]] = field(default_factory=list)
    failing: Exception | None = None

    def deliver(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        if self.failing is not None:
            raise self.failing
        self.delivered.append((claim.claim_id, kind))
        return {"kind": kind, "channel": "email", "claim_id": claim.claim_id}

    def notify(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> None:
        self.notified.append((claim.claim_id, kind))


@dataclass
class RecordingBailiff:
    """``Bailiff``: the claims handed over."""

    handed_over: list[str] = field(default_factory=list)

    def hand_over(self, tenant: Tenant, claim: Claim) -> str:
        self.handed_over.append(claim.claim_id)
        return f"tenants/{tenant.tenant_id}/bailiff-inbox/{claim.claim_id}/dossier.json"


class InMemoryApiClients:
    """``ApiClientRecords``: a tenant's machine clients by (tenant, client id)."""

    def __init__(self) -> None:
        self.clients: dict[tuple[str, str], Any] = {}

    def put_client(self, client: Any) -> Any:
        self.clients[(client.tenant_id, client.client_id)] = client
        return client

    def get_client(self, tenant_id: str, client_id: str) -> Any:
        return self.clients.get((tenant_id, client_id))

    def list_clients(self, tenant_id: str) -> list[Any]:
        return [client for (tenant, _), client in self.clients.items() if tenant == tenant_id]


@dataclass
class RecordingCredentials:
    """``ClientCredentials`` as the local stack has them (ids naming the tenant); records what was deleted."""

    keeps_secrets: bool = True
    deleted: list[str] = field(default_factory=list)

    def create(self, tenant_id: str, name: str, role: str) -> tuple[str, str]:
        from incasso.domain.api_clients import new_local_client

        return new_local_client(tenant_id)

    def delete(self, client_id: str) -> None:
        self.deleted.append(client_id)
