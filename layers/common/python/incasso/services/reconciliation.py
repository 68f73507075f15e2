"""Bank statements in, payments matched (CONTRACT.md §9).

The flow, like a CSV import: ``POST /v1/bank-statements`` records a pending statement and answers a
presigned PUT for ``statements/<tenant>/<statement_id>/<file>`` in the imports bucket; the S3 event runs
the reconciliation Lambda, which reads the file whole (refused by size before reading), checks that it
is the tenant's own account in euros, and then takes every entry in turn:

- a debit is listed, never booked;
- an entry seen before (same identity: bank reference, account, date, amount) in this tenant's earlier
  statements is listed as such and books nothing — the guard is written before booking, and the booking
  itself carries a payment key derived from the identity, so a retried run books nothing twice either;
- a credit is matched (``incasso.domain.bank.matching``) and booked through ``ClaimService.pay`` dated its
  booking date: the same ledger, allocation (art. 6:44 BW), replay and trajectory stop as an API payment.
  An overpayment books what was owed on that day and lists the rest as ``refund``; a combined payment
  books each claim in full; anything else stays in the tenant's queue of unmatched credits, with the
  claims that fit equally listed as candidates, for ``assign`` to book by hand.

Why ``statements/`` and not ``tenants/<t>/statements/``: S3 refuses two notification rules on one bucket
whose prefixes overlap for the same event, and ``tenants/`` already goes to the CSV ingest. The tenant is
still the key's second segment, and an upload URL is signed for its one key.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TYPE_CHECKING
from urllib.parse import unquote_plus

from incasso import clock
from incasso.domain.bank.entries import BankEntry, Direction, ParsedStatement
from incasso.domain.bank.matching import Candidate, ClaimIndex, Match
from incasso.domain.bank.records import (
    Booking,
    EntryOutcome,
    MatchKind,
    StatementItem,
    StatementRecord,
    StatementStatus,
)
from incasso.domain.bank.statement_files import MAX_STATEMENT_BYTES, StatementFileError, parse_statement
from incasso.domain.ledger import PaymentExceedsClaimError
from incasso.domain.models import CLOSED_STATUSES, ClaimStatus
from incasso.money import ZERO
from incasso.services.claim_commands import NewPayment
from incasso.services.claims import ClaimService, PaymentResult
from incasso.services.debtor_payments import DebtorPaymentService
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError
from incasso.services.imports import TENANT_ID, UPLOAD_URL_SECONDS, object_source, safe_filename

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, ImportFiles, StatementFiles

STATEMENT_ID = r"[A-Za-z0-9_-]{1,64}"
STATEMENTS_PREFIX = "statements/"
STATEMENT_KEY = re.compile(rf"^statements/(?P<tenant_id>{TENANT_ID})/(?P<statement_id>{STATEMENT_ID})/(?P<filename>[^/]{{1,255}})$")
CURRENCY = "EUR"
CLAIMS_PAGE = 100


@dataclass(frozen=True)
class StartedStatement:
    statement_id: str
    upload_url: str
    expires_in: int


def new_statement_id() -> str:
    return f"stm_{uuid.uuid4().hex[:20]}"


def statement_key(tenant_id: str, statement_id: str, filename: str) -> str:
    return f"{STATEMENTS_PREFIX}{tenant_id}/{statement_id}/{safe_filename(filename)}"


def parse_statement_key(key: str) -> dict[str, str] | None:
    match = STATEMENT_KEY.fullmatch(unquote_plus(key))
    return match.groupdict() if match else None


def payment_key(identity: str) -> str:
    """The payment's idempotency key: from the entry's identity, so nothing books twice."""
    return f"bank:{identity[:40]}"


def _same_iban(one: str | None, other: str | None) -> bool:
    return bool(one and other) and one.replace(" ", "").upper() == other.replace(" ", "").upper()


class ReconciliationService:
    def __init__(self, store: ClaimsStore, claims: ClaimService, *, bucket: str, files: StatementFiles,
                 uploads: ImportFiles, publish: Callable[[str, str, dict], None] | None = None,
                 debtor_payments: DebtorPaymentService | None = None) -> None:
        """``debtor_payments`` left out: a credit naming only the customer number waits for a hand."""
        self.store = store
        self.claims = claims
        self.debtor_payments = debtor_payments
        self.bucket = bucket
        self.files = files
        self.uploads = uploads
        self._publish = publish or (lambda tenant_id, detail_type, detail: None)

    # -- the API side --------------------------------------------------------------------------
    def start(self, tenant_id: str, filename: str) -> StartedStatement:
        statement_id = new_statement_id()
        key = statement_key(tenant_id, statement_id, filename)
        now = clock.now()
        self.store.put_statement(StatementRecord(tenant_id=tenant_id, statement_id=statement_id, filename=filename,
                                                 key=key, created_at=now, updated_at=now))
        url = self.uploads.upload_url(self.bucket, key, expires_in=UPLOAD_URL_SECONDS)
        return StartedStatement(statement_id=statement_id, upload_url=url, expires_in=UPLOAD_URL_SECONDS)

    def get(self, tenant_id: str, statement_id: str) -> tuple[StatementRecord, list[StatementItem]]:
        record = self.store.get_statement(tenant_id, statement_id)
        if record is None:
            raise NotFoundError(f"bank statement {statement_id} not found")
        return record, list(self.store.statement_items(tenant_id, statement_id))

    def unmatched(self, tenant_id: str) -> list[StatementItem]:
        return self.store.unmatched_items(tenant_id)

    def assign(self, tenant_id: str, statement_id: str, entry_id: str, claim_id: str) -> PaymentResult:
        """Book an unmatched credit to the claim a clerk names (up to what it owes; the rest is refund)."""
        item = self.store.statement_item(tenant_id, statement_id, entry_id) if self.store.get_statement(
            tenant_id, statement_id) else None
        if item is None:
            raise NotFoundError(f"entry {entry_id} of bank statement {statement_id} not found")
        if item.outcome is not EntryOutcome.UNMATCHED:
            raise ConflictError(f"entry {entry_id} is {item.outcome.value}; only an unmatched credit can be assigned",
                                [{"field": "entry_id", "message": f"{item.outcome.value}, not unmatched"}])
        self.claims.get(tenant_id, claim_id)  # 404 for a claim that is not the tenant's
        booked, refund, result = self._book(tenant_id, claim_id, item.amount, item.booked_on, item.identity)
        self.store.put_statement_item(tenant_id, item.model_copy(update={
            "outcome": EntryOutcome.BOOKED, "match": MatchKind.MANUAL, "candidates": [], "error": None,
            "bookings": [Booking(claim_id=claim_id, amount=booked)], "refund": refund}))
        self._recount(tenant_id, statement_id)
        return result

    def _recount(self, tenant_id: str, statement_id: str) -> None:
        record, items = self.get(tenant_id, statement_id)
        self.store.put_statement(record.model_copy(update={**_counts(items), "updated_at": clock.now()}))

    # -- the S3 side ---------------------------------------------------------------------------
    def ingest_object(self, bucket: str, key: str, *, etag: str | None = None, version_id: str | None = None,
                      size: int | None = None) -> StatementRecord | None:
        parsed_key = parse_statement_key(key)
        if parsed_key is None:
            return None
        tenant_id, statement_id = parsed_key["tenant_id"], parsed_key["statement_id"]
        source = object_source(etag, version_id)
        record = self.store.get_statement(tenant_id, statement_id)
        if record is not None and record.source == source and record.status in (StatementStatus.COMPLETED,
                                                                                 StatementStatus.FAILED):
            return record  # a second delivery of a statement already read
        now = clock.now()
        record = StatementRecord(tenant_id=tenant_id, statement_id=statement_id,
                                 filename=record.filename if record else parsed_key["filename"], key=unquote_plus(key),
                                 source=source, status=StatementStatus.PROCESSING,
                                 created_at=record.created_at if record else now, updated_at=now)
        self.store.put_statement(record)
        if size is not None and size > MAX_STATEMENT_BYTES:
            return self._fail(record, f"the file is {size // (1024 * 1024)} MB; a statement may be at most "
                                      f"{MAX_STATEMENT_BYTES // (1024 * 1024)} MB: split it by period")
        data = self.files.read(bucket, unquote_plus(key), version_id)
        return self.reconcile(record, data)

    def reconcile(self, record: StatementRecord, data: bytes) -> StatementRecord:
        """Read the whole file, then book what it pays. A file that cannot be read whole books nothing."""
        try:
            statement = parse_statement(data)
        except StatementFileError as exc:
            return self._fail(record, str(exc))
        tenant = self.claims.tenant(record.tenant_id)
        own = tenant.profile.iban if tenant.profile else None
        if not own:
            return self._fail(record, "the tenant's profile has no IBAN to check the statement's account against")
        if not _same_iban(statement.account, own):
            return self._fail(record, f"the statement is of account {statement.account}, not the tenant's {own}")
        if statement.currency != CURRENCY:
            return self._fail(record, f"the statement is in {statement.currency}; only {CURRENCY} is supported")
        record = record.model_copy(update={"format": statement.format.value, "account": statement.account})
        index = ClaimIndex.of(Candidate.of(claim) for claim in self._open_claims(record.tenant_id))
        items = [self._entry(record, entry, index, seen) for entry, seen in _with_duplicates(statement)]
        self.store.put_statement_items(record.tenant_id, items)
        finished = record.model_copy(update={**_counts(items), "status": StatementStatus.COMPLETED,
                                             "updated_at": clock.now(), "finished_at": clock.now()})
        self.store.put_statement(finished)
        self._publish(record.tenant_id, "BankStatementProcessed", {
            "statement_id": record.statement_id, "status": finished.status.value, "entries": finished.entries,
            "matched": finished.matched, "unmatched": finished.unmatched})
        return finished

    def _fail(self, record: StatementRecord, reason: str) -> StatementRecord:
        failed = record.model_copy(update={"status": StatementStatus.FAILED, "error": reason,
                                           "updated_at": clock.now(), "finished_at": clock.now()})
        self.store.put_statement(failed)
        self._publish(record.tenant_id, "BankStatementProcessed", {
            "statement_id": record.statement_id, "status": failed.status.value, "error": reason})
        return failed

    def _open_claims(self, tenant_id: str) -> Iterator[Any]:
        for status in ClaimStatus:
            if status in CLOSED_STATUSES:
                continue
            token = None
            while True:
                claims, token = self.store.list_claims(tenant_id, status, CLAIMS_PAGE, token)
                yield from claims
                if not token:
                    break

    def _entry(self, record: StatementRecord, entry: BankEntry, index: ClaimIndex, duplicate: bool) -> StatementItem:
        base = StatementItem(statement_id=record.statement_id, entry_id=entry.entry_id, position=entry.position,
                             identity=entry.identity, amount=entry.amount, direction=entry.direction,
                             booked_on=entry.booked_on, counterparty=entry.counterparty,
                             counterparty_iban=entry.counterparty_iban, remittance=entry.remittance,
                             outcome=EntryOutcome.UNMATCHED)
        if duplicate:
            return _rejected(base.model_copy(update={"entry_id": f"{entry.entry_id}-{entry.position}"}),
                             "the same entry occurs earlier in this file: booked once")
        if entry.direction is Direction.DEBIT:
            return base.model_copy(update={"outcome": EntryOutcome.DEBIT})
        if entry.currency != CURRENCY:
            return _rejected(base, f"in {entry.currency}; only {CURRENCY} is booked")
        if entry.problem:
            return _rejected(base, entry.problem)
        seen = self.store.claim_entry(record.tenant_id, entry.identity, record.statement_id, entry.entry_id)
        if seen is not None:
            return base.model_copy(update={"outcome": EntryOutcome.SEEN_BEFORE, "seen_in": seen["statement_id"],
                                           "error": f"already in statement {seen['statement_id']}: not booked again"})
        return self._book_match(record.tenant_id, base, index.match(entry))

    def _book_match(self, tenant_id: str, item: StatementItem, match: Match) -> StatementItem:
        if not match.claims:
            return item.model_copy(update={"candidates": list(match.candidates), "error": match.reason or None})
        if match.kind is MatchKind.DEBTOR and self.debtor_payments is not None:
            return self._book_to_debtor(tenant_id, item, match)
        bookings, refund = [], ZERO
        remaining = item.amount
        for n, candidate in enumerate(match.claims):
            last = n == len(match.claims) - 1
            share = remaining if last else min(candidate.outstanding, remaining)
            try:
                booked, rest, _ = self._book(tenant_id, candidate.claim_id, share, item.booked_on,
                                             item.identity if len(match.claims) == 1 else f"{item.identity}:{n}")
            except (ConflictError, InvalidRequestError, NotFoundError) as exc:
                if bookings:  # a combined payment half booked: the rest waits for a hand
                    refund += remaining
                    break
                return item.model_copy(update={"candidates": [candidate.claim_id],
                                               "error": f"matched by {match.kind.value} but not booked: {exc.message}"})
            bookings.append(Booking(claim_id=candidate.claim_id, amount=booked))
            refund += rest
            remaining -= share
        return item.model_copy(update={"outcome": EntryOutcome.BOOKED, "match": match.kind, "bookings": bookings,
                                       "refund": refund})

    def _book_to_debtor(self, tenant_id: str, item: StatementItem, match: Match) -> StatementItem:
        """A credit naming only the customer number: up to what the debtor owes, divided over its invoices
        (art. 6:43 BW); the rest is listed for refund."""
        reference = match.claims[0].debtor_reference
        assert reference is not None  # matched by it
        owed = sum((i.owed for i in self.debtor_payments.open_invoices(tenant_id, reference, item.booked_on)), ZERO)
        amount = min(item.amount, owed)
        if amount <= 0:
            return item.model_copy(update={"candidates": [c.claim_id for c in match.claims],
                                           "error": f"customer number {reference}: nothing owed on {item.booked_on}"})
        try:
            result = self.debtor_payments.pay(tenant_id, reference, NewPayment(amount=amount, paid_at=item.booked_on),
                                              payment_key=payment_key(item.identity))
        except (ConflictError, InvalidRequestError, NotFoundError) as exc:
            return item.model_copy(update={"candidates": [c.claim_id for c in match.claims],
                                           "error": f"matched by {match.kind.value} but not booked: {exc.message}"})
        bookings = [Booking(claim_id=claim_id, amount=part.allocation.total) for claim_id, part in result.parts]
        return item.model_copy(update={"outcome": EntryOutcome.BOOKED, "match": match.kind, "bookings": bookings,
                                       "refund": item.amount - amount})

    def _book(self, tenant_id: str, claim_id: str, amount: Decimal, booked_on: dt.date,
              identity: str) -> tuple[Decimal, Decimal, PaymentResult]:
        """Book ``amount`` (at most what is owed on ``booked_on``) with the identity's payment key; answers
        (booked, refund, result). Booked before under this key: the first booking is answered again."""
        key = payment_key(identity)
        booked_before = next((e for e in self.store.get_ledger(tenant_id, claim_id) if e.key == f"payment#{key}"), None)
        if booked_before is not None:
            claim = self.claims.get(tenant_id, claim_id)
            return booked_before.amount, amount - booked_before.amount, PaymentResult(
                allocation=booked_before.allocation, claim=claim)
        try:
            result = self.claims.pay(tenant_id, claim_id, NewPayment(amount=amount, paid_at=booked_on), payment_key=key)
            return amount, ZERO, result
        except InvalidRequestError as exc:
            cause = exc.__cause__
            if not isinstance(cause, PaymentExceedsClaimError):
                raise
            owed = amount - Decimal(cause.excess)  # what the claim owed on that day
            if owed <= 0:
                raise ConflictError(f"claim {claim_id} owed nothing on {booked_on.isoformat()}") from exc
            result = self.claims.pay(tenant_id, claim_id, NewPayment(amount=owed, paid_at=booked_on), payment_key=key)
            return owed, amount - owed, result


def _rejected(item: StatementItem, reason: str) -> StatementItem:
    return item.model_copy(update={"outcome": EntryOutcome.REJECTED, "error": reason})


def _with_duplicates(statement: ParsedStatement) -> Iterable[tuple[BankEntry, bool]]:
    """Each entry, and whether the same entry (same identity) came earlier in this very file."""
    seen: set[str] = set()
    for entry in statement.entries:
        yield entry, entry.identity in seen
        seen.add(entry.identity)


def _counts(items: list[StatementItem]) -> dict[str, int]:
    return {"entries": len(items),
            "matched": sum(1 for i in items if i.outcome is EntryOutcome.BOOKED),
            "unmatched": sum(1 for i in items if i.outcome is EntryOutcome.UNMATCHED)}




def handle_s3_event(service: ReconciliationService, event: dict,
                    log: Callable[..., None] = lambda *a, **k: None) -> list[dict]:
    """Reconcile every statement object of an S3 event; other keys are logged and left alone."""
    outcomes = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        bucket, obj = (s3.get("bucket") or {}).get("name"), s3.get("object") or {}
        key = obj.get("key") or ""
        if not bucket or parse_statement_key(key) is None:
            log("ignored object outside the statements prefix", key=key)
            outcomes.append({"key": key, "status": "ignored"})
            continue
        result = service.ingest_object(bucket, key, etag=obj.get("eTag"), version_id=obj.get("versionId"),
                                       size=obj.get("size"))
        outcomes.append({"statement_id": result.statement_id if result else None,
                         "status": result.status.value if result else "ignored",
                         "entries": result.entries if result else 0, "matched": result.matched if result else 0,
                         "unmatched": result.unmatched if result else 0})
    return outcomes
