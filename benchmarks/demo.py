"""The full ``incasso demo`` (100 invoices, 120 simulated days) in a fresh process: wall and CPU time,
and what it did. The target is well under a minute on a laptop."""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.local.http import quiet_logs, use_local_aws  # noqa: E402

use_local_aws("eu-west-1")
quiet_logs()

from incasso_cli.demo.run import run_demo  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        began, cpu = time.perf_counter(), time.process_time()
        result = run_demo(Path(out), claims=100, days=120)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"demo_wall_seconds: {wall:.1f}")
    print(f"demo_cpu_seconds: {cpu:.1f}")
    print(f"demo_claims: {len(result.claims)}")
    print(f"demo_messages: {sum(result.message_counts.values())}")
    print(f"demo_letters_pdf: {len(result.letters)}")
    print(f"demo_max_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}")


if __name__ == "__main__":
    main()
