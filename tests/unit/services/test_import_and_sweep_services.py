"""The import service and the daily sweep on the fakes."""

import pytest
from conftest import TENANT, TODAY, new_claim

from incasso.domain.import_records import ImportStatus
from incasso.services.imports import ImportService
from incasso.services.sweep import SweepService

BUCKET = "imports"
CSV = (b"invoice_number,debtor_name,debtor_type,email,principal,invoice_date,due_date\n"
       b"A-1,Ann,consumer,ann@example.nl,100.00,2025-04-01,2025-05-01\n"
       b"A-2,Bob,consumer,bob@example.nl,-5,2025-04-01,2025-05-01\n"
       b"A-3,Cas,consumer,cas@example.nl,75.50,2025-04-01,2025-05-01\n")


@pytest.fixture
def imports(store, claims, files, events) -> ImportService:
    return ImportService(store, claims, bucket=BUCKET, files=files, events=events)


def test_a_dropped_file_becomes_claims_and_a_report(imports, store, files, events):
    # given an upload with two good rows and one bad one
    started = imports.start(TENANT, "invoices.csv")
    key = store.get_import(TENANT, started.import_id).key
    files.objects[(BUCKET, key)] = CSV
    # when the S3 event arrives
    record = imports.ingest_object(BUCKET, key, etag="e1")
    # then two claims were made, the bad row is reported by row and field, and the import completed
    assert (record.status, record.accepted, record.rejected) == (ImportStatus.COMPLETED, 2, 1)
    assert [(e.row, e.field) for e in record.errors] == [(3, "principal")]
    assert sorted(c.invoice_number for c in store.claims.values()) == ["A-1", "A-3"]
    assert events.types() == ["ClaimCreated", "ClaimCreated", "ImportCompleted"]


def test_the_same_object_delivered_twice_is_imported_once(imports, store, files):
    # given an imported upload
    started = imports.start(TENANT, "invoices.csv")
    key = store.get_import(TENANT, started.import_id).key
    files.objects[(BUCKET, key)] = CSV
    first = imports.ingest_object(BUCKET, key, etag="e1")
    # when S3 delivers the same object again / then the finished record is answered, no claim is added
    assert imports.ingest_object(BUCKET, key, etag="e1") == first
    assert len(store.claims) == 2


def test_the_sweep_starts_each_due_claim_once(claims, store, workflows):
    # given one claim due today and one due in a month
    due = claims.create(TENANT, new_claim("D-1", days_overdue=10))
    claims.create(TENANT, new_claim("L-1", days_overdue=-30))
    sweep = SweepService(store, workflows)
    # when the sweep runs twice on the same day
    first, second = sweep.run(TODAY), sweep.run(TODAY)
    # then only the due claim was started, once, as the run of its phase and day; the second run found it
    assert (first.due, first.started, first.started_claims) == (1, 1, [due.claim_id])
    assert (second.started, second.already_running) == (0, 1)
    assert workflows.started == [(TENANT, due.claim_id, f"{due.phase}-{TODAY:%Y%m%d}")]


def test_the_sweep_starts_the_runs_of_its_tenants_in_turn(claims, store, workflows):
    # given two ready tenants with three and one claims due today
    from tenant_profiles import ready_tenant

    store.put_tenant(ready_tenant("beta"))
    acme = [claims.create(TENANT, new_claim(f"A-{n}", days_overdue=10)).claim_id for n in range(3)]
    beta = claims.create("beta", new_claim("B-1", days_overdue=10)).claim_id
    # when the sweep runs with one start at a time
    SweepService(store, workflows, parallel=1).run(TODAY)
    # then the tenants take turns: one of each first, then the rest of acme's
    started = [(tenant, claim_id) for tenant, claim_id, _ in workflows.started]
    assert {tenant for tenant, _ in started[:2]} == {TENANT, "beta"}
    assert sorted(started) == sorted([(TENANT, c) for c in acme] + [("beta", beta)])
