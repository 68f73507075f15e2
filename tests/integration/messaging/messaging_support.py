"""Constants and builders for the messaging tests (a unique module name, so tests can import it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import Address, Amounts, Claim, Debtor, MessageKind, Tenant
from incasso.letters.render import CostNotice, LetterContext, LetterTerm
from tenant_profiles import sample_profile

REGION = "eu-west-1"
BUCKET = "incasso-documents-test"
SENDER = "noreply@incasso.example"
NOW = dt.datetime(2025, 6, 3, 9, 0, tzinfo=dt.timezone.utc)


def letter_context(kind: MessageKind = MessageKind.FOURTEEN_DAY_LETTER, **debtor_fields) -> LetterContext:
    """A message to a consumer owing EUR 3,000; the 14-day letter names costs of EUR 425.00."""
    debtor = dict(name="Jan de Vries", type="consumer", email="jan@example.nl", phone="06 12345678",
                  address=Address(street="Dorpsstraat 5", postal_code="1234 AB", city="Utrecht"))
    debtor.update(debtor_fields)
    claim = Claim(tenant_id="acme", claim_id="c-2025-001", invoice_number="2025-001", debtor=Debtor(**debtor),
                  invoice_date=dt.date(2025, 4, 1), due_date=dt.date(2025, 5, 1), principal=Decimal("3000.00"),
                  amounts=Amounts(principal=Decimal("3000.00"), outstanding=Decimal("3000.00")),
                  created_at=NOW, updated_at=NOW)
    tenant = Tenant(tenant_id="acme", profile=sample_profile())
    letter = {}
    if kind is MessageKind.FOURTEEN_DAY_LETTER:
        letter = dict(costs_notice=CostNotice(costs=Decimal("425.00")),
                      term=LetterTerm(delivered_on=dt.date(2025, 6, 5), starts_on=dt.date(2025, 6, 6),
                                      ends_on=dt.date(2025, 6, 19)))
    return LetterContext(tenant=tenant, claim=claim, kind=kind, sent_on=NOW.date(), **letter)
