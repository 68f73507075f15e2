"""Read the tenant's claims, summary and customers from the API, compute the report, write it to files."""

from __future__ import annotations

from pathlib import Path

from incasso_cli.reporting import client
from incasso_cli.reporting.csv_export import claims_csv
from incasso_cli.reporting.html import render_html
from incasso_cli.reporting.portfolio import Portfolio, build_portfolio


def from_api(api: client.Api, *, title: str) -> Portfolio:
    """The report's figures for the tenant ``api`` speaks for (its claims first, then the summary and the
    history, so that they are never older than the claims); the series over time come from the history."""
    claims = list(client.all_claims(api))
    return build_portfolio(claims, client.summary(api), title=title, customers=client.customers(api),
                           history=client.history(api))


def write(portfolio: Portfolio, *, html_path: Path | None = None, csv_path: Path | None = None) -> list[Path]:
    """Write the HTML page and/or the CSV; returns the files written."""
    written = []
    if html_path is not None:
        html_path.parent.mkdir(parents=True, exist_ok=True)
        html_path.write_text(render_html(portfolio), encoding="utf-8")
        written.append(html_path)
    if csv_path is not None:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        # With a BOM: spreadsheet programs then read the names' accents as UTF-8.
        csv_path.write_text(claims_csv(portfolio.claims, portfolio.as_of), encoding="utf-8-sig", newline="")
        written.append(csv_path)
    return written
