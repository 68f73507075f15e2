"""Service tests on the in-memory fakes of the ports (tests/fakes): no AWS, no moto, milliseconds each."""

import datetime as dt
import pytest

from fakes import (
    InMemoryDocuments,
    InMemoryFiles,
    InMemoryStore,
    RecordingBailiff,
    RecordingEventBus,
    RecordingMessenger,
    RecordingWorkflows,
)
from incasso.clock import FixedClock, set_clock
from incasso.domain.models import Debtor
from incasso.services.claim_commands import NewClaim
from incasso.services.claims import ClaimService
from tenant_profiles import ready_tenant

TODAY = dt.date(2025, 6, 2)
TENANT = "acme"


@pytest.fixture(autouse=True)
def clock():
    previous = set_clock(FixedClock(dt.datetime(2025, 6, 2, 9, 0, tzinfo=dt.timezone.utc)))
    yield
    set_clock(previous)


@pytest.fixture
def store() -> InMemoryStore:
    store = InMemoryStore()
    store.put_tenant(ready_tenant(TENANT))
    return store


@pytest.fixture
def events() -> RecordingEventBus:
    return RecordingEventBus()


@pytest.fixture
def workflows() -> RecordingWorkflows:
    return RecordingWorkflows()


@pytest.fixture
def messenger() -> RecordingMessenger:
    return RecordingMessenger()


@pytest.fixture
def bailiff() -> RecordingBailiff:
    return RecordingBailiff()


@pytest.fixture
def files() -> InMemoryFiles:
    return InMemoryFiles()


@pytest.fixture
def documents() -> InMemoryDocuments:
    return InMemoryDocuments()


@pytest.fixture
def claims(store, events, workflows, messenger) -> ClaimService:
    return ClaimService(store, events=events, workflows=workflows, messenger=messenger)


def new_claim(invoice_number: str = "INV-1", *, principal: str = "250.00", days_overdue: int = 10) -> NewClaim:
    due_date = TODAY - dt.timedelta(days=days_overdue)
    return NewClaim(invoice_number=invoice_number, debtor=Debtor(name="Jan de Vries", type="consumer",
                                                                 email="jan@example.nl"),
                    principal=principal, invoice_date=due_date - dt.timedelta(days=30), due_date=due_date)
