"""Cold-start import cost of every Lambda handler against the bare import of its dependencies.

For each function of the topology (``functions/<id>/handler.py``), a fresh process imports the handler
the way the Lambda runtime does (the code folder on ``sys.path``, ``import handler``) and reports the
seconds the import took and which modules of the dependency packages (boto3, botocore, pydantic,
pydantic_core, aws_lambda_powertools) it left in ``sys.modules``. The baseline is another fresh process
that imports exactly those dependency modules, in the same order, and nothing of ours. Both are timed
inside the process (interpreter start-up excluded), ``--repeats`` times each, alternating, and compared
pair by pair (a handler run and the baseline run right after it):

- ``import_ratio_<function>``: the median over the pairs of handler import / dependency import;
- ``import_ms_<function>`` and ``import_deps_ms_<function>``: the two medians in milliseconds;
- ``import_ratio_max``: the largest ratio (target <= 1.3).

Every dependency module is imported, not only the package's top: pydantic and Powertools load their
parts lazily (``from pydantic import BaseModel`` costs more than ``import pydantic``), so the baseline
pays for what the handler's dependencies really load. Anything else the handler pulls in (our own
package, jinja2, fpdf2, holidays, ...) is the handler's own cost: ``--explain <function>`` lists the
largest of those imports from ``python -X importtime``.

Run: ``.venv/bin/python benchmarks/handler_imports.py [--repeats 5] [--explain check_claim]``.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The third-party packages a handler may load for free: what every function needs at cold start anyway.
DEPENDENCY_PACKAGES = ("boto3", "botocore", "pydantic", "pydantic_core", "aws_lambda_powertools")


def dependency_modules(module_names: list[str]) -> list[str]:
    """The modules among ``module_names`` (in their order) that belong to a dependency package."""
    return [name for name in module_names if name.split(".", 1)[0] in DEPENDENCY_PACKAGES]


def ratio(handler_seconds: list[float], baseline_seconds: list[float]) -> float:
    """The median of the paired ratios: each handler run over the baseline run right after it. A pair runs
    within a second, so a slow spell of the shared machine weighs on both sides of it; comparing medians
    or minimums of the two sides let one slow spell move the ratio by up to 0.5."""
    return statistics.median(h / b for h, b in zip(handler_seconds, baseline_seconds))


def lambda_environment(function_id: str) -> dict[str, str]:
    """The environment the function gets on AWS (names of what it uses), over this process's own; the
    layer of this tree first on the path, as /opt/python is on Lambda (not an editable install elsewhere)."""
    from infra.topology import LAYER_DIR, TOPOLOGY

    return {**os.environ, **TOPOLOGY.environment(function_id), "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(LAYER_DIR / "python")}


# -- the two probes, each run in a fresh process ----------------------------------------------------

def _probe_handler(code_dir: str) -> None:
    before = set(sys.modules)
    sys.path.insert(0, code_dir)
    cpu, wall = time.process_time(), time.perf_counter()
    __import__("handler")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    loaded = [name for name in sys.modules if name not in before]
    print(json.dumps({"cpu": cpu, "wall": wall, "dependencies": dependency_modules(loaded)}))


def _probe_baseline() -> None:
    modules = json.loads(sys.stdin.read())
    cpu, wall = time.process_time(), time.perf_counter()
    missing = 0
    for name in modules:
        try:
            __import__(name)
        except ImportError:  # a module a package registers under an alias (e.g. six.moves) has no file
            missing += 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(json.dumps({"cpu": cpu, "wall": wall, "missing": missing}))


def _run_probe(args: list[str], env: dict[str, str], stdin: str = "") -> dict:
    output = subprocess.run([sys.executable, __file__, *args], input=stdin, capture_output=True, text=True,
                            env=env, cwd=ROOT, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def measure(function_id: str, code_dir: Path, repeats: int) -> dict:
    """Handler and baseline import seconds, ``repeats`` fresh processes each, alternating."""
    env = lambda_environment(function_id)
    first = _run_probe(["--probe-handler", str(code_dir)], env)  # warms the bytecode and disk caches
    modules = first["dependencies"]
    handler_runs, baseline_runs = [], []
    for _ in range(repeats):
        handler_runs.append(_run_probe(["--probe-handler", str(code_dir)], env))
        baseline_runs.append(_run_probe(["--probe-baseline"], env, json.dumps(modules)))
    return {clock: ([run[clock] for run in handler_runs], [run[clock] for run in baseline_runs])
            for clock in ("cpu", "wall")}


def explain(function_id: str, code_dir: Path, top: int = 15) -> list[tuple[int, int, str]]:
    """The largest imports (cumulative and self microseconds, by ``-X importtime``) that are the handler's own:
    neither a dependency package's module nor imported by one, and not the standard library."""
    code = f"import sys; sys.path.insert(0, {str(code_dir)!r}); import handler"
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True,
                            env=lambda_environment(function_id), cwd=ROOT, check=True)
    rows = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            self_us, cumulative_us, name = line[len("import time:"):].split("|")
            rows.append((len(name) - len(name.lstrip()), int(cumulative_us), int(self_us), name.strip()))
    own, ancestors = [], []  # -X importtime lists a module after its imports: read it backwards
    for depth, cumulative_us, self_us, module in reversed(rows):
        while ancestors and ancestors[-1][0] >= depth:
            ancestors.pop()
        ancestors.append((depth, module.split(".", 1)[0]))
        tops = [top_name for _, top_name in ancestors]
        if any(top_name in DEPENDENCY_PACKAGES for top_name in tops) or tops[-1] in sys.stdlib_module_names:
            continue
        if not module.startswith("__editable__") and module not in ("site", "handler"):
            own.append((cumulative_us, self_us, module))
    return sorted(own, reverse=True)[:top]


def compile_bytecode() -> None:
    """Bytecode for the layer and the handlers before measuring, as ``make layer`` ships it: the probes run
    with PYTHONDONTWRITEBYTECODE (Lambda's file system is read-only), so a source file edited since the
    last test run would otherwise be compiled in every probe and the figure would depend on what ran before."""
    from infra.topology import LAYER_DIR

    for folder in (LAYER_DIR, ROOT / "functions"):
        compileall.compile_dir(str(folder), quiet=1)


def handlers() -> list[tuple[str, Path]]:
    """(function id, code folder) of every function of the topology whose handler exists."""
    from infra.topology import TOPOLOGY

    return [(fn.id, fn.code_dir) for fn in TOPOLOGY.functions if (fn.code_dir / "handler.py").is_file()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_IMPORT_REPEATS", "5")))
    parser.add_argument("--explain", metavar="FUNCTION", help="list the largest non-dependency imports of a handler")
    parser.add_argument("--probe-handler", metavar="CODE_DIR", help=argparse.SUPPRESS)
    parser.add_argument("--probe-baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe_handler:
        _probe_handler(args.probe_handler)
        return
    if args.probe_baseline:
        _probe_baseline()
        return
    found = dict(handlers())
    compile_bytecode()
    if args.explain:
        print("cumulative ms   self ms  module (imports of our own or of other packages; dependencies excluded)")
        for cumulative_us, self_us, module in explain(args.explain, found[args.explain]):
            print(f"{cumulative_us / 1000:13.1f} {self_us / 1000:9.1f}  {module}")
        return

    from infra.topology import TOPOLOGY

    missing = [fn.id for fn in TOPOLOGY.functions if fn.id not in found]
    if missing:
        print(f"# no handler yet (not measured): {', '.join(missing)}")
    ratios, wall_ratios = {}, {}
    for function_id, code_dir in found.items():
        runs = measure(function_id, code_dir, args.repeats)
        handler_cpu, baseline_cpu = runs["cpu"]
        ratios[function_id] = ratio(handler_cpu, baseline_cpu)
        wall_ratios[function_id] = ratio(*runs["wall"])
        print(f"import_ratio_{function_id}: {ratios[function_id]:.2f}")
        print(f"import_ms_{function_id}: {statistics.median(handler_cpu) * 1000:.1f}")
        print(f"import_deps_ms_{function_id}: {statistics.median(baseline_cpu) * 1000:.1f}", flush=True)
    worst = max(ratios, key=ratios.get)
    print(f"import_ratio_max: {ratios[worst]:.2f}")
    print(f"import_ratio_max_function: {worst}")
    print(f"import_wall_ratio_max: {max(wall_ratios.values()):.2f}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
