"""CSV files and S3 events for the ingest tests (a unique module name, so tests can import it)."""

from __future__ import annotations

from urllib.parse import quote_plus

import requests

from api_support import REGION, LambdaContext, call, lambda_handler, setup_client
from infra.topology import IMPORTS

DUTCH_EXPORT = (
    "Factuurnummer;Naam;Type;E-mail;Straat;Postcode;Plaats;Bedrag;Factuurdatum;Vervaldatum;Taal\r\n"
    "2025-001;Jan de Vries;particulier;jan@example.nl;Dorpsstraat 5;1234 AB;Utrecht;€ 1.234,56;01-04-2025;01-05-2025;nl\r\n"
    "2025-002;Bakkerij Smit B.V.;zakelijk;info@smit.example;Markt 1;5611 AA;Eindhoven;425,00;02-04-2025;02-05-2025;nl\r\n"
    "2025-003;Piet Janssen;particulier;;;;;abc;03-04-2025;03-05-2025;nl\r\n"
    "2025-004;Café Señor;zakelijk;cafe@example.nl;Kade 2;1011 AB;Amsterdam;99,95;31-02-2025;30-05-2025;nl\r\n"
).encode("cp1252")
ENGLISH_EXPORT = (
    "\ufeffinvoice_number,debtor_name,debtor_type,email,principal,invoice_date,due_date,language\n"
    "INV-1,John Smith,consumer,john@example.com,250.00,2025-04-01,2025-05-01,en\n"
    "INV-2,,consumer,x@example.com,10.00,2025-04-01,2025-05-01,en\n"
    "INV-3,Acme Ltd,business,acme@example.com,1000,2025-04-01,2025-03-01,en\n"
    "INV-4,Jane Doe,robot,jane@example.com,12.50,2025-04-01,2025-05-01,en\n"
    "INV-5,Mary Major,consumer,mary@example.com,75.10,2025-04-01,2025-05-01,en\n"
).encode("utf-8")


def upload(tenant_id: str, content: bytes, filename: str = "facturen.csv") -> tuple[str, str]:
    """Ask the API for an upload URL and PUT the file there, as a tenant would. Answers (import_id, key)."""
    started = call("POST", "/v1/imports", tenant_id, {"filename": filename})
    assert started.status == 201, started.body
    response = requests.put(started.body["upload_url"], data=content, timeout=10)
    assert response.status_code == 200
    prefix = f"tenants/{tenant_id}/inbox/{started.body['import_id']}/"
    keys = setup_client("s3").list_objects_v2(Bucket=IMPORTS.name, Prefix=prefix)["Contents"]
    return started.body["import_id"], keys[0]["Key"]


def s3_event(key: str, bucket: str = IMPORTS.name) -> dict:
    """The ObjectCreated event S3 sends for ``key`` (the key URL-encoded, as S3 does)."""
    head = setup_client("s3").head_object(Bucket=bucket, Key=key)
    return {"Records": [{
        "eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "awsRegion": REGION,
        "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key, safe="/"), "size": head["ContentLength"],
                                                      "eTag": head["ETag"].strip('"')}},
    }]}


def put_object(key: str, content: bytes, *, pending: bool = False) -> None:
    """Put ``key`` straight into the bucket; ``pending``: as the file of an import started for that key."""
    if pending:
        pending_import(key)
    setup_client("s3").put_object(Bucket=IMPORTS.name, Key=key, Body=content)


def pending_import(key: str) -> None:
    """The pending import record ``POST /v1/imports`` leaves for an inbox key (without the API)."""
    from incasso import clock
    from incasso.domain.import_records import ImportRecord, ImportStatus
    from incasso.services.imports import parse_inbox_key
    from incasso.services.wiring import claims_store

    inbox = parse_inbox_key(key)
    now = clock.now()
    claims_store().put_import(ImportRecord(tenant_id=inbox.tenant_id, import_id=inbox.import_id, filename=inbox.filename,
                                           key=key, status=ImportStatus.PENDING, created_at=now, updated_at=now))


def ingest(event: dict) -> dict:
    """The ingest Lambda, as S3 invokes it."""
    return lambda_handler("ingest")(event, LambdaContext())
