"""The sparse due index the daily sweep reads, and the tenant registry: Queries, never a Scan."""

from __future__ import annotations

import datetime as dt

from incasso.adapters import keys
from incasso.adapters.dynamodb.claims import DueClaim
from incasso.domain.models import ClaimStatus, Tenant
from tenant_profiles import sample_profile
from store_support import TENANT_A, TENANT_B, TODAY, make_claim

YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)


def test_only_claims_due_on_or_before_the_day_are_found_and_nothing_is_scanned(store, operations):
    # given claims due yesterday, today and tomorrow, one without a next action, one closed, one at B
    store.create_claim(make_claim(claim_id="due-yesterday", invoice_number="F-1", next_action_on=YESTERDAY))
    store.create_claim(make_claim(claim_id="due-today", invoice_number="F-2", next_action_on=TODAY, phase=2))
    store.create_claim(make_claim(claim_id="due-tomorrow", invoice_number="F-3", next_action_on=TOMORROW))
    store.create_claim(make_claim(claim_id="waiting", invoice_number="F-4", next_action_on=None))
    store.create_claim(make_claim(claim_id="closed", invoice_number="F-5", next_action_on=YESTERDAY,
                                  status=ClaimStatus.PAID))
    store.create_claim(make_claim(TENANT_B, claim_id="other-tenant", invoice_number="F-6", next_action_on=TODAY))
    operations.clear()
    # when the sweep asks what is due today
    due = list(store.due_claims(TENANT_A, TODAY))
    # then it gets exactly the due claims, oldest day first, with their phase
    assert due == [DueClaim("due-yesterday", YESTERDAY, 1), DueClaim("due-today", TODAY, 2)]
    # and it only queried
    assert operations.operations == ["Query"]


def test_a_claim_leaves_the_due_index_when_its_next_action_is_gone_or_it_closes(store, raw):
    # given two claims due today
    store.create_claim(make_claim(claim_id="clm-1", invoice_number="F-1", next_action_on=TODAY))
    store.create_claim(make_claim(claim_id="clm-2", invoice_number="F-2", next_action_on=TODAY))
    # when one waits on a task token (no next action) and the other is paid
    one, two = store.get_claim(TENANT_A, "clm-1"), store.get_claim(TENANT_A, "clm-2")
    store.save_claim(one.model_copy(update={"next_action_on": None, "waiting_for": "dispute"}), expected_version=0)
    store.save_claim(two.model_copy(update={"status": ClaimStatus.PAID}), expected_version=0)
    # then neither is due, and the items no longer carry the index attributes at all
    assert list(store.due_claims(TENANT_A, TOMORROW)) == []
    for claim_id in ("clm-1", "clm-2"):
        item = raw(keys.claim_pk(TENANT_A, claim_id), keys.CLAIM_SK)
        assert "due_pk" not in item and "due_sk" not in item


def test_a_later_next_action_moves_the_claim_in_the_due_index(store):
    # given a claim due today
    store.create_claim(make_claim(next_action_on=TODAY))
    claim = store.get_claim(TENANT_A, "clm-1")
    # when its next action moves two weeks on
    store.save_claim(claim.model_copy(update={"next_action_on": TODAY + dt.timedelta(days=14)}), expected_version=0)
    # then it is not due today, and due in two weeks
    assert list(store.due_claims(TENANT_A, TODAY)) == []
    assert [d.due_on for d in store.due_claims(TENANT_A, TODAY + dt.timedelta(days=30))] == [
        TODAY + dt.timedelta(days=14)]


def test_many_due_claims_come_page_by_page(store, operations):
    # given seven due claims and a page size of three
    for n in range(7):
        store.create_claim(make_claim(claim_id=f"clm-{n}", invoice_number=f"F-{n}",
                                      next_action_on=TODAY - dt.timedelta(days=n)))
    store.due_page_size = 3
    operations.clear()
    # when the due claims are read
    due = list(store.due_claims(TENANT_A, TODAY))
    # then all seven come, oldest first, in several Queries and no Scan
    assert [d.claim_id for d in due] == [f"clm-{n}" for n in reversed(range(7))]
    assert set(operations.operations) == {"Query"} and len(operations.operations) >= 3


def test_the_sweep_learns_the_tenants_from_the_registry_without_a_scan(store, operations):
    # given two tenants, one of them stored twice
    store.put_tenant(Tenant(tenant_id=TENANT_B, profile=sample_profile(legal_name="Globex")))
    store.put_tenant(Tenant(tenant_id=TENANT_A, profile=sample_profile(legal_name="Acme")))
    store.put_tenant(Tenant(tenant_id=TENANT_A, profile=sample_profile(legal_name="Acme B.V.")))
    operations.clear()
    # when the tenants are listed
    tenants = store.list_tenants()
    # then each is there once, by a Query
    assert tenants == [TENANT_A, TENANT_B]
    assert operations.operations == ["Query"]
    assert store.get_tenant(TENANT_A).profile.legal_name == "Acme B.V."
