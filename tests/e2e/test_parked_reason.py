"""A parked claim tells its tenant a short reason and an incident id; the stack trace stays in the logs
under that id (issue 15, "Parked claims expose the full Python stack trace")."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal

from incasso.api.proxy import proxy_event
from incasso.domain.incidents import MAX_REASON, parked_incident

START = dt.date(2026, 1, 5)
DAY = dt.timedelta(days=1)


class JsonLines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        from incasso.handlers import logger

        self.format_ = logger.registered_formatter.format
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] == "incasso":
            self.lines.append(json.loads(self.format_(record)))


def test_a_parked_claim_shows_the_tenant_a_reason_and_an_id_and_logs_the_trace_under_that_id(world):
    # Given a consumer no channel can reach: the first reminder fails for good and the claim is parked
    from incasso.domain.models import Debtor
    from incasso.services.claim_commands import NewClaim

    world.tenant()
    # (intake refuses such a debtor now; a claim stored before that rule, or migrated, can still be one)
    new = NewClaim.model_construct(invoice_number="F-9", debtor=Debtor(name="Unknown", type="consumer"),
                                   principal=Decimal("100.00"), currency="EUR", invoice_date=START - 30 * DAY,
                                   due_date=START, consumer_sale=False)
    claim = world.store.create_claim(world.claims.build_claim(world.claims.tenant("acme"), new))
    capture, product = JsonLines(), logging.getLogger("incasso")
    product.addHandler(capture)
    try:
        # When the reminder is due, and the tenant reads the claim
        world.until(START + 8 * DAY)
    finally:
        product.removeHandler(capture)
    response = world.stack.invoke("api", proxy_event("GET", f"/v1/claims/{claim.claim_id}", tenant_id="acme"))

    # Then the tenant sees the error, a short reason and the incident id, and no trace or file path
    assert response["statusCode"] == 200
    shown = json.loads(response["body"])
    parked = [event for event in shown["timeline"] if event["type"] == "claim_parked"]
    assert len(parked) == 1
    event = parked[0]
    assert event["error"] == "PermanentSendError"
    assert event["incident_id"].startswith("inc-") and 0 < len(event["reason"]) <= MAX_REASON
    assert "cause" not in event
    text = json.dumps(shown)
    for leak in ("Traceback", "stackTrace", ".py", "File \"", "/functions/", "site-packages"):
        assert leak not in text, leak
    # And the log line of the park step carries the same id with the whole stack trace
    logged = [line for line in capture.lines if line.get("incident_id") == event["incident_id"]]
    assert logged and logged[0]["trace"] and any(".py" in frame for frame in logged[0]["trace"])


def test_the_reason_is_one_short_line_without_paths_and_the_id_is_stable():
    # Given a Lambda cause with a message naming files and a stack trace
    cause = json.dumps({"errorType": "ImportModuleError", "requestId": "r-1",
                        "errorMessage": "Unable to import '/var/task/functions/send/handler.py' on 06/01/2026\nmore" + "x" * 500,
                        "stackTrace": ['  File "/var/task/handler.py", line 9, in handler\n']})
    # When it is turned into an incident (twice: a retried park step)
    first, again = parked_incident("acme", "c-1", "ImportModuleError", cause), parked_incident("acme", "c-1", "ImportModuleError", cause)
    # Then the reason is the first line without the path, the trace is kept whole, the id is the same
    assert first.reason == "ImportModuleError: Unable to import '…' on 06/01/2026"
    assert first.trace == ['  File "/var/task/handler.py", line 9, in handler\n']
    assert first.id == again.id and first.id != parked_incident("acme", "c-2", "ImportModuleError", cause).id
    # And a cause that is not JSON, or is empty, still gives a reason
    assert parked_incident("a", "c", "States.Timeout", "").reason == "States.Timeout"
    assert len(parked_incident("a", "c", "E", "y" * 5000).reason) <= MAX_REASON
