"""The report page: self-contained (no script, nothing fetched), charts drawn, data escaped."""

from __future__ import annotations

import re
from decimal import Decimal

from incasso_cli.reporting import charts
from incasso_cli.reporting.html import eur_axis, render_html
from incasso_cli.reporting.portfolio import build_portfolio
from report_factories import api_claim, event, summary


def page(claims) -> str:
    return render_html(build_portfolio(claims, summary("2026-01-31"), title="Acme <B.V.>"))


def test_the_page_has_its_charts_inline_and_loads_nothing():
    # given a small portfolio
    claims = [api_claim("F-1", status="in_collection", stage="reminder_1", timeline=[
        event("2026-01-05T08:00:00Z", "claim_created"), event("2026-01-06T07:00:00Z", "step_taken", step="reminder_1")])]
    # when the page is rendered
    html = page(claims)
    # then three inline SVG charts, no script, and no address but the SVG namespace
    assert html.count("<svg") == 3
    assert "<script" not in html.lower()
    assert set(re.findall(r"(?:https?:)?//[\w.-]+", html)) == {"http://www.w3.org"}
    assert "src=" not in html and "<link" not in html


def test_names_from_the_data_are_escaped():
    html = page([api_claim("<img src=x onerror=alert(1)>", name="<script>alert('x')</script>")])
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<img src=x" not in html
    assert "Acme &lt;B.V.&gt;" in html


def test_an_empty_portfolio_still_renders():
    html = render_html(build_portfolio([], summary("2026-01-31", dso=None), title="Nobody"))
    assert "No data yet" in html and "n/a" in html


def test_axis_ticks_are_round_and_cover_the_maximum():
    assert charts.nice_ticks(87) == [Decimal(0), Decimal(20), Decimal(40), Decimal(60), Decimal(80), Decimal(100)]
    assert charts.nice_ticks(Decimal("150593.06"))[-1] >= Decimal("150593.06")
    assert charts.nice_ticks(0) == [Decimal(0), Decimal(1)]
    assert (eur_axis(Decimal(150000)), eur_axis(Decimal(500)), eur_axis(Decimal(2500000))) == ("€150k", "€500", "€2.5M")


def test_a_stacked_chart_draws_one_band_per_series_with_data():
    days = [__import__("datetime").date(2026, 1, d) for d in (5, 6, 7)]
    svg = charts.stacked_area(days, [charts.Series("A", "#111111", [1, 2, 3]), charts.Series("B", "#222222", [0, 0, 0]),
                                     charts.Series("C", "#333333", [2, 1, 0])], title="t")
    assert svg.count("<polygon") == 2 and "<title>A</title>" in svg and "<title>B</title>" not in svg


def test_the_customers_table_shows_open_amount_days_late_and_score_largest_open_first():
    # given two customers as the API describes them (the list's line, the view, the credit check)
    from incasso_cli.reporting.portfolio import customer_of

    jansen = customer_of({"reference": "K-1", "name": "Jansen <B.V.>", "claims": 2, "open_amount": "80.00"},
                         {"payment_behaviour": {"average_days_late": "12.5"}},
                         {"score": 73, "payment_term_days": 14})
    pietersen = customer_of({"reference": "K-2", "name": "Pietersen", "claims": 1, "open_amount": "950.00"},
                            {"payment_behaviour": {"average_days_late": None}},
                            {"score": 60, "payment_term_days": 14})
    # when the report is rendered with them
    portfolio = build_portfolio([], summary("2026-01-31"), title="Acme", customers=[jansen, pietersen])
    html = render_html(portfolio)
    # then a customers table, the largest open amount first, names escaped, '-' where nothing was paid yet
    assert [c.reference for c in portfolio.customers] == ["K-2", "K-1"]
    section = html[html.index("<h2>Customers</h2>"):html.index("<h2>Claims</h2>")]
    assert section.index("K-2") < section.index("K-1")
    assert "12.5" in section and ">73<" in section and "Jansen &lt;B.V.&gt;" in section
    assert "€ 950.00" in section or "950.00" in section


def test_without_customers_there_is_no_customers_table():
    assert "<h2>Customers</h2>" not in page([api_claim("F-1")])
