"""Through the whole local stack: the API Lambda, a CSV dropped into the tenant's inbox (S3's event runs
the real ingest Lambda), then the simulated days until the daily sweep starts the escalation."""

import datetime as dt
import json

import requests

from incasso.api.proxy import proxy_event
from tenant_profiles import PROFILE_BODY

CSV = ("factuurnummer;naam;type;e-mail;bedrag;factuurdatum;vervaldatum\r\n"
       "2025-101;Jan de Vries;particulier;jan@example.nl;€ 1.250,00;01-12-2025;01-01-2026\r\n"
       "2025-102;Onbekend;particulier;x@example.nl;twaalf;01-12-2025;01-01-2026\r\n").encode("cp1252")


def api(stack, method, path, body=None, tenant_id="acme"):
    response = stack.invoke("api", proxy_event(method, path, tenant_id=tenant_id,
                                                body=None if body is None else json.dumps(body)))
    return response["statusCode"], json.loads(response["body"])


def test_an_uploaded_csv_becomes_claims_that_the_sweep_escalates(local_stack):
    stack = local_stack
    # given tenant acme with its profile set
    assert api(stack, "PUT", "/v1/tenant/profile", PROFILE_BODY)[0] == 200
    # and an upload URL for tenant acme, and the file PUT there as a tenant's browser would
    status, started = api(stack, "POST", "/v1/imports", {"filename": "december.csv"})
    assert status == 201
    assert requests.put(started["upload_url"], data=CSV, timeout=10).status_code == 200
    stack.settle()
    # then S3's event ran the ingest Lambda: one claim, one bad row reported by its row number
    status, report = api(stack, "GET", f"/v1/imports/{started['import_id']}")
    assert (status, report["status"], report["accepted"], report["rejected"]) == (200, "completed", 1, 1)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "principal")]
    status, page = api(stack, "GET", "/v1/claims")
    [claim] = page["items"]
    assert (claim["invoice_number"], claim["status"], claim["stage"]) == ("2025-101", "open", "none")
    # and another tenant sees none of it
    assert api(stack, "GET", f"/v1/claims/{claim['claim_id']}", tenant_id="globex")[0] == 404
    # when the days pass until the first reminder is due (due date + 7 days) and the sweep has run
    stack.advance_to(dt.datetime(2026, 1, 8, 9, 0, tzinfo=dt.timezone.utc))
    # then the escalation has taken the first step
    status, escalated = api(stack, "GET", f"/v1/claims/{claim['claim_id']}")
    assert (status, escalated["stage"], escalated["status"]) == (200, "reminder_1", "in_collection")
    assert stack.invocation_count("sweep") >= 1
