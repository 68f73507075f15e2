"""The ports: what the services need from the world outside, as the domain names it.

Each is a ``typing.Protocol``; the adapters (``incasso.adapters``) implement them on AWS and the in-memory
fakes (``tests/fakes``) in a dict. A service takes its ports in its constructor (``incasso.services.wiring``
hands it the adapters) and catches only the domain's errors (``incasso.domain.errors``), which the
adapters raise.

- the claims table, one port per record kind: ``ClaimRepository`` (claims, their ledger and timeline, the
  due index), ``MessageLog`` (the record of each message sent), ``TenantDirectory``, ``ImportRecords``,
  ``StatementRecords``, ``DebtorRecords`` (the per-debtor record); ``ClaimsStore`` is them together, as one
  table holds them;
- ``ImportFiles``: the imports bucket (uploads, the file as a stream, the batches' reports);
- ``Documents``: letters, the original of an imported UBL invoice, and the dossier into the bailiff's inbox;
- ``Workflows``: start a claim's escalation or a large import, resume an execution waiting on a token;
- ``EventBus``: domain events for tenants' integrations;
- ``Messenger`` and ``Bailiff``: a message rendered and sent; the dossier handed over;
- ``CreditBureau``: an external bureau's report on a debtor (only an offline fake ships).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:  # only annotations name them: a handler that imports a port loads no models for it (cold start)
    from incasso.domain.aggregates import Aggregates, DayBucket
    from incasso.domain.api_clients import ApiClient
    from incasso.domain.bank.records import StatementItem, StatementRecord
    from incasso.domain.credit import BureauReport
    from incasso.domain.debtor_letters import LetterGroup
    from incasso.domain.debtors import DebtorRecord
    from incasso.domain.import_records import ImportRecord
    from incasso.domain.models import Claim, ClaimStatus, Debtor, LedgerEntry, Tenant, TimelineEvent
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
    """Imports of invoices (CSV, UBL): their state and report."""

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


class DebtorLetters(Protocol):
    """The letter groups of one debtor (``incasso.domain.debtor_letters``): decided once by the first
    claim to take a step, sent once by the first to send (a lease, taken over only when it ran out)."""

    def letter_group(self, tenant_id: str, reference: str, kind: str, day: dt.date) -> LetterGroup | None: ...

    def put_letter_group(self, group: LetterGroup) -> LetterGroup:
        """Keeps ``group`` unless one was decided already; answers the group that holds."""
        ...

    def take_letter_send(self, group: LetterGroup, claim_id: str, *, now: dt.datetime,
                         lease: dt.timedelta) -> dict[str, Any] | bool:
        """The record of the letter when it went out already; True: this claim sends it now; False:
        another claim is sending it (its lease has not run out)."""
        ...

    def finish_letter_send(self, group: LetterGroup, record: dict[str, Any]) -> None: ...

    def debtor_payment(self, tenant_id: str, reference: str, key: str) -> dict[str, Any] | None: ...

    def put_debtor_payment(self, tenant_id: str, reference: str, key: str, plan: dict[str, Any]) -> dict[str, Any]:
        """Keeps how a payment to the debtor is divided over its invoices, unless a plan was kept under
        ``key`` already (a retried request): answers the plan that holds."""
        ...




class DebtorRecords(Protocol):
    """One tenant's debtors (``incasso.domain.debtors``): the per-debtor record of the details every claim
    with that reference must agree with, one debtor's claims, and the tenant's debtors page by page."""

    def claims_of_debtor(self, tenant_id: str, reference: str) -> list[Claim]:
        """The tenant's claims with this reference, oldest first."""
        ...

    def get_debtor(self, tenant_id: str, reference: str) -> DebtorRecord | None: ...

    def add_debtor(self, record: DebtorRecord) -> bool:
        """Creates the record; False when the tenant has one for this reference already (it stays)."""
        ...

    def save_debtor(self, record: DebtorRecord, *, expected_version: int) -> DebtorRecord:
        """Writes ``record`` as version ``expected_version`` + 1; ``ConcurrentModificationError`` when the
        stored version is not ``expected_version``."""
        ...

    def delete_debtor(self, tenant_id: str, reference: str) -> None:
        """Removes the record (its personal data is erased, AVG art. 17); nothing when there is none."""
        ...

    def list_debtors(self, tenant_id: str, limit: int = 50,
                     next_token: str | None = None) -> tuple[list[DebtorRecord], str | None]:
        """A page of the tenant's debtors by reference, and the next page's token (``InvalidPageToken``)."""
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


class ClaimsStore(ClaimRepository, MessageLog, TenantDirectory, ImportRecords, StatementRecords, DebtorRecords,
                  DebtorLetters, PortfolioAggregates, Protocol):
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

    def put_original_invoice(self, tenant_id: str, claim_id: str, data: bytes) -> str:
        """Keeps the UBL invoice a claim is imported from (``document_keys.original_invoice_key``)."""
        ...

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
    """The state machines: a claim's short runs of the escalation, and a large import.

    Nothing waits in a state machine: a run does what is due and ends; the claim records when the next
    one is due (the sweep starts it), or the API starts it at once, or a one-time schedule at its minute."""

    def start_run(self, tenant_id: str, claim_id: str, key: str) -> bool:
        """Start a run of the claim's escalation now, named ``<claim_id>-<key>``; False when a run of
        that name exists already (a second start is a no-op where the workflow type deduplicates names)."""
        ...

    def plan_run(self, tenant_id: str, claim_id: str, key: str, at: dt.datetime) -> None:
        """Start a run at the minute ``at`` (a one-time schedule named after the claim and ``key``,
        deleted once it fired); planning the same one twice plans it once."""
        ...

    def start_import(self, execution_input: dict[str, Any]) -> bool:
        """False when this upload's import execution exists already."""
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


class CreditBureau(Protocol):
    """An external credit bureau (Graydon, Creditsafe or similar). Asked about one debtor on behalf of one
    tenant; it answers from its own data, never from another tenant's claims. Only an offline fake ships
    (``incasso.adapters.credit_bureau.OfflineCreditBureauFake``): no real bureau is called."""

    @property
    def name(self) -> str: ...

    def report(self, tenant_id: str, debtor: Debtor) -> BureauReport | None:
        """The bureau's report on the debtor, or None when it has none."""
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
