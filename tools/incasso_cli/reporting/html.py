"""The tenant report as one self-contained HTML page: inline CSS, inline SVG charts, no script, nothing
loaded from elsewhere when it is opened."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from jinja2 import Environment

from incasso.money import format_eur
from incasso_cli.reporting import charts
from incasso_cli.reporting.portfolio import GROUPS, Portfolio, amounts_of, claim_field

STATUS_LABELS = {
    "open": "Open", "in_collection": "In collection", "paused": "Paused (dispute)",
    "arrangement": "Arrangement", "paid": "Paid", "cancelled": "Cancelled", "uncollectible": "Uncollectible",
    "debt_monitoring": "Debt monitoring", "needs_attention": "Needs attention",
}
STAGE_LABELS = {
    "none": "-", "reminder_1": "Reminder 1", "reminder_2": "Reminder 2", "call_scheduled": "Call scheduled",
    "fourteen_day_letter": "14-day letter", "notice_of_default": "Notice of default", "legal_review": "Legal review",
    "bailiff_filing": "Bailiff filing", "served": "Served", "judgment": "Judgment", "executed": "Executed",
    "debt_monitoring": "Debt monitoring", "closed": "Closed",
}
COLLECTED_COLOR = "#16a34a"
OPEN_COLOR = "#2563eb"


def eur(amount: Decimal) -> str:
    return format_eur(amount, "en")


def eur_axis(amount: Decimal) -> str:
    """A short euro label for an axis: €0, €500, €12k, €1.5M."""
    if amount >= 1_000_000:
        return f"€{(amount / 1_000_000).normalize():f}M"
    if amount >= 1_000:
        return f"€{(amount / 1_000).normalize():f}k"
    return f"€{amount:.0f}"


def percent(fraction: Decimal | None) -> str:
    if fraction is None:
        return "n/a"
    return f"{(fraction * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ p.title }} — collection report {{ p.as_of.isoformat() }}</title>
<style>
  :root { color-scheme: light; }
  body { margin: 0; background: #f1f5f9; color: #0f172a;
         font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 1120px; margin: 0 auto; padding: 28px 24px 48px; }
  header h1 { font-size: 24px; margin: 0 0 4px; }
  header p { margin: 0; color: #475569; }
  section { background: #fff; border-radius: 10px; padding: 18px 20px; margin-top: 18px;
            box-shadow: 0 1px 2px rgba(15, 23, 42, .06); }
  h2 { font-size: 16px; margin: 0 0 10px; }
  .note { color: #64748b; font-size: 12px; margin: 6px 0 0; }
  .tiles { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; margin-top: 18px; }
  .tile { background: #fff; border-radius: 10px; padding: 14px 16px; box-shadow: 0 1px 2px rgba(15,23,42,.06); }
  .tile .label { color: #64748b; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
  .tile .value { font-size: 22px; font-weight: 650; margin-top: 4px; font-variant-numeric: tabular-nums; }
  .tile .sub { color: #64748b; font-size: 12px; }
  .legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 8px 0 0; padding: 0; list-style: none; }
  .legend li { display: flex; align-items: center; gap: 6px; font-size: 12px; color: #334155; }
  .swatch { width: 12px; height: 12px; border-radius: 3px; display: inline-block; }
  table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e2e8f0; white-space: nowrap; }
  th { color: #475569; font-weight: 600; font-size: 12px; }
  td.num, th.num { text-align: right; }
  td.name { white-space: normal; }
  .pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; color: #fff; }
  .two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
  .two section { margin-top: 0; }
  .claims { max-height: none; }
</style>
</head>
<body>
<main>
<header>
  <h1>{{ p.title }}</h1>
  <p>Collection report as of {{ p.as_of.strftime("%-d %B %Y") }} · {{ p.totals.claims }} claims</p>
</header>

<div class="tiles">
  <div class="tile"><div class="label">Outstanding</div><div class="value">{{ eur(p.totals.outstanding) }}</div>
    <div class="sub">on claims not closed</div></div>
  <div class="tile"><div class="label">Collected</div><div class="value">{{ eur(p.totals.collected) }}</div>
    <div class="sub">of {{ eur(p.totals.principal) }} principal handed over</div></div>
  <div class="tile"><div class="label">Recovery rate</div><div class="value">{{ percent(p.recovery_rate) }}</div>
    <div class="sub">collected ÷ (collected + still owed)</div></div>
  <div class="tile"><div class="label">DSO</div>
    <div class="value">{{ "n/a" if p.dso is none else "%.1f days"|format(p.dso) }}</div>
    <div class="sub">open principal ÷ invoiced × days</div></div>
</div>

<section>
  <h2>Claims by stage over time</h2>
  {{ stage_chart|safe }}
  <ul class="legend">
  {% for group in groups %}<li><span class="swatch" style="background: {{ group.color }}"></span>{{ group.label }}</li>{% endfor %}
  </ul>
  <p class="note">Where each claim stood at the end of each day, replayed from its timeline.</p>
</section>

<section>
  <h2>Outstanding principal and collected amounts</h2>
  {{ money_chart|safe }}
  <ul class="legend">
    <li><span class="swatch" style="background: {{ open_color }}"></span>Principal still open</li>
    <li><span class="swatch" style="background: {{ collected_color }}"></span>Collected (cumulative: costs, interest, principal)</li>
  </ul>
</section>

<div class="two" style="margin-top: 18px">
<section>
  <h2>Ageing of what is owed</h2>
  {{ ageing_chart|safe }}
  <p class="note">Outstanding on claims not closed, by days past the due date.</p>
</section>
<section>
  <h2>By status</h2>
  <table>
    <tr><th>Status</th><th class="num">Claims</th><th class="num">Principal</th><th class="num">Collected</th><th class="num">Outstanding</th></tr>
    {% for status, row in p.by_status.items() %}
    <tr><td>{{ status_label(status) }}</td><td class="num">{{ row.count }}</td><td class="num">{{ eur(dec(row.principal)) }}</td>
        <td class="num">{{ eur(dec(row.collected)) }}</td><td class="num">{{ eur(dec(row.outstanding)) }}</td></tr>
    {% endfor %}
  </table>
  <p class="note">Interest booked {{ eur(p.totals.interest) }} · collection costs booked {{ eur(p.totals.costs) }} (incl. VAT where charged).</p>
</section>
</div>

{% if p.customers %}
<section class="claims">
  <h2>Customers</h2>
  <table>
    <tr><th>Customer</th><th>Name</th><th class="num">Claims</th><th class="num">Open</th>
        <th class="num">Avg. days late</th><th class="num">Score</th><th class="num">Term</th></tr>
    {% for c in p.customers %}
    <tr><td>{{ c.reference }}</td><td class="name">{{ c.name }}</td><td class="num">{{ c.claims }}</td>
        <td class="num">{{ eur(c.open_amount) }}</td>
        <td class="num">{{ '-' if c.average_days_late is none else c.average_days_late }}</td>
        <td class="num">{{ c.score }}</td><td class="num">{{ c.payment_term_days }} days</td></tr>
    {% endfor %}
  </table>
  <p class="note">Customers are the creditor's customer numbers (debtor reference). Days late: of paid invoices,
  paid date less due date. Score 0-100 and the recommended payment term come from this creditor's own
  record of the customer (GET /v1/debtors/{reference}/credit).</p>
</section>
{% endif %}

<section class="claims">
  <h2>Claims</h2>
  <table>
    <tr><th>Invoice</th><th>Debtor</th><th>Due</th><th>Status</th><th>Stage</th>
        <th class="num">Principal</th><th class="num">Paid</th><th class="num">Outstanding</th></tr>
    {% for row in rows %}
    <tr><td>{{ row.invoice }}</td><td class="name">{{ row.debtor }}</td><td>{{ row.due }}</td>
        <td><span class="pill" style="background: {{ row.color }}">{{ row.status }}</span></td><td>{{ row.stage }}</td>
        <td class="num">{{ row.principal }}</td><td class="num">{{ row.paid }}</td><td class="num">{{ row.outstanding }}</td></tr>
    {% endfor %}
  </table>
</section>
</main>
</body>
</html>
"""

_environment = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_page = _environment.from_string(_TEMPLATE)

_STATUS_COLORS = {
    "open": "#94a3b8", "in_collection": "#2563eb", "paused": "#a855f7", "arrangement": "#14b8a6",
    "paid": "#16a34a", "cancelled": "#9ca3af", "uncollectible": "#7f1d1d", "debt_monitoring": "#64748b",
    "needs_attention": "#e11d48",
}


def _claim_rows(portfolio: Portfolio) -> list[dict[str, str]]:
    rows = []
    ordered = sorted(portfolio.claims, key=lambda c: (str(claim_field(c, "due_date")), str(claim_field(c, "invoice_number"))))
    for claim in ordered:
        debtor = claim_field(claim, "debtor")
        name = debtor.get("name") if isinstance(debtor, dict) else debtor.name
        amounts = amounts_of(claim)
        status = str(claim_field(claim, "status"))
        rows.append({
            "invoice": str(claim_field(claim, "invoice_number")),
            "debtor": name,
            "due": str(claim_field(claim, "due_date")),
            "status": STATUS_LABELS.get(status, status),
            "color": _STATUS_COLORS.get(status, "#64748b"),
            "stage": STAGE_LABELS.get(str(claim_field(claim, "stage")), str(claim_field(claim, "stage"))),
            "principal": eur(amounts["principal"]),
            "paid": eur(amounts["paid"]),
            "outstanding": eur(amounts["outstanding"]),
        })
    return rows


def render_html(portfolio: Portfolio) -> str:
    """The whole page."""
    stages = portfolio.stages
    groups = [group for group in GROUPS if any(stages.counts.get(group.key, []))]
    stage_chart = charts.stacked_area(
        stages.days, [charts.Series(g.label, g.color, stages.counts[g.key]) for g in groups],
        title="Claims by stage over time")
    money = portfolio.money
    money_chart = charts.line_chart(
        money.days,
        [charts.Series("Principal still open", OPEN_COLOR, money.open_principal),
         charts.Series("Collected", COLLECTED_COLOR, money.collected)],
        title="Outstanding principal and collected amounts", value_label=eur_axis)
    buckets = portfolio.ageing
    ageing_chart = charts.horizontal_bars(
        [bucket.label for bucket in buckets], [bucket.amount for bucket in buckets],
        [f"{eur(bucket.amount)} · {bucket.count} claim{'s' if bucket.count != 1 else ''}" for bucket in buckets],
        title="Ageing of what is owed", color="#f59e0b", width=520, row_height=32)
    return _page.render(
        p=portfolio, groups=groups, stage_chart=stage_chart, money_chart=money_chart, ageing_chart=ageing_chart,
        rows=_claim_rows(portfolio), eur=eur, percent=percent, dec=Decimal,
        status_label=lambda status: STATUS_LABELS.get(status, status),
        open_color=OPEN_COLOR, collected_color=COLLECTED_COLOR,
    )
