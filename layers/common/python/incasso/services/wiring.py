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
from typing import TYPE_CHECKING

from incasso.settings import get_settings

if TYPE_CHECKING:
    from incasso.adapters.claims_store import ClaimsStore
    from incasso.adapters.documents import DocumentStore
    from incasso.adapters.events import EventPublisher
    from incasso.adapters.workflows import StepFunctionsWorkflows
    from incasso.services.claims import ClaimService
    from incasso.services.escalation import EscalationService
    from incasso.services.imports import ImportService
    from incasso.services.message_policy import Notifier
    from incasso.services.sweep import SweepService


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

    return Notifier(claims_store(), default_sender(), documents())


@lru_cache(maxsize=1)
def claim_service() -> ClaimService:
    from incasso.services.claims import ClaimService  # deferred: cold start (module docstring)

    return ClaimService(claims_store(), events=publisher(), workflows=workflows(), messenger=messenger())


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
                         events=publisher(), workflows=workflows() if settings.import_state_machine_arn else None)


def sweep_service() -> SweepService:
    from incasso.services.sweep import SweepService  # deferred: cold start (module docstring)

    return SweepService(claims_store(), workflows())


def reset() -> None:
    for cached in (claims_store, publisher, workflows, documents, messenger, claim_service, escalation_service):
        cached.cache_clear()
