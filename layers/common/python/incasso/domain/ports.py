"""The ports: what the services need from the world outside, as the domain names it.

Each is a ``typing.Protocol``; the adapters (``incasso.adapters``) implement them on AWS and the in-memory
fakes (``tests/fakes``) in a dict. A service takes its ports in its constructor (``incasso.services.wiring``
hands it the adapters) and catches only the domain's errors (``incasso.domain.errors``), which the
adapters raise.

- the claims table, one port per record kind: ``ClaimRepository`` (claims, their ledger and timeline, the
  due index), ``MessageLog`` (the record of each message sent), ``TenantDirectory``, ``ImportRecords``;
  ``ClaimsStore`` is the four together, as one table holds them;
- ``ImportFiles``: the imports bucket (uploads, the file as a stream, the batches' reports);
- ``Documents``: letters and the dossier into the bailiff's inbox;
- ``Workflows``: start a claim's escalation or a large import, resume an execution waiting on a token;
- ``EventBus``: domain events for tenants' integrations;
- ``Messenger`` and ``Bailiff``: a message rendered and sent; the dossier handed over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

from incasso.domain.aggregates import Aggregates, DayBucket
from incasso.domain.api_clients import ApiClient
from incasso.domain.bank.records import StatementItem, StatementRecord
from incasso.domain.import_records import ImportRecord
from incasso.domain.models import Claim, ClaimStatus, LedgerEntry, Tenant, TimelineEvent
from incasso.domain.portal import PortalToken
from incasso.domain.users import User
from incasso.domain.webhooks import Delivery, Webhook


class DueClaim(NamedTuple):
    """A claim whose next action falls on ``due_on`` (today or earlier) in the daily sweep."""

    claim_id: str
    due_on: dt.date
    phase: int


# -- the claims table --------------------------------------------------------------------------------
class ClaimRepository(Protocol):
    """Claims with their append-only ledger and timeline. Every change is conditional on the version read."""

    def create_claim(self, claim: Claim, *, event: TimelineEvent | None = None) -> Claim:
        """Raises ``DuplicateInvoiceError`` when the tenant has a claim for this invoice number."""
        ...

    def create_claims_batch(self, claims: Sequence[Claim]) -> dict[str, str | None]:
        """Creates what is new; answers, per claim id that was not created, the claim id that holds its
        invoice number (the same id: created before by an earlier delivery)."""
        ...

    def get_claim(self, tenant_id: str, claim_id: str) -> Claim | None: ...

    def save_claim(self, claim: Claim, *, expected_version: int, timeline: Sequence[TimelineEvent] = (),
                   ledger: Sequence[LedgerEntry] = (), message_keys: Sequence[str] = (),
                   previous: Claim | None = None) -> Claim:
        """Writes all of it or nothing: ``ConcurrentModificationError`` when the version moved on,
        ``AlreadyDoneError`` when a ledger or message key exists, ``ClaimNotFoundError``. The tenant's
        aggregates change by the claim's delta in the same write; ``previous`` (the claim as read at
        ``expected_version``) saves reading it again, and is checked against the stored claim."""
        ...

    def add_timeline_event(self, tenant_id: str, claim_id: str, type: str,  # noqa: A002 - the model's name
                           details: dict[str, Any] | None = None, *, at: dt.datetime | None = None) -> TimelineEvent:
        ...

    def get_timeline(self, tenant_id: str, claim_id: str) -> list[TimelineEvent]: ...

    def get_ledger(self, tenant_id: str, claim_id: str) -> list[LedgerEntry]: ...

    def list_claims(self, tenant_id: str, status: ClaimStatus | str | None = None, limit: int = 50,
                    next_token: str | None = None) -> tuple[list[Claim], str | None]:
        """A page of claims in creation order and the next page's token (``InvalidPageToken``)."""
        ...

    def due_claims(self, tenant_id: str, day: dt.date) -> Iterator[DueClaim]: ...


class MessageLog(Protocol):
    """The record of each message sent for a claim, under its idempotency key."""

    def has_message(self, tenant_id: str, claim_id: str, key: str) -> bool: ...

    def put_message(self, tenant_id: str, claim_id: str, key: str, record: dict[str, Any]) -> bool:
        """False when a record was kept under ``key`` already (the first stays)."""
        ...

    def list_messages(self, tenant_id: str, claim_id: str) -> list[dict[str, Any]]: ...


class TenantDirectory(Protocol):
    """Tenants' profiles and policies, and the registry the daily sweep reads."""

    def list_tenants(self) -> list[str]: ...

    def put_tenant(self, tenant: Tenant) -> Tenant: ...

    def get_tenant(self, tenant_id: str, *, max_age: float = 0.0) -> Tenant | None:
        """``max_age`` > 0 accepts a copy this process read at most that many seconds ago."""
        ...


class ImportRecords(Protocol):
    """Imports of CSV files: their state and report."""

    def put_import(self, tenant_id_or_record: str | ImportRecord, record: ImportRecord | None = None) -> ImportRecord:
        ...

    def get_import(self, tenant_id: str, import_id: str) -> ImportRecord | None: ...


class StatementRecords(Protocol):
    """Bank statements as reconciled: the statement, its entries, the tenant's queue of unmatched credits,
    and the first sighting of each entry (a statement uploaded twice books nothing twice)."""

    def put_statement(self, record: StatementRecord) -> StatementRecord: ...

    def get_statement(self, tenant_id: str, statement_id: str) -> StatementRecord | None: ...

    def put_statement_items(self, tenant_id: str, items: Sequence[StatementItem]) -> None: ...

    def put_statement_item(self, tenant_id: str, item: StatementItem) -> None: ...

    def statement_items(self, tenant_id: str, statement_id: str) -> Iterator[StatementItem]: ...

    def statement_item(self, tenant_id: str, statement_id: str, entry_id: str) -> StatementItem | None: ...

    def unmatched_items(self, tenant_id: str, limit: int = 1000) -> list[StatementItem]: ...

    def claim_entry(self, tenant_id: str, identity: str, statement_id: str, entry_id: str) -> dict[str, str] | None:
        """Records that this statement brings the entry first; None when it did, else where it was seen."""
        ...


class PortfolioAggregates(Protocol):
    """A tenant's aggregates (``incasso.domain.aggregates``), kept by the claim writes themselves; the
    rebuild counts the claims that were written before aggregates existed, once."""

    def read_aggregates(self, tenant_id: str) -> Aggregates: ...

    def aggregate_history(self, tenant_id: str) -> list[DayBucket]:
        """The tenant's day buckets, oldest first."""
        ...

    def count_claim(self, tenant_id: str, claim_id: str) -> bool:
        """Adds the claim's contribution unless it is counted already (then False), conditional on its version."""
        ...

    def lock_aggregates(self, tenant_id: str, owner: str, until: dt.datetime) -> bool:
        """Takes the rebuild's lock until ``until``; False while another owner holds it."""
        ...

    def mark_aggregates_built(self, tenant_id: str, owner: str) -> None:
        """Every claim is counted: the aggregates are the summary from now on; releases the lock."""
        ...


class ClaimsStore(ClaimRepository, MessageLog, TenantDirectory, ImportRecords, StatementRecords, PortfolioAggregates,
                  Protocol):
    """The record kinds of the claims table together, as the services take them."""


# -- files -------------------------------------------------------------------------------------------
class ImportFiles(Protocol):
    """The imports bucket."""

    def upload_url(self, bucket: str, key: str, *, expires_in: int) -> str: ...

    def chunks(self, bucket: str, key: str,
               version_id: str | None = None) -> AbstractContextManager[Iterator[bytes]]: ...

    def head(self, bucket: str, key: str, size: int = ...) -> bytes: ...

    def put_json(self, bucket: str, key: str, data: Any) -> None: ...

    def read_json_under(self, bucket: str, prefix: str) -> Iterator[Any]: ...


class Dossier(Protocol):
    """A bailiff's dossier as the documents store keeps it (``incasso.letters.dossier.BailiffDossier``)."""

    @property
    def tenant_id(self) -> str: ...

    @property
    def claim_id(self) -> str: ...

    def to_json(self) -> str: ...


class StatementFiles(Protocol):
    """Statement objects of the imports bucket, read whole but never beyond ``MAX_STATEMENT_BYTES`` + 1."""

    def read(self, bucket: str, key: str, version_id: str | None = None) -> bytes: ...

    def size(self, bucket: str, key: str) -> int: ...


class Documents(Protocol):
    """The documents bucket (keys in ``incasso.domain.document_keys``): the letters kept for the file, the
    bailiff's inbox, a short-lived link to a PDF, and erasure (AVG art. 17)."""

    def deliver_dossier(self, dossier: Dossier) -> str: ...

    def put_bailiff_letter(self, tenant_id: str, claim_id: str, kind: str, pdf: bytes) -> str: ...

    def get(self, key: str) -> bytes: ...

    def exists(self, key: str) -> bool: ...

    def download_url(self, key: str, *, expires_in: int) -> str: ...

    def delete_claim_documents(self, tenant_id: str, claim_id: str) -> int:
        """Deletes every document of the claim; answers how many."""
        ...


class PortalRecords(Protocol):
    """The debtor's personal links (stored hashed, revocable per scope) and the portal's checkouts."""

    def put_token(self, token: PortalToken) -> None: ...

    def get_token(self, tenant_id: str | None, token_hash: str) -> PortalToken | None: ...

    def revoke(self, tenant_id: str, scope: str, at: dt.datetime) -> None: ...

    def revoked_at(self, tenant_id: str, scope: str) -> dt.datetime | None: ...

    def put_checkout(self, tenant_id: str, payment_id: str, scope: str, parts: dict[str, Decimal]) -> None: ...

    def get_checkout(self, tenant_id: str, payment_id: str) -> tuple[str, dict[str, Decimal]] | None: ...


# -- workflows and events ----------------------------------------------------------------------------
class Workflows(Protocol):
    """The state machines: a claim's escalation, a large import, and executions waiting on a task token."""

    def start_escalation(self, tenant_id: str, claim_id: str, phase: int) -> bool:
        """False when this phase's execution exists already (a second start is a no-op)."""
        ...

    def start_import(self, execution_input: dict[str, Any]) -> bool:
        """False when this upload's import execution exists already."""
        ...

    def resume(self, task_token: str, output: dict[str, Any]) -> bool:
        """False when the token is no longer valid."""
        ...


class EventBus(Protocol):
    """Domain events (ClaimCreated, PaymentReceived, ...) for tenants' integrations."""

    def publish(self, tenant_id: str, detail_type: str, detail: Mapping[str, Any]) -> None: ...

    def publish_many(self, events: list[tuple[str, str, Mapping[str, Any]]]) -> None: ...


# -- messages and the bailiff ------------------------------------------------------------------------
class Messenger(Protocol):
    def deliver(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        """Render and send message ``kind`` for ``claim``; returns the sent record (outbox shape). Raises
        ``SendError`` (``TransientSendError``, ``PermanentSendError``)."""
        ...

    def notify(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> None:
        """A confirmation after a tenant's action: a failed send is recorded, never raised."""
        ...


class Bailiff(Protocol):
    def hand_over(self, tenant: Tenant, claim: Claim) -> str:
        """Deliver the claim's dossier to the bailiff; returns where it went."""
        ...


class TransientErrors(Protocol):
    """Tells an error worth trying again (throttling, a 5xx, a dropped connection) from one that is not."""

    def __call__(self, error: BaseException) -> bool: ...


# -- the tenant's account ----------------------------------------------------------------------------
class UserDirectory(Protocol):
    """The tenant's users as incasso keeps them (role, e-mail), beside the identity provider's record."""

    def put_user(self, user: User) -> User: ...

    def get_user(self, tenant_id: str, user_id: str) -> User | None: ...

    def list_users(self, tenant_id: str) -> list[User]: ...

    def delete_user(self, tenant_id: str, user_id: str) -> None: ...


class Identities(Protocol):
    """The identity provider (Cognito on AWS): sign-in accounts with the tenant bound to them."""

    def create(self, tenant_id: str, email: str, role: str) -> str:
        """The new user's id; raises ``UserExistsError``."""
        ...

    def set_role(self, user_id: str, role: str) -> None: ...

    def delete(self, user_id: str) -> None: ...


class WebhookRecords(Protocol):
    """The tenant's webhook subscriptions and each event's delivery log."""

    def put_webhook(self, tenant_id: str, webhook: Webhook) -> Webhook: ...

    def list_webhooks(self, tenant_id: str) -> list[Webhook]: ...

    def get_webhook(self, tenant_id: str, webhook_id: str) -> Webhook | None: ...

    def delete_webhook(self, tenant_id: str, webhook_id: str) -> bool: ...

    def create_delivery(self, tenant_id: str, delivery: Delivery) -> bool:
        """False when this event's delivery to this webhook exists already."""
        ...

    def save_delivery(self, tenant_id: str, delivery: Delivery) -> None: ...

    def get_delivery(self, tenant_id: str, webhook_id: str, event_id: str) -> Delivery | None: ...

    def list_deliveries(self, tenant_id: str, webhook_id: str) -> list[Delivery]: ...


class ApiClientRecords(Protocol):
    """The tenant's machine credentials as incasso keeps them (name, role, revoked or not)."""

    def put_client(self, client: ApiClient) -> ApiClient: ...

    def get_client(self, tenant_id: str, client_id: str) -> ApiClient | None: ...

    def list_clients(self, tenant_id: str) -> list[ApiClient]: ...


class ClientCredentials(Protocol):
    """Where the credentials live: Cognito app clients on AWS, the client's own record locally."""

    def create(self, tenant_id: str, name: str, role: str) -> tuple[str, str]:
        """(client id, secret) of a new client bound to ``tenant_id``."""
        ...

    def delete(self, client_id: str) -> None: ...

    @property
    def keeps_secrets(self) -> bool:
        """True where incasso must keep the secret's hash itself (no identity provider holds it)."""
        ...
