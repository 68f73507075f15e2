"""The whole cold start of the API and the portal Lambdas: the handler's import plus its first request,
against the same request made warm.

A lower import figure (``handler_imports.py``) can just move work into the first request: pydantic
models built at first use, services wired at the first call. This measures both together. For each of
``api`` (``GET /v1/claims/{id}`` of a seeded claim, with the authorizer's claims of its tenant) and
``portal`` (the debtor's page, ``GET /p/TOKEN``, for a valid link to that claim), ``--repeats`` fresh
processes each (after one discarded run that warms the disk caches) do, timed with
``time.process_time`` (CPU of this process; interpreter start-up excluded):

1. ``import handler`` with the function's folder on ``sys.path``, as Lambda does, under the function's
   environment (``handler_imports.lambda_environment``);
2. ``handler.handler(event, context)``: the first request;
3. the same call again: a warm request.

Both answers must be 200 and show the claim (its id; on the page its invoice number and amount), so an
error page cannot be measured by mistake. Prints, per function, the medians over the processes:

- ``cold_start_ms_<fn>``: import + first request, the whole cold start;
- ``cold_import_ms_<fn>``, ``first_call_ms_<fn>``, ``warm_call_ms_<fn>``: its parts and the warm request
  (named apart from ``handler_imports``' ``import_ms_<fn>``, which measures the import without boto3 loaded);
- ``first_call_extra_ms_<fn>``: first - warm, what the first request pays for being first.

Honesty of the set-up. The parent process prepares the world with the product's own code in its own
moto: the tables (``dynamodb_create_table_kwargs`` of the topology), a tenant, a claim posted through the
API, a portal link; it then scans the tables and hands table definitions, items (DynamoDB JSON) and the
two events to the child as JSON on stdin. The child imports no ``incasso`` module before the timed
import (checked): it starts ``mock_aws``, creates the tables and puts the items with raw boto3, in a
boto3 session of its own (the product's clients load their service models themselves). So boto3,
botocore and moto's own dependencies (requests, urllib3, cryptography, dateutil, markupsafe, ...) are
already loaded when the handler is imported: the import is cheaper here than on AWS, by the same amount
before and after a change, which is what this compares. Moto answers in-process, so its work is in both
requests' CPU time; ``first_call_extra_ms`` takes it out. The product reads the system clock (no clock
is fixed): the claim's interest runs to today, which changes the figures of the answer, not the work.

Run: ``.venv/bin/python benchmarks/first_call.py [--repeats 5]``. Before and after a change: run this
file from a worktree of each commit (``git worktree add``, the file copied in); it measures the tree it is in.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "eu-west-1"
TENANT = "bench"
INVOICE = "F-BENCH-001"
PRINCIPAL = "425.00"
FUNCTIONS = ("api", "portal")
RESULT = "first_call_probe: "  # the child's result line (the handler logs to stdout too)


class LambdaContext:
    """What Powertools' ``inject_lambda_context`` reads of the context Lambda passes."""

    function_name = "incasso-bench"
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:incasso-bench"
    memory_limit_in_mb = 1024
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/incasso-bench"
    log_stream_name = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def summarize(runs: list[dict[str, float]]) -> dict[str, float]:
    """Medians in ms over the runs (seconds each). A sum or difference is taken per run, then the median,
    so that one slow spell of a shared machine weighs once."""
    def median_ms(values) -> float:
        return statistics.median(values) * 1000

    return {"cold_start_ms": median_ms(r["import"] + r["first"] for r in runs),
            "cold_import_ms": median_ms(r["import"] for r in runs),
            "first_call_ms": median_ms(r["first"] for r in runs),
            "warm_call_ms": median_ms(r["warm"] for r in runs),
            "first_call_extra_ms": median_ms(r["first"] - r["warm"] for r in runs)}


def check_answer(answer: dict, expected: list[str]) -> None:
    """A 200 whose body holds every expected text: the request did what it should, not an error page."""
    if answer.get("statusCode") != 200:
        raise AssertionError(f"status {answer.get('statusCode')}: {str(answer.get('body'))[:500]}")
    missing = [text for text in expected if text not in (answer.get("body") or "")]
    if missing:
        raise AssertionError(f"the answer lacks {missing}: {str(answer.get('body'))[:500]}")


# -- the child: a fresh process, seeded with raw boto3, then timed -------------------------------------

def _probe(spec: dict) -> dict[str, float]:
    import boto3
    from moto import mock_aws

    mock_aws().start()
    seeding = boto3.session.Session(region_name=REGION).client("dynamodb")
    for table in spec["tables"]:
        seeding.create_table(**table["create"])
        for item in table["items"]:
            seeding.put_item(TableName=table["create"]["TableName"], Item=item)
    ours = [name for name in sys.modules if name.split(".", 1)[0] == "incasso"]
    assert not ours, f"incasso imported before the timed import: {ours}"

    sys.path.insert(0, spec["code_dir"])
    started = time.process_time()
    handler = __import__("handler")
    imported = time.process_time() - started
    import incasso  # already loaded by the handler: only where from

    assert Path(incasso.__file__).is_relative_to(spec["layer_dir"]), incasso.__file__
    context = LambdaContext()
    answers, seconds = [], []
    for _ in range(2):  # the first request, then the same one warm
        event = copy.deepcopy(spec["event"])  # a copy each: the handler may change its event
        started = time.process_time()
        answers.append(handler.handler(event, context))
        seconds.append(time.process_time() - started)
    for answer in answers:
        check_answer(answer, spec["expected"])
    return {"import": imported, "first": seconds[0], "warm": seconds[1]}


# -- the parent: the world, made by the product's code in its own moto ---------------------------------

def prepare(environments: dict[str, dict[str, str]]) -> dict[str, dict]:
    """Per function: the tables it uses (create kwargs and items), its event and what its answer must show."""
    import boto3
    from moto import mock_aws

    from benchmarks import bench_profile
    from infra.topology import LAYER_DIR, TOPOLOGY, dynamodb_create_table_kwargs

    os.environ.update(environments["api"])
    tables = {table_id: TOPOLOGY.table(table_id) for fn in FUNCTIONS for table_id in TOPOLOGY.function(fn).tables}
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        for table in tables.values():
            client.create_table(**dynamodb_create_table_kwargs(table))
        boto3.client("events", region_name=REGION).create_event_bus(Name=TOPOLOGY.event_bus_name)

        from incasso.adapters.portal_tokens import PortalRecords
        from incasso.api.app import handle
        from incasso.api.proxy import proxy_event
        from incasso.domain.models import Tenant
        from incasso.services import wiring
        from incasso.services.portal import PortalLinkIssuer

        store = wiring.claims_store()
        store.put_tenant(Tenant(tenant_id=TENANT, profile=bench_profile()))
        created = handle(proxy_event("POST", "/v1/claims", tenant_id=TENANT, body=json.dumps(claim_body())), None)
        assert created["statusCode"] == 201, created
        claim_id = json.loads(created["body"])["claim_id"]
        # the portal Lambda's environment names no base URL: the link is issued here, as a message would carry it
        issuer = PortalLinkIssuer(PortalRecords(), base_url="https://portal.bench")
        link = issuer.link_for(store.get_claim(TENANT, claim_id))
        token = link.rsplit("/p/", 1)[1]
        items = {table_id: scan(client, table.name) for table_id, table in tables.items()}

    requests = {"api": (proxy_event("GET", f"/v1/claims/{claim_id}", tenant_id=TENANT), [claim_id, INVOICE]),
                "portal": (proxy_event("GET", f"/p/{token}"), [INVOICE, PRINCIPAL.replace(".", ",")])}
    specs = {}
    for fn in FUNCTIONS:
        function = TOPOLOGY.function(fn)
        for table_id in function.tables:  # what the child seeds is what the function's environment names
            table = TOPOLOGY.table(table_id)
            assert environments[fn][table.env] == table.name, (fn, table.env, environments[fn][table.env])
        event, expected = requests[fn]
        specs[fn] = {"code_dir": str(function.code_dir), "layer_dir": str(LAYER_DIR / "python"), "event": event,
                     "expected": expected,
                     "tables": [{"create": dynamodb_create_table_kwargs(tables[table_id]), "items": items[table_id]}
                                for table_id in function.tables]}
    return specs


def claim_body() -> dict:
    return {"invoice_number": INVOICE, "principal": PRINCIPAL, "currency": "EUR",
            "invoice_date": "2025-04-01", "due_date": "2025-05-01",
            "debtor": {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl", "language": "nl",
                       "address": {"street": "Dorpsstraat 5", "postal_code": "1234 AB", "city": "Utrecht",
                                   "country": "NL"}}}


def scan(client, table_name: str) -> list[dict]:
    items, page = [], {}
    while True:
        answer = client.scan(TableName=table_name, **page)
        items += answer["Items"]
        if "LastEvaluatedKey" not in answer:
            return items
        page = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}


def run_probe(spec: dict, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--probe"], input=json.dumps(spec), capture_output=True,
                          text=True, env=env, cwd=ROOT)
    if done.returncode:
        raise RuntimeError(f"the probe failed:\n{done.stderr[-3000:]}")
    line = next(line for line in reversed(done.stdout.splitlines()) if line.startswith(RESULT))
    return json.loads(line[len(RESULT):])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.probe:
        print(RESULT + json.dumps(_probe(json.loads(sys.stdin.read()))), flush=True)
        return

    sys.path.insert(0, str(ROOT))
    os.environ.pop("AWS_ENDPOINT_URL", None)  # moto answers, in both processes
    from benchmarks.handler_imports import compile_bytecode, lambda_environment

    compile_bytecode()
    environments = {fn: lambda_environment(fn) for fn in FUNCTIONS}  # this tree's layer first on the path
    specs = prepare(environments)
    for fn in FUNCTIONS:
        run_probe(specs[fn], environments[fn])  # discarded: warms the disk caches
        figures = summarize([run_probe(specs[fn], environments[fn]) for _ in range(args.repeats)])
        for name, value in figures.items():
            print(f"{name}_{fn}: {value:.1f}", flush=True)


if __name__ == "__main__":
    main()
