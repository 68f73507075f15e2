"""End-to-end on the whole local stack: the real state machine, the real handlers, moto, and the
simulated clock (2026-01-05T08:00Z, a Monday)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from incasso.domain.models import Address, Debtor, Policy, Tenant
from tenant_profiles import sample_profile

START = dt.date(2026, 1, 5)


class Trajectory:
    """The test's view of the product: the stack, the services, and what went out."""

    def __init__(self, stack) -> None:
        from incasso.services import wiring

        wiring.reset()
        self.stack = stack
        self.store = wiring.claims_store()
        self.claims = wiring.claim_service()

    def tenant(self, tenant_id: str = "acme", **policy) -> Tenant:
        tenant = Tenant(tenant_id=tenant_id, profile=sample_profile(legal_name="Acme B.V."), policy=Policy(**policy))
        self.store.put_tenant(tenant)
        return tenant

    def claim(self, tenant_id: str = "acme", *, debtor_type: str = "consumer", principal: str = "3000.00",
              due: dt.date = START, invoice: str = "F-1", language: str = "nl", phone: str | None = "+31612345678"):
        from incasso.services.claim_commands import NewClaim

        debtor = Debtor(name="J. de Vries", type=debtor_type, email="jan@example.nl", phone=phone, language=language,
                        address=Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht"))
        return self.claims.create(tenant_id, NewClaim(invoice_number=invoice, debtor=debtor, principal=Decimal(principal),
                                                      invoice_date=due - dt.timedelta(days=30), due_date=due))

    def api(self, method: str, path: str, body: object = None, tenant_id: str = "acme") -> tuple[int, dict]:
        """A call of the tenant's HTTP API through the local stack's API function: (status, JSON body)."""
        import json

        from incasso.api.proxy import proxy_event

        event = proxy_event(method, path, tenant_id=tenant_id, body=None if body is None else json.dumps(body),
                            headers={"Content-Type": "application/json"})
        answer = self.stack.invoke("api", event)
        return answer["statusCode"], json.loads(answer["body"])

    def get(self, claim, tenant_id: str = "acme"):
        return self.store.get_claim(tenant_id, claim.claim_id)

    def sent(self, claim, tenant_id: str = "acme") -> list[str]:
        records = sorted(self.store.list_messages(tenant_id, claim.claim_id), key=lambda r: r["sent_at"])
        return [r["kind"] for r in records]

    def until(self, day: dt.date) -> None:
        """Run the world up to 09:00 UTC on ``day`` (steps are taken at 08:00 Dutch time)."""
        self.stack.advance_to(dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.timezone.utc))

    def ledger_keys(self, claim, tenant_id: str = "acme") -> list[str]:
        return [e.key for e in self.store.get_ledger(tenant_id, claim.claim_id)]


@pytest.fixture
def world(local_stack) -> Trajectory:
    return Trajectory(local_stack)
