"""The demo's sample invoices and its scripted debtors: deterministic, realistic, inside the run."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from incasso_cli.demo.sample_data import FAULTY_ROWS, generate, to_csv
from incasso_cli.demo.scenario import NOTICE, ROLES, expected_steps, write_script
from incasso.domain.models import Policy, Stage
from incasso.invoice_csv import ParsedInvoice, RowError, parse_invoices

START = dt.date(2026, 1, 5)


def test_the_same_seed_gives_the_same_invoices_and_another_seed_others():
    assert generate(30, start=START, seed=1) == generate(30, start=START, seed=1)
    assert generate(30, start=START, seed=1) != generate(30, start=START, seed=2)


def test_a_hundred_invoices_mix_consumers_and_businesses_dutch_and_english():
    invoices = generate(100, start=START)
    kinds, languages = Counter(i.debtor_type for i in invoices), Counter(i.language for i in invoices)
    assert 50 <= kinds["consumer"] <= 85 and kinds["business"] >= 15
    assert languages["nl"] >= 60 and languages["en"] >= 10
    assert len({i.invoice_number for i in invoices}) == 100
    assert all(i.invoice_date < i.due_date for i in invoices)
    assert all(START - dt.timedelta(days=42) <= i.due_date <= START + dt.timedelta(days=10) for i in invoices)


def test_the_csv_reads_back_through_the_real_parser_with_its_two_faulty_rows():
    # given the sample file as uploaded (UTF-8 with BOM, ';', Dutch amounts and dates)
    invoices = generate(20, start=START)
    results = list(parse_invoices(io.BytesIO(to_csv(invoices))))
    # when parsed / then every invoice comes back as generated, and the two faulty rows are reported
    parsed = [r for r in results if isinstance(r, ParsedInvoice)]
    errors = [r for r in results if isinstance(r, RowError)]
    assert [p.invoice_number for p in parsed] == [i.invoice_number for i in invoices]
    assert [p.principal for p in parsed] == [i.principal for i in invoices]
    assert {(e.field) for e in errors} == {"principal", "due_date"} and len(FAULTY_ROWS) == 2


def test_the_script_places_every_first_event_inside_the_run_on_its_expected_step():
    # given the sample invoices and the default policy
    invoices = generate(100, start=START)
    policy = Policy()
    # when the script is written for 120 days
    script = write_script(invoices, policy, start=START, days=120, seed=7)
    # then every role found its debtors, each debtor has one role, and every event falls in the run
    assert Counter(script.roles.values()) == {role.key: role.count for role in ROLES}
    end = START + dt.timedelta(days=119)
    assert all(START <= event.day <= end for event in script.events)
    by_number = {invoice.invoice_number: invoice for invoice in invoices}
    for role in ROLES:
        number = next(n for n, key in script.roles.items() if key == role.key)
        plan = expected_steps(by_number[number], policy, START + dt.timedelta(days=1))
        anchor = plan[Stage.REMINDER_1] if role.anchor is None else plan[role.anchor]
        assert script.of(number)[0].day == anchor + dt.timedelta(days=role.days_after)
    # and the same seed writes the same script
    again = write_script(invoices, policy, start=START, days=120, seed=7)
    assert [(e.day, e.invoice_number, e.action) for e in again.events] == [
        (e.day, e.invoice_number, e.action) for e in script.events]


def test_expected_steps_follow_the_policy_and_keep_the_gaps_for_a_late_claim():
    invoice = generate(1, start=START)[0]
    late = invoice.__class__(**{**invoice.__dict__, "due_date": START - dt.timedelta(days=40), "phone": None,
                                "debtor_type": "consumer"})
    plan = expected_steps(late, Policy(), START + dt.timedelta(days=1))
    # reminder 1 at the first sweep, then the policy's gaps (14 days, then 14 for the letter without a call)
    assert plan[Stage.REMINDER_1] == dt.date(2026, 1, 6)
    assert plan[Stage.REMINDER_2] == dt.date(2026, 1, 20)
    assert plan[NOTICE] == plan[Stage.FOURTEEN_DAY_LETTER] == dt.date(2026, 2, 3)
    assert Stage.CALL_SCHEDULED not in plan


def test_the_sample_has_customers_with_several_invoices_each_with_one_set_of_details():
    # given a hundred sample invoices
    invoices = generate(100, start=START)
    by_customer: dict[str, list] = {}
    for invoice in invoices:
        by_customer.setdefault(invoice.customer_number, []).append(invoice)
    # then some customers owe several invoices, some of them due on the same day (one letter for both)
    several = {number: group for number, group in by_customer.items() if len(group) > 1}
    assert len(several) >= 5
    assert any(len({i.due_date for i in group}) < len(group) for group in several.values())
    # and one customer number is one debtor: the same name, type, language, e-mail and address
    for group in several.values():
        assert len({(i.debtor_name, i.debtor_type, i.language, i.email, i.street, i.postal_code) for i in group}) == 1
    # and the CSV carries the number in the klantnummer column, which the parser reads as debtor.reference
    parsed = [r for r in parse_invoices(io.BytesIO(to_csv(invoices))) if isinstance(r, ParsedInvoice)]
    assert {p.debtor.reference for p in parsed} == set(by_customer)
