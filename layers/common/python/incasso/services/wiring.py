"""Builds the services from the settings, once per process (Lambda cold start; the local stack
calls ``reset`` after it changes the environment).

Every service and adapter is imported in its factory, not here: a handler imports this module at
cold start, and each function uses only some of the services (a step Lambda never needs
``ClaimService``, the API never needs ``EscalationService``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from incasso.settings import get_settings

if TYPE_CHECKING:
    from incasso.services.claims import ClaimService
    from incasso.services.escalation import EscalationService


@lru_cache(maxsize=1)
def claims_store():
    from incasso.adapters.claims_store import ClaimsStore

    return ClaimsStore(get_settings().claims_table)


@lru_cache(maxsize=1)
def publisher():
    from incasso.adapters.events import EventPublisher

    return EventPublisher(get_settings().event_bus_name)


@lru_cache(maxsize=1)
def messenger():
    from incasso.services.message_policy import Notifier

    return Notifier(claims_store())


@lru_cache(maxsize=1)
def claim_service() -> ClaimService:
    from incasso.adapters.workflows import resume
    from incasso.services.claims import ClaimService

    notifier = messenger()
    return ClaimService(claims_store(), publish=publisher().publish, resume=resume, notify=notifier.notify)


@lru_cache(maxsize=1)
def escalation_service() -> EscalationService:
    from incasso.services.escalation import EscalationService
    from incasso.services.message_policy import BailiffHandOver

    return EscalationService(claims_store(), messenger(), BailiffHandOver(claims_store()),
                             publish=publisher().publish)


def reset() -> None:
    for cached in (claims_store, publisher, messenger, claim_service, escalation_service, privacy_service):
        cached.cache_clear()


@lru_cache(maxsize=1)
def privacy_service():
    from incasso.adapters.documents import DocumentStore
    from incasso.services.privacy import PrivacyService

    return PrivacyService(claims_store(), DocumentStore())
