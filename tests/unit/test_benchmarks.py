"""The benchmark scripts import, and their arithmetic holds on fixed numbers (no timing here: the
figures themselves come from `make bench`)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def load(name: str):
    """A benchmark script as a module, by its file (``benchmarks`` need not be on sys.path)."""
    module_name = f"incasso_benchmark_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


IMPORT_ALL = """
import importlib.util, json, sys
from pathlib import Path
found = {}
for path in sorted(Path(sys.argv[1]).glob("*.py")):
    if path.stem == "__init__":
        continue
    spec = importlib.util.spec_from_file_location(f"bench_{path.stem}", path)
    module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found[path.stem] = callable(getattr(module, "main", None))
print(json.dumps(found))
"""


def test_every_benchmark_script_imports_and_has_a_main():
    # given every script in benchmarks/ (some set up AWS variables or logging when imported: a process of their own)
    scripts = sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem != "__init__")
    # when each is imported
    result = subprocess.run([sys.executable, "-c", IMPORT_ALL, str(BENCHMARKS)], capture_output=True, text=True,
                            cwd=BENCHMARKS.parent, timeout=120)
    # then all import and each offers the entry point the runner calls
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {name: True for name in scripts}


def test_cost_per_claim_adds_step_functions_lambda_and_dynamodb_at_list_prices():
    trajectory = load("trajectory")
    # given 40 transitions, 10 calls of a 256 MB Lambda of 100 ms each, 100 WRU and 50 RRU
    usage = trajectory.Usage(transitions=40, invocations=[(256, 100)] * 10,
                             write_units=Decimal(100), read_units=Decimal(50))
    # when its cost is computed
    cost = trajectory.cost_usd(usage)
    # then 40 x 0.025/1000; 10 x 0.20/1M + 0.25 GB-s x 0.0000133334; 100 x 1.4135/1M + 50 x 0.283/1M
    assert cost["step_functions"] == Decimal("0.001")
    assert cost["lambda"] == Decimal("0.000002") + Decimal("0.25") * Decimal("0.0000133334")
    assert cost["dynamodb"] == Decimal("0.00014135") + Decimal("0.00001415")
    assert cost["total"] == Decimal("0.00116083335")


def test_lambda_bills_whole_milliseconds_rounded_up():
    trajectory = load("trajectory")
    assert [trajectory.billed_ms(s) for s in (0.0001, 0.001, 0.0101, 0.25)] == [1, 1, 11, 250]


def test_item_size_follows_dynamodb_rules_for_names_strings_numbers_and_documents():
    trajectory = load("trajectory")
    # given an item with a string, a number, a boolean, a map and a list
    item = {"pk": {"S": "t#acme"}, "n": {"N": "425.00"}, "ok": {"BOOL": True},
            "m": {"M": {"a": {"S": "xy"}}}, "l": {"L": [{"N": "1"}]}}
    # then: names count; "425.00" has 3 significant digits -> 3 bytes; a map or list adds 3 bytes plus 1 per element
    assert trajectory.item_size(item) == (2 + 6) + (1 + 3) + (2 + 1) + (1 + 3 + 1 + 1 + 2) + (1 + 3 + 1 + 2)
    assert trajectory.item_size(None) == 0


def test_capacity_units_round_up_per_kilobyte_and_per_four_kilobytes():
    trajectory = load("trajectory")
    # writes: 1 KB units, doubled in a transaction
    assert trajectory.write_units(1024) == 1
    assert trajectory.write_units(1025) == 2
    assert trajectory.write_units(1025, transactional=True) == 4
    assert trajectory.write_units(0) == 1
    # reads: 4 KB units, half when eventually consistent, doubled in a transaction
    assert trajectory.read_units(4096, consistent=True) == 1
    assert trajectory.read_units(4097) == 1
    assert trajectory.read_units(100) == Decimal("0.5")
    assert trajectory.read_units(100, transactional=True) == 2


def test_index_writes_count_entries_that_appear_disappear_change_or_move():
    trajectory = load("trajectory")
    indexes = [("due_pk", "due_sk"), ("status_pk", "status_sk")]
    before = {"pk": {"S": "c"}, "due_pk": {"S": "d"}, "due_sk": {"S": "1"}, "status_pk": {"S": "s#open"},
              "status_sk": {"S": "1"}, "v": {"N": "1"}}
    # when the item leaves the due index and its status key changes: 1 delete + (1 delete + 1 put)
    after = {"pk": {"S": "c"}, "status_pk": {"S": "s#paid"}, "status_sk": {"S": "1"}, "v": {"N": "2"}}
    assert trajectory.index_writes(indexes, before, after) == 3
    # when only a projected attribute changes: one write per index the item is in
    assert trajectory.index_writes(indexes, before, {**before, "v": {"N": "2"}}) == 2
    # when nothing changes (a failed condition): no index write; a new item enters its indexes once
    assert trajectory.index_writes(indexes, before, before) == 0
    assert trajectory.index_writes(indexes, None, after) == 1


def test_an_index_projecting_some_attributes_is_written_only_when_they_or_its_keys_change():
    trajectory = load("trajectory")
    # given the due index projecting claim_id and phase only, and a claim on it
    indexes = [("due_pk", "due_sk", ("claim_id", "phase"))]
    before = {"pk": {"S": "c"}, "sk": {"S": "CLAIM"}, "due_pk": {"S": "d"}, "due_sk": {"S": "2026-01-12#c"},
              "claim_id": {"S": "c"}, "phase": {"N": "1"}, "stage": {"S": "reminder_1"}}
    # when an attribute it does not hold changes / then nothing is written to it
    assert trajectory.index_writes(indexes, before, {**before, "stage": {"S": "reminder_2"}}, ["pk", "sk"]) == 0
    # when the next run moves / then its entry moves (delete + put), sized as the entry, not the claim
    moved = {**before, "due_sk": {"S": "2026-01-26#c"}, "stage": {"S": "reminder_2"}}
    (writes, size), = trajectory.index_write_sizes(indexes, before, moved, ["pk", "sk"])
    assert writes == 2 and size == trajectory.item_size({k: v for k, v in moved.items() if k != "stage"})


def test_import_baseline_takes_exactly_the_dependency_packages_modules():
    handler_imports = load("handler_imports")
    loaded = ["incasso.handlers", "pydantic", "pydantic.main", "boto3.session", "jinja2", "aws_lambda_powertools.logging",
              "pydantic_core._pydantic_core", "botocore.client", "holidays"]
    assert handler_imports.dependency_modules(loaded) == [
        "pydantic", "pydantic.main", "boto3.session", "aws_lambda_powertools.logging", "pydantic_core._pydantic_core",
        "botocore.client"]
    # the ratio is the median of the paired ratios (3.0, 0.6, 1.33)
    assert handler_imports.ratio([0.30, 0.12, 0.20], [0.10, 0.20, 0.15]) == pytest.approx(4 / 3)


def test_runner_judges_figures_against_targets_and_lists_what_was_not_measured(monkeypatch):
    runner = load("__main__")
    # given two figures, one within its target and one not
    lines, misses = runner.summary({"import_ratio_max": "1.12", "sweep_read_ratio": "1.400"}, {"handler_imports"})
    # then one PASS, one MISS, and the targets nobody measured say so
    text = "\n".join(lines)
    assert misses == 1
    assert any(line.startswith("import_ratio_max") and " PASS" in line for line in lines)
    assert any(line.startswith("sweep_read_ratio") and " MISS" in line for line in lines)
    assert "NOT MEASURED" in text
    # and a script's arguments come from the sizes, or from BENCH_ARGS_<SCRIPT>
    assert runner.script_args("csv_parse", quick=True) == ["--rows", "20000"]
    monkeypatch.setenv("BENCH_ARGS_CSV_PARSE", "--rows 7")
    assert runner.script_args("csv_parse", quick=False) == ["--rows", "7"]
    assert runner.FIGURE.match("claim_days_per_second: 235").groups() == ("claim_days_per_second", "235")
    assert runner.FIGURE.match("# trajectory.py: 12 s") is None


def test_bank_match_scores_a_subset_booking_as_incomplete_and_another_claim_as_false():
    bank = load("bank_match")
    pays = bank.Generated("combined_invoices", Decimal("30.00"), "facturen A en B", pays=("clm_a", "clm_b"))
    score = bank.Score()
    # given: one booked to exactly its claims, one to a subset, one to another claim, a noise credit left
    # alone, a noise credit booked, and a digit typo booked elsewhere (counted apart)
    score.add(pays, ("clm_a", "clm_b"))
    score.add(pays, ("clm_a",))
    score.add(bank.Generated("invoice_number", Decimal("10.00"), "F-1", pays=("clm_c",)), ("clm_d",))
    score.add(bank.Generated("noise_credit", Decimal("5.00"), "gift"), ())
    score.add(bank.Generated("noise_credit", Decimal("5.00"), "gift"), ("clm_e",))
    score.add(bank.Generated("digit_typo", Decimal("10.00"), "F-2", pays=("clm_f",)), ("clm_g",))
    # then 1 of 3 paying entries is right; 2 of 4 bookings are false; 1 incomplete; the typo apart
    assert (score.right, score.paying, score.match_rate) == (1, 3, 1 / 3)
    assert (score.wrong, score.booked, score.false_match_rate, score.incomplete) == (2, 4, 0.5, 1)
    assert (score.typos, score.typos_wrong) == (1, 1)


def test_bank_match_generates_invoice_numbers_the_matcher_reads_back_and_valid_references():
    bank = load("bank_match")
    import random

    rng = random.Random(1)
    debtors = bank.generate_claims(200, rng)
    claims = [c for group in debtors for c in group]
    assert len(claims) == 200 and len({c.invoice_number for c in claims}) == 200
    index = bank.ClaimIndex.of(bank.candidate(c) for c in claims)
    entries = bank.generate_entries(debtors, rng)
    assert {g.kind for g in entries} >= {"structured_reference", "invoice_number", "debtor_amount", "noise_credit",
                                         "debit", "partial"}
    first = next(g for g in entries if g.kind == "structured_reference")
    assert [c.claim_id for c in index.match(bank.bank_entry(1, first)).claims] == list(first.pays)


def test_first_call_takes_each_runs_sum_and_difference_before_the_median_and_refuses_an_error_page():
    first_call = load("first_call")
    # given three fresh processes (seconds): import, first request, warm request
    runs = [{"import": 0.100, "first": 0.300, "warm": 0.010},
            {"import": 0.120, "first": 0.200, "warm": 0.020},
            {"import": 0.500, "first": 0.250, "warm": 0.005}]
    figures = first_call.summarize(runs)
    # then the cold start is the median of the sums (0.40, 0.32, 0.75), not the sum of the medians (0.37)
    assert figures["cold_start_ms"] == pytest.approx(400)
    assert (figures["cold_import_ms"], figures["first_call_ms"], figures["warm_call_ms"]) == pytest.approx((120, 250, 10))
    assert figures["first_call_extra_ms"] == pytest.approx(245)  # median of 290, 180, 245
    # and an answer counts only when it is a 200 showing what the request asked for
    first_call.check_answer({"statusCode": 200, "body": '{"claim_id": "clm_1"}'}, ["clm_1"])
    for answer in ({"statusCode": 404, "body": "Niet gevonden"}, {"statusCode": 200, "body": "<html>other</html>"}):
        with pytest.raises(AssertionError):
            first_call.check_answer(answer, ["clm_1"])
    # and the fake Lambda context has what Powertools' inject_lambda_context reads
    context = first_call.LambdaContext()
    assert {"function_name", "memory_limit_in_mb", "invoked_function_arn", "aws_request_id"} <= set(dir(context))
