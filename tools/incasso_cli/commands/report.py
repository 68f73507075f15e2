"""``incasso report``: the tenant report (HTML page with charts, CSV of the claims) from the API of a
running ``incasso serve`` (or API Gateway), as the tenant of ``--token``."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command()
@click.option("--api", "api_url", default="http://127.0.0.1:8080", show_default=True, help="the API's base URL")
@click.option("--token", default=None, help="bearer token of the tenant (default: $INCASSO_TOKEN)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="the HTML report")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="also write the claims as CSV (safe to open in a spreadsheet)")
@click.option("--title", default=None, help="the report's heading (default: the tenant)")
def report(api_url: str, token: str | None, out: Path, csv_path: Path | None, title: str | None) -> None:
    """Write the tenant report: claims by stage over time, amounts outstanding and collected, recovery
    rate, DSO, ageing."""
    import urllib.error

    from incasso_cli.reporting import build
    from incasso_cli.reporting.client import ApiError, HttpApi

    token = token or os.environ.get("INCASSO_TOKEN")
    if not token:
        raise click.UsageError("give the tenant's token with --token (incasso token TENANT_ID prints one)")
    try:
        portfolio = build.from_api(HttpApi(api_url, token), title=title or _tenant_title(token))
    except ApiError as error:
        raise click.ClickException(str(error)) from error
    except urllib.error.URLError as error:
        raise click.ClickException(f"cannot reach the API at {api_url}: {error.reason}") from error
    for path in build.write(portfolio, html_path=out, csv_path=csv_path):
        click.echo(f"wrote {path}")


def _tenant_title(token: str) -> str:
    from incasso.api.auth import tenant_for_authorization

    tenant_id = tenant_for_authorization(f"Bearer {token}")
    return f"Tenant {tenant_id}" if tenant_id else "Collection report"
