"""Claims in the claims table: a claim, its invoice-number guard, its timeline and ledger; the listings
and the sparse due index the daily sweep reads (keys: ``incasso.adapters.keys``; attribute values:
``incasso.adapters.codec``).

Every write that changes a claim is one ``TransactWriteItems``: the claim conditional on the version
read, plus what the change brings along (ledger entries and message markers, each conditional on its
idempotency key not existing yet, timeline events, and the change to the tenant's aggregates,
``incasso.adapters.dynamodb.aggregates``). Either all of it is written or none of it, so a retried step
cannot book a cost twice nor count a claim twice, and a step that raced a payment writes nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from incasso import clock
from incasso.adapters import keys
from incasso.adapters.codec import AttributeValue, attrs_to_model, model_to_attrs
from incasso.domain.errors import (
    AlreadyDoneError,
    ClaimAlreadyExistsError,
    ClaimNotFoundError,
    ConcurrentModificationError,
    DuplicateInvoiceError,
    InvalidPageToken,
)
from incasso.adapters.dynamodb.aggregates import (
    SIGNATURE,
    aggregate_updates,
    claims_contribution,
)
from incasso.adapters.dynamodb.table import (
    CONFLICT_RETRIES,
    MAX_TRANSACTION_ITEMS,
    Table,
    failed,
    write_transaction,
)
from incasso.domain.aggregates import contribution, delta
from incasso.domain.models import Claim, ClaimStatus, LedgerEntry, TimelineEvent
from incasso.domain.ports import DueClaim

ITEMS_PER_NEW_CLAIM = 3  # the claim, its invoice-number guard, its ClaimCreated event
AGGREGATE_ITEMS = 2  # an aggregates shard and its bucket of the day
CLAIMS_PER_TRANSACTION = (MAX_TRANSACTION_ITEMS - AGGREGATE_ITEMS) // ITEMS_PER_NEW_CLAIM  # 32
SAVE_ATTEMPTS = 3  # a save whose ``previous`` was not the stored claim tries again with the stored one
MAX_PAGE_SIZE = 100
CLAIM_CREATED = "claim_created"
DUE_PAGE_SIZE = 500  # claims per Query page of the sweep: bounded memory and time per request


BATCH_GET_KEYS = 100  # DynamoDB's limit for one BatchGetItem
BATCH_GET_ATTEMPTS = 8


class _StoredClaimDiffers(Exception):
    """The stored claim is at the expected version but is not the ``previous`` the delta was computed from."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__("the stored claim differs from the one given")
        self.item = item


class ClaimRecords(Table):
    """Claims with their timeline and ledger; page tokens of the listings carry a MAC."""

    def __init__(self, table_name: str | None = None, *, client: Any = None,
                 page_token_secret: bytes | str | None = None) -> None:
        super().__init__(table_name, client=client)
        self.due_page_size = DUE_PAGE_SIZE
        # Page tokens carry a MAC so that a changed token is refused. Safety does not rest on this
        # key being secret: a listing always queries the caller's own tenant's partition, and the
        # tenant named inside the token must be the caller's.
        secret = page_token_secret or f"incasso-page-token:{self.table_name}"
        self._token_key = secret.encode() if isinstance(secret, str) else secret

    # -- claims: encoding ----------------------------------------------------------------------
    def _claim_item(self, claim: Claim, version: int) -> dict[str, AttributeValue]:
        tenant, claim_id = claim.tenant_id, claim.claim_id
        item = model_to_attrs(claim)
        item["version"] = {"N": str(version)}
        item[SIGNATURE] = {"S": contribution(claim).signature()}
        created = keys.created_sk(claim.created_at, claim_id)
        item.update(
            pk={"S": keys.claim_pk(tenant, claim_id)},
            sk={"S": keys.CLAIM_SK},
            entity={"S": "claim"},
            status_pk={"S": keys.status_pk(tenant, claim.status.value)},
            status_sk={"S": created},
            claims_pk={"S": keys.claims_pk(tenant)},
            claims_sk={"S": created},
        )
        if claim.debtor.reference:  # sparse: one debtor's claims, by the creditor's customer number
            item["debtor_pk"] = {"S": keys.debtor_pk(tenant, claim.debtor.reference)}
        # Sparse due index: only a claim with a planned next action is in it; a closed claim never is.
        if claim.next_action_on is not None and not claim.is_closed:
            item["due_pk"] = {"S": keys.due_pk(tenant)}
            item["due_sk"] = {"S": keys.due_sk(claim.next_action_on, claim_id)}
        return item

    def _timeline_put(self, tenant_id: str, claim_id: str, event: TimelineEvent, sk: str) -> dict[str, Any]:
        item = model_to_attrs(event)
        item.update(pk={"S": keys.claim_pk(tenant_id, claim_id)}, sk={"S": sk}, entity={"S": "timeline"})
        return {"Put": {"TableName": self.table_name, "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def _new_claim_puts(self, claim: Claim, event: TimelineEvent | None = None) -> list[dict[str, Any]]:
        """The three writes that make a claim: the claim, its invoice-number guard, its first event."""
        tenant = claim.tenant_id
        guard = {
            "pk": {"S": keys.invoice_pk(tenant, claim.invoice_number)},
            "sk": {"S": keys.INVOICE_SK},
            "entity": {"S": "invoice"},
            "claim_id": {"S": claim.claim_id},
            "invoice_number": {"S": claim.invoice_number},
            "created_at": {"S": keys.utc_text(claim.created_at)},
        }
        event = event or TimelineEvent(at=claim.created_at, type=CLAIM_CREATED, details={
            "invoice_number": claim.invoice_number, "principal": str(claim.principal)})
        return [
            {"Put": {"TableName": self.table_name, "Item": self._claim_item(claim, claim.version),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self.table_name, "Item": guard,
                     "ConditionExpression": "attribute_not_exists(pk)",
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            self._timeline_put(tenant, claim.claim_id, event, keys.timeline_sk(event.at, claim.version, 0)),
        ]

    # -- claims: creating ----------------------------------------------------------------------
    def create_claim(self, claim: Claim, *, event: TimelineEvent | None = None) -> Claim:
        """Create ``claim`` with its invoice-number guard and its first timeline event, atomically.

        Raises ``DuplicateInvoiceError`` when the tenant has a claim for this invoice number already.
        Creating the very same claim (same id) again returns the stored claim: a retried request is
        no duplicate of itself.
        """
        writes = self._new_claim_puts(claim, event) + aggregate_updates(
            self.table_name, claim.tenant_id, contribution(claim), day=clock.today())
        cancelled = write_transaction(self.client, writes)
        if cancelled is None:
            return claim
        error, reasons = cancelled
        claim_taken, guard = (reasons + [{}, {}])[:2]
        if failed(guard):
            existing = guard.get("Item", {}).get("claim_id", {}).get("S", "")
            if existing == claim.claim_id:
                stored = self.get_claim(claim.tenant_id, claim.claim_id)
                if stored is not None:
                    return stored
            raise DuplicateInvoiceError(existing, claim.invoice_number) from error
        if failed(claim_taken):
            raise ClaimAlreadyExistsError(f"claim id {claim.claim_id} is taken") from error
        if any(failed(r, "TransactionConflict") for r in reasons):
            raise ConcurrentModificationError("the invoice number is being created right now") from error
        raise error

    def create_claims_batch(self, claims: Sequence[Claim]) -> dict[str, str | None]:
        """Create many claims, 33 to a transaction, keeping the invoice-number guard.

        Answers, for every claim id given (in the order given), ``None`` when the claim was created,
        or the id of the claim that already holds its invoice number: an earlier one, one made
        earlier in this same batch, or the claim itself when it was made by an earlier delivery.
        """
        results: dict[str, str | None] = {}
        first_of_invoice: dict[tuple[str, str], str] = {}
        later: list[tuple[str, str]] = []  # (claim id, claim id of the first with its invoice number)
        unique: list[Claim] = []
        for claim in claims:
            if claim.claim_id in results:
                raise ValueError(f"claim id {claim.claim_id} occurs twice in one batch")
            results[claim.claim_id] = None
            invoice = (claim.tenant_id, claim.invoice_number)
            if invoice in first_of_invoice:
                later.append((claim.claim_id, first_of_invoice[invoice]))
            else:
                first_of_invoice[invoice] = claim.claim_id
                unique.append(claim)
        by_tenant: dict[str, list[Claim]] = {}
        for claim in unique:  # one tenant to a transaction: its aggregates take two of its items
            by_tenant.setdefault(claim.tenant_id, []).append(claim)
        for tenant_claims in by_tenant.values():
            for start in range(0, len(tenant_claims), CLAIMS_PER_TRANSACTION):
                results.update(self._create_chunk(tenant_claims[start:start + CLAIMS_PER_TRANSACTION]))
        for claim_id, first in later:
            results[claim_id] = results[first] or first
        return results

    def _create_chunk(self, chunk: list[Claim]) -> dict[str, str | None]:
        """One transaction for the chunk; claims whose invoice number is taken are reported and left
        out, and the rest is written again (a cancelled transaction wrote nothing)."""
        outcome: dict[str, str | None] = {}
        conflicts = 0
        while chunk:
            cancelled = write_transaction(self.client, [put for claim in chunk for put in self._new_claim_puts(claim)]
                                          + aggregate_updates(self.table_name, chunk[0].tenant_id,
                                                              claims_contribution(chunk), day=clock.today()))
            if cancelled is None:
                outcome.update((claim.claim_id, None) for claim in chunk)
                return outcome
            error, reasons = cancelled
            remaining = []
            for i, claim in enumerate(chunk):
                claim_taken, guard, _ = (reasons[i * 3:i * 3 + 3] + [{}, {}, {}])[:3]
                if failed(guard):
                    outcome[claim.claim_id] = guard.get("Item", {}).get("claim_id", {}).get("S", "")
                elif failed(claim_taken):
                    raise ClaimAlreadyExistsError(f"claim id {claim.claim_id} is taken") from error
                else:
                    remaining.append(claim)
            if len(remaining) == len(chunk):
                # Nothing of ours failed a condition: a concurrent transaction got in the way.
                conflicts += 1
                if conflicts > CONFLICT_RETRIES or not any(failed(r, "TransactionConflict") for r in reasons):
                    raise error
                time.sleep(0.02 * conflicts)
            chunk = remaining
        return outcome

    # -- claims: reading -----------------------------------------------------------------------
    def get_claim(self, tenant_id: str, claim_id: str) -> Claim | None:
        """The claim, or None; another tenant's claim cannot be addressed (the key holds the tenant)."""
        item = self.client.get_item(
            TableName=self.table_name, ConsistentRead=True,
            Key={"pk": {"S": keys.claim_pk(tenant_id, claim_id)}, "sk": {"S": keys.CLAIM_SK}},
        ).get("Item")
        return attrs_to_model(Claim, item) if item else None

    # -- claims: changing ----------------------------------------------------------------------
    def save_claim(
        self,
        claim: Claim,
        *,
        expected_version: int,
        timeline: Sequence[TimelineEvent] = (),
        ledger: Sequence[LedgerEntry] = (),
        message_keys: Sequence[str] = (),
        previous: Claim | None = None,
    ) -> Claim:
        """Write ``claim`` if it is still at ``expected_version``, with its ledger entries, message
        markers, timeline events and the change to the tenant's aggregates, in one transaction; answers
        the claim at its new version.

        The aggregates change by what ``claim`` contributes less what the stored claim did: ``previous``
        (the claim as read at ``expected_version``; read here when not given) is checked against the
        stored claim's signature, and the write tried again with the stored claim should they differ.

        ``AlreadyDoneError``: a ledger or message key exists already (nothing is written; it wins
        over a version conflict, since the step it guards was done). ``ConcurrentModificationError``:
        the version moved on. ``ClaimNotFoundError``: no such claim for this tenant.
        """
        tenant, claim_id = claim.tenant_id, claim.claim_id
        if len({entry.key for entry in ledger}) != len(ledger) or len(set(message_keys)) != len(message_keys):
            raise ValueError("a ledger or message key occurs twice in one save")
        if 1 + len(timeline) + len(ledger) + len(message_keys) + AGGREGATE_ITEMS > MAX_TRANSACTION_ITEMS:
            raise ValueError(f"one save writes at most {MAX_TRANSACTION_ITEMS} items")
        signature: str | None
        if previous is not None and previous.version == expected_version:
            signature = contribution(previous).signature()
        else:
            stored = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
                "pk": {"S": keys.claim_pk(tenant, claim_id)}, "sk": {"S": keys.CLAIM_SK}}).get("Item")
            # A version other than expected is left to the transaction: a ledger or message key already
            # written must still win over the conflict (AlreadyDoneError).
            previous, signature = self._stored_for_save(stored, claim_id, None)
        for _ in range(SAVE_ATTEMPTS):
            try:
                return self._save(claim, expected_version, timeline, ledger, message_keys,
                                  previous if signature is not None else None, signature)
            except _StoredClaimDiffers as differs:
                previous, signature = self._stored_for_save(differs.item, claim_id, expected_version)
        raise ConcurrentModificationError(f"claim {claim_id} is being changed right now")

    @staticmethod
    def _stored_for_save(item: dict[str, Any] | None, claim_id: str,
                         expected_version: int | None) -> tuple[Claim, str | None]:
        if not item:
            raise ClaimNotFoundError(f"claim {claim_id} does not exist")
        if expected_version is not None and int(item["version"]["N"]) != expected_version:
            raise ConcurrentModificationError(
                f"claim {claim_id} is at version {item['version']['N']}, not {expected_version}",
                current_version=int(item["version"]["N"]))
        return attrs_to_model(Claim, item), item.get(SIGNATURE, {}).get("S")

    def _save(self, claim: Claim, expected_version: int, timeline: Sequence[TimelineEvent],
              ledger: Sequence[LedgerEntry], message_keys: Sequence[str], previous: Claim | None,
              signature: str | None) -> Claim:
        """One try of ``save_claim``: ``previous`` None with ``signature`` None is a claim not counted yet
        (written before aggregates existed), which this write then counts whole."""
        tenant, claim_id = claim.tenant_id, claim.claim_id
        version = expected_version + 1
        saved = claim.model_copy(update={"version": version})
        pk = {"S": keys.claim_pk(tenant, claim_id)}
        values: dict[str, AttributeValue] = {":expected": {"N": str(expected_version)}}
        if signature is None:
            counted = f"attribute_not_exists({SIGNATURE})"
        else:
            counted, values[":sig"] = f"{SIGNATURE} = :sig", {"S": signature}
        writes: list[dict[str, Any]] = [{"Put": {
            "TableName": self.table_name,
            "Item": self._claim_item(saved, version),
            "ConditionExpression": f"attribute_exists(pk) AND version = :expected AND {counted}",
            "ExpressionAttributeValues": values,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }}]
        at = keys.utc_text(clock.now())
        for n, entry in enumerate(ledger):
            item = model_to_attrs(entry)
            # Booking order: the version that booked it, then its place in that save.
            item.update(pk=pk, sk={"S": keys.ledger_sk(entry.key)}, entity={"S": "ledger"},
                        seq={"S": f"{version:010d}.{n:03d}"})
            writes.append({"Put": {"TableName": self.table_name, "Item": item,
                                   "ConditionExpression": "attribute_not_exists(pk)"}})
        for key in message_keys:
            writes.append({"Put": {"TableName": self.table_name, "Item": {
                "pk": pk, "sk": {"S": keys.message_sk(key)}, "entity": {"S": "message"},
                "message_key": {"S": key}, "recorded_at": {"S": at}},
                "ConditionExpression": "attribute_not_exists(pk)"}})
        for n, event in enumerate(timeline):
            writes.append(self._timeline_put(tenant, claim_id, event, keys.timeline_sk(event.at, version, n)))
        writes += aggregate_updates(self.table_name, tenant, delta(previous, saved), day=clock.today())
        cancelled = write_transaction(self.client, writes)
        if cancelled is None:
            return saved
        error, reasons = cancelled
        reasons = reasons + [{}] * (len(writes) - len(reasons))
        guarded = [entry.key for entry in ledger] + list(message_keys)
        done = [key for key, reason in zip(guarded, reasons[1:1 + len(guarded)]) if failed(reason)]
        if done:
            raise AlreadyDoneError(done) from error
        if failed(reasons[0]):
            current = reasons[0].get("Item")
            if not current:
                raise ClaimNotFoundError(f"claim {claim_id} does not exist") from error
            if int(current["version"]["N"]) == expected_version:
                raise _StoredClaimDiffers(current) from error
            raise ConcurrentModificationError(
                f"claim {claim_id} is at version {current['version']['N']}, not {expected_version}",
                current_version=int(current["version"]["N"])) from error
        if any(failed(r, "TransactionConflict") or failed(r) for r in reasons):
            raise ConcurrentModificationError(f"claim {claim_id} is being changed right now") from error
        raise error

    def add_timeline_event(self, tenant_id: str, claim_id: str, type: str,  # noqa: A002 - the model's name
                           details: dict[str, Any] | None = None, *, at: dt.datetime | None = None) -> TimelineEvent:
        """Append an event that changes nothing else (e.g. a confirmation that could not be sent)."""
        event = TimelineEvent(at=at or clock.now(), type=type, details=details or {})
        sk = f"{keys.TIMELINE_PREFIX}{keys.utc_text(event.at)}#x{uuid.uuid4().hex[:12]}"
        put = self._timeline_put(tenant_id, claim_id, event, sk)["Put"]
        self.client.put_item(**put)
        return event

    # -- a claim's history ---------------------------------------------------------------------
    def redact_timeline(self, tenant_id: str, claim_id: str, redact: Any) -> int:
        """Rewrite each timeline event's details as ``redact(type, details)`` where that changes them
        (erasure of personal data); the events, their times and types stay. Answers how many changed."""
        count = 0
        for item in self._query_claim(tenant_id, claim_id, keys.TIMELINE_PREFIX):
            event = attrs_to_model(TimelineEvent, item)
            details = redact(event.type, dict(event.details))
            if details == event.details:
                continue
            fresh = model_to_attrs(event.model_copy(update={"details": details}))
            self.client.update_item(
                TableName=self.table_name, Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET details = :details", ExpressionAttributeValues={":details": fresh["details"]},
            )
            count += 1
        return count

    def get_timeline(self, tenant_id: str, claim_id: str) -> list[TimelineEvent]:
        """Oldest first (the sort key orders by time, then by the write that made the event)."""
        return [attrs_to_model(TimelineEvent, item) for item in self._query_claim(tenant_id, claim_id,
                                                                                 keys.TIMELINE_PREFIX)]

    def get_ledger(self, tenant_id: str, claim_id: str) -> list[LedgerEntry]:
        """In booking order."""
        items = sorted(self._query_claim(tenant_id, claim_id, keys.LEDGER_PREFIX), key=lambda i: i["seq"]["S"])
        return [attrs_to_model(LedgerEntry, item) for item in items]

    # -- listing -------------------------------------------------------------------------------
    def list_claims(self, tenant_id: str, status: ClaimStatus | str | None = None, limit: int = 50,
                    next_token: str | None = None) -> tuple[list[Claim], str | None]:
        """A page of the tenant's claims in the order they were created, all or of one status, and the
        token of the next page (None on the last page)."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
        status_value = ClaimStatus(status).value if status is not None else ""
        if status_value:
            index, pk_name, sk_name = keys.STATUS_INDEX, "status_pk", "status_sk"
            pk = keys.status_pk(tenant_id, status_value)
        else:
            index, pk_name, sk_name, pk = keys.CLAIMS_INDEX, "claims_pk", "claims_sk", keys.claims_pk(tenant_id)
        condition = f"{pk_name} = :pk"
        values: dict[str, AttributeValue] = {":pk": {"S": pk}}
        if next_token is not None:
            values[":after"] = {"S": self._read_page_token(next_token, tenant_id, status_value)}
            condition += f" AND {sk_name} > :after"
        # One more than asked: then a full last page is known to be the last, and has no token.
        items = list(self._query(IndexName=index, KeyConditionExpression=condition,
                                 ExpressionAttributeValues=values, max_items=limit + 1))
        token = None
        if len(items) > limit:
            items = items[:limit]
            token = self._page_token(tenant_id, status_value, items[-1][sk_name]["S"])
        return self._claims_of(items), token

    def closed_claims_created_before(self, tenant_id: str, status: ClaimStatus, before: dt.datetime) -> Iterator[Claim]:
        """The tenant's claims of a closed ``status`` created before ``before`` whose personal data is
        still there: the candidates for erasure after the retention period (a bounded key range)."""
        items = self._query(IndexName=keys.STATUS_INDEX,
                            KeyConditionExpression="status_pk = :pk AND status_sk < :before",
                            FilterExpression="attribute_not_exists(personal_data_erased_on)",
                            ExpressionAttributeValues={":pk": {"S": keys.status_pk(tenant_id, ClaimStatus(status).value)},
                                                       ":before": {"S": keys.utc_text(before)}})
        page: list[dict[str, AttributeValue]] = []
        for item in items:
            page.append(item)
            if len(page) == BATCH_GET_KEYS:
                yield from self._claims_of(page)
                page = []
        yield from self._claims_of(page)

    def claims_of_debtor(self, tenant_id: str, reference: str) -> list[Claim]:
        """All of the tenant's claims on the debtor with this customer number, oldest first."""
        items = self._query(IndexName=keys.DEBTOR_INDEX, KeyConditionExpression="debtor_pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": keys.debtor_pk(tenant_id, reference)}})
        return self._claims_of(list(items))

    def _claims_of(self, index_items: list[dict[str, AttributeValue]]) -> list[Claim]:
        """The claims an index names, read from the table in the index's order. The tenant-wide indexes
        hold the keys only (docs/scale.md, "What a claim's write costs"): a copy of every claim in each
        would cost a write of the whole item per index on every step; a read of a page costs far less."""
        found: dict[str, dict[str, AttributeValue]] = {}
        wanted = [{"pk": item["pk"], "sk": item["sk"]} for item in index_items]
        for start in range(0, len(wanted), BATCH_GET_KEYS):
            request = {self.table_name: {"Keys": wanted[start:start + BATCH_GET_KEYS], "ConsistentRead": True}}
            for attempt in range(BATCH_GET_ATTEMPTS):
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table_name, []):
                    found[item["pk"]["S"]] = item
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(0.05 * 2 ** attempt, 1.0))
            if request:
                raise RuntimeError("DynamoDB left keys unread after retries; the listing is tried again")
        # A claim deleted between the Query and the read is left out.
        return [attrs_to_model(Claim, found[key["pk"]["S"]]) for key in wanted if key["pk"]["S"] in found]

    def _mac(self, payload: bytes) -> str:
        digest = hmac.new(self._token_key, payload, hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def _page_token(self, tenant_id: str, status: str, after: str) -> str:
        payload = json.dumps({"t": tenant_id, "s": status, "a": after}, separators=(",", ":")).encode()
        return f"{base64.urlsafe_b64encode(payload).decode().rstrip('=')}.{self._mac(payload)}"

    def _read_page_token(self, token: str, tenant_id: str, status: str) -> str:
        """The sort key to continue after; refuses a token that was changed, or that was issued for
        another tenant or another listing."""
        try:
            body, mac = token.split(".")
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            if not hmac.compare_digest(mac, self._mac(payload)):
                raise InvalidPageToken("the page token was changed")
            data = json.loads(payload)
            after = data["a"]
        except InvalidPageToken:
            raise
        except Exception as error:
            raise InvalidPageToken("not a page token") from error
        if data.get("t") != tenant_id or data.get("s") != status:
            raise InvalidPageToken("the page token belongs to another listing")
        if not isinstance(after, str) or "#" not in after:
            raise InvalidPageToken("not a page token")
        return after

    # -- the daily sweep -----------------------------------------------------------------------
    def due_claims(self, tenant_id: str, day: dt.date) -> Iterator[DueClaim]:
        """Claims whose next action falls on ``day`` or before, oldest first: a Query of the sparse
        ``due`` index, page by page (never a Scan)."""
        for item in self._query(
            IndexName=keys.DUE_INDEX,
            KeyConditionExpression="due_pk = :pk AND due_sk < :after_day",
            ExpressionAttributeValues={":pk": {"S": keys.due_pk(tenant_id)},
                                       ":after_day": {"S": (day + dt.timedelta(days=1)).isoformat()}},
            ProjectionExpression="claim_id, due_sk, #phase",
            ExpressionAttributeNames={"#phase": "phase"},
            page_size=self.due_page_size,
        ):
            due_on = dt.date.fromisoformat(item["due_sk"]["S"].split("#", 1)[0])
            yield DueClaim(item["claim_id"]["S"], due_on, int(item.get("phase", {"N": "1"})["N"]))
