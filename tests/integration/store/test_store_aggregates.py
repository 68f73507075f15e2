"""The tenant's aggregates on the claims table (moto): every claim write adds its delta in its own
transaction, so the summary from at most ten items equals the recount of every claim, after any writes."""

import itertools

from hypothesis import HealthCheck, given, settings

from aggregate_scenarios import new_claim, reshaped, run, scenarios
from incasso import clock
from incasso.adapters.dynamodb.aggregates import SIGNATURE
from incasso.domain.aggregates import SHARDS
from incasso.services.reports import ReportService, summarize

_tenants = itertools.count()


def put_uncounted(store):
    def put(claim):  # as written before aggregates existed: no signature, nothing added
        item = store._claim_item(claim, claim.version)
        del item[SIGNATURE]
        store.client.put_item(TableName=store.table_name, Item=item)
    return put


def recount(store, tenant):
    return summarize(ReportService(store).all_claims(tenant), clock.today()).model_dump(mode="json")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=scenarios)
def test_the_summary_from_the_aggregates_equals_a_recount_on_the_table(store, steps):
    # given any sequence of writes on a fresh tenant of the claims table
    tenant = f"t{next(_tenants)}"
    run(store, tenant, steps, put_uncounted(store))
    # when the summary is read (rebuilding once for claims that predate the aggregates)
    summary = ReportService(store).summary(tenant).model_dump(mode="json")
    # then it is the recount, and reading it took at most one item per shard
    assert summary == recount(store, tenant)
    assert store.read_aggregates(tenant).items_read <= SHARDS


def test_a_batch_of_new_claims_is_counted_with_the_batch(store):
    # given 70 claims created in batches (three transactions)
    claims = [new_claim("acme", n, 1_000 + n, n % 30) for n in range(70)]
    store.create_claims_batch(claims)
    # when the summary is read, and the same batch delivered again
    first = ReportService(store).summary("acme")
    store.create_claims_batch(claims)
    second = ReportService(store).summary("acme")
    # then every claim counts once
    assert first.claims == second.claims == 70
    assert first.model_dump(mode="json") == second.model_dump(mode="json") == recount(store, "acme")


def test_a_failed_step_adds_nothing_to_the_aggregates(store):
    # given a claim saved once (version 1)
    claim = new_claim("acme", 1, 50_000, 3)
    store.create_claim(claim)
    how = {"status": claim.status, "stage": claim.stage, "interest": 100, "costs": 4_000, "paid_share": 0,
           "warnings": []}
    store.save_claim(reshaped(claim, how), expected_version=0, previous=claim)
    before = store.read_aggregates("acme").total
    # when the same step is written again at the old version (a retried Lambda)
    try:
        store.save_claim(reshaped(claim, how), expected_version=0, previous=claim)
    except Exception as error:  # noqa: BLE001 - what is asserted is that nothing changed
        refused = type(error).__name__
    # then it is refused and the aggregates did not move
    assert refused == "ConcurrentModificationError"
    assert store.read_aggregates("acme").total == before


def test_the_cli_rebuilds_a_tenant_whose_claims_predate_the_aggregates(store):
    # given three claims written before aggregates existed
    from click.testing import CliRunner

    from incasso_cli import main

    for n in range(3):
        put_uncounted(store)(new_claim("acme", n, 20_000, n))
    # when `incasso aggregates acme` runs, twice
    first = CliRunner().invoke(main, ["aggregates", "acme", "--table", store.table_name])
    second = CliRunner().invoke(main, ["aggregates", "acme", "--table", store.table_name])
    # then the claims are counted once, and the second run leaves them as they are
    assert first.exit_code == 0, first.output
    assert "3 claims" in first.output
    assert "built already" in second.output
    aggregates = store.read_aggregates("acme")
    assert aggregates.built and sum(v for k, v in aggregates.total.counters.items() if k.startswith("n|")) == 3
