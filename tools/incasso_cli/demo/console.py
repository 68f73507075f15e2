"""How ``incasso demo`` tells what happened: the import, a compact timeline per claim, the full story of
a few, and the summary. Everything printed comes from the API's answers and the messages sent."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from incasso.money import format_eur
from incasso_cli.reporting.html import STAGE_LABELS, STATUS_LABELS, percent
from incasso_cli.reporting.portfolio import dutch_day, recovery_rate

STEP_CODES = {
    "reminder_1": "R1", "reminder_2": "R2", "call_scheduled": "Call", "fourteen_day_letter": "14d",
    "notice_of_default": "NoD", "legal_review": "Review", "bailiff_filing": "Bailiff",
}
STATUS_STYLES = {
    "paid": "green", "in_collection": "blue", "paused": "magenta", "arrangement": "cyan", "cancelled": "dim",
    "uncollectible": "red", "debt_monitoring": "yellow", "needs_attention": "bold red", "open": "white",
}
# The stories told in full: one claim of each.
DETAILED_ROLES = ("disputes", "arrangement", "pays_part", "pays_after_costs", "bailiff_collects",
                  "bailiff_uncollectible", "portal_second_try")


def eur(amount: Any) -> str:
    return format_eur(Decimal(str(amount)), "en")


def short_day(at: str) -> str:
    return dutch_day(at).strftime("%d/%m")


def route(claim: dict[str, Any]) -> str:
    """The claim's way through the trajectory on one line: ``R1 06/01 · R2 20/01 · €50 22/01 · Paid``."""
    parts = []
    for event in claim["timeline"]:
        kind, day = event["type"], short_day(event["at"])
        if kind == "step_taken" and event.get("step") in STEP_CODES:
            parts.append(f"{STEP_CODES[event['step']]} {day}")
        elif kind == "payment_received":
            online = " online" if event.get("via") == "portal" else ""
            parts.append(f"€{Decimal(event['amount']):,.0f}{online} {day}")
        elif kind == "dispute_opened":
            parts.append(f"Dispute {day}")
        elif kind == "dispute_resolved":
            parts.append(f"{'Rejected' if event.get('outcome') == 'rejected' else 'Upheld'} {day}")
        elif kind == "arrangement_agreed":
            parts.append(f"Arrangement {day}")
        elif kind == "arrangement_broken":
            parts.append(f"Missed {day}")
        elif kind.startswith("bailiff_"):
            parts.append(f"{kind.removeprefix('bailiff_').capitalize()} {day}")
        elif kind == "debt_monitoring_started":
            parts.append(f"Monitoring {day}")
        elif kind == "claim_parked":
            parts.append(f"Parked {day}")
    return " · ".join(parts) or "-"


def describe(event: dict[str, Any]) -> str:
    """One timeline event in words."""
    kind = event["type"]
    if kind == "claim_created":
        return f"claim created for invoice {event.get('invoice_number', '')} ({eur(event.get('principal', '0'))})"
    if kind == "step_taken":
        step = event.get("step", "")
        words = {"reminder_1": "first reminder (friendly, no costs)",
                 "reminder_2": "second reminder (formal, announces costs)",
                 "call_scheduled": "call planned" + (f" for {event['call_at'][:16].replace('T', ' ')} UTC"
                                                     if event.get("call_at") else ""),
                 "fourteen_day_letter": "14-day letter (art. 6:96 lid 6 BW)",
                 "notice_of_default": "notice of default",
                 "legal_review": "legal review: the term has run out unpaid",
                 "bailiff_filing": "dossier handed to the bailiff"}.get(step, step)
        extra = []
        if event.get("announced_costs"):
            extra.append(f"collection costs {eur(event['announced_costs'])} announced")
        if event.get("term_ends_on"):
            extra.append(f"term ends {event['term_ends_on']}")
        if event.get("costs_booked"):
            extra.append(f"costs {eur(event['costs_booked'])} booked")
        if event.get("bailiff"):
            extra.append(f"court action worthwhile: {event['bailiff']}")
        return words + (f" — {', '.join(extra)}" if extra else "")
    if kind == "message_sent":
        return f"  sent: {event.get('message', '')} by {event.get('channel', '?')}"
    if kind == "message_cancelled":
        return f"  not sent (no longer due): {event.get('message', '')}"
    if kind == "payment_received":
        allocation = event.get("allocation") or {}
        online = " online through the portal (iDEAL)" if event.get("via") == "portal" else ""
        return (f"payment of {eur(event['amount'])}{online}: costs {eur(allocation.get('costs', '0'))}, "
                f"interest {eur(allocation.get('interest', '0'))}, principal {eur(allocation.get('principal', '0'))}")
    if kind == "dispute_opened":
        return f"disputed: {event.get('reason', '')}"
    if kind == "escalation_paused":
        return "escalation paused until the dispute is resolved"
    if kind == "dispute_resolved":
        return f"dispute {event.get('outcome', '')}"
    if kind == "arrangement_agreed":
        instalments = event.get("instalments") or []
        return "arrangement: " + ", ".join(f"{eur(i['amount'])} by {i['due_date']}" for i in instalments)
    if kind == "arrangement_broken":
        return f"arrangement broken: {event.get('reason', '')}"
    if kind == "claim_closed":
        return f"closed: {event.get('outcome', '')}"
    if kind == "debt_monitoring_started":
        return "not worth court action: debt monitoring"
    if kind.startswith("bailiff_"):
        note = f" ({event['note']})" if event.get("note") else ""
        return f"bailiff reports: {kind.removeprefix('bailiff_')}{note}"
    details = {k: v for k, v in event.items() if k not in ("at", "type")}
    return f"{kind} {details}" if details else kind


def print_import(console: Console, report: dict[str, Any], filename: str) -> None:
    console.print(f"[bold]Import[/] {filename}: [green]{report['accepted']} accepted[/], "
                  f"[red]{report['rejected']} rejected[/] ({report['status']})")
    for error in report.get("errors", []):
        console.print(f"  row {error['row']}, {error['field']}: {error['message']}")


def timeline_table(claims: list[dict[str, Any]], roles: dict[str, str], *, width: int = 160) -> Table:
    """Every claim on a line, one customer's invoices together; the customer number gets a column of its
    own where the console is wide enough (below 120 columns its invoices are still grouped)."""
    wide = width >= 120
    table = Table(title="Every claim, compactly", title_justify="left", expand=False, pad_edge=False,
                  header_style="bold")
    table.add_column("Invoice", no_wrap=True)
    if wide:
        table.add_column("Customer", no_wrap=True)
    table.add_column("Debtor", max_width=18, overflow="ellipsis", no_wrap=True)
    table.add_column("", no_wrap=True)  # consumer/business, language
    table.add_column("Principal", justify="right", no_wrap=True)
    table.add_column("What happened", overflow="fold", min_width=20)
    table.add_column("Status")
    table.add_column("Outstanding", justify="right", no_wrap=True)
    # One debtor's invoices together (the customer number), each customer's in invoice order.
    for claim in sorted(claims, key=lambda c: (c["debtor"].get("reference") or "", c["invoice_number"])):
        debtor = claim["debtor"]
        kind = ("C" if debtor["type"] == "consumer" else "B") + "/" + debtor.get("language", "nl")
        status = claim["status"]
        marker = " *" if claim["invoice_number"] in roles else ""
        customer = [debtor.get("reference") or ""] if wide else []
        table.add_row(claim["invoice_number"] + marker, *customer, debtor["name"], kind, eur(claim["amounts"]["principal"]),
                      route(claim), f"[{STATUS_STYLES.get(status, 'white')}]{STATUS_LABELS.get(status, status)}[/]",
                      eur(claim["amounts"]["outstanding"]))
    return table


def print_details(console: Console, result: Any) -> None:
    by_invoice = {claim["invoice_number"]: claim for claim in result.claims}
    shown = set()
    for role in DETAILED_ROLES:
        invoice = next((number for number, key in sorted(result.script.roles.items()) if key == role), None)
        if invoice is None or invoice not in by_invoice or invoice in shown:
            continue
        shown.add(invoice)
        claim = by_invoice[invoice]
        debtor = claim["debtor"]
        lines: list[str] = []
        for event in claim["timeline"]:
            line = f"{dutch_day(event['at']).isoformat()}  {describe(event)}"
            if not lines or lines[-1] != line:  # the payment and the execution both record the close
                lines.append(line)
        amounts = claim["amounts"]
        lines.append("")
        lines.append(f"principal {eur(amounts['principal'])} · interest {eur(amounts['interest'])} · "
                     f"costs {eur(Decimal(amounts['collection_costs']) + Decimal(amounts['collection_costs_vat']))} · "
                     f"paid {eur(amounts['paid'])} · outstanding {eur(amounts['outstanding'])}")
        sent = result.messages.get(claim["claim_id"], [])
        if sent:
            lines.append("messages: " + ", ".join(f"{m['kind']} ({m['channel']})" for m in sent))
        from incasso_cli.demo.scenario import ROLES

        story = next(r.description for r in ROLES if r.key == role)
        title = (f"{invoice} · {debtor['name']} ({debtor['type']}, {debtor.get('language', 'nl')}) — {story}")
        console.print(Panel("\n".join(lines), title=title, title_align="left", expand=False))


def print_summary(console: Console, result: Any) -> None:
    summary = result.summary
    counts = Counter(claim["status"] for claim in result.claims)
    stages = Counter(claim["stage"] for claim in result.claims if claim["status"] not in ("paid", "cancelled"))
    table = Table.grid(padding=(0, 3))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Period", f"{result.start.isoformat()} to {result.end.isoformat()} "
                            f"({(result.end - result.start).days} simulated days)")
    table.add_row("Claims", ", ".join(f"{STATUS_LABELS.get(s, s).lower()} {n}" for s, n in counts.most_common()))
    table.add_row("Open claims by stage", ", ".join(f"{STAGE_LABELS.get(s, s).lower()} {n}" for s, n in stages.most_common()))
    table.add_row("Principal handed over", eur(summary["principal"]))
    table.add_row("Collected", eur(summary["collected"]))
    table.add_row("Outstanding", eur(summary["outstanding"]))
    table.add_row("Recovery rate", percent(recovery_rate(result.claims)))
    table.add_row("DSO", "n/a" if summary.get("dso") is None else f"{summary['dso']:.1f} days")
    online = portal_payments(result.claims)
    checkouts = getattr(result, "checkouts", Counter())
    table.add_row("Paid through the portal",
                  f"{online.debtors} debtors, {online.payments} payments, {eur(online.amount)} "
                  f"(checkouts: " + (", ".join(f"{status} {n}" for status, n in sorted(checkouts.items())) or "none")
                  + ")")
    table.add_row("Messages sent", ", ".join(f"{kind} {n}" for kind, n in result.message_counts.most_common()))
    customers = Counter(claim["debtor"].get("reference") for claim in result.claims if claim["debtor"].get("reference"))
    table.add_row("Customers", f"{len(customers)}, {sum(1 for n in customers.values() if n > 1)} with several "
                               f"invoices; {combined_letters(result.messages)} letters named several invoices at once")
    refused = [event for event in result.script.events if event.ok is False]
    table.add_row("Scripted debtor actions", f"{sum(1 for e in result.script.events if e.ok)} done"
                  + (f", {len(refused)} refused by the API" if refused else ""))
    console.print(Panel(table, title="Summary", title_align="left", expand=False))


def combined_letters(messages: dict[str, list[dict[str, Any]]]) -> int:
    """Letters that went out once for several of a debtor's invoices (the same document on each claim)."""
    claims_of = Counter(record.get("document") or (record["kind"], record["sent_at"], record["subject"])
                        for records in messages.values() for record in records)
    return sum(1 for count in claims_of.values() if count > 1)


class PortalPayments:
    """Payments that came through the debtors' portal (``via`` portal on the timeline)."""

    def __init__(self) -> None:
        self.payments = 0
        self.amount = Decimal("0")
        self.claims: set[str] = set()
        self.debtor_keys: set[str] = set()

    @property
    def debtors(self) -> int:
        return len(self.debtor_keys)


def portal_payments(claims: list[dict[str, Any]]) -> PortalPayments:
    """Count the portal's payments: per payment, its amount; per debtor (its reference, else its claim)."""
    found = PortalPayments()
    for claim in claims:
        for event in claim["timeline"]:
            if event["type"] == "payment_received" and event.get("via") == "portal":
                found.payments += 1
                found.amount += Decimal(event["amount"])
                found.claims.add(claim["claim_id"])
                found.debtor_keys.add(claim["debtor"].get("reference") or claim["claim_id"])
    return found


def print_files(console: Console, result: Any, out: Any) -> None:
    console.print(f"[bold]Written to {out}/[/]")
    console.print(f"  letters/  {len(result.letters)} PDF letters (the documents bucket's copies)")
    for path in result.report_files:
        console.print(f"  {path.name}")
    console.print(f"Done in {result.seconds:.1f} s.")
