"""Imports of invoices — CSV exports (CONTRACT.md §5) and UBL 2.1 / Peppol BIS 3.0 invoices, one XML or a
zip of them (README, "Invoices in") — through an upload URL into the tenant's own prefix, the ingest of
the dropped file, and the import report.

The flow: ``POST /v1/imports`` records a pending import and answers a presigned PUT for
``tenants/{tenant}/inbox/{import_id}/{file}``; the S3 event runs ``ingest_object``, which streams the
object through ``parse_invoices`` (or, when its first bytes are XML or a zip, reads it whole, bounded,
through ``parse_ubl_upload``), turns each good row or invoice into a claim (``new_claim``: the API's own
``NewClaim``, then ``ClaimService.build_claim``), writes them in batches and finishes the import record
with its report. The original of a UBL invoice is kept in the claim's documents before its claim is
written (``Documents.put_original_invoice``), so a claim made from one always has it; the copy of an
invoice refused as a duplicate is removed again.

Exactly once, on an at-least-once event source:
- a claim made from a row has a deterministic id (tenant, import, object ETag/version, row), so a
  second delivery of the same object finds its own claims already there and counts them accepted,
  while the same invoice from another file or upload is a duplicate and is reported;
- an import already finished for the same object (ETag/version) is not processed again.

Files too large for one Lambda run go to the import state machine (``statemachines/import.asl.json``):
a Distributed Map reads the CSV from S3 in batches of rows and calls the ingest function per batch
(``ingest_batch``); a last step (``finish_distributed``) adds the batches' reports up.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Callable, TYPE_CHECKING
from urllib.parse import unquote_plus

from pydantic import ValidationError

from incasso import clock
from incasso.domain.document_keys import original_invoice_key
from incasso.domain.import_records import MAX_LISTED_ERRORS, ImportRecord, ImportRowError, ImportStatus
from incasso.domain.debtors import debtor_conflicts
from incasso.domain.models import Claim, Debtor
from incasso.invoice_csv.csv_parser import parse_invoices
from incasso.invoice_csv.results import FileError, ParsedInvoice, RowResult
from incasso.invoice_ubl import MAX_ARCHIVE_BYTES, ParsedUblInvoice, UploadKind, parse_ubl_upload, upload_kind
from incasso.services.claim_commands import NewClaim
from incasso.services.claims import ClaimService
from incasso.services.debtor_records import known_debtor
from incasso.services.errors import NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, Documents, EventBus, ImportFiles, Workflows

TENANT_ID = r"[a-z0-9][a-z0-9-]{1,62}"
IMPORT_ID = r"[A-Za-z0-9_-]{1,64}"
INBOX_KEY = re.compile(rf"^tenants/(?P<tenant_id>{TENANT_ID})/inbox/(?P<import_id>{IMPORT_ID})/(?P<filename>[^/]{{1,255}})$")
UPLOAD_URL_SECONDS = 15 * 60
WRITE_BATCH = 100  # claims per batch write (the store splits into DynamoDB's 25)
EVENT_BATCH = 100  # ClaimCreated events gathered before a PutEvents round (10 per call)
# Above this size a file goes to the Distributed Map: one Lambda run (15 min) would not be enough.
DISTRIBUTED_THRESHOLD_BYTES = 256 * 1024 * 1024
RESULTS_PREFIX = "results"  # per-batch reports of distributed imports: outside tenants/ (no S3 event)
_KNOWN_FIELDS = frozenset({"invoice_number", "debtor_name", "debtor_type", "email", "phone", "street",
                           "postal_code", "city", "country", "language", "principal", "currency",
                           "invoice_date", "due_date", "row"})
# The CSV's names of the debtor's details a conflict names (CONTRACT.md §5).
_CSV_DEBTOR_FIELDS = {"debtor.type": "debtor_type", "debtor.language": "language"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class InboxKey:
    tenant_id: str
    import_id: str
    filename: str


@dataclass(frozen=True)
class StartedImport:
    import_id: str
    upload_url: str
    expires_in: int


def new_import_id() -> str:
    return f"imp_{uuid.uuid4().hex[:20]}"


def safe_filename(name: str) -> str:
    """A file name that is one harmless key segment: letters, digits, ``.``, ``_``, ``-``."""
    cleaned = _UNSAFE.sub("_", name.strip()).strip("._")[:120]
    return cleaned or "upload.csv"


def inbox_key(tenant_id: str, import_id: str, filename: str) -> str:
    return f"tenants/{tenant_id}/inbox/{import_id}/{safe_filename(filename)}"


def parse_inbox_key(key: str) -> InboxKey | None:
    """The tenant, import and file of an object key (URL-encoded as S3 events carry it); None otherwise."""
    match = INBOX_KEY.fullmatch(unquote_plus(key))
    return InboxKey(**match.groupdict()) if match else None


def object_source(etag: str | None, version_id: str | None) -> str:
    """Which upload of the key this is: the ETag, and the version where the bucket keeps versions."""
    etag = (etag or "").strip('"')
    return f"{etag}:{version_id}" if version_id and version_id != "null" else etag


def import_claim_id(tenant_id: str, import_id: str, source: str, row: int) -> str:
    """The id of the claim made from ``row`` of this upload: the same on every delivery of the object."""
    digest = hashlib.sha256(f"{tenant_id}\n{import_id}\n{source}\n{row}".encode()).hexdigest()
    return f"clm_{digest[:20]}"


# ----------------------------------------------------------------------------------------------------
@dataclass
class Tally:
    """What an import came to, counted while streaming: memory does not grow with the file."""

    accepted: int = 0
    rejected: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    more_errors: int = 0
    file_error: bool = False
    _last_rejected_row: int = -1

    def note(self, row: int, field_name: str, message: str, *, rejects_row: bool = True) -> None:
        if rejects_row and row != self._last_rejected_row:
            self.rejected += 1
            self._last_rejected_row = row
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append(ImportRowError(row=row, field=field_name, message=message))
        else:
            self.more_errors += 1

    def add(self, other: "Tally") -> None:
        self.accepted += other.accepted
        self.rejected += other.rejected
        self.file_error = self.file_error or other.file_error
        room = MAX_LISTED_ERRORS - len(self.errors)
        self.errors.extend(other.errors[:room])
        self.more_errors += other.more_errors + max(len(other.errors) - room, 0)

    @property
    def status(self) -> ImportStatus:
        # A file that could not be read at all failed; one with bad rows completed (and says which).
        return ImportStatus.FAILED if self.file_error and self.accepted == 0 else ImportStatus.COMPLETED

    def report(self) -> list[ImportRowError]:
        """The listed problems in file order (the rest is counted in ``more_errors``)."""
        return sorted(self.errors, key=lambda e: e.row)

    def as_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": self.rejected, "file_error": self.file_error,
                "more_errors": self.more_errors, "errors": [e.model_dump(mode="json") for e in self.errors]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Tally":
        return cls(accepted=data["accepted"], rejected=data["rejected"], file_error=data["file_error"],
                   more_errors=data["more_errors"], errors=[ImportRowError(**e) for e in data["errors"]])


class ImportService:
    def __init__(self, store: ClaimsStore, claims: ClaimService, *, bucket: str, files: ImportFiles,
                 events: EventBus | None = None, workflows: Workflows | None = None,
                 documents: Documents | None = None,
                 distributed_threshold_bytes: int = DISTRIBUTED_THRESHOLD_BYTES) -> None:
        """``workflows`` left out: every file is read in one run (no import state machine is deployed).
        ``documents`` left out: UBL invoices are refused (their originals could not be kept)."""
        self.store = store
        self.claims = claims
        self.bucket = bucket
        self.files = files
        self.documents = documents
        self._publish_many = events.publish_many if events else (lambda events: None)
        self._start_distributed = workflows.start_import if workflows else None
        self.distributed_threshold_bytes = distributed_threshold_bytes

    # -- the API side --------------------------------------------------------------------------
    def start(self, tenant_id: str, filename: str) -> StartedImport:
        """Record a pending import and answer where to PUT the file."""
        import_id = new_import_id()
        key = inbox_key(tenant_id, import_id, filename)
        now = clock.now()
        self.store.put_import(ImportRecord(tenant_id=tenant_id, import_id=import_id, filename=filename, key=key,
                                           status=ImportStatus.PENDING, created_at=now, updated_at=now))
        url = self.files.upload_url(self.bucket, key, expires_in=UPLOAD_URL_SECONDS)
        return StartedImport(import_id=import_id, upload_url=url, expires_in=UPLOAD_URL_SECONDS)

    def get(self, tenant_id: str, import_id: str) -> ImportRecord:
        record = self.store.get_import(tenant_id, import_id)
        if record is None:
            raise NotFoundError(f"import {import_id} not found")
        return record

    # -- the S3 side ---------------------------------------------------------------------------
    def ingest_object(self, bucket: str, key: str, *, etag: str | None = None, version_id: str | None = None,
                      size: int | None = None) -> ImportRecord | None:
        """Ingest one dropped object; None when its key is not an inbox key (nothing to do)."""
        inbox = parse_inbox_key(key)
        if inbox is None:
            return None
        source = object_source(etag, version_id)
        record = self.store.get_import(inbox.tenant_id, inbox.import_id)
        if record is not None and record.source == source and record.status in (ImportStatus.COMPLETED,
                                                                                  ImportStatus.FAILED):
            return record  # a second delivery of an object already imported
        refusal = unexpected_object(record, unquote_plus(key), source)
        if refusal:
            raise RefusedObject(refusal)
        record = self._processing(record, inbox, unquote_plus(key), source)
        if size is not None and size > self.distributed_threshold_bytes and self._start_distributed:
            return self._hand_over(record, bucket)
        with self.files.chunks(bucket, unquote_plus(key), version_id) as chunks:
            return self.ingest(record, chunks)

    def _processing(self, record: ImportRecord | None, inbox: InboxKey, key: str, source: str) -> ImportRecord:
        now = clock.now()
        updated = ImportRecord(
            tenant_id=inbox.tenant_id, import_id=inbox.import_id,
            filename=record.filename if record else inbox.filename, key=key, source=source,
            status=ImportStatus.PROCESSING, created_at=record.created_at if record else now, updated_at=now)
        self.store.put_import(updated)
        return updated

    def ingest(self, record: ImportRecord, chunks: Iterable[bytes]) -> ImportRecord:
        """Read ``chunks`` (the whole file) into claims and finish ``record`` with the report: a CSV
        streamed, UBL (one XML or a zip of them, told by the first bytes) read whole up to its limit."""
        chunks = iter(chunks)
        first = next(chunks, b"")
        if upload_kind(first[:512], record.filename) is UploadKind.CSV:
            tally = self.ingest_results(record, parse_invoices(itertools.chain([first], chunks)))
        else:
            tally = self.ingest_results(record, self._ubl_results(record, first, chunks), header_warnings=False)
        return self._finish(record, tally)

    def _ubl_results(self, record: ImportRecord, first: bytes, chunks: Iterator[bytes]) -> Iterable[RowResult]:
        if self.documents is None:
            return [FileError(0, "file", "UBL invoices are not taken here: upload a CSV export")]
        data = bytearray(first)
        for chunk in chunks:  # never more than the limit (+1, to know it was more) in memory
            data += chunk[: MAX_ARCHIVE_BYTES + 1 - len(data)]
            if len(data) > MAX_ARCHIVE_BYTES:
                return [FileError(0, "file", f"the file is larger than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MB: "
                                  "an XML invoice is far smaller; split a zip into several")]
        return parse_ubl_upload(bytes(data), record.filename)

    def ingest_results(self, record: ImportRecord, results: Iterable[Any],
                       row_of: Callable[[int], int] = lambda row: row, *, header_warnings: bool = True) -> Tally:
        """Turn the parser's results into claims and a tally; ``row_of`` maps parser rows to file rows.
        ``header_warnings``: a CSV's first problems may be unknown columns of its header (noted, no row
        rejected); an upload of UBL has no header, so each of its problems rejects its invoice."""
        tenant = self.claims.tenant(record.tenant_id)
        tally = Tally()
        writer = _BatchWriter(self, record, tally)
        seen_rows = False
        for result in results:
            if isinstance(result, ParsedInvoice):
                seen_rows = True
                row = row_of(result.row)
                try:
                    new = new_claim(result)
                except ValidationError as exc:
                    for error in exc.errors():
                        tally.note(row, _field(error.get("loc", ())), str(error.get("msg", "invalid")))
                    continue
                claim_id = import_claim_id(record.tenant_id, record.import_id, record.source or "", row)
                if isinstance(result, ParsedUblInvoice):
                    key = original_invoice_key(record.tenant_id, claim_id)
                    writer.add(row, self.claims.build_claim(tenant, new, claim_id=claim_id, original_invoice=key),
                               original=result.original)
                else:
                    writer.add(row, self.claims.build_claim(tenant, new, claim_id=claim_id))
            elif isinstance(result, FileError):
                tally.file_error = True
                tally.note(row_of(result.row) if result.row else 0, result.field, result.message, rejects_row=False)
            elif header_warnings and not seen_rows and result.field not in _KNOWN_FIELDS:
                # An unknown column on the header row: ignored, and said so; no row is rejected.
                tally.note(row_of(result.row), result.field, result.message, rejects_row=False)
            else:
                seen_rows = True
                tally.note(row_of(result.row), result.field, result.message)
        writer.flush()
        return tally

    def _finish(self, record: ImportRecord, tally: Tally) -> ImportRecord:
        finished = record.model_copy(update={
            "status": tally.status, "accepted": tally.accepted, "rejected": tally.rejected,
            "errors": tally.report(), "errors_not_listed": tally.more_errors,
            "updated_at": clock.now(), "finished_at": clock.now()})
        self.store.put_import(finished)
        self._publish_many([(record.tenant_id, "ImportCompleted", {
            "import_id": record.import_id, "status": finished.status.value,
            "accepted": finished.accepted, "rejected": finished.rejected})])
        return finished

    # -- large files: the Distributed Map ------------------------------------------------------
    def _hand_over(self, record: ImportRecord, bucket: str) -> ImportRecord:
        head = self.files.head(bucket, record.key)
        if upload_kind(head[:512], record.filename) is not UploadKind.CSV:
            tally = Tally(file_error=True)
            tally.note(0, "file", f"the file is larger than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MB: an XML invoice "
                                  "is far smaller; split a zip into several", rejects_row=False)
            return self._finish(record, tally)
        delimiter, problem = _distributed_dialect(head)
        if problem:
            tally = Tally(file_error=True)
            tally.note(0, "file", problem, rejects_row=False)
            return self._finish(record, tally)
        prefix = results_prefix(record.tenant_id, record.import_id, record.source or "")
        self._start_distributed({
            "tenant_id": record.tenant_id, "import_id": record.import_id, "source": record.source,
            "bucket": bucket, "key": record.key, "delimiter": delimiter,
            "results_prefix": f"{prefix}/batches", "map_results_prefix": f"{prefix}/map",
        })
        return record

    def ingest_batch(self, batch_input: dict, items: list[dict]) -> dict:
        """One batch of the Distributed Map: ``items`` are ``{"index", "value": {header: cell}}``."""
        record = self.get(batch_input["tenant_id"], batch_input["import_id"])
        if not items:
            return {"accepted": 0, "rejected": 0}
        # The rows again as a small CSV with their header, so the one parser reads them; rows map back
        # to the file by the item's index (header = row 1).
        headers = list(items[0]["value"].keys())
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(headers)
        for item in items:
            writer.writerow([item["value"].get(header, "") for header in headers])
        first = items[0]["index"]
        indexes = [item["index"] for item in items]

        def row_of(parsed_row: int) -> int:
            position = parsed_row - 2
            return indexes[position] + 2 if 0 <= position < len(indexes) else parsed_row

        results = parse_invoices([text.getvalue().encode("utf-8")])
        # Header warnings (unknown columns) are reported once, by the first batch.
        tally = self.ingest_results(record, (r for r in results if first == 0 or r.row != 1), row_of)
        self.files.put_json(batch_input["bucket"], f"{batch_input['results_prefix']}/{first:012d}.json", tally.as_json())
        return {"accepted": tally.accepted, "rejected": tally.rejected}

    def finish_distributed(self, execution_input: dict, failed: bool = False) -> ImportRecord:
        """Add the batches' reports up and finish the import (the state machine's last step)."""
        record = self.get(execution_input["tenant_id"], execution_input["import_id"])
        tally = Tally()
        for report in self.files.read_json_under(execution_input["bucket"], execution_input["results_prefix"] + "/"):
            tally.add(Tally.from_json(report))
        if failed:
            tally.file_error = True
            tally.note(0, "file", "the import stopped before every row was read; upload the file again "
                                  "(rows already imported are not imported twice)", rejects_row=False)
        return self._finish(record, tally)


class RefusedObject(Exception):
    """An object in an inbox that no pending import of that tenant waits for: not ingested."""


def unexpected_object(record: ImportRecord | None, key: str, source: str) -> str | None:
    """Why an inbox object is not ingested, or None. Only the one file a tenant's own ``POST /v1/imports``
    announced is: not a key of another tenant or import, not a second file put to the same upload URL
    (whose import is no longer pending: its report stays). A second delivery of the same object (same
    ETag/version) while it is processed goes on, for exactly-once claims."""
    if record is None:
        return "no import was started for this key (POST /v1/imports answers where to put a file)"
    if record.key != key:
        return "the import was started for another file"
    if record.status is ImportStatus.PENDING or (record.status is ImportStatus.PROCESSING and record.source == source):
        return None
    return "the import already has its file: an upload URL is good for one object"


def results_prefix(tenant_id: str, import_id: str, source: str) -> str:
    return f"{RESULTS_PREFIX}/{tenant_id}/{import_id}/{hashlib.sha256(source.encode()).hexdigest()[:16]}"


_DISTRIBUTED_DELIMITERS = {",": "COMMA", ";": "SEMICOLON", "\t": "TAB"}


def _distributed_dialect(head: bytes) -> tuple[str, str | None]:
    """The Distributed Map's CSV reader needs UTF-8 and a named delimiter: check the file's start."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut off at the end of the range
            return "", (f"files over {DISTRIBUTED_THRESHOLD_BYTES // (1024 * 1024)} MB must be saved as UTF-8 CSV; "
                        "save it as 'CSV UTF-8' or split it into smaller files")
        text = head[: exc.start].decode("utf-8")
    header = text.splitlines()[0] if text else ""
    delimiter = max(_DISTRIBUTED_DELIMITERS, key=header.count)
    if not header.count(delimiter):
        return "", "the first row names no columns separated by ',', ';' or tab"
    return _DISTRIBUTED_DELIMITERS[delimiter], None


def new_claim(parsed: ParsedInvoice) -> NewClaim:
    """The row as the API's intake (``NewClaim``), so both paths share its checks: typed values as they are."""
    return NewClaim.model_validate({
        "invoice_number": parsed.invoice_number, "debtor": parsed.debtor, "principal": parsed.principal,
        "currency": parsed.currency, "invoice_date": parsed.invoice_date, "due_date": parsed.due_date})


def _field(loc: tuple) -> str:
    parts = [str(part) for part in loc]
    if parts[:1] == ["debtor"] and len(parts) > 1:
        return {"name": "debtor_name", "type": "debtor_type"}.get(parts[1], parts[-1])
    return parts[-1] if parts else "row"


class _BatchWriter:
    """Claims gathered and written in batches; duplicates reported against their rows."""

    def __init__(self, service: ImportService, record: ImportRecord, tally: Tally) -> None:
        self.service = service
        self.record = record
        self.tally = tally
        self.pending: list[tuple[int, Claim, bytes | None]] = []
        self.debtors: dict[str, Debtor] = {}  # reference -> the debtor as known, for this import
        self.events: list[tuple[str, str, dict]] = []

    def add(self, row: int, claim: Claim, *, original: bytes | None = None) -> None:
        """``original``: the UBL file the claim was made from, kept as its document."""
        self.pending.append((row, claim, original))
        if len(self.pending) >= WRITE_BATCH:
            self._write()

    def flush(self) -> None:
        self._write()
        self._publish()

    def _write(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        batch = [(row, claim, original) for row, claim, original in batch if self._joins_debtor(row, claim)]
        documents = self.service.documents
        for _, claim, original in batch:
            # First the original, then the claim: no claim made from a UBL invoice is ever without it.
            if original is not None and documents is not None:
                documents.put_original_invoice(claim.tenant_id, claim.claim_id, original)
        duplicates = self.service.store.create_claims_batch([claim for _, claim, _ in batch]) if batch else {}
        for row, claim, original in batch:
            existing = duplicates.get(claim.claim_id)
            if existing is not None and existing != claim.claim_id and original is not None and documents is not None:
                # A duplicate: no claim holds this copy (its id is this upload's own), so it goes again.
                documents.delete_claim_documents(claim.tenant_id, claim.claim_id)
            if existing is None or existing == claim.claim_id:
                # New, or made by an earlier delivery of this very upload: accepted either way.
                self.tally.accepted += 1
                self.events.append((claim.tenant_id, "ClaimCreated", {
                    "claim_id": claim.claim_id, "invoice_number": claim.invoice_number,
                    "import_id": self.record.import_id}))
            else:
                self.tally.note(row, "invoice_number", f"invoice number {claim.invoice_number} already exists "
                                                      f"(claim {existing}); not imported again")
        if len(self.events) >= EVENT_BATCH:
            self._publish()

    def _joins_debtor(self, row: int, claim: Claim) -> bool:
        """A row whose debtor reference is known with another type or language is a row error (the API
        answers 409); the debtor's record is read once per import."""
        reference = claim.debtor.reference
        if not reference:
            return True
        known = self.debtors.get(reference)
        if known is None:
            record = known_debtor(self.service.store, claim.tenant_id, claim.debtor, claim.created_at)
            known = self.debtors[reference] = record.debtor if record else claim.debtor
        conflicts = debtor_conflicts(known, claim.debtor)
        for conflict in conflicts:
            field_name = _CSV_DEBTOR_FIELDS.get(conflict["field"], conflict["field"])
            self.tally.note(row, field_name, conflict["message"])
        return not conflicts

    def _publish(self) -> None:
        if self.events:
            events, self.events = self.events, []
            self.service._publish_many(events)


def handle_s3_event(service: ImportService, event: dict, log: Callable[..., None] = lambda *a, **k: None) -> list[dict]:
    """Ingest every inbox object of an S3 event; other keys are logged and left alone."""
    outcomes = []
    for record in event.get("Records") or []:
        s3 = record.get("s3") or {}
        bucket, obj = (s3.get("bucket") or {}).get("name"), s3.get("object") or {}
        key = obj.get("key") or ""
        if not bucket or parse_inbox_key(key) is None:
            log("ignored object outside the inbox", key=key)
            outcomes.append({"key": key, "status": "ignored"})
            continue
        try:
            result = service.ingest_object(bucket, key, etag=obj.get("eTag"), version_id=obj.get("versionId"),
                                           size=obj.get("size"))
        except RefusedObject as refused:
            log("refused object", key=key, reason=str(refused))
            outcomes.append({"key": unquote_plus(key), "status": "refused", "reason": str(refused)})
            continue
        outcomes.append({"key": unquote_plus(key), "import_id": result.import_id if result else None,
                         "status": result.status.value if result else "ignored",
                         "accepted": result.accepted if result else 0,
                         "rejected": result.rejected if result else 0})
    return outcomes
