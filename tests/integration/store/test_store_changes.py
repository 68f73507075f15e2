"""Changing a claim: optimistic locking, idempotent ledger entries and messages, one transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from incasso.adapters.dynamodb.errors import AlreadyDoneError, ClaimNotFoundError, ConcurrentModificationError
from incasso.clock import FixedClock, set_clock
from incasso.domain.models import ClaimStatus, Stage
from store_support import NOW, TENANT_A, TENANT_B, entry, event, make_claim


def test_of_two_writers_with_the_same_version_one_wins_and_the_other_is_refused(any_store):
    store = any_store
    # given a claim that two processes have read at version 0
    store.create_claim(make_claim())
    first = store.get_claim(TENANT_A, "clm-1")
    second = store.get_claim(TENANT_A, "clm-1")
    # when both write their change
    saved = store.save_claim(first.model_copy(update={"status": ClaimStatus.PAID}), expected_version=first.version,
                             timeline=[event("claim_closed")])
    with pytest.raises(ConcurrentModificationError) as refused:
        store.save_claim(second.model_copy(update={"stage": Stage.REMINDER_1}), expected_version=second.version,
                         timeline=[event("reminder_1_sent")])
    # then the first change stands, at version 1, and nothing of the second was written
    assert refused.value.current_version == 1
    assert saved.version == 1
    stored = store.get_claim(TENANT_A, "clm-1")
    assert (stored.status, stored.stage, stored.version) == (ClaimStatus.PAID, Stage.NONE, 1)
    assert [e.type for e in store.get_timeline(TENANT_A, "clm-1")] == ["claim_created", "claim_closed"]


def test_every_save_increments_the_version(store):
    # given a claim at version 0
    store.create_claim(make_claim())
    # when it is saved three times, each from what the last save answered
    claim = store.get_claim(TENANT_A, "clm-1")
    for _ in range(3):
        claim = store.save_claim(claim, expected_version=claim.version)
    # then it is at version 3, and a save from version 2 is refused
    assert store.get_claim(TENANT_A, "clm-1").version == 3
    with pytest.raises(ConcurrentModificationError):
        store.save_claim(claim, expected_version=2)


def test_saving_a_claim_that_does_not_exist_is_refused(store):
    with pytest.raises(ClaimNotFoundError):
        store.save_claim(make_claim(), expected_version=0)
    assert store.get_claim(TENANT_A, "clm-1") is None


def test_another_tenant_cannot_save_over_a_claim(store):
    # given tenant A's claim
    store.create_claim(make_claim(TENANT_A))
    # when tenant B saves a claim with the same id
    with pytest.raises(ClaimNotFoundError):
        store.save_claim(make_claim(TENANT_B, principal="1.00"), expected_version=0)
    # then A's claim is untouched
    assert store.get_claim(TENANT_A, "clm-1").version == 0


def test_a_ledger_key_booked_before_makes_the_second_save_already_done_and_writes_nothing(any_store):
    store = any_store
    # given a claim with the reminder_2 costs booked under their step key
    store.create_claim(make_claim())
    claim = store.save_claim(store.get_claim(TENANT_A, "clm-1"), expected_version=0,
                             ledger=[entry("reminder_2#costs")], timeline=[event("costs_booked")])
    # when a retried step books the same key again (with the current version)
    with pytest.raises(AlreadyDoneError) as done:
        store.save_claim(claim.model_copy(update={"stage": Stage.REMINDER_2}), expected_version=claim.version,
                         ledger=[entry("reminder_2#interest", "1.00"), entry("reminder_2#costs")],
                         timeline=[event("costs_booked", minute=2)])
    # then it is told which key was done, and nothing of the second save was written
    assert done.value.done_keys == ["reminder_2#costs"]
    assert [e.key for e in store.get_ledger(TENANT_A, "clm-1")] == ["reminder_2#costs"]
    assert [e.type for e in store.get_timeline(TENANT_A, "clm-1")] == ["claim_created", "costs_booked"]
    stored = store.get_claim(TENANT_A, "clm-1")
    assert (stored.version, stored.stage) == (1, Stage.NONE)


def test_a_message_key_sent_before_makes_the_second_save_already_done(any_store):
    store = any_store
    # given a claim whose reminder_1 was marked sent
    store.create_claim(make_claim())
    claim = store.save_claim(store.get_claim(TENANT_A, "clm-1"), expected_version=0, message_keys=["reminder_1"])
    assert store.has_message(TENANT_A, "clm-1", "reminder_1")
    # when the same message is marked again
    with pytest.raises(AlreadyDoneError) as done:
        store.save_claim(claim, expected_version=claim.version, message_keys=["reminder_1"])
    # then nothing was written
    assert done.value.done_keys == ["reminder_1"]
    assert store.get_claim(TENANT_A, "clm-1").version == 1


def test_already_done_wins_over_a_version_conflict(store):
    # given a step that was done (ledger key booked) and a retry that read the claim before that
    store.create_claim(make_claim())
    stale = store.get_claim(TENANT_A, "clm-1")
    store.save_claim(stale, expected_version=0, ledger=[entry("notice#costs")])
    # when the retry saves with its stale version and the same key
    # then it learns that the step was done (not merely that it should read again)
    with pytest.raises(AlreadyDoneError):
        store.save_claim(stale, expected_version=0, ledger=[entry("notice#costs")])


def test_the_ledger_comes_back_in_booking_order_and_the_timeline_oldest_first(store):
    # given bookings in three saves, with keys that do not sort in booking order
    store.create_claim(make_claim())
    claim = store.get_claim(TENANT_A, "clm-1")
    claim = store.save_claim(claim, expected_version=claim.version, ledger=[entry("z-principal", "425.00")],
                             timeline=[event("b", minute=5), event("a", minute=5)])
    claim = store.save_claim(claim, expected_version=claim.version,
                             ledger=[entry("m-interest", "3.12"), entry("a-costs", "63.75")],
                             timeline=[event("c", minute=6)])
    store.add_timeline_event(TENANT_A, "clm-1", "message_failed", {"reason": "bounced"},
                             at=NOW + dt.timedelta(minutes=7))
    store.save_claim(claim, expected_version=claim.version, ledger=[entry("b-payment", "-10.00")],
                     timeline=[event("d", minute=8)])
    # when they are read
    ledger = store.get_ledger(TENANT_A, "clm-1")
    timeline = store.get_timeline(TENANT_A, "clm-1")
    # then the ledger is in booking order and the timeline in time order (same time: order written)
    assert [e.key for e in ledger] == ["z-principal", "m-interest", "a-costs", "b-payment"]
    assert [str(e.amount) for e in ledger] == ["425.00", "3.12", "63.75", "-10.00"]
    assert [e.type for e in timeline] == ["claim_created", "b", "a", "c", "message_failed", "d"]
    assert timeline[4].details == {"reason": "bounced"}


def test_a_message_record_is_kept_once_and_listed_oldest_first(store):
    # given a claim with a reminder marked sent by a save (a marker without a record)
    store.create_claim(make_claim())
    store.save_claim(store.get_claim(TENANT_A, "clm-1"), expected_version=0, message_keys=["reminder_1"])
    # when records are put a minute apart: the marked one, a new one, and the new one again
    set_clock(FixedClock(NOW + dt.timedelta(minutes=1)))
    first = store.put_message(TENANT_A, "clm-1", "reminder_1", {"kind": "reminder_1", "channel": "email", "n": 1})
    set_clock(FixedClock(NOW + dt.timedelta(minutes=2)))
    second = store.put_message(TENANT_A, "clm-1", "payment_confirmation#p1", {"kind": "payment_confirmation"})
    again = store.put_message(TENANT_A, "clm-1", "payment_confirmation#p1", {"kind": "changed"})
    # then the marker received its record, the repeat was refused, and the first record stands
    assert (first, second, again) == (True, True, False)
    assert store.list_messages(TENANT_A, "clm-1") == [
        {"kind": "reminder_1", "channel": "email", "n": 1}, {"kind": "payment_confirmation"}]
    assert store.has_message(TENANT_A, "clm-1", "payment_confirmation#p1")
    assert not store.has_message(TENANT_A, "clm-1", "reminder_2")
    assert not store.has_message(TENANT_B, "clm-1", "reminder_1")


def test_one_save_refuses_a_key_twice_or_more_than_a_transaction_holds(store):
    store.create_claim(make_claim())
    claim = store.get_claim(TENANT_A, "clm-1")
    with pytest.raises(ValueError):
        store.save_claim(claim, expected_version=0, ledger=[entry("k"), entry("k")])
    with pytest.raises(ValueError):
        store.save_claim(claim, expected_version=0, timeline=[event(str(n)) for n in range(100)])
    assert store.get_claim(TENANT_A, "clm-1").version == 0
