"""The tenant's aggregates (incasso.domain.aggregates) on the in-memory store: whatever was written, the
summary from them equals the recount of every claim, and a retried write counts nothing twice."""

import datetime as dt

from hypothesis import HealthCheck, given, settings

from aggregate_scenarios import new_claim, reshaped, run, scenarios
from fakes import InMemoryStore
from incasso import clock
from incasso.domain.aggregates import Aggregate, contribution, delta
from incasso.services.reports import ReportService, summarize

TENANT = "acme"


def recount(store: InMemoryStore) -> dict:
    claims = [c for (t, _), c in store.claims.items() if t == TENANT]
    return summarize(claims, clock.today()).model_dump(mode="json")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=scenarios)
def test_the_summary_from_the_aggregates_equals_a_recount_after_any_writes(steps):
    # given a store on which any sequence of creations, changes, wrong previous claims, retries and claims
    # written before aggregates existed was played
    store = InMemoryStore()
    run(store, TENANT, steps, store.put_uncounted)
    # when the summary is read from the aggregates (rebuilt once where claims predate them)
    summary = ReportService(store).summary(TENANT).model_dump(mode="json")
    # then it is the recount, to the cent, and the day buckets add up to where the claims stand now
    assert summary == recount(store)
    history = Aggregate()
    for bucket in store.aggregate_history(TENANT):
        history = history + bucket.change
    assert history == store.aggregates.get(TENANT, Aggregate()).history_part()


def test_a_rebuild_counts_claims_written_before_aggregates_once():
    # given three claims written before aggregates existed
    store = InMemoryStore()
    for n in range(3):
        store.put_uncounted(new_claim(TENANT, n, 10_000, 0))
    service = ReportService(store)
    # when the summary is read twice, and a rebuild is asked for again
    first = service.summary(TENANT)
    again = service.rebuild(TENANT)
    second = service.summary(TENANT)
    # then the claims are counted once, the second rebuild is refused (built already)
    assert first.claims == second.claims == 3
    assert str(second.principal) == "300.00"
    assert again is False


def test_while_another_rebuilds_the_summary_is_the_recount():
    # given a tenant whose rebuild another process holds the lock of
    store = InMemoryStore()
    store.put_uncounted(new_claim(TENANT, 1, 12_345, 0))
    assert store.lock_aggregates(TENANT, "other", clock.now() + dt.timedelta(minutes=5))
    # when the summary is asked
    summary = ReportService(store).summary(TENANT)
    # then it is the recount, and the aggregates are left to the lock's owner
    assert summary.model_dump(mode="json") == recount(store)
    assert TENANT not in store.built


def test_the_delta_of_a_write_is_the_new_contribution_less_the_old():
    # given a claim and the same claim half paid
    before = new_claim(TENANT, 1, 10_000, 0)
    after = reshaped(before, {"status": before.status, "stage": before.stage, "interest": 0, "costs": 0,
                              "paid_share": 50, "warnings": []})
    # when the delta is added to the old contribution
    total = contribution(before) + delta(before, after)
    # then it is the new contribution
    assert total.counters == contribution(after).counters


def test_the_history_is_the_running_sum_of_the_day_buckets():
    # given a claim created on 2 June and half paid on 4 June
    from incasso.clock import FixedClock, set_clock

    store = InMemoryStore()
    claim = new_claim(TENANT, 1, 10_000, 0)
    store.create_claim(claim)
    previous = set_clock(FixedClock(dt.datetime(2025, 6, 4, 9, tzinfo=dt.timezone.utc)))
    try:
        half = reshaped(claim, {"status": claim.status, "stage": claim.stage, "interest": 0, "costs": 0,
                                "paid_share": 50, "warnings": []})
        store.save_claim(half, expected_version=0, previous=claim)
        # when the history is read
        history = ReportService(store).history(TENANT).model_dump(mode="json")
    finally:
        set_clock(previous)
    # then each day with a change shows where the portfolio stood at its end
    assert history["days"] == [
        {"date": "2025-06-02", "positions": {"open|none": 1}, "open_principal": "100.00", "collected": "0.00"},
        {"date": "2025-06-04", "positions": {"open|none": 1}, "open_principal": "50.00", "collected": "50.00"},
    ]
