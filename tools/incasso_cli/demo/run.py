"""``incasso demo``: the whole product on the embedded local stack, in this process.

A sample tenant; a sample CSV of invoices dropped into the tenant's inbox through the upload URL the
API hands out (S3's event runs the real ingest); then day after simulated day, the daily sweep and the
state machine escalate every claim while scripted debtors pay, dispute and agree arrangements through
the API — and some pay online: they open the personal link in their reminder and pay through the
portal and the local payment provider's checkout, over HTTP on 127.0.0.1 as ``incasso serve`` serves
them. Afterwards: the timelines, the letters as PDF files, and the tenant report.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incasso_cli.demo import sample_data, scenario
from incasso.domain.models import Policy, Profile, Tenant

TENANT_ID = "noordzee-installatie"
# The sample creditor's profile, set through the API (PUT /v1/tenant/profile) as a tenant would.
PROFILE = {
    "legal_name": "Noordzee Installatietechniek B.V.",
    "address": {"street": "Havenweg 12", "postal_code": "1976 CA", "city": "IJmuiden", "country": "NL"},
    "iban": "NL44 RABO 0123 4567 89",
    "email": "debiteuren@noordzee-installatie.example.nl",
    "phone": "+31 255 123 456",
    "kvk_number": "12345678",
    "vat_number": "NL004495445B01",
}
TENANT = Tenant(tenant_id=TENANT_ID, profile=Profile.model_validate(PROFILE), policy=Policy())
DEFAULT_START = dt.date(2026, 1, 5)  # a Monday
DEFAULT_REGION = "eu-west-1"
START_TIME = dt.time(8, 0)  # UTC: after the day's sweep (07:00 UTC) and the steps its runs take
UPLOAD_NAME = "openstaande-facturen-januari.csv"


@dataclass
class DemoResult:
    """What the demo did and where it put things."""

    start: dt.date
    end: dt.date
    tenant: Tenant
    import_report: dict[str, Any]
    claims: list[dict[str, Any]]
    summary: dict[str, Any]
    script: scenario.Script
    messages: dict[str, list[dict[str, Any]]]  # claim id -> messages sent, oldest first
    letters: list[Path] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    checkouts: Counter[str] = field(default_factory=Counter)  # the local provider's payments by status

    @property
    def message_counts(self) -> Counter[str]:
        return Counter(record["kind"] for records in self.messages.values() for record in records)


def run_demo(out: Path, *, claims: int = 100, days: int = 120, start: dt.date = DEFAULT_START,
             seed: int = sample_data.DEFAULT_SEED, progress: Any = None) -> DemoResult:
    """Run the demo; ``progress(day_number, days, today)`` is called after every simulated day."""
    from infra.local import SimulatedClock, fast_dynamodb

    began = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    clock = SimulatedClock(dt.datetime.combine(start, START_TIME, tzinfo=dt.timezone.utc))
    installed_here = not fast_dynamodb.installed()
    fast_dynamodb.install()
    try:
        return _run(out, clock, claims=claims, days=days, start=start, seed=seed, progress=progress, began=began)
    finally:
        if installed_here:
            fast_dynamodb.uninstall()


def _run(out: Path, clock: Any, *, claims: int, days: int, start: dt.date, seed: int, progress: Any,
         began: float) -> DemoResult:
    from infra.local.http import LocalFront

    # The debtor's portal and the fake payment provider, as `incasso serve` serves them: the links in the
    # messages point at this front, and the product's Mollie client talks to the fake over HTTP.
    front = LocalFront("127.0.0.1", 0)
    saved = dict(os.environ)
    try:
        os.environ.update(front.enable_portal(f"test_{secrets.token_hex(16)}"))
        return _run_with_portal(out, clock, front, claims=claims, days=days, start=start, seed=seed,
                                progress=progress, began=began)
    finally:
        front.stop()
        os.environ.clear()
        os.environ.update(saved)


def _run_with_portal(out: Path, clock: Any, front: Any, *, claims: int, days: int, start: dt.date, seed: int,
                     progress: Any, began: float) -> DemoResult:
    from infra.local import LocalStack

    from incasso_cli.reporting import build
    from incasso_cli.reporting.client import LambdaApi, customers, expect
    from incasso.services import wiring
    from incasso.settings import reset_settings

    reset_settings()
    with LocalStack(clock=clock) as stack:
        wiring.reset()
        front.attach(stack)
        front.start()
        api = LambdaApi(stack, TENANT_ID)
        expect(api, 200, "PUT", "/v1/tenant/profile", PROFILE)

        # the invoices, as the tenant's bookkeeping exports them, uploaded where the API says
        invoices = sample_data.generate(claims, start=start, seed=seed)
        csv_bytes = sample_data.to_csv(invoices)
        (out / UPLOAD_NAME).write_bytes(csv_bytes)
        started = expect(api, 201, "POST", "/v1/imports", {"filename": UPLOAD_NAME})
        _upload(started["upload_url"], csv_bytes)
        stack.settle()
        import_report = expect(api, 200, "GET", f"/v1/imports/{started['import_id']}")

        claim_ids = {claim["invoice_number"]: claim["claim_id"] for claim in _claims(api)}
        script = scenario.write_script(invoices, TENANT.policy, start=start, days=days, seed=seed)
        actor = scenario.Actor(api, script, claim_ids, portal=scenario.PortalDebtor())

        today = start
        for number in range(1, days + 1):
            actor.play(today)
            stack.advance(days=1)
            today = stack.now().date()
            if progress is not None:
                progress(number, days, today)
        stack.settle()

        final_claims = _claims(api)
        summary = expect(api, 200, "GET", "/v1/reports/summary")
        history = expect(api, 200, "GET", "/v1/reports/history")
        store = wiring.claims_store()
        messages = {claim["claim_id"]: store.list_messages(TENANT_ID, claim["claim_id"]) for claim in final_claims}
        letters = _save_letters(stack, out / "letters", final_claims)
        portfolio = build.build_portfolio(final_claims, summary, title=TENANT.profile.legal_name,
                                          customers=customers(api), history=history)
        report_files = build.write(portfolio, html_path=out / "report.html", csv_path=out / "claims.csv")
        checkouts = Counter(payment["status"] for payment in front.psp.payments.values())
    reset_settings()
    return DemoResult(start=start, end=today, tenant=TENANT, import_report=import_report, claims=final_claims,
                      summary=summary, script=script, messages=messages, letters=letters,
                      report_files=report_files, seconds=time.perf_counter() - began, checkouts=checkouts)


def _claims(api: Any) -> list[dict[str, Any]]:
    from incasso_cli.reporting.client import all_claims

    return list(all_claims(api))


def _upload(url: str, body: bytes) -> None:
    """PUT the file to the presigned URL, as a browser or ``curl -T`` would (moto answers in process)."""
    import requests

    response = requests.put(url, data=body, timeout=60)
    response.raise_for_status()


def _save_letters(stack: Any, folder: Path, claims: list[dict[str, Any]]) -> list[Path]:
    """Every PDF in the tenant's documents, as ``letters/<invoice>-<kind>.pdf``."""
    invoices = {claim["claim_id"]: claim["invoice_number"] for claim in claims}
    s3 = stack.client("s3")
    bucket = stack.names["documents"]
    prefix = f"tenants/{TENANT_ID}/documents/"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.pdf"):  # a previous run's letters would mix with this run's
        stale.unlink()
    written = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            claim_id, _, name = item["Key"][len(prefix):].partition("/")
            if not name.endswith(".pdf"):
                continue
            target = folder / f"{invoices.get(claim_id, claim_id)}-{name}"
            target.write_bytes(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
            written.append(target)
    return sorted(written)
