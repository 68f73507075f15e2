"""Scale (issue #22, docs/scale.md): executions open while claims wait, and at their peak over a portfolio.

Everything runs on the real product stack (``trajectory.World``: the escalation ASL on moto's interpreter,
the real step Lambdas, the daily sweep and the one-time schedules on the simulated clock, from Mon 5 Jan 2026).

Figures:
- ``open_executions_while_waiting``: ``--waiting`` consumer claims due the same day, after each took its
  first reminder (due + 7) and waits for the second (due + 21): executions open (target 0; the previous
  design held one Standard execution per claim, 1,000 for 1,000 claims);
- ``peak_open_executions_per_1000_claims``: a ``--days`` portfolio run with ``--per-day`` claims arriving
  every day (the three routes of ``trajectory.py`` in turn, each paid on its day): the most executions
  open at one moment of simulated time, per 1,000 claims of the portfolio. A run takes no simulated time
  here, so every run one sweep (or one schedule) starts counts as open at that moment: an upper bound
  for AWS, where the sweep's starts spread over its minutes and a run lasts about a second;
- ``open_executions_end_of_day_max``: the most executions open at 09:00 UTC on any day of that run;
- ``previous_design_open_executions_per_1000_claims``: the same portfolio as the previous design held it
  (one execution per claim from its first step until it closed, the bailiff's months included), counted
  from the claims' states each day;
- ``runs_per_claim_portfolio``, ``peak_runs_per_sweep_per_1000_claims`` and
  ``peak_runs_per_morning_per_1000_daily_claims`` (the busiest morning's runs per 1,000 claims arriving a
  day): what the capacity model scales.

Run: ``.venv/bin/python benchmarks/scale.py [--waiting 1000] [--per-day 8] [--days 120]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))

from benchmarks.trajectory import DAY, DUE, ROUTES, World, emit, payment_day  # noqa: E402 - the path first

# Statuses in which the previous design kept the claim's Standard execution open (Wait states, task tokens).
HELD_BEFORE = frozenset({"in_collection", "paused", "arrangement"})


class PeakMeter:
    """The most executions open at once: the clock's count, read at every start."""

    def __init__(self, clock) -> None:
        self.peak = 0
        self.started = 0
        original = clock.execution_started

        def execution_started() -> None:
            original()
            self.started += 1
            self.peak = max(self.peak, clock.running_executions)

        clock.execution_started = execution_started


def waiting_portfolio(claims: int) -> int:
    """Executions open once ``claims`` consumer claims all wait for their second reminder."""
    world = World()
    try:
        world.tenant()
        batch = [world.claim("consumer_route", number) for number in range(claims)]
        world.until(DUE + 10 * DAY)
        stages = Counter(world.stage(claim) for claim in batch)
        if stages != {"reminder_1": claims}:
            raise RuntimeError(f"not every claim waits after its first reminder: {dict(stages)}")
        return world.stack.running_executions
    finally:
        world.close()


def arriving_portfolio(per_day: int, days: int) -> dict[str, float]:
    """``per_day`` claims arriving every day for ``days`` days; each route's claims paid on their day."""
    world = World()
    try:
        world.tenant()
        meter = PeakMeter(world.stack.clock)
        payments: dict = {}
        number, end_of_day_max, held_before_max, sweep_peak = 0, 0, 0, 0
        portfolio = []
        for offset in range(days):
            day = DUE + offset * DAY
            started = meter.started
            world.until(day)  # the morning's sweep and runs, up to 09:00 UTC
            sweep_peak = max(sweep_peak, meter.started - started)
            end_of_day_max = max(end_of_day_max, world.stack.running_executions)
            for claim in payments.pop(day, []):
                world.pay_in_full(claim, day)
            for _ in range(per_day):  # new claims, due today
                route = ROUTES[number % len(ROUTES)]
                claim = world.claim(route, number, due=day)
                portfolio.append(claim)
                payments.setdefault(day + (payment_day(route) - DUE), []).append(claim)
                number += 1
            held_before_max = max(held_before_max, sum(1 for claim in portfolio if world.status(claim) in HELD_BEFORE))
        per_thousand = 1000 / len(portfolio)
        return {"claims": len(portfolio), "peak": meter.peak * per_thousand, "peak_raw": meter.peak,
                "end_of_day_max": end_of_day_max, "held_before": held_before_max * per_thousand,
                "held_before_raw": held_before_max, "runs": meter.started, "sweep_peak": sweep_peak * per_thousand,
                "sweep_peak_raw": sweep_peak}
    finally:
        world.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, default=1000, help="claims of the all-waiting portfolio")
    parser.add_argument("--per-day", type=int, default=8, help="claims arriving each day in the portfolio run")
    parser.add_argument("--days", type=int, default=120, help="days of the portfolio run")
    args = parser.parse_args()
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        emit(f"open_executions_while_waiting: {waiting_portfolio(args.waiting)}")
        emit(f"# open_executions_while_waiting: {args.waiting} consumer claims, each after its first reminder")
        figures = arriving_portfolio(args.per_day, args.days)
        emit(f"# portfolio run: {figures['claims']} claims ({args.per_day} a day for {args.days} days), "
             f"{figures['runs']} runs; peak {figures['peak_raw']} open at one moment, "
             f"{figures['sweep_peak_raw']} started by one morning at most; the previous design held up to "
             f"{figures['held_before_raw']} at once")
        emit(f"peak_open_executions_per_1000_claims: {figures['peak']:.1f}")
        emit(f"open_executions_end_of_day_max: {figures['end_of_day_max']}")
        emit(f"previous_design_open_executions_per_1000_claims: {figures['held_before']:.1f}")
        emit(f"runs_per_claim_portfolio: {figures['runs'] / figures['claims']:.2f}")
        emit(f"peak_runs_per_sweep_per_1000_claims: {figures['sweep_peak']:.1f}")
        # What the capacity model scales: the busiest morning's runs per 1,000 claims arriving a day.
        emit(f"peak_runs_per_morning_per_1000_daily_claims: {figures['sweep_peak_raw'] / args.per_day * 1000:.0f}")


if __name__ == "__main__":
    main()
