"""Creating claims in batches (the CSV importer): the invoice-number guard holds inside and across."""

from __future__ import annotations

import pytest

from incasso.adapters.dynamodb.errors import ClaimAlreadyExistsError
from store_support import TENANT_A, TENANT_B, claim_id_of_invoice, make_claim


def claims(tenant, numbers, prefix="clm"):
    return [make_claim(tenant, f"{prefix}-{n}", f"F-{n}", minute=n) for n in numbers]


def stored_invoices(store, tenant):
    listed, token = [], None
    while True:
        page, token = store.list_claims(tenant, limit=100, next_token=token)
        listed += page
        if token is None:
            return sorted((c.invoice_number, c.claim_id) for c in listed)


def test_a_batch_larger_than_one_transaction_creates_every_claim(any_store):
    store = any_store
    # given 80 new claims (three transactions' worth)
    batch = claims(TENANT_A, range(80))
    # when they are created as a batch
    result = store.create_claims_batch(batch)
    # then each was created, once, with its creation event
    assert list(result) == [c.claim_id for c in batch]
    assert set(result.values()) == {None}
    assert stored_invoices(store, TENANT_A) == sorted((f"F-{n}", f"clm-{n}") for n in range(80))
    assert [e.type for e in store.get_timeline(TENANT_A, "clm-79")] == ["claim_created"]


def test_duplicates_inside_a_batch_and_across_batches_are_reported_and_not_written(any_store):
    store = any_store
    # given invoices F-3 and F-40 already held by earlier claims
    store.create_claim(make_claim(TENANT_A, "old-3", "F-3"))
    store.create_claims_batch([make_claim(TENANT_A, "old-40", "F-40")])
    # and a batch of 50 in which F-3 and F-40 occur again, and F-7 occurs twice
    batch = claims(TENANT_A, range(50)) + [make_claim(TENANT_A, "again-7", "F-7")]
    # when it is created
    result = store.create_claims_batch(batch)
    # then the duplicates name the claims that hold their numbers, and the rest were created
    duplicates = {claim_id: existing for claim_id, existing in result.items() if existing}
    assert duplicates == {"clm-3": "old-3", "clm-40": "old-40", "again-7": "clm-7"}
    # and each invoice number has exactly one claim; nothing of the duplicates was written
    expected = {f"F-{n}": f"clm-{n}" for n in range(50)} | {"F-3": "old-3", "F-40": "old-40"}
    assert stored_invoices(store, TENANT_A) == sorted(expected.items())
    for claim_id in duplicates:
        assert store.get_claim(TENANT_A, claim_id) is None
        assert store.get_timeline(TENANT_A, claim_id) == []


def test_a_second_delivery_of_the_same_claims_reports_each_as_itself(any_store):
    store = any_store
    # given a batch that was created
    batch = claims(TENANT_A, range(5))
    store.create_claims_batch(batch)
    # when the same claims (same ids) come again
    result = store.create_claims_batch(batch)
    # then each is reported as held by itself, and nothing is doubled
    assert result == {c.claim_id: c.claim_id for c in batch}
    assert len(stored_invoices(store, TENANT_A)) == 5
    assert [e.type for e in store.get_timeline(TENANT_A, "clm-0")] == ["claim_created"]


def test_the_same_invoice_numbers_at_two_tenants_are_no_duplicates(any_store):
    store = any_store
    # given / when one batch holds F-0..F-4 for tenant A and for tenant B
    result = store.create_claims_batch(claims(TENANT_A, range(5), "a") + claims(TENANT_B, range(5), "b"))
    # then all ten are created, five per tenant
    assert set(result.values()) == {None}
    assert len(stored_invoices(store, TENANT_A)) == len(stored_invoices(store, TENANT_B)) == 5


def test_a_batch_naming_one_claim_id_twice_is_refused(store):
    with pytest.raises(ValueError):
        store.create_claims_batch([make_claim(invoice_number="F-1"), make_claim(invoice_number="F-2")])


def test_a_claim_id_taken_by_another_invoice_is_an_error_not_a_duplicate(store):
    # given claim clm-1 for F-1
    store.create_claim(make_claim(claim_id="clm-1", invoice_number="F-1"))
    # when a batch brings clm-1 for F-2 / then it is refused
    with pytest.raises(ClaimAlreadyExistsError):
        store.create_claims_batch([make_claim(claim_id="clm-1", invoice_number="F-2")])
    assert claim_id_of_invoice(store, TENANT_A, "F-2") is None
