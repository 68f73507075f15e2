"""Builders for letter tests: a creditor and a claim of EUR 3,000 (imported by this unique module name)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from incasso.domain.models import Address, Amounts, Claim, Debtor, Tenant
from tenant_profiles import sample_profile

SENT_ON = dt.date(2025, 6, 3)  # a Tuesday: presumed delivered Thursday 5 June, term 6–19 June
NOW = dt.datetime(2025, 6, 3, 9, 0, tzinfo=dt.timezone.utc)


def make_tenant(**fields) -> Tenant:
    values = dict(tenant_id="acme", profile=sample_profile())
    values.update(fields)
    return Tenant(**values)


def make_claim(*, debtor_type: str = "consumer", language: str = "nl", principal: str = "3000.00",
               interest: str = "12.34", costs: str = "0.00", costs_vat: str = "0.00", paid: str = "0.00",
               **debtor_fields) -> Claim:
    amounts = Amounts(principal=Decimal(principal), interest=Decimal(interest), collection_costs=Decimal(costs),
                      collection_costs_vat=Decimal(costs_vat), paid=Decimal(paid),
                      outstanding=Decimal(principal) + Decimal(interest) + Decimal(costs) + Decimal(costs_vat)
                      - Decimal(paid))
    debtor = dict(name="Jan de Vries", type=debtor_type, language=language, email="jan@example.nl",
                  phone="06 12345678", address=Address(street="Dorpsstraat 5", postal_code="1234 AB", city="Utrecht"))
    debtor.update(debtor_fields)
    return Claim(
        tenant_id="acme", claim_id="c-2025-001", invoice_number="2025-001", debtor=Debtor(**debtor),
        invoice_date=dt.date(2025, 4, 1), due_date=dt.date(2025, 5, 1), principal=Decimal(principal),
        amounts=amounts, interest_until=SENT_ON, created_at=NOW, updated_at=NOW,
    )


def make_context(kind: str, *, tenant: Tenant | None = None, claim: Claim | None = None, language: str | None = None,
                 **fields):
    """A complete context for ``kind``: each kind gets what it needs (costs, slot, allocation, instalments)."""
    from incasso.domain.models import Allocation, Instalment, MessageKind
    from incasso.letters.render import CostNotice, DisputeNotice, LetterContext, LetterTerm

    kind = MessageKind(kind)
    needs = {
        MessageKind.FOURTEEN_DAY_LETTER: dict(
            costs_notice=CostNotice(costs=Decimal("425.00")),
            term=LetterTerm(delivered_on=dt.date(2025, 6, 5), starts_on=dt.date(2025, 6, 6),
                            ends_on=dt.date(2025, 6, 19))),
        MessageKind.NOTICE_OF_DEFAULT: dict(costs_notice=CostNotice(costs=Decimal("425.00")),
                                            interest_rate=Decimal("10.15")),
        MessageKind.CALL_SCHEDULED: dict(call_slot=dt.datetime(2025, 7, 3, 8, 30, tzinfo=dt.timezone.utc)),
        MessageKind.PAYMENT_CONFIRMATION: dict(
            allocation=Allocation(costs=Decimal("0.00"), interest=Decimal("12.34"), principal=Decimal("987.66")),
            paid_on=dt.date(2025, 6, 2)),
        MessageKind.ARRANGEMENT_CONFIRMATION: dict(instalments=(
            Instalment(due_date=dt.date(2025, 7, 1), amount=Decimal("1500.00")),
            Instalment(due_date=dt.date(2025, 8, 1), amount=Decimal("1512.34")))),
        MessageKind.ARRANGEMENT_REFUSED: dict(refusal_reason="twelve instalments are more than we can agree to"),
        MessageKind.BAILIFF_DISPUTE: dict(dispute=DisputeNotice(state="opened", amount=Decimal("500.00"),
                                                                reason="half the goods were never delivered")),
    }.get(kind, {})
    needs.update(fields)
    return LetterContext(tenant=tenant or make_tenant(), claim=claim or make_claim(), kind=kind, sent_on=SENT_ON,
                         language=language, **needs)
