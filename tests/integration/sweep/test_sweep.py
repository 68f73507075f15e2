"""The daily sweep on moto: it starts exactly the claims that are due, reads them from the due index
(never a Scan), and starting twice starts nothing twice."""

import datetime as dt
from unittest import mock

import botocore.client

from api_support import NOW, TENANT_A, TENANT_B, LambdaContext, call, claim_body, lambda_handler
from incasso.services.sweep import SweepService
from incasso.services.tenants import ProfileUpdate, TenantService
from incasso.services.wiring import claims_store
from tenant_profiles import PROFILE_BODY

TODAY = NOW.date()  # 2 June 2025; the first reminder is due 7 days after the due date


def make_claim(tenant_id, number, due_date):
    answer = call("POST", "/v1/claims", tenant_id, claim_body(number, invoice_date="2025-01-01", due_date=due_date))
    assert answer.status == 201, answer.body
    return answer.body["claim_id"]


class Calls:
    """Every AWS API call made while it is active, by operation name."""

    def __init__(self):
        self.operations = []
        self._original = botocore.client.BaseClient._make_api_call

    def __enter__(self):
        calls = self

        def recording(client, operation, params):
            calls.operations.append((client.meta.service_model.service_name, operation))
            return calls._original(client, operation, params)

        self._patch = mock.patch.object(botocore.client.BaseClient, "_make_api_call", recording)
        self._patch.start()
        return self

    def __exit__(self, *exc):
        self._patch.stop()


def test_the_sweep_starts_exactly_the_due_claims_of_every_tenant(api):
    # given claims whose first reminder is due before, on and after today, for two tenants
    due_before = make_claim(TENANT_A, "A-1", "2025-05-01")  # reminder due 8 May
    due_today = make_claim(TENANT_A, "A-2", "2025-05-26")  # reminder due 2 June
    make_claim(TENANT_A, "A-3", "2025-05-27")  # due tomorrow
    make_claim(TENANT_A, "A-4", "2025-07-01")  # far ahead
    due_b = make_claim(TENANT_B, "B-1", "2025-05-20")
    paid = make_claim(TENANT_B, "B-2", "2025-05-01")
    call("POST", f"/v1/claims/{paid}/payments", TENANT_B, {"amount": "425.00", "paid_at": "2025-05-01"})
    # when the sweep Lambda runs on its schedule
    with Calls() as calls:
        result = lambda_handler("sweep")({"source": "aws.events", "detail-type": "Scheduled Event"}, LambdaContext())
    # then exactly the due, unpaid claims were started, each as the run <claim_id>-<phase>-<day>
    run = f"1-{TODAY:%Y%m%d}"
    assert sorted(api.started) == sorted([(TENANT_A, due_before, run), (TENANT_A, due_today, run), (TENANT_B, due_b, run)])
    assert result["due"] == 3 and result["started"] == 3
    # and it read the due index, never scanned the table
    dynamodb_calls = [op for service, op in calls.operations if service == "dynamodb"]
    assert "Scan" not in dynamodb_calls
    assert "Query" in dynamodb_calls


def test_a_second_sweep_on_the_same_day_starts_nothing_twice(api):
    make_claim(TENANT_A, "A-1", "2025-05-01")
    sweep = SweepService(claims_store(), api)
    first = sweep.run(TODAY)
    second = sweep.run(TODAY)
    assert (first.started, second.started, second.already_running) == (1, 0, 1)
    assert len(api.started) == 1


def test_a_claim_with_no_next_run_planned_is_not_swept(api):
    # given a due claim whose run ended with nothing planned (paused, with the bailiff, awaiting a person)
    claim_id = make_claim(TENANT_A, "A-1", "2025-05-01")
    store = claims_store()
    claim = store.get_claim(TENANT_A, claim_id)
    store.save_claim(claim.model_copy(update={"next_action_on": None}), expected_version=claim.version,
                     ledger=[], timeline=[])
    # when the sweep runs / then it finds nothing to start
    result = SweepService(store, api).run(TODAY)
    assert (result.due, result.started) == (0, 0)


def test_the_sweep_reads_the_day_from_the_clock(api):
    make_claim(TENANT_A, "A-1", "2025-05-30")  # reminder due 6 June
    sweep = SweepService(claims_store(), api)
    assert sweep.run().due == 0
    assert sweep.run(TODAY + dt.timedelta(days=4)).due == 1


def test_a_tenant_known_only_by_its_token_waits_for_its_profile_then_is_swept(api):
    # given a tenant nobody registered: its first claim comes in through the API
    claim_id = make_claim("initech", "I-1", "2025-05-01")
    sweep = SweepService(claims_store(), api)
    # when the sweep runs on two days / then nothing starts, and the claim's timeline says why, once
    for day in (TODAY, TODAY + dt.timedelta(days=1)):
        result = sweep.run(day)
        assert (result.started, result.waiting) == (0, 1) and api.started == []
    waits = [e for e in claims_store().get_timeline("initech", claim_id) if e.type == "waiting_for_profile"]
    assert len(waits) == 1 and waits[0].details["missing"] == ["legal_name", "address", "iban", "email", "phone"]
    # when the tenant sets its profile / then the next sweep starts that claim like any other
    TenantService(claims_store()).put_profile("initech", ProfileUpdate.model_validate(PROFILE_BODY))
    result = sweep.run(TODAY + dt.timedelta(days=2))
    day = TODAY + dt.timedelta(days=2)
    assert ("initech", claim_id, f"1-{day:%Y%m%d}") in api.started and (result.started, result.waiting) == (1, 0)
