"""No personal data in any log line.

A whole trajectory on the local stack, driven through the tenant API Lambda and a CSV upload (the
ingest Lambda): claims for named debtors with e-mail, phone and address, payments in part and in
full, a dispute, an arrangement, a debtor whose phone number cannot be used, an e-mail the provider
rejects (quoting the address, as SES does), an invalid request. Every log record of every logger is
captured — the product's Powertools JSON lines as they are written, with their keys and exceptions,
the local Lambda runtime's report of each failed invocation (what AWS writes to the function's log),
moto's own — and stdout/stderr. No line may hold a debtor's name, e-mail address, phone number, street,
postal code, or the creditor's IBAN.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re

import pytest

from incasso.adapters.message_sending import e164
from incasso.api.proxy import proxy_event
from incasso.domain.models import Channel
from infra.local import faults

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)
TENANT_IBAN = "NL44RABO0123456789"

DEBTORS = {
    "partial_then_full": {"name": "Annelies Brouwer-Kuipers", "type": "consumer",
                          "email": "annelies.brouwer@voorbeeld.nl", "phone": "06 2345 6789",
                          "address": {"street": "Lindengracht 128", "postal_code": "1015 KK", "city": "Amsterdam"}},
    "disputed": {"name": "Mohammed El Amrani", "type": "consumer", "email": "m.elamrani@voorbeeld.nl",
                 "phone": "+31 6 3456 7890",
                 "address": {"street": "Kanaalweg 7", "postal_code": "3526 KL", "city": "Utrecht"}},
    "arrangement": {"name": "Bakkerij De Korst B.V.", "type": "business", "email": "administratie@dekorst.example",
                    "phone": "020-7654321",
                    "address": {"street": "Molenstraat 44", "postal_code": "2513 BL", "city": "Den Haag"}},
    # (reachable in writing, as intake requires, but the SMS tenant's reminders go to a phone that fails)
    "unusable_phone": {"name": "Sanne Verhoeven-de Wit", "type": "consumer", "phone": "612398745",
                       "address": {"street": "Populierenlaan 3", "postal_code": "5611 AB", "city": "Eindhoven"}},
    "rejected_email": {"name": "Joris van Oosterhout", "type": "consumer", "email": "joris.oosterhout@voorbeeld.nl",
                       "address": {"street": "Zuiderdiep 311", "postal_code": "9611 KA", "city": "Sappemeer"}},
}
TENANT_OF = {"unusable_phone": "textco"}
CSV_DEBTOR = {"name": "Kees Verbeek", "email": "kees.verbeek@voorbeeld.nl", "street": "Hoefslag 19",
              "postal_code": "7411 JB"}
CSV = ("factuurnummer;naam;type;e-mail;straat;postcode;plaats;bedrag;factuurdatum;vervaldatum\r\n"
       f"C-1;{CSV_DEBTOR['name']};particulier;{CSV_DEBTOR['email']};{CSV_DEBTOR['street']};"
       f"{CSV_DEBTOR['postal_code']};Deventer;€ 1.250,00;01-12-2025;05-01-2026\r\n"
       f"C-2;{CSV_DEBTOR['name']};particulier;{CSV_DEBTOR['email']};{CSV_DEBTOR['street']};"
       f"{CSV_DEBTOR['postal_code']};Deventer;twaalf euro;01-12-2025;05-01-2026\r\n").encode("cp1252")


def personal_data() -> set[str]:
    """Every form in which a debtor's data could show up in a line."""
    values = {TENANT_IBAN, *CSV_DEBTOR.values(), CSV_DEBTOR["postal_code"].replace(" ", "")}
    for debtor in DEBTORS.values():
        values.add(debtor["name"])
        if debtor.get("email"):
            values.add(debtor["email"])
        if debtor.get("phone"):
            phone = debtor["phone"]
            values |= {phone, re.sub(r"\D", "", phone)}
            if phone.startswith(("0", "+")):
                values.add(e164(phone))
        if debtor.get("address"):
            values |= {debtor["address"]["street"], debtor["address"]["postal_code"],
                       debtor["address"]["postal_code"].replace(" ", "")}
    return values


class LogLines(logging.Handler):
    """Every record, formatted as it would be written: the product's by Powertools' own formatter."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        from incasso.handlers import logger

        self.powertools = logger.registered_formatter
        self.plain = logging.Formatter("%(levelname)s %(name)s %(message)s")
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        formatter = self.powertools if record.name.split(".")[0] == "incasso" else self.plain
        self.lines.append(formatter.format(record))


@pytest.fixture
def log_lines():
    """Captures every log record at INFO and above (the product's logger at DEBUG) while the test runs."""
    capture = LogLines()
    root, product = logging.getLogger(), logging.getLogger("incasso")
    levels = root.level, product.level
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    product.setLevel(logging.DEBUG)
    yield capture.lines
    root.removeHandler(capture)
    root.setLevel(levels[0])
    product.setLevel(levels[1])


def api(stack, method: str, path: str, body: object = None, tenant_id: str = "acme") -> tuple[int, dict]:
    response = stack.invoke("api", proxy_event(method, path, tenant_id=tenant_id,
                                               body=None if body is None else json.dumps(body)))
    return response["statusCode"], json.loads(response["body"])


def test_no_personal_data_in_any_log_line(world, log_lines, capfd):
    import requests

    stack = world.stack
    world.tenant("acme")
    world.tenant("textco", reminder_channel=Channel.SMS)
    rejected = DEBTORS["rejected_email"]["email"]
    ses_rejects = faults.reject(  # SES's own wording quotes the address
        "sesv2", "SendEmail", code="MessageRejected",
        message=f"Email address is not verified. The following identities failed the check in region EU-WEST-1: {rejected}",
        matches=lambda params: params["Destination"]["ToAddresses"] == [rejected])
    with faults.inject(stack, ses_rejects) as report:
        # given claims for named debtors with e-mail, phone and address, through the API
        claims = {}
        for n, (role, debtor) in enumerate(DEBTORS.items()):
            status, claim = api(stack, "POST", "/v1/claims", {
                "invoice_number": f"F-{n}", "debtor": debtor, "principal": "1850.00",
                "invoice_date": "2025-12-05", "due_date": START.isoformat()}, tenant_id=TENANT_OF.get(role, "acme"))
            assert status == 201, claim
            claims[role] = claim["claim_id"]
        # and a request the API refuses, a duplicate, and a CSV of invoices dropped through an upload URL
        bad = {**DEBTORS["disputed"], "email": "m.elamrani@@voorbeeld", "type": "person"}
        assert api(stack, "POST", "/v1/claims", {"invoice_number": "F-9", "debtor": bad, "principal": "-1",
                                                 "invoice_date": "2025-12-05", "due_date": "2026-01-05"})[0] == 422
        assert api(stack, "POST", "/v1/claims", {"invoice_number": "F-0", "debtor": DEBTORS["disputed"],
                                                 "principal": "10.00", "invoice_date": "2025-12-05",
                                                 "due_date": "2026-01-05"})[0] == 409
        status, started = api(stack, "POST", "/v1/imports", {"filename": "december.csv"})
        assert requests.put(started["upload_url"], data=CSV, timeout=10).status_code == 200
        # when the trajectory runs: reminders (one parked: unusable phone; one parked: e-mail rejected) ...
        world.until(START + 8 * DAY)
        assert api(stack, "POST", f"/v1/claims/{claims['disputed']}/dispute", {"reason": "goods not delivered"})[0] == 200
        status, owed = api(stack, "GET", f"/v1/claims/{claims['arrangement']}")
        outstanding = owed["amounts"]["outstanding"]
        first = f"{float(outstanding) / 2:.2f}"
        second = f"{float(outstanding) - float(first):.2f}"
        assert api(stack, "POST", f"/v1/claims/{claims['arrangement']}/arrangement", {"instalments": [
            {"due_date": (START + 20 * DAY).isoformat(), "amount": first},
            {"due_date": (START + 40 * DAY).isoformat(), "amount": second}]})[0] == 201
        world.until(START + 19 * DAY)
        assert api(stack, "POST", f"/v1/claims/{claims['arrangement']}/payments",
                   {"amount": first, "paid_at": (START + 19 * DAY).isoformat()})[0] == 201
        world.until(START + 22 * DAY)
        assert api(stack, "POST", f"/v1/claims/{claims['partial_then_full']}/payments",
                   {"amount": "100.00", "paid_at": (START + 22 * DAY).isoformat()})[0] == 201
        assert api(stack, "POST", f"/v1/claims/{claims['disputed']}/dispute/resolve", {"outcome": "rejected"})[0] == 200
        # a payment whose confirmation the provider rejects (its failure is logged)
        status, parked = api(stack, "GET", f"/v1/claims/{claims['rejected_email']}")
        assert api(stack, "POST", f"/v1/claims/{claims['rejected_email']}/payments",
                   {"amount": parked["amounts"]["outstanding"], "paid_at": (START + 22 * DAY).isoformat()})[0] == 201
        world.until(START + 40 * DAY)
        assert api(stack, "POST", f"/v1/claims/{claims['arrangement']}/payments",
                   {"amount": second, "paid_at": (START + 40 * DAY).isoformat()})[0] == 201
        status, letter = api(stack, "GET", f"/v1/claims/{claims['partial_then_full']}")
        assert api(stack, "POST", f"/v1/claims/{claims['partial_then_full']}/payments",
                   {"amount": letter["amounts"]["outstanding"], "paid_at": (START + 40 * DAY).isoformat()})[0] == 201
        world.until(START + 60 * DAY)
    # then the trajectory took its course: payments, dispute, arrangement, two claims parked
    statuses = {role: api(stack, "GET", f"/v1/claims/{claim_id}", tenant_id=TENANT_OF.get(role, "acme"))[1]["status"]
                for role, claim_id in claims.items()}
    assert statuses == {"partial_then_full": "paid", "disputed": "in_collection", "arrangement": "paid",
                        "unusable_phone": "needs_attention", "rejected_email": "paid"}
    assert report.injected["sesv2 MessageRejected"] == 2  # the reminder, then the payment confirmation
    # and plenty was logged, failures included (so that the check below is not vacuous)
    captured = capfd.readouterr()
    lines = log_lines + captured.out.splitlines() + captured.err.splitlines()
    text = "\n".join(lines)
    for expected in ("sweep done", "parking claim", "PermanentSendError", "confirmation not sent", '"import"'):
        assert expected in text, expected
    # and not one line holds a debtor's name, e-mail, phone, street or postal code, or the IBAN
    leaks = sorted({(value, line[:300]) for line in lines for value in personal_data() if value in line})
    assert leaks == []
