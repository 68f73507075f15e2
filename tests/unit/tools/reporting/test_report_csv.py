"""The CSV export is safe to open in a spreadsheet (no formula injection) and says what the API says."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from incasso_cli.reporting.csv_export import COLUMNS, claims_csv, escape_cell
from report_factories import api_claim


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+31 6 1234", "-2+3", "@SUM(A1)",
                                       "\tcmd", "\rcmd"])
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(dangerous):
    assert escape_cell(dangerous) == "'" + dangerous


@pytest.mark.parametrize("safe", ["Jan de Vries", "F-2025-1", "425.00", "", "a=b", " =not first"])
def test_other_cells_stay_as_they_are(safe):
    assert escape_cell(safe) == safe


def test_the_export_escapes_data_from_the_tenant_and_keeps_the_amounts():
    # given claims whose debtor name and invoice number came from an imported file
    claims = [api_claim("=1+1", name="=cmd|' /C calc'!A0", status="in_collection", stage="reminder_1",
                        principal="425.00", outstanding="430.10", due="2026-01-01"),
              api_claim("F-2", name="Bakkerij De Korst", principal="80.00")]
    # when exported
    text = claims_csv(claims, dt.date(2026, 1, 31))
    rows = list(csv.DictReader(io.StringIO(text)))
    # then the header is the documented one and the injected cells are inert
    assert tuple(rows[0].keys()) == COLUMNS
    assert rows[0]["invoice_number"] == "'=1+1"
    assert rows[0]["debtor_name"] == "'=cmd|' /C calc'!A0"
    assert (rows[0]["principal"], rows[0]["outstanding"], rows[0]["days_past_due"]) == ("425.00", "430.10", "30")
    assert rows[1]["debtor_name"] == "Bakkerij De Korst"
    assert text.endswith("\r\n") and len(rows) == 2
