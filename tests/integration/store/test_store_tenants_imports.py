"""Tenants (profile and policy) and import records (state, counts, the list of problems)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from incasso.adapters.dynamodb import tenants
from incasso.domain.import_records import ImportRecord, ImportRowError, ImportStatus
from incasso.domain.models import Address, Channel, CreditorType, Policy, Tenant
from tenant_profiles import sample_profile
from store_support import NOW, TENANT_A, TENANT_B


def test_a_tenant_and_its_policy_read_back_equal(store):
    # given a tenant with a policy that differs from the defaults everywhere
    tenant = Tenant(
        tenant_id=TENANT_A, creditor_type=CreditorType.INDIVIDUAL,
        profile=sample_profile(legal_name="Acme B.V.", trade_name="Acme", vat_number="NL004495445B01", bic="RABONL2U"),
        policy=Policy(reminder_1_days=3, reminder_2_days=10, call_days=20, notice_days=30, call_enabled=False,
                      business_flat_fee=True, creditor_vat_deductible=False, notice_channel=Channel.EMAIL,
                      email_delivery_days=1, bailiff_min_outstanding=Decimal("1000.01"),
                      business_hours_start=dt.time(8, 30), business_hours_end=dt.time(16, 45),
                      contractual_interest_rate=Decimal("8.25")),
    )
    # when stored and read back / then it is the same
    store.put_tenant(tenant)
    assert store.get_tenant(TENANT_A) == tenant
    assert store.get_tenant(TENANT_B) is None


def _write_elsewhere(store, tenant: Tenant) -> None:
    """The profile changed by another process: straight into the table, past this process's copy."""
    from incasso.adapters import keys
    from incasso.adapters.codec import model_to_attrs

    item = model_to_attrs(tenant)
    item.update(pk={"S": keys.tenant_pk(tenant.tenant_id)}, sk={"S": keys.PROFILE_SK}, entity={"S": "tenant"})
    store.client.put_item(TableName=store.table_name, Item=item)


def test_a_tenant_read_with_a_max_age_is_this_process_copy_until_it_is_that_old(store, monkeypatch):
    # given a tenant written through this process, then changed by another one
    first = Tenant(tenant_id=TENANT_A, profile=sample_profile(legal_name="Acme B.V."), policy=Policy(call_enabled=True))
    changed = first.model_copy(update={"policy": Policy(call_enabled=False)})
    now = [1000.0]
    monkeypatch.setattr(tenants.time, "monotonic", lambda: now[0])
    store.put_tenant(first)
    _write_elsewhere(store, changed)
    # when read within the max age / then this process's copy is used
    now[0] += 59
    assert store.get_tenant(TENANT_A, max_age=60) == first
    # and a read without a max age, or one past it, reads the table (and keeps what it read)
    assert store.get_tenant(TENANT_A) == changed
    _write_elsewhere(store, first)
    now[0] += 61
    assert store.get_tenant(TENANT_A, max_age=60) == first


def test_a_tenant_written_through_this_process_is_seen_at_once(store):
    # given a tenant read (and so copied) with a max age
    store.put_tenant(Tenant(tenant_id=TENANT_A, profile=sample_profile(legal_name="Acme B.V.")))
    assert store.get_tenant(TENANT_A, max_age=60).policy.call_enabled
    # when its policy is changed through this process / then the next read sees the change
    store.put_tenant(Tenant(tenant_id=TENANT_A, profile=sample_profile(legal_name="Acme B.V."), policy=Policy(call_enabled=False)))
    assert not store.get_tenant(TENANT_A, max_age=60).policy.call_enabled
    # and a copy is only ever of its own tenant
    assert store.get_tenant(TENANT_B, max_age=60) is None


def record(**fields) -> ImportRecord:
    values = dict(tenant_id=TENANT_A, import_id="imp-1", filename="facturen.csv",
                  key="tenants/acme/imports/imp-1/facturen.csv", created_at=NOW, updated_at=NOW)
    return ImportRecord(**(values | fields))


def test_an_import_reads_back_equal_and_only_for_its_tenant(store):
    # given an import with a report
    done = record(status=ImportStatus.COMPLETED, accepted=3, rejected=1, source="etag-1", finished_at=NOW,
                  errors=[ImportRowError(row=4, field="principal", message="not an amount: 'x'")])
    # when stored (both call forms) and read back
    store.put_import(done)
    store.put_import(TENANT_A, done.model_copy(update={"import_id": "imp-2"}))
    # then it is the same, and another tenant does not find it
    assert store.get_import(TENANT_A, "imp-1") == done
    assert store.get_import(TENANT_A, "imp-2").accepted == 3
    assert store.get_import(TENANT_B, "imp-1") is None
    with pytest.raises(ValueError):
        store.put_import(TENANT_B, done)
