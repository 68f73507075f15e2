"""What the debtors of the demo do: pay in full at various stages (some online, through the personal
link in their reminder: the portal and the local payment provider's checkout), pay part, dispute, agree
an arrangement, and what the bailiff reports. Each story starts on a day fixed in advance from the day the claim is
expected to reach a step (the domain's own schedule, ``scheduled_on``), so the same seed gives the same
story; the escalation itself is left entirely to the system, and everything goes through the API.

An event the API refuses (the claim already paid, say) is kept with the API's answer, not hidden.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any
from urllib.parse import urljoin

from incasso_cli.demo.sample_data import SampleInvoice
from incasso.domain.escalation import route, scheduled_on
from incasso.domain.models import Claim, Debtor, DebtorType, Policy, Stage
from incasso_cli.reporting.client import Api, ApiError, expect

PORTAL_LINK = re.compile(r"https?://[^\s]+/p/[A-Za-z0-9._~-]+")
NOTICE = Stage.FOURTEEN_DAY_LETTER  # in a role: the 14-day letter, or the notice of default on a business route


@dataclass(frozen=True)
class Role:
    """A kind of debtor behaviour: its first event comes ``days_after`` the day the claim is expected to
    reach ``anchor`` (``None``: the first reminder, so a negative ``days_after`` comes before it)."""

    key: str
    description: str
    count: int
    anchor: Stage | None
    days_after: int
    first_action: str
    consumers_only: bool = False
    min_principal: Decimal = Decimal("0")
    room: int = 20  # days the story needs after its first event


ROLES: tuple[Role, ...] = (
    Role("pays_early", "pays in full before the first reminder", 6, None, -2, "pay_all"),
    Role("pays_in_portal", "opens the link in the first reminder and pays in full online (iDEAL)", 3,
         Stage.REMINDER_1, 1, "portal_pay"),
    Role("pays_after_reminder_1", "pays in full after the first reminder", 6, Stage.REMINDER_1, 3, "pay_all"),
    Role("pays_after_reminder_2", "pays in full after the second reminder", 5, Stage.REMINDER_2, 4, "pay_all"),
    Role("pays_after_call", "pays in full after the phone call", 3, Stage.CALL_SCHEDULED, 2, "pay_all"),
    Role("pays_within_term", "pays in full within the 14-day term", 3, NOTICE, 6, "pay_all"),
    Role("pays_after_costs", "pays everything, costs included, after the term ran out", 2, NOTICE, 24, "pay_all",
         min_principal=Decimal("300")),
    Role("pays_part", "pays part after the second reminder, the rest within the 14-day term", 3,
         Stage.REMINDER_2, 2, "pay_part", min_principal=Decimal("200"), room=40),
    Role("pays_part_only", "pays part after the second reminder, then nothing more", 2, Stage.REMINDER_2, 2,
         "pay_part", min_principal=Decimal("400")),
    Role("disputes", "disputes after the first reminder; the dispute is rejected three weeks later", 1,
         Stage.REMINDER_1, 2, "dispute", consumers_only=True, room=45),
    Role("arrangement", "agrees a payment arrangement after the 14-day letter and keeps it", 1, NOTICE, 3,
         "arrange", consumers_only=True, min_principal=Decimal("600"), room=70),
    Role("bailiff_collects", "is served by the bailiff and then pays everything", 1, NOTICE, 30,
         "bailiff_served", min_principal=Decimal("600"), room=30),
    Role("bailiff_uncollectible", "has nothing the bailiff can seize", 1, NOTICE, 30, "bailiff_uncollectible",
         min_principal=Decimal("500"), room=10),
    Role("portal_second_try", "cancels the online payment once, pays online two days later", 1,
         Stage.REMINDER_2, 1, "portal_cancel", room=25),
)


def expected_steps(invoice: SampleInvoice, policy: Policy, first_day: dt.date) -> dict[Stage, dt.date]:
    """The days the trajectory's steps will be taken if the debtor does nothing: the domain's own
    schedule (``scheduled_on``), with no step before ``first_day`` (the first sweep after the import)."""
    debtor = Debtor(name=invoice.debtor_name, type=DebtorType(invoice.debtor_type), phone=invoice.phone)
    at = dt.datetime.combine(first_day, dt.time(0), tzinfo=dt.timezone.utc)
    claim = Claim(tenant_id="plan", claim_id="plan", invoice_number=invoice.invoice_number, debtor=debtor,
                  invoice_date=invoice.invoice_date, due_date=invoice.due_date, principal=invoice.principal,
                  created_at=at, updated_at=at)
    planned: dict[Stage, dt.date] = {}
    for step, _ in route(claim, policy):
        day = max(scheduled_on(claim, policy, step), first_day)
        planned[step] = day
        claim = claim.model_copy(update={"step_dates": {**claim.step_dates, step.value: day}})
    planned[NOTICE] = planned.get(Stage.FOURTEEN_DAY_LETTER) or planned[Stage.NOTICE_OF_DEFAULT]
    return planned


@dataclass
class Event:
    """One scripted API call: ``action`` on ``day`` for the claim of ``invoice_number``."""

    day: dt.date
    invoice_number: str
    role: str
    action: str  # pay_all | pay_part | dispute | resolve_dispute | arrange | pay_instalment | bailiff_* | portal_*
    fraction: Decimal | None = None  # pay_part: the share of what is owed
    amount: Decimal | None = None  # pay_instalment: the instalment
    outcome: str = ""  # what happened, as the demo reports it
    ok: bool | None = None


@dataclass
class Script:
    roles: dict[str, str] = field(default_factory=dict)  # invoice number -> role key
    events: list[Event] = field(default_factory=list)

    def on(self, day: dt.date) -> list[Event]:
        return [event for event in self.events if event.day == day]

    def schedule(self, event: Event) -> None:
        self.events.append(event)

    def of(self, invoice_number: str) -> list[Event]:
        return sorted((event for event in self.events if event.invoice_number == invoice_number),
                      key=lambda event: event.day)


def write_script(invoices: list[SampleInvoice], policy: Policy, *, start: dt.date, days: int,
                 seed: int) -> Script:
    """Give roles to some invoices, chosen at random (seeded) among those whose story fits inside the
    run; each role's first event is placed now, its follow-ups as the story unfolds."""
    rng = random.Random(seed + 1)
    end = start + dt.timedelta(days=days - 1)
    first_sweep = start + dt.timedelta(days=1)  # the demo starts after the day's sweep
    plans = {invoice.invoice_number: expected_steps(invoice, policy, first_sweep) for invoice in invoices}
    script = Script()
    free = sorted(invoices, key=lambda invoice: invoice.invoice_number)
    for role in ROLES:
        def first_day(invoice: SampleInvoice, role: Role = role) -> dt.date | None:
            plan = plans[invoice.invoice_number]
            anchor = plan[Stage.REMINDER_1] if role.anchor is None else plan.get(role.anchor)
            return None if anchor is None else anchor + dt.timedelta(days=role.days_after)

        candidates = [
            invoice for invoice in free
            if (not role.consumers_only or invoice.debtor_type == "consumer")
            and invoice.principal >= role.min_principal
            and (day := first_day(invoice)) is not None
            and start <= day and day + dt.timedelta(days=role.room) <= end
        ]
        for invoice in rng.sample(candidates, min(role.count, len(candidates))):
            free.remove(invoice)
            script.roles[invoice.invoice_number] = role.key
            fraction = Decimal(rng.choice(("0.25", "0.4", "0.5"))) if role.first_action == "pay_part" else None
            script.schedule(Event(first_day(invoice) or start, invoice.invoice_number, role.key, role.first_action,
                                  fraction=fraction))
            if role.key == "pays_part":  # the rest within the term of the 14-day letter / notice
                rest_on = plans[invoice.invoice_number][NOTICE] + dt.timedelta(days=6)
                script.schedule(Event(rest_on, invoice.invoice_number, role.key, "pay_all"))
    script.events.sort(key=lambda event: (event.day, event.invoice_number))
    return script


def _euros(amount: Decimal) -> str:
    return f"{amount:.2f}"


class Actor:
    """Plays the script's events against the API, for the claims of one tenant."""

    def __init__(self, api: Api, script: Script, claim_ids: dict[str, str], portal: "PortalDebtor | None" = None) -> None:
        self.api = api
        self.script = script
        self.claim_ids = claim_ids
        self.portal = portal

    def play(self, today: dt.date) -> list[Event]:
        done = []
        for event in self.script.on(today):
            claim_id = self.claim_ids.get(event.invoice_number)
            if claim_id is None:
                event.ok, event.outcome = False, "no claim (the row was not imported)"
            else:
                try:
                    event.outcome = self._act(event, claim_id, today)
                    event.ok = True
                except ApiError as error:
                    event.ok, event.outcome = False, f"refused: {error}"
            done.append(event)
        return done

    def _claim(self, claim_id: str) -> dict[str, Any]:
        return expect(self.api, 200, "GET", f"/v1/claims/{claim_id}")

    def _pay(self, claim_id: str, amount: Decimal, today: dt.date) -> dict[str, Any]:
        return expect(self.api, 201, "POST", f"/v1/claims/{claim_id}/payments",
                      {"amount": _euros(amount), "paid_at": today.isoformat()})

    def _act(self, event: Event, claim_id: str, today: dt.date) -> str:
        action = event.action
        if action == "pay_all":
            owed = Decimal(self._claim(claim_id)["amounts"]["outstanding"])
            if owed <= 0:
                return "nothing owed any more"
            paid = self._pay(claim_id, owed, today)
            allocation = paid["allocation"]
            return (f"paid EUR {_euros(owed)} in full (costs {allocation['costs']}, interest {allocation['interest']}, "
                    f"principal {allocation['principal']})")
        if action == "pay_part":
            owed = Decimal(self._claim(claim_id)["amounts"]["outstanding"])
            part = (owed * (event.fraction or Decimal("0.5"))).quantize(Decimal("1"), rounding=ROUND_DOWN)
            if part <= 0 or part >= owed:
                return "nothing to pay in part"
            self._pay(claim_id, part, today)
            return f"paid EUR {_euros(part)} of EUR {_euros(owed)}"
        if action == "dispute":
            expect(self.api, 200, "POST", f"/v1/claims/{claim_id}/dispute",
                   {"reason": "The goods arrived damaged; I returned them."})
            self._follow(event, "resolve_dispute", 21)
            return "disputed: the goods arrived damaged"
        if action == "resolve_dispute":
            expect(self.api, 200, "POST", f"/v1/claims/{claim_id}/dispute/resolve", {"outcome": "rejected"})
            return "dispute rejected: escalation resumes"
        if action == "arrange":
            owed = Decimal(self._claim(claim_id)["amounts"]["outstanding"])
            instalments = _instalments(owed, today, count=3)
            expect(self.api, 201, "POST", f"/v1/claims/{claim_id}/arrangement",
                   {"instalments": [{"due_date": day.isoformat(), "amount": _euros(amount)} for day, amount in instalments]})
            for day, amount in instalments:  # paid on time, a day early
                self.script.schedule(Event(day - dt.timedelta(days=1), event.invoice_number, event.role,
                                           "pay_instalment", amount=amount))
            return f"arrangement: 3 monthly instalments for EUR {_euros(owed)}"
        if action == "pay_instalment":
            assert event.amount is not None
            self._pay(claim_id, event.amount, today)
            return f"paid the instalment of EUR {_euros(event.amount)}"
        if action in ("portal_pay", "portal_cancel"):
            if self.portal is None:
                return "no portal in this run"
            link = self._portal_link(claim_id)
            if link is None:
                return "no message with a personal link yet"
            owed = Decimal(self._claim(claim_id)["amounts"]["outstanding"])
            if owed <= 0:
                return "nothing owed any more"
            result = "paid" if action == "portal_pay" else "cancelled"
            total = self.portal.pay(link, result)
            if result == "cancelled":
                self._follow(event, "portal_pay", 2)
                return f"opened the link, started paying EUR {_euros(total)} online and cancelled the checkout"
            after = self._claim(claim_id)
            return (f"paid EUR {_euros(total)} online through the personal link (iDEAL, local checkout): "
                    f"{after['status']}")
        if action == "bailiff_served":
            claim = self._claim(claim_id)
            if claim["stage"] != "bailiff_filing":
                self._follow(event, "bailiff_served", 7)  # not with the bailiff yet: look again next week
                return f"not with the bailiff yet ({claim['stage']})"
            expect(self.api, 200, "POST", f"/v1/claims/{claim_id}/bailiff", {"update": "served", "note": "writ served"})
            self._follow(event, "pay_all", 14)
            return "the bailiff served the writ"
        if action == "bailiff_uncollectible":
            claim = self._claim(claim_id)
            if claim["stage"] != "bailiff_filing":
                self._follow(event, "bailiff_uncollectible", 7)
                return f"not with the bailiff yet ({claim['stage']})"
            expect(self.api, 200, "POST", f"/v1/claims/{claim_id}/bailiff",
                   {"update": "uncollectible", "note": "no income or assets to seize"})
            return "the bailiff found nothing to seize: uncollectible"
        raise ValueError(f"unknown scripted action {action!r}")

    def _portal_link(self, claim_id: str) -> str | None:
        """The personal link in the latest message the debtor received."""
        messages = expect(self.api, 200, "GET", f"/v1/claims/{claim_id}/messages")["items"]
        for message in reversed(messages):
            found = PORTAL_LINK.search(message.get("body") or "")
            if found:
                return found.group(0)
        return None

    def _follow(self, event: Event, action: str, after_days: int) -> None:
        self.script.schedule(Event(event.day + dt.timedelta(days=after_days), event.invoice_number, event.role, action))


def _instalments(owed: Decimal, today: dt.date, *, count: int) -> list[tuple[dt.date, Decimal]]:
    """``count`` monthly instalments summing exactly to ``owed``; the first a week from today."""
    share = (owed / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [owed - share * (count - 1)]
    return [(today + dt.timedelta(days=7 + 30 * n), amount) for n, amount in enumerate(amounts)]


class PortalDebtor:
    """A debtor in a browser, over HTTP: opens the personal link, submits the page's pay form (with its
    CSRF field and cookie) and completes the local provider's checkout with ``paid`` or ``cancelled``;
    the provider's webhook then reaches the product as Mollie's would."""

    def __init__(self, timeout: float = 60) -> None:
        self.timeout = timeout

    def pay(self, link: str, result: str) -> Decimal:
        """Pay everything the page shows; the amount the checkout asked for."""
        import requests  # deferred: only the demo's portal story needs an HTTP client

        with requests.Session() as browser:
            page = browser.get(link, timeout=self.timeout)
            page.raise_for_status()
            form = re.search(r'<form method="post" action="([^"]+/pay)" id="pay">(.*?)</form>', page.text, re.S)
            if form is None:
                raise ApiError("GET", link, page.status_code, "the page offers nothing to pay")
            fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(2)))
            started = browser.post(urljoin(link, form.group(1)), data=fields, allow_redirects=False, timeout=self.timeout)
            if started.status_code != 303:
                raise ApiError("POST", form.group(1), started.status_code, started.text)
            checkout = urljoin(link, started.headers["Location"])
            shown = browser.get(checkout, timeout=self.timeout)
            amount = re.search(r'<span id="amount">([0-9.]+)</span>', shown.text)
            done = browser.post(checkout, data={"result": result}, allow_redirects=False, timeout=self.timeout)
            if done.status_code != 303:
                raise ApiError("POST", checkout, done.status_code, done.text)
            return Decimal(amount.group(1)) if amount else Decimal("0")
