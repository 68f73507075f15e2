"""What the engine cannot compute with is a 422 naming the field, never a 500 later (CONTRACT §3, §6):
dates before the statutory interest table, in the future, due before invoiced; absurd amounts."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api_support import TENANT_A, call, claim_body


def fields(answer) -> set[str]:
    return {detail["field"] for detail in answer.body["error"]["details"]}


@pytest.mark.parametrize("change, field", [
    ({"invoice_date": "1999-12-01", "due_date": "2000-01-01"}, "invoice_date"),
    ({"invoice_date": "2030-01-01", "due_date": "2030-02-01"}, "invoice_date"),
    ({"invoice_date": "2025-04-01", "due_date": "2025-03-01"}, "due_date"),
    ({"principal": "1e400"}, "principal"),
    ({"principal": "-0722709687018616997790055614.34"}, "principal"),
    ({"principal": "1E+40"}, "principal"),
    ({"principal": "1_000.00"}, "principal"),
    ({"principal": "１２３"}, "principal"),
    ({"principal": 10 ** 30}, "principal"),
])
def test_a_claim_the_engine_cannot_compute_with_is_422_for_that_field(api, change, field):
    # given a claim body with one such value / when posted
    answer = call("POST", "/v1/claims", TENANT_A, claim_body("F-BAD", **change))
    # then 422 naming the field, and no claim
    assert answer.status == 422, answer.body
    assert field in fields(answer)
    assert call("GET", "/v1/claims", TENANT_A).body["items"] == []


@pytest.mark.parametrize("body, field", [
    ({"amount": "1e400", "paid_at": "2025-06-01"}, "amount"),
    ({"amount": "-0722709687018616997790055614.34", "paid_at": "2025-06-01"}, "amount"),
    ({"amount": 10 ** 30, "paid_at": "2025-06-01"}, "amount"),
    ({"amount": "10.00", "paid_at": "2025-03-01"}, "paid_at"),  # before the invoice date
    ({"amount": "10.00", "paid_at": "2099-01-01"}, "paid_at"),
])
def test_a_payment_the_engine_cannot_book_is_422_for_that_field(api, body, field):
    claim = call("POST", "/v1/claims", TENANT_A, claim_body("F-PAY")).body
    answer = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, body)
    assert answer.status == 422, answer.body
    assert field in fields(answer)


def test_a_retried_payment_answers_as_the_first_time_and_another_body_with_its_key_is_refused(api):
    # given a payment in full with an Idempotency-Key
    claim = call("POST", "/v1/claims", TENANT_A, claim_body("F-IDEM")).body
    owed = call("GET", f"/v1/claims/{claim['claim_id']}", TENANT_A).body["amounts"]["outstanding"]
    body = {"amount": owed, "paid_at": "2025-06-02"}
    first = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, body, headers={"Idempotency-Key": "k1"})
    # when retried / then the first answer; with another amount under the same key: refused
    again = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, body, headers={"Idempotency-Key": "k1"})
    assert first.status == 201 and again.status == 201 and again.body["allocation"] == first.body["allocation"]
    other = call("POST", f"/v1/claims/{claim['claim_id']}/payments", TENANT_A, {**body, "amount": "1.00"},
                 headers={"Idempotency-Key": "k1"})
    assert other.status == 422


amounts = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-10 ** 40, max_value=10 ** 40),
    st.text(alphabet="0123456789.,eE+-_ ", max_size=40),
    st.sampled_from(["425.00", "0.01", "99999999.99", "100000000.01", "1e3", "1e400", "NaN", "-Infinity"]))
dates = st.one_of(st.dates(min_value=__import__("datetime").date(1900, 1, 1),
                           max_value=__import__("datetime").date(2300, 1, 1)).map(str),
                  st.sampled_from(["2025-02-30", "0001-01-01", "9999-12-31", "", "2025-13-01"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(principal=amounts, invoice_date=dates, due_date=dates, amount=amounts, paid_at=dates,
       instalment_date=dates, instalment_amount=amounts)
def test_no_date_or_amount_in_a_claim_payment_or_arrangement_answers_500(
        fuzz_resources, principal, invoice_date, due_date, amount, paid_at, instalment_date, instalment_amount):
    # given any amounts and dates in the three bodies that carry them / when sent / then never a 5xx,
    # and every claim that is accepted can be read, paid and arranged without one either
    created = call("POST", "/v1/claims", TENANT_A, claim_body(f"F-{principal}-{invoice_date}-{due_date}"[:60],
                                                               principal=principal, invoice_date=invoice_date,
                                                               due_date=due_date))
    assert created.status < 500, created.body
    claim_id = created.body["claim_id"] if created.status == 201 else fuzz_resources["claim"]
    read = call("GET", f"/v1/claims/{claim_id}", TENANT_A)
    assert read.status == 200, read.body
    paid = call("POST", f"/v1/claims/{claim_id}/payments", TENANT_A, {"amount": amount, "paid_at": paid_at})
    assert paid.status < 500, paid.body
    arranged = call("POST", f"/v1/claims/{claim_id}/arrangement", TENANT_A,
                    {"instalments": [{"due_date": instalment_date, "amount": instalment_amount}]})
    assert arranged.status < 500, arranged.body
    assert call("GET", f"/v1/claims/{claim_id}", TENANT_A).status == 200


@pytest.mark.parametrize("debtor_change, field", [
    ({"name": "Jan\u0000"}, "debtor.name"),
    ({"name": "Jan \u202eredneV"}, "debtor.name"),
    ({"name": "   "}, "debtor.name"),
    ({"email": None, "address": None}, "debtor"),
])
def test_text_no_person_types_and_a_debtor_out_of_written_reach_are_422(api, debtor_change, field):
    # given a debtor name with a NUL, a bidi override or only spaces, or a debtor with no written contact
    body = claim_body("F-TXT")
    body["debtor"] = {**body["debtor"], **debtor_change}
    # when posted / then 422 naming the field (the same rule the CSV import applies)
    answer = call("POST", "/v1/claims", TENANT_A, body)
    assert answer.status == 422, answer.body
    assert field in fields(answer)


def test_a_json_body_sent_as_a_form_is_415_not_a_422_for_every_field(api):
    answer = call("POST", "/v1/claims", TENANT_A, claim_body("F-FORM"),
                  headers={"content-type": "application/x-www-form-urlencoded"})
    assert answer.status == 415 and answer.body["error"]["code"] == "unsupported_media_type"


def test_a_method_the_api_does_not_know_is_405_in_the_error_shape(api):
    answer = call("TRACE", "/v1/claims", TENANT_A)
    assert answer.status == 405 and set(answer.body) == {"error"}


def test_art_6_119a_lid_2_a_business_claim_without_a_due_date_is_due_30_days_after_the_invoice(api):
    body = claim_body("F-B2B", invoice_date="2025-04-01")
    body["debtor"] = {**body["debtor"], "type": "business"}
    del body["due_date"]
    answer = call("POST", "/v1/claims", TENANT_A, body)
    assert answer.status == 201 and answer.body["due_date"] == "2025-05-01"
    # a consumer's claim needs its due date: there is no statutory term to fall back on
    consumer = claim_body("F-B2C")
    del consumer["due_date"]
    assert "due_date" in fields(call("POST", "/v1/claims", TENANT_A, consumer))


def test_art_6_119a_lid_5_an_agreed_business_term_over_60_days_is_flagged(api):
    body = claim_body("F-LONG", invoice_date="2025-02-01", due_date="2025-05-01")
    body["debtor"] = {**body["debtor"], "type": "business"}
    answer = call("POST", "/v1/claims", TENANT_A, body)
    assert answer.status == 201
    assert any("over 60" in warning for warning in answer.body["warnings"])


def test_art_6_96_lid_5_agreed_collection_costs_are_kept_for_a_business_debtor_and_422_for_a_consumer(api):
    # given a claim body with 15 % agreed costs (at least 150.00) and an agreed rate of 12 %
    agreement = {"agreed_collection_costs": {"percentage": "15", "minimum": "150.00"}, "agreed_interest_rate": "12"}
    consumer = {**claim_body("F-AGR-C"), **agreement}
    # when a consumer's claim names them / then 422 naming both fields: the staffel and statutory rate are mandatory
    answer = call("POST", "/v1/claims", TENANT_A, consumer)
    assert answer.status == 422 and {"agreed_collection_costs", "agreed_interest_rate"} <= fields(answer)
    # when a business debtor's claim names them / then they are kept and shown on the claim
    business = {**claim_body("F-AGR-B"), **agreement}
    business["debtor"] = {**business["debtor"], "type": "business"}
    created = call("POST", "/v1/claims", TENANT_A, business)
    assert created.status == 201
    assert created.body["agreed_collection_costs"] == {"percentage": "15", "fixed": None, "minimum": "150.00"}
    assert created.body["agreed_interest_rate"] == "12"
    # and an agreement naming both a percentage and a fixed sum is refused
    both = {**business, "invoice_number": "F-AGR-X",
            "agreed_collection_costs": {"percentage": "15", "fixed": "100.00"}}
    assert "agreed_collection_costs" in fields(call("POST", "/v1/claims", TENANT_A, both))
