"""``incasso demo``: a batch of unpaid invoices through the whole trajectory on the embedded local
stack, in well under a minute; letters and the report land in ``--out``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-out"),
              show_default=True, help="where the letters (PDF), the report and the sample CSV go")
@click.option("--claims", type=click.IntRange(1, 1000), default=100, show_default=True,
              help="invoices in the sample CSV")
@click.option("--days", type=click.IntRange(1, 730), default=120, show_default=True, help="simulated days to run")
@click.option("--start-date", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-01-05", show_default=True,
              help="the simulated day the demo starts")
@click.option("--seed", type=int, default=None, help="another seed gives other invoices and other debtors")
def demo(out: Path, claims: int, days: int, start_date: dt.datetime, seed: int | None) -> None:
    """Run the demo: sample tenant, sample CSV, the trajectory on the simulated clock, timeline, letters, report."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from incasso_cli.demo import console as show
    from incasso_cli.demo.run import DEFAULT_REGION, TENANT, UPLOAD_NAME, run_demo
    from incasso_cli.demo.sample_data import DEFAULT_SEED
    from infra.local.http import quiet_logs, use_local_aws

    use_local_aws(DEFAULT_REGION)
    quiet_logs()
    console = Console()
    start = start_date.date()
    console.print(f"[bold]incasso demo[/] — {TENANT.profile.legal_name} hands over {claims} unpaid invoices on "
                  f"{start.isoformat()}; {days} days pass on the simulated clock.")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("deploying the local stack, importing the CSV", total=days)

        def advance(number: int, total: int, today: dt.date) -> None:
            progress.update(task, completed=number, description=f"simulated day {today.isoformat()}")

        result = run_demo(out, claims=claims, days=days, start=start,
                          seed=DEFAULT_SEED if seed is None else seed, progress=advance)
    show.print_import(console, result.import_report, UPLOAD_NAME)
    console.print(show.timeline_table(result.claims, result.script.roles, width=console.width))
    console.print("[dim]* a scripted debtor (pays, disputes, agrees an arrangement, meets the bailiff); "
                  "everyone else does nothing and the trajectory runs its course.[/]")
    show.print_details(console, result)
    show.print_summary(console, result)
    show.print_files(console, result, out)
