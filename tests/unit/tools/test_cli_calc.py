"""`incasso calc` exactly as CONTRACT.md §2 describes it."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from incasso import clock
from incasso_cli import main
from incasso.law.interest import RATES_FILE_ENV, clear_rate_table_cache

KEYS = ["principal", "collection_costs", "collection_costs_vat", "interest", "total", "warnings"]


@pytest.fixture(autouse=True)
def _shipped_rates(monkeypatch):
    monkeypatch.delenv(RATES_FILE_ENV, raising=False)
    clear_rate_table_cache()
    yield
    clear_rate_table_cache()


def run(*args: str, env: dict | None = None):
    return CliRunner(env=env).invoke(main, ["calc", *args])


def run_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_consumer_with_vat_json_object():
    # given EUR 3,000, a consumer, the VAT uplift / when calculated as JSON
    body = run_json("--principal", "3000", "--debtor", "consumer", "--vat")
    # then exactly the contract's keys, amounts as two-decimal strings
    assert list(body) == KEYS
    assert body == {
        "principal": "3000.00",
        "collection_costs": "425.00",
        "collection_costs_vat": "89.25",
        "interest": "0.00",
        "total": "3514.25",
        "warnings": [],
    }


def test_without_vat_the_vat_is_zero():
    body = run_json("--principal", "6000.00", "--debtor", "business")
    assert (body["collection_costs"], body["collection_costs_vat"], body["total"]) == ("675.00", "0.00", "6675.00")


def test_business_interest_of_the_fact_sheet_example():
    # given 1,000 B2B, last payment day 31 Dec 2024, as of 31 Dec 2025 / then 55.29 + 51.17
    body = run_json("--principal", "1000", "--debtor", "business", "--due", "2024-12-31", "--as-of", "2025-12-31")
    assert body == {
        "principal": "1000.00",
        "collection_costs": "150.00",
        "collection_costs_vat": "0.00",
        "interest": "106.46",
        "total": "1256.46",
        # the second half of 2025 rests on an unverified rate: the figure says so
        "warnings": [body["warnings"][0]],
    }
    assert body["warnings"][0].startswith("interest from 2025-07-01 uses an unverified statutory rate")


def test_consumer_interest_in_a_leap_year_uses_the_consumer_rate():
    # given 1,000 owed by a consumer through 2024 (7%, 366 days at 1/365) / then 70.19
    body = run_json("--principal", "1000", "--debtor", "consumer", "--due", "2023-12-31", "--as-of", "2024-12-31")
    assert body["interest"] == "70.19"
    assert body["total"] == "1220.19"  # 1000 + 150 + 70.19


def test_due_without_as_of_runs_to_today_on_the_clock():
    # given the clock at 1 July 2025 (Dutch date) and no --as-of
    previous = clock.set_clock(clock.FixedClock(dt.datetime(2025, 7, 1, 10, 0, tzinfo=dt.timezone.utc)))
    try:
        body = run_json("--principal", "1000", "--debtor", "business", "--due", "2024-12-31")
        not_yet_due = run_json("--principal", "1000", "--debtor", "business", "--due", "2025-08-01")
    finally:
        clock.set_clock(previous)
    # then interest up to and including 1 July: 55.29 + one day at 10.15% (0.278)
    assert body["interest"] == "55.57"
    # and a due date still ahead gives no interest
    assert not_yet_due["interest"] == "0.00"


def test_as_of_on_the_due_date_gives_no_interest():
    body = run_json("--principal", "1000", "--debtor", "business", "--due", "2025-03-01", "--as-of", "2025-03-01")
    assert body["interest"] == "0.00"


@pytest.mark.parametrize(("given", "shown"), [("3000", "3000.00"), ("3000.00", "3000.00"), ("1234.5", "1234.50"), (" 150 ", "150.00")])
def test_principal_forms(given, shown):
    assert run_json("--principal", given, "--debtor", "consumer")["principal"] == shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--principal", "-5", "--debtor", "consumer"], "not an amount"),
        (["--principal", "0", "--debtor", "consumer"], "more than 0.00"),
        (["--principal", "0.00", "--debtor", "consumer"], "more than 0.00"),
        (["--principal", "abc", "--debtor", "consumer"], "not an amount"),
        (["--principal", "12.345", "--debtor", "consumer"], "at most two decimals"),
        (["--principal", "1e3", "--debtor", "consumer"], "not an amount"),
        (["--principal", "1.234,56", "--debtor", "consumer"], "not an amount"),
        (["--principal", "NaN", "--debtor", "consumer"], "not an amount"),
        (["--principal", "100", "--debtor", "someone"], "--debtor"),
        (["--debtor", "consumer"], "--principal"),
        (["--principal", "100", "--debtor", "consumer", "--due", "31-12-2024"], "YYYY-MM-DD"),
        (["--principal", "100", "--debtor", "consumer", "--due", "2025-02-30"], "YYYY-MM-DD"),
        (["--principal", "100", "--debtor", "consumer", "--due", "20250101"], "YYYY-MM-DD"),
        (["--principal", "100", "--debtor", "consumer", "--due", "2025-01-10", "--as-of", "2025-01-09"], "before --due"),
        (["--principal", "100", "--debtor", "consumer", "--as-of", "2025-01-09"], "needs --due"),
        (["--principal", "100", "--debtor", "business", "--due", "2002-06-30", "--as-of", "2002-12-31"], "2002-12-01"),
        (["--principal", "100", "--debtor", "consumer", "--due", "2000-06-30", "--as-of", "2001-12-31"], "2001-01-01"),
    ],
)
def test_bad_input_exits_2_with_a_message_on_stderr(args, message):
    # given bad input / when calc runs / then exit 2, the reason on stderr, nothing on stdout, no traceback
    result = run(*args, "--json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert isinstance(result.exception, SystemExit)  # click's own exit, not a crash


def test_broken_operator_rate_file_is_reported_without_a_traceback(tmp_path):
    # given INCASSO_INTEREST_RATES_FILE pointing at a broken file
    broken = tmp_path / "rates.json"
    broken.write_text("{", encoding="utf-8")
    result = run("--principal", "100", "--debtor", "consumer", "--due", "2025-01-01", "--as-of", "2025-02-01", env={RATES_FILE_ENV: str(broken)})
    # then a message naming the file, and no traceback
    assert result.exit_code == 1
    assert "not valid JSON" in result.stderr
    assert "Traceback" not in result.stderr


def test_readable_breakdown_without_json():
    # given the fact sheet's B2B example / when printed for a person
    result = run("--principal", "1000", "--debtor", "business", "--due", "2024-12-31", "--as-of", "2026-01-01", "--vat")
    assert result.exit_code == 0
    out = result.stdout
    # then every amount, the segments with their rates, the capitalisation and the unverified-rate note
    assert "Collection costs (WIK staffel)" in out and "€150.00" in out
    assert "€31.50" in out  # 21% VAT on 150
    assert "art. 6:119a BW" in out
    assert "2025-01-01 .. 2025-06-30   181 days" in out and "11.15%" in out and "€55.29" in out
    assert "€1,106.46" in out  # the base of the second year
    assert "(unverified rate)" in out
    assert "Total" in out and "€1,288.27" in out  # 1000 + 150 + 31.50 + 106.77


def test_console_script_runs_calc():
    # given the installed console script / when run as a user would
    script = Path(sys.executable).with_name("incasso")
    done = subprocess.run(
        [str(script), "calc", "--principal", "3000", "--debtor", "consumer", "--vat", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "principal": "3000.00", "collection_costs": "425.00", "collection_costs_vat": "89.25",
        "interest": "0.00", "total": "3514.25", "warnings": [],
    }
    # and bad input gives exit 2 and a message, no traceback
    bad = subprocess.run([str(script), "calc", "--principal", "x", "--debtor", "consumer"], capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2
    assert "not an amount" in bad.stderr and "Traceback" not in bad.stderr
