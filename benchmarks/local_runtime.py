"""Speed of the local stack (issue "Local runtime speed"). Prints ``name: value`` lines.

    python benchmarks/local_runtime.py [--claims 200] [--days 120] [--waiting 1000] [--idle-seconds 5]

- ``local_deploy_seconds``: a fresh process deploys the whole topology (imports included). The product
  topology when its state machine definitions exist, else the test topology (5 machines, 12 functions).
- ``local_claim_seconds``: wall seconds per claim for ``--claims`` claims through a 25-transition
  escalation-like machine (a handler reading and writing DynamoDB at every stage, waits of 7 to 30
  days, Retry on every Task) over ``--days`` simulated days, speed-ups on.
- ``local_speedup_vs_stock``: the same run with speed-ups off, divided by the run with them on.
- ``idle_cpu_share_1000_waiting``: CPU (share of one core) while ``--waiting`` executions sit in a
  Wait state, measured with ``time.process_time`` over ``--idle-seconds`` of wall time.
Targets: deploy < 3 s, claim <= 0.2 s, speed-up >= 3, idle CPU <= 0.05.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_TOPOLOGY = ROOT / "tests" / "integration" / "local" / "fixtures" / "topology.py"
START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.timezone.utc)

os.environ.update(
    AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="eu-west-1",
    AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
)


def _fixture_topology():
    spec = importlib.util.spec_from_file_location("incasso_local_test_topology", FIXTURE_TOPOLOGY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.TEST_TOPOLOGY


def _deploy_once() -> None:
    """Run in a fresh process: prints what it deployed and the seconds it took, imports included."""
    started = time.perf_counter()
    from infra.local import LocalStack, SimulatedClock
    from infra.topology import TOPOLOGY

    product = all(machine.definition_path.is_file() for machine in TOPOLOGY.state_machines)
    topology = TOPOLOGY if product else _fixture_topology()
    imported = time.perf_counter()
    stack = LocalStack(topology, clock=SimulatedClock(START))
    done = time.perf_counter()
    stack.close()
    print(json.dumps({"topology": "product" if product else "test fixtures", "total": done - started,
                      "deploy": done - imported}))


def deploy_seconds() -> dict:
    output = subprocess.run([sys.executable, __file__, "--deploy-once"], capture_output=True, text=True, check=True,
                            cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def claims_run(claims: int, days: int, speedups: bool) -> tuple[float, int]:
    from infra.local import LocalStack, SimulatedClock

    stack = LocalStack(_fixture_topology(), clock=SimulatedClock(START), speedups=speedups)
    try:
        started = time.perf_counter()
        arns = [stack.start_execution("escalation_like", f"claim-{i}", {"claim_id": f"claim-{i}"}) for i in range(claims)]
        stack.advance(days=days)
        elapsed = time.perf_counter() - started
        statuses = {stack.execution_status(arn) for arn in arns[:: max(1, claims // 20)]}
        if statuses != {"SUCCEEDED"}:
            raise RuntimeError(f"claims did not all finish: {statuses}")
        return elapsed, stack.invocation_count("step")
    finally:
        stack.close()


def idle_cpu_share(waiting: int, seconds: float) -> tuple[float, int, float]:
    """(CPU share while they wait, threads they hold, max RSS in MB)."""
    import resource

    from infra.local import LocalStack, SimulatedClock

    stack = LocalStack(_fixture_topology(), clock=SimulatedClock(START))
    try:
        for i in range(waiting):
            stack.start_execution("fourteen_days", f"idle-{i}", {"claim_id": f"idle-{i}"})
        stack.settle()
        cpu, wall = time.process_time(), time.perf_counter()
        time.sleep(seconds)
        share = (time.process_time() - cpu) / (time.perf_counter() - wall)
        return share, stack.clock.tracked_threads, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        stack.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--waiting", type=int, default=1000)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--skip-stock", action="store_true", help="do not run the (slow) stock comparison")
    parser.add_argument("--deploy-once", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.deploy_once:
        _deploy_once()
        return

    deploy = deploy_seconds()
    print(f"local_deploy_seconds: {deploy['deploy']:.2f}")
    print(f"local_deploy_with_imports_seconds: {deploy['total']:.2f}")
    print(f"local_deploy_topology: {deploy['topology']}")

    fast, steps = claims_run(args.claims, args.days, speedups=True)
    print(f"local_claim_seconds: {fast / args.claims:.3f}")
    print(f"local_transitions_per_second: {args.claims * 25 / fast:.0f}")
    print(f"local_handler_calls: {steps}")
    if not args.skip_stock:
        stock, _ = claims_run(args.claims, args.days, speedups=False)
        print(f"local_claim_seconds_stock: {stock / args.claims:.3f}")
        print(f"local_speedup_vs_stock: {stock / fast:.2f}")

    share, threads, rss_mb = idle_cpu_share(args.waiting, args.idle_seconds)
    print(f"idle_cpu_share_1000_waiting: {share:.4f}")
    print(f"local_threads_1000_waiting: {threads}")
    print(f"local_max_rss_mb: {rss_mb:.0f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
