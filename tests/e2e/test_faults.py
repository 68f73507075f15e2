"""The trajectory under faults (``infra.local.faults``).

A portfolio of claims runs the whole route once without faults and once under each fault. Every claim
must end exactly as without faults — status, stage, amounts, ledger, messages, timeline — with no
message sent twice (counted at SES, SNS and the print outbox, and in moto's own SES and SNS
backends), no ledger entry booked twice, no domain event added, nothing left pending or parked. A
permanent failure parks its claim, and only that claim, with the reason.

The portfolio mixes consumers and businesses, e-mail and SMS tenants, debtors with and without a
phone, payments in full and in part, disputes rejected and upheld, arrangements kept and broken, and a
bailiff's report. ``INCASSO_FAULT_CLAIMS`` sets its size (default 10, one claim per script; the
figures in docs/reliability.md come from ``INCASSO_FAULT_CLAIMS=100``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from incasso.adapters.message_sending import e164
from incasso.domain.models import Address, Channel, Debtor, Instalment
from incasso.services.claim_commands import BailiffUpdateKind, DisputeOutcome, NewClaim, NewPayment
from infra.local import faults

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)
END = START + 62 * DAY  # every claim of the portfolio has reached its last state by then
PORTFOLIO_SIZE = int(os.environ.get("INCASSO_FAULT_CLAIMS", "10"))
SEED = int(os.environ.get("INCASSO_FAULT_SEED", "20260105"))
COLLECTION_KINDS = {"reminder_1", "reminder_2", "call_scheduled", "fourteen_day_letter", "notice_of_default",
                    "bailiff_filing"}
STEP_FUNCTIONS = ("check_claim", "send_message", "schedule_call", "legal_review", "bailiff_filing", "pause_claim",
                  "close_claim")

# -- the portfolio ------------------------------------------------------------------------------------

SCRIPTS = {  # days after the due date -> what the tenant, the debtor or the bailiff does
    "route": [],
    "pay_early": [(10, "pay_full")],
    "pay_part": [(22, "pay_part")],
    "dispute_rejected": [(9, "dispute"), (30, "reject")],
    "dispute_upheld": [(9, "dispute"), (12, "uphold")],
    "arrangement_kept": [(8, "arrange"), (19, "pay_instalment_1"), (39, "pay_instalment_2")],
    "arrangement_broken": [(8, "arrange"), (19, "pay_instalment_1")],
    "pay_after_notice": [(37, "pay_full")],
    "bailiff_uncollectible": [(56, "uncollectible")],
    "route_late": [],
}


@dataclass(frozen=True)
class Case:
    """One claim of the portfolio."""

    number: int
    tenant_id: str
    debtor_type: str
    principal: Decimal
    due: dt.date
    phone: str | None
    script: str

    @property
    def invoice(self) -> str:
        return f"F-{self.number:04d}"

    @property
    def email(self) -> str:
        return f"debtor{self.number:04d}@example.nl"

    def actions(self) -> list[tuple[dt.date, str]]:
        return [(self.due + offset * DAY, action) for offset, action in SCRIPTS[self.script]]


def portfolio(size: int) -> list[Case]:
    scripts = list(SCRIPTS)
    return [
        Case(
            number=n,
            tenant_id="acme" if n % 2 else "textco",  # textco sends its reminders by SMS
            debtor_type="business" if n % 3 == 0 else "consumer",
            principal=Decimal(180 + (n * 397) % 4800).quantize(Decimal("0.01")),
            due=START - (n % 4) * DAY,
            phone=None if n % 5 == 4 else f"+3161{n:07d}",
            script=scripts[n % len(scripts)],
        )
        for n in range(size)
    ]


# -- one run of the portfolio ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A claim as it ended."""

    status: str
    stage: str
    amounts: tuple[tuple[str, str], ...]
    ledger: tuple[tuple[str, str, str], ...]  # (key, kind, amount), sorted
    sent: tuple[tuple[str, str], ...]  # (kind, channel), sorted
    pending: tuple[str, ...]
    timeline: tuple[tuple[str, int], ...]  # event type -> how often


@dataclass
class Run:
    outcomes: dict[str, Outcome]  # by invoice number
    deliveries: Counter  # (invoice, channel) -> messages that left through SES, SNS or the print outbox
    records: Counter  # (invoice, channel) -> messages recorded as sent
    kinds_sent: Counter  # (invoice, kind) -> records
    ledger_keys: Counter  # (invoice, key) -> entries
    events: Counter  # (invoice, detail type, stage) -> domain events put on the bus
    ses_messages: int
    sns_messages: int
    running_executions: int
    report: faults.FaultReport
    parked: dict[str, str] = field(default_factory=dict)  # invoice -> error on its claim_parked event

    @property
    def retried(self) -> int:
        """Failed invocations: each one retried by Step Functions (or, the last, parked)."""
        return sum(self.report.failed_invocations.values())


_RANDOM_ID = re.compile(r"[0-9a-f]{32}")


class PortfolioRun:
    def __init__(self, world, cases: list[Case], monkeypatch) -> None:
        self.world = world
        self.cases = cases
        self.claim_ids: dict[str, str] = {}
        numbers = itertools.count(1)
        # a claim's id is part of each fault's draw: the same in every run
        monkeypatch.setattr("incasso.services.claims.new_claim_id", lambda: f"clm_portfolio{next(numbers):07d}")

    def setup(self) -> None:
        self.world.tenant("acme")
        self.world.tenant("textco", reminder_channel=Channel.SMS)
        for case in self.cases:
            debtor = Debtor(name=f"Debiteur {case.number}", type=case.debtor_type, email=case.email, phone=case.phone,
                            address=Address(street=f"Kerkstraat {case.number + 1}", postal_code="1234 AB", city="Utrecht"))
            claim = self.world.claims.create(case.tenant_id, NewClaim(
                invoice_number=case.invoice, debtor=debtor, principal=case.principal,
                invoice_date=case.due - 30 * DAY, due_date=case.due))
            self.claim_ids[case.invoice] = claim.claim_id

    def play(self) -> None:
        """Run the clock to the end, doing each case's actions on their days (after that day's steps)."""
        agenda = sorted((day, case.number, action, case) for case in self.cases for day, action in case.actions())
        for day, _, action, case in agenda:
            self.world.until(day)
            self._do(case, action, day)
        self.world.until(END)

    def _do(self, case: Case, action: str, day: dt.date) -> None:
        claims, tenant, claim_id = self.world.claims, case.tenant_id, self.claim_ids[case.invoice]
        pay_key = f"{case.invoice}-{action}"
        if action == "pay_full":
            owed = claims.current(tenant, claim_id).amounts.outstanding
            claims.pay(tenant, claim_id, NewPayment(amount=owed, paid_at=day), payment_key=pay_key)
        elif action == "pay_part":
            claims.pay(tenant, claim_id, NewPayment(amount=Decimal("100.00"), paid_at=day), payment_key=pay_key)
        elif action == "dispute":
            claims.dispute(tenant, claim_id, "goods not delivered")
        elif action in ("reject", "uphold"):
            claims.resolve_dispute(tenant, claim_id, DisputeOutcome.REJECTED if action == "reject" else DisputeOutcome.UPHELD)
        elif action == "arrange":
            owed = claims.current(tenant, claim_id).amounts.outstanding
            first = (owed / 2).quantize(Decimal("0.01"))
            claims.arrange(tenant, claim_id, [Instalment(due_date=day + 12 * DAY, amount=first),
                                              Instalment(due_date=day + 32 * DAY, amount=owed - first)])
        elif action.startswith("pay_instalment_"):
            instalment = claims.get(tenant, claim_id).arrangement.instalments[int(action[-1]) - 1]
            claims.pay(tenant, claim_id, NewPayment(amount=instalment.amount, paid_at=day), payment_key=pay_key)
        elif action == "uncollectible":
            claims.bailiff_update(tenant, claim_id, BailiffUpdateKind.UNCOLLECTIBLE)
        else:
            raise AssertionError(f"unknown action {action}")

    def result(self, report: faults.FaultReport) -> Run:
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        store, stack = self.world.store, self.world.stack
        invoice_of = {claim_id: invoice for invoice, claim_id in self.claim_ids.items()}
        contact = {}
        outcomes, records, kinds, ledger_keys, parked = {}, Counter(), Counter(), Counter(), {}
        for case in self.cases:
            contact[case.email] = case.invoice
            if case.phone:
                contact[e164(case.phone)] = case.invoice
            claim_id = self.claim_ids[case.invoice]
            claim = store.get_claim(case.tenant_id, claim_id)
            ledger = store.get_ledger(case.tenant_id, claim_id)
            messages = store.list_messages(case.tenant_id, claim_id)
            timeline = store.get_timeline(case.tenant_id, claim_id)
            records.update((case.invoice, record["channel"]) for record in messages)
            kinds.update((case.invoice, record["kind"]) for record in messages)
            ledger_keys.update((case.invoice, entry.key) for entry in ledger)
            parked.update({case.invoice: e.details["error"] for e in timeline if e.type == "claim_parked"})
            outcomes[case.invoice] = Outcome(
                status=claim.status.value,
                stage=claim.stage.value,
                amounts=tuple((name, str(value)) for name, value in claim.amounts.model_dump().items()),
                ledger=tuple(sorted((_RANDOM_ID.sub("<id>", e.key), e.kind.value, str(e.amount)) for e in ledger)),
                sent=tuple(sorted((r["kind"], r["channel"]) for r in messages)),
                pending=tuple(claim.pending_messages),
                timeline=tuple(sorted(Counter(e.type for e in timeline).items())),
            )
        deliveries = Counter()
        for delivery in report.deliveries:
            invoice = invoice_of[delivery.to.split("/")[3]] if delivery.channel == "letter" else contact[delivery.to]
            deliveries[(invoice, delivery.channel)] += 1
        events = Counter()
        for detail_type, detail in report.events:
            body = json.loads(detail)
            if body.get("claim_id") in invoice_of:
                events[(invoice_of[body["claim_id"]], detail_type, body.get("stage", ""))] += 1
        backend = stack.account_id, stack.region
        return Run(outcomes=outcomes, deliveries=deliveries, records=records, kinds_sent=kinds, ledger_keys=ledger_keys,
                   events=events, ses_messages=len(ses_backends[backend[0]][backend[1]].sent_messages),
                   sns_messages=len(sns_backends[backend[0]][backend[1]].sms_messages),
                   running_executions=stack.running_executions, report=report, parked=parked)


_BASELINES: dict[tuple[int, ...], Run] = {}


@pytest.fixture
def fast_dynamodb():
    """moto's DynamoDB without its costs that grow with the table (same answers; as ``incasso demo``)."""
    from infra.local import fast_dynamodb

    installed_here = not fast_dynamodb.installed()
    fast_dynamodb.install()
    yield
    if installed_here:
        fast_dynamodb.uninstall()


@pytest.fixture
def run(world, make_local_stack, monkeypatch, fast_dynamodb):
    """``run(cases, *faults)``: the portfolio on a fresh local stack (the test's own stack first)."""
    worlds = [world]

    def run_portfolio(cases: list[Case], *injected: faults.Fault, seed: int = SEED) -> Run:
        current = worlds.pop() if worlds else type(world)(make_local_stack())
        portfolio_run = PortfolioRun(current, cases, monkeypatch)
        portfolio_run.setup()
        with faults.inject(current.stack, *injected, seed=seed) as report:
            portfolio_run.play()
        result = portfolio_run.result(report)
        current.stack.close()  # one stack per process at a time: the next run opens its own
        return result

    return run_portfolio


@pytest.fixture
def baseline(run):
    """``baseline(cases)``: the portfolio without faults (run once per process and portfolio)."""

    def without_faults(cases: list[Case]) -> Run:
        key = tuple(case.number for case in cases)
        if key not in _BASELINES:
            _BASELINES[key] = run(cases)
        return _BASELINES[key]

    return without_faults


@pytest.fixture
def figures(request):
    """``figures(run)``: with ``INCASSO_FAULT_FIGURES=<file>``, one JSON line per run appended to that file
    (what docs/reliability.md reports)."""

    def record(faulted: Run) -> None:
        path = os.environ.get("INCASSO_FAULT_FIGURES")
        if not path:
            return
        report = faulted.report
        line = {
            "test": request.node.name, "claims": len(faulted.outcomes), "seed": SEED,
            "injected": dict(sorted(report.injected.items())), "invocations": sum(report.invocations.values()),
            "failed_invocations_retried": faulted.retried, "messages_sent": sum(faulted.deliveries.values()),
            "ledger_entries": sum(faulted.ledger_keys.values()), "parked": len(faulted.parked),
            "outcomes": dict(sorted(Counter(outcome.status for outcome in faulted.outcomes.values()).items())),
        }
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")

    return record


def assert_same_as_without_faults(faulted: Run, clean: Run, *, except_invoices: frozenset[str] = frozenset()) -> None:
    """Every claim ended as without faults; nothing sent or booked twice; nothing lost."""
    def kept(counter: Counter) -> Counter:
        return Counter({key: n for key, n in counter.items() if key[0] not in except_invoices})

    # every claim ends in the same state, with the same amounts, ledger, messages and timeline
    for invoice, expected in clean.outcomes.items():
        if invoice not in except_invoices:
            assert faulted.outcomes[invoice] == expected, invoice
    # no ledger entry booked twice, no collection message recorded twice
    assert max(faulted.ledger_keys.values()) == 1
    assert all(n == 1 for (_, kind), n in faulted.kinds_sent.items() if kind in COLLECTION_KINDS)
    # every message that left through SES, SNS or the print outbox is recorded, once; none left twice
    assert faulted.deliveries == faulted.records
    assert kept(faulted.records) == kept(clean.records)
    # the providers' own count agrees (moto's SES and SNS backends)
    assert faulted.ses_messages == sum(n for (_, channel), n in faulted.records.items() if channel == "email")
    assert faulted.sns_messages == sum(n for (_, channel), n in faulted.records.items() if channel == "sms")
    # no domain event added or lost (ClaimEscalated once per step taken, ...)
    assert kept(faulted.events) == kept(clean.events)
    # nothing lost: nothing parked, the same executions still waiting (on the bailiff)
    assert {k: v for k, v in faulted.parked.items() if k not in except_invoices} == clean.parked == {}
    if not except_invoices:
        assert faulted.running_executions == clean.running_executions


# -- the tests ----------------------------------------------------------------------------------------


def test_the_portfolio_without_faults_takes_every_route(baseline, figures):
    # given the portfolio / when it runs without faults
    clean = baseline(portfolio(PORTFOLIO_SIZE))
    figures(clean)
    # then its claims end paid, cancelled, uncollectible, with the bailiff and in debt monitoring
    statuses = Counter(outcome.status for outcome in clean.outcomes.values())
    assert {"paid", "cancelled", "uncollectible", "in_collection", "debt_monitoring"} <= set(statuses)
    # and every message that left was recorded once, which is what the runs under faults compare with
    assert clean.deliveries == clean.records
    assert clean.ses_messages == sum(n for (_, channel), n in clean.records.items() if channel == "email")
    assert clean.sns_messages == sum(n for (_, channel), n in clean.records.items() if channel == "sms")
    assert clean.report.total_injected == 0 and clean.retried == 0 and not clean.parked


def test_e_mail_and_sms_throttled_30_percent_are_retried_and_sent_once(baseline, run, figures):
    # given 30 % of SES SendEmail and SNS Publish calls throttled (TransientSendError -> Retry)
    cases = portfolio(PORTFOLIO_SIZE)
    clean = baseline(cases)
    # when the portfolio runs
    faulted = run(cases, faults.throttle("sesv2", "SendEmail", share=0.3), faults.throttle("sns", "Publish", share=0.3))
    # then throttling happened and Step Functions retried the steps it hit
    assert faulted.report.injected["sesv2 throttled"] > 0 and faulted.report.injected["sns throttled"] > 0
    assert faulted.retried >= faulted.report.total_injected
    # and every claim ended as without faults, every message sent once
    figures(faulted)
    assert_same_as_without_faults(faulted, clean)


def test_dynamodb_writes_throttled_are_retried_and_booked_once(baseline, run, figures):
    # given 30 % of DynamoDB writes (PutItem, UpdateItem, TransactWriteItems) throttled in every step
    cases = portfolio(PORTFOLIO_SIZE)
    clean = baseline(cases)
    # when the portfolio runs
    faulted = run(cases, faults.throttle_writes(0.3))
    # then writes were throttled and steps retried
    assert faulted.report.injected["dynamodb writes throttled"] > 0 and faulted.retried > 0
    # and every claim ended as without faults: no ledger entry twice, no message twice (a message that
    # left before its record could be written is not sent again)
    figures(faulted)
    assert_same_as_without_faults(faulted, clean)


def test_every_step_lambda_timing_out_once_before_it_acts_is_retried(baseline, run, figures):
    # given every step of every claim timing out once, before its first AWS call
    cases = portfolio(PORTFOLIO_SIZE)
    clean = baseline(cases)
    # when the portfolio runs
    faulted = run(cases, faults.timeout(*STEP_FUNCTIONS, after_calls=0, name="step timed out"))
    # then each step's Lambda timed out once (Sandbox.Timedout) and was retried
    timed_out = Counter(failure.function_id for failure in faulted.report.sandbox_failures)
    assert set(timed_out) == set(STEP_FUNCTIONS)
    assert all(failure.error_type == "Sandbox.Timedout" for failure in faulted.report.sandbox_failures)
    # and every claim ended as without faults
    figures(faulted)
    assert_same_as_without_faults(faulted, clean)


def test_every_task_retried_after_its_side_effect_acts_once(baseline, run, figures):
    # given every step of every claim doing all its work, then losing its answer once
    cases = portfolio(PORTFOLIO_SIZE)
    clean = baseline(cases)
    # when the portfolio runs
    faulted = run(cases, faults.lost_response(*STEP_FUNCTIONS, name="step answer lost"))
    # then every kind of step was retried after its side effects
    assert {failure.function_id for failure in faulted.report.sandbox_failures} == set(STEP_FUNCTIONS)
    assert all(failure.calls for failure in faulted.report.sandbox_failures)
    # and the retry found the work done: nothing sent, booked or published twice
    figures(faulted)
    assert_same_as_without_faults(faulted, clean)


def test_all_faults_at_once(baseline, run, figures):
    # given throttled e-mail, SMS, documents and DynamoDB writes, and step Lambdas that time out or lose
    # their answer — all at once
    cases = portfolio(PORTFOLIO_SIZE)
    clean = baseline(cases)
    injected = (
        faults.throttle("sesv2", "SendEmail", share=0.3),
        faults.throttle("sns", "Publish", share=0.3),
        faults.throttle("s3", "PutObject", share=0.2),
        faults.throttle_writes(0.1),
        faults.timeout(*STEP_FUNCTIONS, after_calls=0, share=0.2, name="step timed out"),
        faults.lost_response(*STEP_FUNCTIONS, share=0.2, name="step answer lost"),
    )
    # when the portfolio runs
    faulted = run(cases, *injected)
    # then every kind of fault was injected
    assert set(faulted.report.injected) == {fault.name for fault in injected}
    # and every claim ended as without faults
    figures(faulted)
    assert_same_as_without_faults(faulted, clean)


def test_a_permanent_rejection_parks_that_claim_with_its_reason_and_no_other(baseline, run, figures):
    # given SES rejecting every e-mail to one debtor (a permanent error: not retried), and the park
    # Lambda losing its answer once (so parking itself is retried)
    cases = portfolio(PORTFOLIO_SIZE)
    clean = baseline(cases)
    rejected = next(case for case in cases if case.tenant_id == "acme" and case.script.startswith("route"))
    # when the portfolio runs
    faulted = run(cases,
                  faults.reject("sesv2", "SendEmail", code="MessageRejected", message="Email address is not verified.",
                                matches=lambda params: params["Destination"]["ToAddresses"] == [rejected.email]),
                  faults.lost_response("park_claim"))
    # then that claim is parked once, with the reason, its first reminder still pending; nothing went out
    outcome = faulted.outcomes[rejected.invoice]
    assert faulted.parked == {rejected.invoice: "PermanentSendError"}
    assert outcome.status == "needs_attention" and outcome.pending == ("reminder_1",)
    assert dict(outcome.timeline)["claim_parked"] == 1
    assert faulted.deliveries[(rejected.invoice, "email")] == 0
    assert faulted.report.injected["park_claim answer lost"] == 1
    # and every other claim ended as without faults
    figures(faulted)
    assert_same_as_without_faults(faulted, clean, except_invoices=frozenset({rejected.invoice}))


def test_a_step_cut_off_at_any_of_its_aws_calls_sends_its_message_at_least_once(world, fast_dynamodb):
    # given one claim per cut point: its first reminder's Lambda is cut off (Sandbox.Timedout) after
    # n of its AWS calls, n = 0, 1, 2, ... beyond the last (then it did everything, and lost its answer)
    world.tenant("acme")
    cut_points = 20
    claims = [world.claims.create("acme", NewClaim(
        invoice_number=f"F-{n}", principal=Decimal("3000.00"), invoice_date=START - 30 * DAY, due_date=START,
        debtor=Debtor(name="J. de Vries", type="consumer", email=f"debtor{n}@example.nl",
                      address=Address(street="Kerkstraat 1", postal_code="1234 AB", city="Utrecht"))))
        for n in range(cut_points)]
    cut_after = {claim.claim_id: n for n, claim in enumerate(claims)}
    # when the first reminders are due (and retried)
    with faults.inject(world.stack, faults.timeout("send_message", after_calls=lambda e: cut_after[e["claim_id"]],
                                                   matches=lambda e: e.get("step") == "reminder_1")) as report:
        world.until(START + 8 * DAY)
    # then every cut point was hit once, the last ones after the Lambda had made all its calls
    calls_made = {cut_after[f.event["claim_id"]]: f.calls for f in report.sandbox_failures}
    assert sorted(calls_made) == list(range(cut_points))
    all_calls = calls_made[cut_points - 1]
    assert len(all_calls) < cut_points - 1 and "sesv2.SendEmail" in all_calls
    sent = Counter(delivery.to for delivery in report.deliveries)
    for n, claim in enumerate(claims):
        # every reminder went out and was recorded once; its interest booked once
        assert world.sent(claim) == ["reminder_1"], n
        assert world.get(claim).pending_messages == [] and world.ledger_keys(claim) == ["reminder_1#interest"], n
        # it left once — except when the cut fell between SES accepting it and its record being written:
        # then the retry cannot know it left, and it leaves twice (never zero times)
        in_the_window = calls_made[n][-1:] == ("sesv2.SendEmail",)
        assert sent[f"debtor{n}@example.nl"] == (2 if in_the_window else 1), n
    assert sum(calls[-1:] == ("sesv2.SendEmail",) for calls in calls_made.values()) == 1


# -- S3 events delivered twice ---------------------------------------------------------------------------

IMPORT_CSV = ("factuurnummer;naam;type;e-mail;bedrag;factuurdatum;vervaldatum\r\n"
              "{n}-1;Jan de Vries;particulier;jan@example.nl;€ 1.250,00;01-12-2025;01-01-2026\r\n"
              "{n}-2;Bakkerij De Korst B.V.;zakelijk;info@korst.example.nl;€ 89,95;01-12-2025;01-01-2026\r\n"
              "{n}-3;Onbekend;particulier;x@example.nl;twaalf;01-12-2025;01-01-2026\r\n"
              "{n}-4;Piet Jansen;particulier;piet@example.nl;€ 410,00;01-12-2025;01-01-2026\r\n")


def api(stack, method: str, path: str, body: object = None, tenant_id: str = "acme", **query: str) -> tuple[int, dict]:
    from incasso.api.proxy import proxy_event

    response = stack.invoke("api", proxy_event(method, path, tenant_id=tenant_id, query=query,
                                               body=None if body is None else json.dumps(body)))
    return response["statusCode"], json.loads(response["body"])


def upload(stack, n: int) -> str:
    """A tenant's CSV put through its presigned URL; S3's event runs the ingest Lambda. Returns the import id."""
    import requests

    status, started = api(stack, "POST", "/v1/imports", {"filename": f"batch-{n}.csv"})
    assert status == 201
    assert requests.put(started["upload_url"], data=IMPORT_CSV.format(n=n).encode("cp1252"), timeout=10).status_code == 200
    return started["import_id"]


def assert_imported_once(stack, import_ids: list[str]) -> None:
    for import_id in import_ids:
        # the import report counts each row once: three claims, the bad amount in row 4
        status, report = api(stack, "GET", f"/v1/imports/{import_id}")
        assert (status, report["status"], report["accepted"], report["rejected"]) == (200, "completed", 3, 1), import_id
        assert [(e["row"], e["field"]) for e in report["errors"]] == [(4, "principal")], import_id
    # and every invoice became exactly one claim
    invoices, token = [], None
    while True:
        status, page = api(stack, "GET", "/v1/claims", limit="100", **({"next_token": token} if token else {}))
        invoices += [item["invoice_number"] for item in page["items"]]
        token = page.get("next_token")
        if not token:
            break
    assert sorted(invoices) == sorted(f"{n}-{row}" for n in range(len(import_ids)) for row in (1, 2, 4))


def test_an_s3_event_delivered_twice_imports_the_file_once(local_stack, fast_dynamodb):
    # given S3 delivering every ObjectCreated event of the imports bucket twice, one after the other
    stack = local_stack
    # when a tenant uploads a CSV of four rows (one with a bad amount)
    with faults.inject(stack, faults.duplicate("ingest")) as report:
        import_ids = [upload(stack, 0)]
        stack.settle()
    # then the ingest ran twice, and the file was imported once
    assert report.injected["ingest delivered twice"] == 1 and report.invocations["ingest"] == 2
    assert report.failed_invocations["ingest"] == 0
    assert_imported_once(stack, import_ids)


def test_an_s3_event_delivered_again_while_the_first_runs_imports_the_file_once(local_stack, fast_dynamodb):
    # given, for upload n, S3's second delivery of its event running whole while the first delivery is
    # at its n-th AWS call (n = 0 .. beyond the last: the import's every step overlapped)
    stack = local_stack
    uploads = 11
    overlap_at = {}

    def during_call(event) -> int:
        key = event["Records"][0]["s3"]["object"]["key"]
        return overlap_at.setdefault(key, len(overlap_at))

    # when the tenant uploads one CSV after another
    with faults.inject(stack, faults.duplicate("ingest", during_call=during_call)) as report:
        import_ids = [upload(stack, n) for n in range(uploads)]
        stack.settle()
    # then each was delivered twice, no delivery failed, and each file was imported once
    assert report.injected["ingest delivered twice"] == uploads and report.invocations["ingest"] == 2 * uploads
    assert report.failed_invocations["ingest"] == 0
    assert_imported_once(stack, import_ids)
