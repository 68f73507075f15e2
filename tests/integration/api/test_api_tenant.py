"""The tenant's own account through the API (CONTRACT.md §7): profile, policy, readiness, roles."""

from __future__ import annotations

import datetime as dt

import pytest

from api_support import TENANT_A, TENANT_B, call, claim_body
from incasso.services import wiring
from tenant_profiles import PROFILE_BODY


def fields(answer) -> set[str]:
    return {detail["field"] for detail in answer.body["error"]["details"]}


def test_a_new_tenant_is_not_ready_and_says_what_is_missing(api):
    # Given a tenant known only by its token
    # When it reads its account
    answer = call("GET", "/v1/tenant", "initech")
    # Then it has no profile, the default policy, and is not ready
    assert answer.status == 200
    assert answer.body["tenant_id"] == "initech" and answer.body["profile"] is None
    assert answer.body["ready"] is False
    assert answer.body["missing"] == ["legal_name", "address", "iban", "email", "phone"]
    assert answer.body["policy"]["reminder_1_days"] == 7


def test_setting_the_profile_makes_the_tenant_ready(api):
    # Given a profile with an IBAN typed with spaces, a VAT number, and VAT not deductible
    body = {**PROFILE_BODY, "iban": "nl44 rabo 0123 4567 89", "vat_number": "NL004495445B01", "vat_deductible": False}
    # When it is PUT
    answer = call("PUT", "/v1/tenant/profile", "initech", body)
    # Then the profile comes back compact, with the bank's BIC, and the account is ready
    assert answer.status == 200, answer.body
    assert answer.body["iban"] == "NL44RABO0123456789" and answer.body["bic"] == "RABONL2U"
    assert answer.body["vat_deductible"] is False and answer.body["legal_name"] == "Acme Verhuur B.V."
    account = call("GET", "/v1/tenant", "initech").body
    assert account["ready"] is True and account["missing"] == []
    assert account["policy"]["creditor_vat_deductible"] is False


@pytest.mark.parametrize("change, field", [
    ({"iban": "NL45RABO0123456789"}, "iban"),
    ({"kvk_number": "1234567"}, "kvk_number"),
    ({"vat_number": "NL004495446B01"}, "vat_number"),
    ({"email": "nobody"}, "email"),
    ({"address": {"street": "Kerkstraat 1"}}, "address.postal_code"),
    ({"legal_name": None}, "legal_name"),
    ({"nickname": "Acme"}, "nickname"),
])
def test_a_bad_profile_is_422_naming_the_field(api, change, field):
    answer = call("PUT", "/v1/tenant/profile", TENANT_A, {**PROFILE_BODY, **change})
    assert answer.status == 422
    assert field in fields(answer)


def test_a_missing_required_field_is_422_naming_it(api):
    body = {key: value for key, value in PROFILE_BODY.items() if key != "phone"}
    answer = call("PUT", "/v1/tenant/profile", TENANT_A, body)
    assert answer.status == 422 and fields(answer) == {"phone"}


def test_a_policy_change_is_merged_and_answers_the_whole_policy(api):
    # When two fields change
    answer = call("PUT", "/v1/tenant/policy", TENANT_A, {"reminder_2_days": 14, "call_enabled": False})
    # Then the whole policy comes back with them, the rest unchanged, and it is kept
    assert answer.status == 200, answer.body
    assert (answer.body["reminder_2_days"], answer.body["call_enabled"], answer.body["notice_days"]) == (14, False, 35)
    assert call("GET", "/v1/tenant", TENANT_A).body["policy"]["reminder_2_days"] == 14
    # And another tenant's policy is its own
    assert call("GET", "/v1/tenant", TENANT_B).body["policy"]["reminder_2_days"] == 21


def test_the_policys_additions_are_stored_and_a_new_claim_is_taken_up_before_its_due_date(api):
    # When the tenant asks for a reminder five days before the due date, a send window and debtor limits
    change = {"pre_due_reminder_days": 5, "send_window": True, "send_window_start": "09:00",
              "debtor_max_instalments": 4, "debtor_min_instalment": "30.00"}
    answer = call("PUT", "/v1/tenant/policy", TENANT_A, change)
    # Then the whole policy comes back with them
    assert answer.status == 200, answer.body
    assert {k: answer.body[k] for k in change} == {**change, "send_window_start": "09:00:00"}
    # And a claim due in ten days is taken up by the sweep five days before its due date
    created = call("POST", "/v1/claims", TENANT_A, claim_body("F-PRE", invoice_date="2025-05-20",
                                                               due_date="2025-06-12"))
    assert created.status == 201, created.body
    claim = wiring.claims_store().get_claim(TENANT_A, created.body["claim_id"])
    assert claim.next_action_on == dt.date(2025, 6, 7)


@pytest.mark.parametrize("change, field", [
    ({"reminder_1_days": -1}, "reminder_1_days"),
    ({"notice_days": 366}, "notice_days"),
    ({"debt_monitoring_interval_days": 1}, "debt_monitoring_interval_days"),
    ({"notice_channel": "pigeon"}, "notice_channel"),
    ({"call_enabled": None}, "call_enabled"),
    ({"speed": "fast"}, "speed"),
    ({"reminder_2_days": 40}, "reminder_2_days"),  # after the call (28) and the notice (35): out of order
    ({"business_hours_start": "18:00"}, "business_hours_start"),  # after the end of business hours
    ({"pre_due_reminder_days": 61}, "pre_due_reminder_days"),
    ({"send_window_start": "22:00"}, "send_window_start"),  # after the window closes (21:00)
    ({"debtor_max_instalments": 0}, "debtor_max_instalments"),
    ({"debtor_min_instalment": "0.10"}, "debtor_min_instalment"),
])
def test_a_bad_policy_is_422_naming_the_field_and_changes_nothing(api, change, field):
    answer = call("PUT", "/v1/tenant/policy", TENANT_A, change)
    assert answer.status == 422, answer.body
    assert field in fields(answer)
    assert call("GET", "/v1/tenant", TENANT_A).body["policy"]["reminder_2_days"] == 21


@pytest.mark.parametrize("method, path, body, needed", [
    ("PUT", "/v1/tenant/profile", PROFILE_BODY, "manager"),
    ("PUT", "/v1/tenant/policy", {"call_enabled": False}, "manager"),
    ("POST", "/v1/claims", claim_body("F-ROLE"), "clerk"),
    ("POST", "/v1/imports", {"filename": "f.csv"}, "clerk"),
])
def test_a_role_that_may_not_use_a_route_is_403_naming_the_role_needed(api, method, path, body, needed):
    lower = {"manager": ["viewer", "clerk"], "clerk": ["viewer"]}[needed]
    for role in lower:
        answer = call(method, path, TENANT_A, body, role=role)
        assert answer.status == 403, (role, answer.body)
        assert answer.body["error"]["code"] == "forbidden" and needed in answer.body["error"]["message"]
    # the role needed, and a token without a role (a manager's), may
    assert call(method, path, TENANT_A, body, role=needed).status in (200, 201)


def test_a_viewer_reads_and_a_clerk_works_claims(api):
    created = call("POST", "/v1/claims", TENANT_A, claim_body("F-CLERK"), role="clerk")
    assert created.status == 201
    claim_id = created.body["claim_id"]
    assert call("GET", f"/v1/claims/{claim_id}", TENANT_A, role="viewer").status == 200
    assert call("GET", "/v1/tenant", TENANT_A, role="viewer").status == 200
    paid = call("POST", f"/v1/claims/{claim_id}/payments", TENANT_A, {"amount": "1.00", "paid_at": "2025-06-01"},
                role="viewer")
    assert paid.status == 403
    assert call("GET", "/v1/claims", TENANT_A, role="admin").status == 403  # not a role: may do nothing


@pytest.mark.parametrize("url", ["http://hooks.example.com/incasso", "not a url", "ftp://hooks.example.com/x",
                                 "https://10.0.0.5/hook", "https://192.168.1.2/hook", "https://169.254.169.254/x",
                                 "https://localhost/hook", "http://127.0.0.1:9000/hook"])
def test_a_webhook_url_that_is_not_public_https_is_422_on_aws(api, url):
    answer = call("POST", "/v1/webhooks", TENANT_A, {"url": url})
    assert answer.status == 422 and fields(answer) == {"url"}


def test_locally_a_loopback_http_webhook_is_allowed_and_unknown_events_are_refused(api, monkeypatch):
    from incasso.settings import reset_settings

    monkeypatch.setenv("INCASSO_WEBHOOK_ALLOW_HTTP_LOOPBACK", "1")
    reset_settings()
    assert call("POST", "/v1/webhooks", TENANT_A, {"url": "http://127.0.0.1:9000/hook"}).status == 201
    answer = call("POST", "/v1/webhooks", TENANT_A, {"url": "https://hooks.example.com/x", "events": ["claim.eaten"]})
    assert answer.status == 422 and fields(answer) == {"events"}
    created = call("POST", "/v1/webhooks", TENANT_A, {"url": "https://hooks.example.com/x"})
    assert created.status == 201 and created.body["events"] is None


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/v1/webhooks", {"url": "https://hooks.example.com/x"}),
    ("GET", "/v1/webhooks", None),
    ("DELETE", "/v1/webhooks/wh_00000000000000000000", None),
])
def test_webhooks_are_a_managers(api, method, path, body):
    for role in ("viewer", "clerk"):
        assert call(method, path, TENANT_A, body, role=role).status == 403
