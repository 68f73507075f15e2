"""`make bench`: runs every benchmark script in a fresh process, echoes its `name: value` lines, and ends
with one block of the headline figures, each with its target and PASS or MISS.

    python -m benchmarks [--quick] [--only trajectory,handler_imports] [--strict]

Sizes are chosen so that the whole run takes under ~10 minutes on a 2-core machine (`SIZES`); `--quick`
(or `BENCH_QUICK=1`) runs small sizes in about two minutes, for a smoke test (its figures are
indicative only). `BENCH_ONLY=a,b` is `--only`; `BENCH_ARGS_<SCRIPT>="--rows 5000"` replaces the
arguments of one script (e.g. `BENCH_ARGS_CSV_PARSE`). `--strict` exits 1 when a figure misses its
target; a script that fails always makes the run exit 1.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURE = re.compile(r"^([a-z][a-z0-9_]*): (\S+)")

# Arguments per script: (full run, quick run). A script not named here runs with its own defaults.
SIZES: dict[str, tuple[list[str], list[str]]] = {
    "bank_match": (["--claims", "10000", "--service-claims", "1000"], ["--claims", "2000", "--service-claims", "200"]),
    "csv_parse": (["--rows", "100000"], ["--rows", "20000"]),
    "first_call": (["--repeats", "9"], ["--repeats", "1"]),
    "handler_imports": (["--repeats", "9"], ["--repeats", "1"]),
    "ingest": (["--rows", "20000"], ["--rows", "3000"]),
    "local_runtime": (["--claims", "100"], ["--claims", "30", "--skip-stock", "--waiting", "200", "--idle-seconds", "2"]),
    "store_batch": (["--rows", "5000"], ["--rows", "1000", "--stock-rows", "0"]),
    "snapshot": (["--items", "100000"], ["--items", "10000"]),
    "sweep": (["--claims", "20000", "--due", "1000"], ["--claims", "5000", "--due", "500"]),
    "scale": (["--waiting", "1000", "--per-day", "5", "--days", "120"], ["--waiting", "200", "--per-day", "2", "--days", "60"]),
    "summary_read": (["--claims", "100000", "--recount-claims", "5000"], ["--claims", "10000", "--recount-claims", "1000"]),
    "trajectory": (["--claims", "100", "--days", "120", "--consumer-claims", "30"],
                   ["--claims", "30", "--days", "60", "--consumer-claims", "10"]),
}


@dataclass(frozen=True)
class Target:
    comparison: str  # "<=", "<" or ">="
    limit: float
    source: str  # where the target comes from

    def met(self, value: float) -> bool:
        return {"<=": value <= self.limit, "<": value < self.limit, ">=": value >= self.limit}[self.comparison]


TARGETS: dict[str, Target] = {
    "import_ratio_max": Target("<=", 1.3, "handler import / its dependencies' import"),
    "transitions_consumer_route": Target("<=", 40, "states entered over the runs, full consumer route"),
    "open_executions_while_waiting": Target("<=", 0, "executions open while 1,000 claims wait (issue #22)"),
    "cost_per_claim_usd_max": Target("<=", 0.0003, "AWS cost of the dearest route, consumer (issue #22)"),
    "local_claim_seconds_product": Target("<=", 0.2, "product stack, full consumer route"),
    "local_claim_seconds": Target("<=", 0.2, "fixture machine, 25 transitions"),
    "local_speedup_vs_stock": Target(">=", 3, "local stack speed-ups vs stock moto"),
    "idle_cpu_share_1000_waiting": Target("<=", 0.05, "1,000 executions waiting"),
    "local_deploy_seconds": Target("<", 3, "deploy the topology on moto"),
    "store_batch_ratio": Target("<=", 1.5, "claims store / bare batch_writer"),
    "snapshot_save_seconds": Target("<=", 15, "serve --data-dir: one snapshot of 100,000 items (was ~170 s)"),
    "ingest_ratio": Target("<=", 1.5, "CSV ingest / bare batch_writer"),
    "ingest_memory_growth_mb": Target("<=", 50, "ingest memory, 10x the rows"),
    "sweep_read_ratio": Target("<=", 1.1, "items the sweep reads / claims due"),
    "summary_read_items": Target("<=", 10, "items GET /v1/reports/summary reads, whatever the tenant's size"),
    "demo_wall_seconds": Target("<", 60, "incasso demo: 100 invoices, 120 days"),
    "bank_match_rate": Target(">=", 0.95, "bank credits booked to exactly the claims they pay (10,000 open claims)"),
    "bank_false_match_rate": Target("<=", 0, "bank credits booked to a claim they do not pay"),
}
# Figures without a target that the summary shows too.
INFORMATIONAL = ("summary_seconds_100000", "peak_open_executions_per_1000_claims", "previous_design_open_executions_per_1000_claims",
                 "peak_runs_per_morning_per_1000_daily_claims", "runs_consumer_route",
                 "cost_per_claim_usd_consumer_route", "cost_per_claim_usd_business_route",
                 "cost_per_claim_usd_paid_after_reminder_1", "transitions_business_route",
                 "transitions_paid_after_reminder_1", "local_claim_cpu_seconds_product", "claim_days_per_second", "csv_parse_rows_per_second",
                 "csv_parse_memory_growth_mb", "import_ratio_max_function", "bank_entries_per_second",
                 "bank_service_entries_per_second", "bank_digit_typo_false_match_rate", "cold_start_ms_api",
                 "cold_start_ms_portal")


def machine() -> str:
    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
        ram_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))
        ram = f"{ram_kb / 2**20:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return f"{platform.machine()} {os.cpu_count()} cpus {cpu}, {ram}, Python {platform.python_version()}{load}"


def script_args(name: str, quick: bool) -> list[str]:
    override = os.environ.get(f"BENCH_ARGS_{name.upper()}")
    if override is not None:
        return shlex.split(override)
    full, small = SIZES.get(name, ([], []))
    return small if quick else full


def run_script(script: Path, args: list[str], figures: dict[str, str]) -> tuple[int, float]:
    """Run one script in a fresh process, echo its output and collect its figures."""
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, str(script), *args], cwd=HERE.parent, stdout=subprocess.PIPE,
                          text=True, bufsize=1) as process:
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            match = FIGURE.match(line)
            if match:
                figures[match.group(1)] = match.group(2)
    return process.returncode, time.perf_counter() - started


def summary(figures: dict[str, str], ran: set[str]) -> tuple[list[str], int]:
    """The final block (one line per headline figure) and the number of misses."""
    lines, misses = [], 0
    for name, target in TARGETS.items():
        value = figures.get(name)
        if value is None:
            lines.append(f"{name:<40} {'—':>10}  {target.comparison} {target.limit:<6g} NOT MEASURED")
            continue
        try:
            ok = target.met(float(value))
        except ValueError:
            ok = False
        misses += not ok
        lines.append(f"{name:<40} {value:>10}  {target.comparison} {target.limit:<6g} {'PASS' if ok else 'MISS'}"
                     f"  ({target.source})")
    lines += [f"{name:<40} {figures[name]:>10}  (no target)" for name in INFORMATIONAL if name in figures]
    lines.append(f"scripts run: {', '.join(sorted(ran))}")
    return lines, misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK", "") not in ("", "0"))
    parser.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""), help="comma-separated script names")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure misses its target")
    args = parser.parse_args(argv)
    only = {name.strip().removesuffix(".py") for name in args.only.split(",") if name.strip()}

    print(f"machine: {machine()}")
    print(f"mode: {'quick (small sizes: figures indicative only)' if args.quick else 'full'}", flush=True)
    figures: dict[str, str] = {}
    failed, ran = [], set()
    total_started = time.perf_counter()
    for script in sorted(HERE.glob("*.py")):
        name = script.stem
        if name.startswith("_") or (only and name not in only):
            continue
        script_arguments = script_args(name, args.quick)
        print(f"# {script.name} {' '.join(script_arguments)}".rstrip(), flush=True)
        returncode, seconds = run_script(script, script_arguments, figures)
        print(f"# {script.name}: {seconds:.0f} s{'' if returncode == 0 else f', FAILED (exit {returncode})'}", flush=True)
        ran.add(name)
        if returncode:
            failed.append(name)

    lines, misses = summary(figures, ran)
    load = " load average {:.1f} {:.1f} {:.1f};".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    print(f"\n== summary ({time.perf_counter() - total_started:.0f} s;{load} {'quick' if args.quick else 'full'}) ==")
    print("\n".join(lines))
    if failed:
        print(f"FAILED: {', '.join(failed)}")
    return 1 if failed or (args.strict and misses) else 0


if __name__ == "__main__":
    sys.exit(main())
