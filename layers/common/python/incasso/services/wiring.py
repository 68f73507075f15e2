"""The one place that builds the services: each factory hands a service its ports (the adapters on AWS),
once per process (Lambda cold start; the local stack calls ``reset`` after it changes the environment).

Tests build the services themselves, with the in-memory fakes of ``tests/fakes`` as their ports.

Each factory imports what it builds: every handler imports this module at init and uses only some of
the services (a step Lambda never builds ``ClaimService``'s imports, the API never ``EscalationService``).
``benchmarks/handler_imports.py`` measured it: with these imports at the top every handler's import ratio
goes from 1.1 to 2.1-2.2 (the target is <= 1.3).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from incasso.settings import get_settings

if TYPE_CHECKING:
    from incasso.domain.models import Claim, Tenant
    from incasso.services.api_clients import ApiClientService
    from incasso.adapters.claims_store import ClaimsStore
    from incasso.adapters.documents import DocumentStore
    from incasso.adapters.events import EventPublisher
    from incasso.adapters.workflows import StepFunctionsWorkflows
    from incasso.adapters.credit_bureau import OfflineCreditBureauFake
    from incasso.services.claims import ClaimService
    from incasso.services.debtor_payments import DebtorPaymentService
    from incasso.services.debtors import DebtorService
    from incasso.services.documents import DocumentService
    from incasso.services.escalation import EscalationService
    from incasso.services.imports import ImportService
    from incasso.services.message_policy import Notifier
    from incasso.services.portal import PortalLinkIssuer, PortalService
    from incasso.services.privacy import PrivacyService
    from incasso.services.reconciliation import ReconciliationService
    from incasso.services.reports import ReportService
    from incasso.services.sweep import SweepService
    from incasso.services.tenants import TenantService
    from incasso.services.users import UserService
    from incasso.services.webhooks import WebhookService


@lru_cache(maxsize=1)
def claims_store() -> ClaimsStore:
    from incasso.adapters.claims_store import ClaimsStore  # deferred: cold start (module docstring)

    return ClaimsStore(get_settings().claims_table)


@lru_cache(maxsize=1)
def publisher() -> EventPublisher:
    from incasso.adapters.events import EventPublisher  # deferred: cold start (module docstring)

    return EventPublisher(get_settings().event_bus_name)


@lru_cache(maxsize=1)
def workflows() -> StepFunctionsWorkflows:
    from incasso.adapters.workflows import StepFunctionsWorkflows  # deferred: cold start (module docstring)

    return StepFunctionsWorkflows()


@lru_cache(maxsize=1)
def documents() -> DocumentStore:
    from incasso.adapters.documents import DocumentStore  # deferred: cold start (module docstring)

    return DocumentStore()


@lru_cache(maxsize=1)
def messenger() -> Notifier:
    from incasso.adapters.message_sending import default_sender  # deferred: cold start (module docstring)
    from incasso.services.message_policy import Notifier  # deferred: cold start (module docstring)

    return Notifier(claims_store(), default_sender(), documents(), portal_links())


class NotifierOnFirstMessage:
    """The ``Messenger`` port, building ``messenger()`` when the first message goes out: a request that sends
    nothing (a read of the API, the debtor's page) loads neither the message texts with jinja2 nor the
    senders' clients (cold start, ``benchmarks/first_call.py``)."""

    def deliver(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> dict[str, Any]:
        return messenger().deliver(tenant, claim, kind, extra)

    def notify(self, tenant: Tenant, claim: Claim, kind: str, extra: dict[str, Any]) -> None:
        messenger().notify(tenant, claim, kind, extra)


@lru_cache(maxsize=1)
def report_service() -> ReportService:
    from incasso.services.reports import ReportService  # deferred: cold start (module docstring)

    return ReportService(claims_store())


@lru_cache(maxsize=1)
def claim_service() -> ClaimService:
    from incasso.services.claims import ClaimService  # deferred: cold start (module docstring)

    return ClaimService(claims_store(), events=publisher(), workflows=workflows(),
                        messenger=NotifierOnFirstMessage())


@lru_cache(maxsize=1)
def escalation_service() -> EscalationService:
    from incasso.adapters.message_sending import is_retryable  # deferred: cold start (module docstring)
    from incasso.services.escalation import EscalationService  # deferred: cold start (module docstring)
    from incasso.services.message_policy import BailiffHandOver  # deferred: cold start (module docstring)

    return EscalationService(claims_store(), messenger(), BailiffHandOver(claims_store(), documents()),
                             events=publisher(), workflows=workflows(), transient=is_retryable)


def import_service() -> ImportService:
    from incasso.adapters.import_files import ImportFiles  # deferred: cold start (module docstring)
    from incasso.services.imports import ImportService  # deferred: cold start (module docstring)

    settings = get_settings()
    # Large files go to the import state machine only where one is deployed.
    return ImportService(claims_store(), claim_service(), bucket=settings.imports_bucket, files=ImportFiles(),
                         events=publisher(), workflows=workflows() if settings.import_state_machine_arn else None,
                         documents=documents())


@lru_cache(maxsize=1)
def credit_bureau() -> OfflineCreditBureauFake:
    """The ``CreditBureau`` port: only the offline fake ships (it calls no bureau; docs/debtors.md)."""
    from incasso.adapters.credit_bureau import OfflineCreditBureauFake  # deferred: cold start (module docstring)

    return OfflineCreditBureauFake()


def debtor_service() -> DebtorService:
    from incasso.services.debtors import DebtorService  # deferred: cold start (module docstring)

    return DebtorService(claims_store(), claim_service(), credit_bureau())


def sweep_service() -> SweepService:
    from incasso.services.sweep import SweepService  # deferred: cold start (module docstring)

    return SweepService(claims_store(), workflows(), erase_expired=privacy_service().erase_expired)


@lru_cache(maxsize=1)
def debtor_payment_service() -> DebtorPaymentService:
    from incasso.services.debtor_payments import DebtorPaymentService  # deferred: cold start (module docstring)

    return DebtorPaymentService(claims_store(), claim_service())


@lru_cache(maxsize=1)
def privacy_service() -> PrivacyService:
    from incasso.services.privacy import PrivacyService  # deferred: cold start (module docstring)

    return PrivacyService(claims_store(), documents())


@lru_cache(maxsize=1)
def portal_links() -> PortalLinkIssuer:
    from incasso.adapters.portal_tokens import PortalRecords  # deferred: cold start (module docstring)
    from incasso.services.portal import PortalLinkIssuer  # deferred: cold start (module docstring)

    return PortalLinkIssuer(PortalRecords(), base_url=get_settings().portal_base_url)


@lru_cache(maxsize=1)
def portal_service() -> PortalService:
    from incasso.adapters.portal_tokens import PortalRecords  # deferred: cold start (module docstring)
    from incasso.adapters.psp_mollie import default_provider  # deferred: cold start (module docstring)
    from incasso.services.portal import PortalService  # deferred: cold start (module docstring)

    return PortalService(claims_store(), PortalRecords(), claim_service(), links=portal_links(),
                         provider=default_provider(), documents=documents(), publish=publisher().publish)


def tenant_service() -> TenantService:
    from incasso.services.tenants import TenantService  # deferred: cold start (module docstring)

    return TenantService(claims_store())


def user_service() -> UserService:
    from incasso.adapters.users import UserRecords, identity_provider  # deferred: cold start (module docstring)
    from incasso.services.users import UserService  # deferred: cold start (module docstring)

    return UserService(UserRecords(), identity_provider())


def document_service() -> DocumentService:
    from incasso.services.documents import DocumentService  # deferred: cold start (module docstring)

    return DocumentService(claim_service(), claims_store(), documents())


def reconciliation_service() -> ReconciliationService:
    from incasso.adapters.import_files import ImportFiles  # deferred: cold start (module docstring)
    from incasso.adapters.statement_files import StatementFiles  # deferred: cold start (module docstring)
    from incasso.services.reconciliation import ReconciliationService  # deferred: cold start (module docstring)

    return ReconciliationService(claims_store(), claim_service(), bucket=get_settings().imports_bucket,
                                 files=StatementFiles(), uploads=ImportFiles(), publish=publisher().publish,
                                 debtor_payments=debtor_payment_service())


def webhook_service(function_arn: str | None = None) -> WebhookService:
    """The service as the API (subscriptions) or the delivery function (``function_arn``: its own ARN,
    which the retries' schedules invoke) uses it."""
    from incasso.adapters.webhooks import RetryScheduler, WebhookStore, post  # deferred: cold start (module docstring)
    from incasso.services.webhooks import WebhookService  # deferred: cold start (module docstring)

    return WebhookService(WebhookStore(), send=post, retries=RetryScheduler(function_arn) if function_arn else None)


def api_client_service() -> ApiClientService:
    from incasso.adapters.api_clients import ApiClientTable, client_credentials  # deferred: cold start (module docstring)
    from incasso.services.api_clients import ApiClientService  # deferred: cold start (module docstring)

    return ApiClientService(ApiClientTable(), client_credentials())


def reset() -> None:
    for cached in (claims_store, publisher, workflows, documents, messenger, claim_service, escalation_service,
                   privacy_service, portal_links, portal_service, debtor_payment_service, credit_bureau,
                   report_service):
        cached.cache_clear()
