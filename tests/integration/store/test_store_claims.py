"""Creating and reading claims: the invoice-number guard, exact money, tenant scoping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from incasso.adapters import keys
from incasso.adapters.dynamodb.errors import DuplicateInvoiceError
from incasso.domain.models import (
    Allocation,
    Amounts,
    Arrangement,
    ClaimStatus,
    Instalment,
    LedgerKind,
    LedgerEntry,
    Policy,
    Stage,
    Tenant,
)
from tenant_profiles import sample_profile
from store_support import NOW, TENANT_A, TENANT_B, claim_id_of_invoice, make_claim


def test_a_created_claim_reads_back_equal_in_every_field(store):
    # given a claim with every optional part filled in
    claim = make_claim(
        stage=Stage.FOURTEEN_DAY_LETTER, status=ClaimStatus.ARRANGEMENT,
        interest_until=dt.date(2025, 3, 9), next_action_on=dt.date(2025, 3, 24),
        step_dates={"reminder_1": dt.date(2025, 2, 7), "fourteen_day_letter": dt.date(2025, 3, 7)},
        announced_costs=Decimal("63.75"), announced_costs_vat=Decimal("13.39"),
        term_ends_on=dt.date(2025, 3, 24), task_token="tok/abc==", waiting_for="dispute", phase=2,
        pending_messages=["reminder_2#1"], call_at=dt.datetime(2025, 3, 11, 9, tzinfo=dt.timezone.utc),
        arrangement=Arrangement(agreed_at=NOW, paid_at_start=Decimal("10.00"), instalments=[
            Instalment(due_date=dt.date(2025, 4, 1), amount=Decimal("200.00")),
            Instalment(due_date=dt.date(2025, 5, 1), amount=Decimal("225.01"))]),
        dispute_reason="not delivered",
    )
    # when it is created and read back
    store.create_claim(claim)
    stored = store.get_claim(TENANT_A, claim.claim_id)
    # then it is the same claim
    assert stored == claim


AMOUNTS = ["0.00", "0.01", "0.10", "0.29", "1.15", "19.99", "425.00", "1234567.89", "99999999999.99"]


@pytest.mark.parametrize("amount", AMOUNTS)
def test_every_money_field_round_trips_to_the_cent_and_is_stored_as_integer_cents(store, raw, amount):
    # given a claim, a ledger entry and a tenant policy where every money field holds ``amount``
    value = Decimal(amount)
    # (the amounts must add up: four parts less one paid leave three outstanding)
    money = dict(principal=value, interest=value, collection_costs=value, collection_costs_vat=value,
                 paid=value, outstanding=3 * value)
    claim = make_claim(principal=value, amounts=Amounts(**money), paid_costs=value, paid_interest=value,
                       paid_principal=value, announced_costs=value, announced_costs_vat=value)
    booking = LedgerEntry(key="payment#1", kind=LedgerKind.PAYMENT, amount=value, booked_at=NOW,
                          allocation=Allocation(costs=value, interest=value, principal=value))
    tenant = Tenant(tenant_id=TENANT_A, profile=sample_profile(), policy=Policy(bailiff_min_outstanding=value))
    # when they are stored and read back
    store.create_claim(claim)
    store.save_claim(claim, expected_version=0, ledger=[booking])
    store.put_tenant(tenant)
    # then every amount is exactly the same Decimal
    stored = store.get_claim(TENANT_A, claim.claim_id)
    assert stored.model_dump(exclude={"version"}) == claim.model_dump(exclude={"version"})
    assert store.get_ledger(TENANT_A, claim.claim_id) == [booking]
    assert store.get_tenant(TENANT_A).policy.bailiff_min_outstanding == value
    # and DynamoDB holds whole cents (N), never a float or a euro string
    item = raw(keys.claim_pk(TENANT_A, claim.claim_id), keys.CLAIM_SK)
    cents = str(int(value * 100))
    assert item["principal_cents"] == {"N": cents}
    assert item["amounts"]["M"]["outstanding_cents"] == {"N": str(3 * int(value * 100))}
    assert "principal" not in item
    ledger_item = raw(keys.claim_pk(TENANT_A, claim.claim_id), keys.ledger_sk("payment#1"))
    assert ledger_item["amount_cents"] == {"N": cents}
    assert ledger_item["allocation"]["M"]["costs_cents"] == {"N": cents}


def test_a_duplicate_invoice_number_is_refused_and_nothing_of_it_is_written(store, raw):
    # given a claim for invoice F-1
    store.create_claim(make_claim(claim_id="clm-1", invoice_number="F-1"))
    # when another claim of the same tenant names F-1
    with pytest.raises(DuplicateInvoiceError) as refused:
        store.create_claim(make_claim(claim_id="clm-2", invoice_number="F-1"))
    # then the error names the claim that holds the number
    assert refused.value.existing_claim_id == "clm-1"
    # and the second claim left nothing behind: no claim, no timeline, the guard unchanged
    assert store.get_claim(TENANT_A, "clm-2") is None
    assert store.get_timeline(TENANT_A, "clm-2") == []
    assert claim_id_of_invoice(store, TENANT_A, "F-1") == "clm-1"
    claims, _ = store.list_claims(TENANT_A)
    assert [c.claim_id for c in claims] == ["clm-1"]


def test_the_same_invoice_number_at_another_tenant_is_another_claim(store):
    # given tenant A's claim for F-1
    store.create_claim(make_claim(TENANT_A, "clm-a", "F-1"))
    # when tenant B creates a claim for its own F-1
    store.create_claim(make_claim(TENANT_B, "clm-b", "F-1"))
    # then each tenant finds its own
    assert claim_id_of_invoice(store, TENANT_A, "F-1") == "clm-a"
    assert claim_id_of_invoice(store, TENANT_B, "F-1") == "clm-b"


def test_creating_the_same_claim_again_is_no_duplicate_of_itself(store):
    # given a created claim
    claim = make_claim()
    store.create_claim(claim)
    # when the very same claim is created again (a retried request)
    again = store.create_claim(claim)
    # then the stored claim is answered and there is still one creation event
    assert again == claim
    assert [e.type for e in store.get_timeline(TENANT_A, claim.claim_id)] == ["claim_created"]


def test_a_claim_starts_its_timeline_with_its_creation(store):
    # given / when a claim is created
    claim = make_claim()
    store.create_claim(claim)
    # then its timeline holds one event at its creation
    [created] = store.get_timeline(TENANT_A, claim.claim_id)
    assert (created.type, created.at, created.details["invoice_number"]) == ("claim_created", NOW, "F-1")


def test_unknown_claims_and_invoices_are_none(store):
    assert store.get_claim(TENANT_A, "nope") is None
    assert claim_id_of_invoice(store, TENANT_A, "nope") is None
    assert store.get_tenant(TENANT_A) is None


def test_a_tenant_id_that_could_leave_its_key_prefix_is_refused(store):
    # given / when a tenant id with the key separator is used / then it is refused before any request
    with pytest.raises(keys.InvalidTenantId):
        store.get_claim("acme#CLAIM#x", "clm-1")
    with pytest.raises(keys.InvalidTenantId):
        store.create_claim(make_claim(tenant_id="ACME"))
