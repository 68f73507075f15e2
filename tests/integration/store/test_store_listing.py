"""Listing claims page by page, the page tokens, and what one tenant can see of another."""

from __future__ import annotations

import base64
import json

import pytest

from incasso.adapters.claims_store import ClaimsStore
from incasso.adapters.dynamodb.errors import InvalidPageToken
from incasso.domain.models import ClaimStatus
from store_support import TENANT_A, TENANT_B, claim_id_of_invoice, make_claim


def create(store, tenant, count, status=ClaimStatus.OPEN, start=0):
    for n in range(start, start + count):
        store.create_claim(make_claim(tenant, f"clm-{n:02d}", f"F-{n:02d}", minute=n, status=status))


def all_pages(store, tenant, status=None, limit=3):
    pages, token = [], None
    while True:
        claims, token = store.list_claims(tenant, status=status, limit=limit, next_token=token)
        pages.append([c.claim_id for c in claims])
        if token is None:
            return pages


def test_seven_claims_come_in_three_pages_in_creation_order_without_gaps_or_repeats(store):
    # given seven claims of tenant A (and some of tenant B)
    create(store, TENANT_A, 7)
    create(store, TENANT_B, 2)
    # when they are listed three at a time
    first, token1 = store.list_claims(TENANT_A, limit=3)
    second, token2 = store.list_claims(TENANT_A, limit=3, next_token=token1)
    third, token3 = store.list_claims(TENANT_A, limit=3, next_token=token2)
    # then three pages hold each claim once, in creation order; the last page has no token
    ids = [c.claim_id for c in first + second + third]
    assert (len(first), len(second), len(third)) == (3, 3, 1)
    assert ids == [f"clm-{n:02d}" for n in range(7)]
    assert token1 and token2 and token3 is None
    assert all(c.tenant_id == TENANT_A for c in first + second + third)


def test_a_full_last_page_carries_no_token(store):
    # given six claims / when listed three at a time / then two pages, and no empty third one
    create(store, TENANT_A, 6)
    assert all_pages(store, TENANT_A) == [["clm-00", "clm-01", "clm-02"], ["clm-03", "clm-04", "clm-05"]]


def test_a_tenant_without_claims_gets_one_empty_page(store):
    assert store.list_claims(TENANT_A) == ([], None)


def test_listing_by_status_follows_the_claims_status(store):
    # given three open claims, one of which is then paid
    create(store, TENANT_A, 3)
    claim = store.get_claim(TENANT_A, "clm-01")
    store.save_claim(claim.model_copy(update={"status": ClaimStatus.PAID}), expected_version=claim.version)
    # when listed by status
    # then each status lists its own, and all claims are listed without a status
    assert all_pages(store, TENANT_A, ClaimStatus.OPEN, limit=1) == [["clm-00"], ["clm-02"]]
    assert all_pages(store, TENANT_A, "paid") == [["clm-01"]]
    assert all_pages(store, TENANT_A, ClaimStatus.IN_COLLECTION) == [[]]
    assert all_pages(store, TENANT_A) == [["clm-00", "clm-01", "clm-02"]]


def test_a_page_token_of_tenant_a_is_refused_for_tenant_b(store):
    # given a page token that tenant A received
    create(store, TENANT_A, 4)
    create(store, TENANT_B, 4)
    _, token_of_a = store.list_claims(TENANT_A, limit=2)
    # when tenant B presents it
    # then it is refused, and B sees nothing of A either way
    with pytest.raises(InvalidPageToken):
        store.list_claims(TENANT_B, limit=2, next_token=token_of_a)


def test_a_changed_page_token_is_refused(store):
    # given a genuine token
    create(store, TENANT_A, 4)
    _, token = store.list_claims(TENANT_A, limit=2)
    body, mac = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    # when its payload is rewritten to name tenant B (with the old MAC) or to skip ahead
    for changed in ({**payload, "t": TENANT_B}, {**payload, "a": "9999"}):
        forged_body = base64.urlsafe_b64encode(json.dumps(changed, separators=(",", ":")).encode()).decode().rstrip("=")
        # then it is refused, whoever presents it
        with pytest.raises(InvalidPageToken):
            store.list_claims(TENANT_A, limit=2, next_token=f"{forged_body}.{mac}")
        with pytest.raises(InvalidPageToken):
            store.list_claims(TENANT_B, limit=2, next_token=f"{forged_body}.{mac}")


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "e30.AAAA", "%%%.%%%"])
def test_something_that_is_no_page_token_is_refused(store, token):
    with pytest.raises(InvalidPageToken):
        store.list_claims(TENANT_A, next_token=token)


def test_a_token_of_one_listing_is_refused_for_another(store):
    # given a token from the listing of open claims
    create(store, TENANT_A, 4)
    _, token = store.list_claims(TENANT_A, status=ClaimStatus.OPEN, limit=2)
    # when it is used for all claims, or for paid ones / then it is refused
    with pytest.raises(InvalidPageToken):
        store.list_claims(TENANT_A, limit=2, next_token=token)
    with pytest.raises(InvalidPageToken):
        store.list_claims(TENANT_A, status=ClaimStatus.PAID, limit=2, next_token=token)


def test_a_token_made_with_another_key_is_refused(store):
    # given a token of a store with another secret
    create(store, TENANT_A, 4)
    _, token = ClaimsStore(store.table_name, page_token_secret="another").list_claims(TENANT_A, limit=2)
    # when used here / then refused
    with pytest.raises(InvalidPageToken):
        store.list_claims(TENANT_A, limit=2, next_token=token)


def test_tokens_are_url_safe(store):
    create(store, TENANT_A, 3)
    _, token = store.list_claims(TENANT_A, limit=1)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


@pytest.mark.parametrize("limit", [0, 101])
def test_a_page_size_out_of_range_is_refused(store, limit):
    with pytest.raises(ValueError):
        store.list_claims(TENANT_A, limit=limit)


def test_tenant_b_cannot_reach_tenant_a_s_claim_in_any_way(store):
    # given tenant A's claim, due today, with ledger and timeline
    from store_support import TODAY, entry

    store.create_claim(make_claim(TENANT_A, "clm-a", "F-1", next_action_on=TODAY))
    store.save_claim(store.get_claim(TENANT_A, "clm-a"), expected_version=0, ledger=[entry("k")])
    # when tenant B asks for it by id, by invoice number, in its lists and its due claims
    # then B finds nothing
    assert store.get_claim(TENANT_B, "clm-a") is None
    assert claim_id_of_invoice(store, TENANT_B, "F-1") is None
    assert store.list_claims(TENANT_B) == ([], None)
    assert store.list_claims(TENANT_B, status=ClaimStatus.OPEN) == ([], None)
    assert list(store.due_claims(TENANT_B, TODAY)) == []
    assert store.get_ledger(TENANT_B, "clm-a") == [] and store.get_timeline(TENANT_B, "clm-a") == []
    # while A finds it everywhere
    assert [c.claim_id for c in store.list_claims(TENANT_A)[0]] == ["clm-a"]
    assert [d.claim_id for d in store.due_claims(TENANT_A, TODAY)] == ["clm-a"]
