"""Large files: the hand-over to the import state machine and the steps it runs in the ingest
function (a batch of rows from the Distributed Map; the final tally). moto cannot run the state
machine itself (no ItemBatcher), so its calls are made here the way Step Functions makes them."""


from api_support import TENANT_A, LambdaContext, call, lambda_handler, setup_client
from incasso.services.imports import ImportService
from infra.topology import IMPORTS
from ingest_support import ENGLISH_EXPORT, put_object

HEADERS = ["invoice_number", "debtor_name", "debtor_type", "email", "principal", "invoice_date", "due_date", "language"]


def map_items(csv_text: str, start: int, count: int) -> list[dict]:
    """Rows as the Distributed Map's CSV reader and ItemSelector give them: {index, value: {header: cell}}."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(csv_text)))[1:]
    return [{"index": index, "value": dict(zip(HEADERS, rows[index]))}
            for index in range(start, min(start + count, len(rows)))]


class ImportWorkflow:
    """The import state machine's start, as a callable records or answers it."""

    def __init__(self, start) -> None:
        self.start_import = start


def service(start_distributed=None, **kwargs) -> ImportService:
    from incasso.adapters.import_files import ImportFiles
    from incasso.services.wiring import claim_service, claims_store, publisher

    return ImportService(claims_store(), claim_service(), bucket=IMPORTS.name, files=ImportFiles(),
                         events=publisher(), workflows=ImportWorkflow(start_distributed) if start_distributed else None,
                         **kwargs)


def test_a_file_over_the_threshold_is_handed_to_the_state_machine(api):
    # given a large-file threshold of 100 bytes and a recorded state machine start
    started = []
    ingest = service(start_distributed=lambda execution_input: started.append(execution_input) or True,
                     distributed_threshold_bytes=100)
    key = "tenants/acme/inbox/imp_big/big.csv"
    put_object(key, ENGLISH_EXPORT.replace(b",", b";"), pending=True)
    # when the object arrives
    record = ingest.ingest_object(IMPORTS.name, key, etag="etag-1", size=len(ENGLISH_EXPORT))
    # then the import is processing and the machine got the file, its delimiter and where batches report
    assert record.status.value == "processing"
    [execution_input] = started
    assert execution_input["delimiter"] == "SEMICOLON"
    assert (execution_input["tenant_id"], execution_input["import_id"], execution_input["key"]) == ("acme", "imp_big", key)
    assert execution_input["results_prefix"].startswith("results/acme/imp_big/")
    assert not execution_input["results_prefix"].startswith("tenants/")  # no S3 event for the reports


def test_a_large_file_that_is_not_utf8_fails_with_a_message(api):
    ingest = service(start_distributed=lambda execution_input: True, distributed_threshold_bytes=100)
    key = "tenants/acme/inbox/imp_1252/big.csv"
    put_object(key, "factuurnummer;naam\n1;Café Señor ééé\n".encode("cp1252") * 20, pending=True)
    record = ingest.ingest_object(IMPORTS.name, key, etag="etag-2", size=10_000)
    assert record.status.value == "failed"
    assert "UTF-8" in record.errors[0].message


def test_batches_and_the_final_tally_make_one_report_with_the_files_row_numbers(api, aws):
    # given an import handed over (as the hand-over leaves it)
    text = ENGLISH_EXPORT.decode("utf-8-sig")
    started = []
    ingest = service(start_distributed=lambda execution_input: started.append(execution_input) or True,
                     distributed_threshold_bytes=10)
    key = "tenants/acme/inbox/imp_dist/invoices.csv"
    put_object(key, ENGLISH_EXPORT, pending=True)
    ingest.ingest_object(IMPORTS.name, key, etag="etag-3", size=len(ENGLISH_EXPORT))
    execution_input = started[0]
    batch_input = {name: execution_input[name] for name in ("tenant_id", "import_id", "source", "bucket", "results_prefix")}
    handler = lambda_handler("ingest")
    # when the Distributed Map calls the ingest function with two batches (rows 2-3, then rows 4-6)
    first = handler({"BatchInput": batch_input, "Items": map_items(text, 0, 2)}, LambdaContext())
    second = handler({"BatchInput": batch_input, "Items": map_items(text, 2, 3)}, LambdaContext())
    # and a batch is retried by Step Functions
    again = handler({"BatchInput": batch_input, "Items": map_items(text, 2, 3)}, LambdaContext())
    # and the machine's last step adds up
    finished = handler({"action": "finish_import", **{k: execution_input[k] for k in
                        ("tenant_id", "import_id", "bucket", "results_prefix")}}, LambdaContext())
    # then the report is the same as a one-run import of the file would give
    assert (first, second, again) == ({"accepted": 1, "rejected": 1}, {"accepted": 1, "rejected": 2},
                                      {"accepted": 1, "rejected": 2})
    assert finished == {"import_id": "imp_dist", "status": "completed"}
    report = call("GET", "/v1/imports/imp_dist", TENANT_A).body
    assert (report["accepted"], report["rejected"]) == (2, 3)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(3, "debtor_name"), (4, "due_date"), (5, "debtor_type")]
    claims = call("GET", "/v1/claims", TENANT_A).body["items"]
    assert sorted(c["invoice_number"] for c in claims) == ["INV-1", "INV-5"]


def test_a_map_that_failed_finishes_the_import_with_what_it_got(api):
    started = []
    ingest = service(start_distributed=lambda execution_input: started.append(execution_input) or True,
                     distributed_threshold_bytes=10)
    key = "tenants/acme/inbox/imp_fail/invoices.csv"
    put_object(key, ENGLISH_EXPORT, pending=True)
    ingest.ingest_object(IMPORTS.name, key, etag="etag-4", size=len(ENGLISH_EXPORT))
    execution_input = started[0]
    batch_input = {name: execution_input[name] for name in ("tenant_id", "import_id", "source", "bucket", "results_prefix")}
    handler = lambda_handler("ingest")
    handler({"BatchInput": batch_input, "Items": map_items(ENGLISH_EXPORT.decode("utf-8-sig"), 0, 2)}, LambdaContext())
    handler({"action": "finish_import", "error": {"Error": "States.ItemReaderFailed"},
             **{k: execution_input[k] for k in ("tenant_id", "import_id", "bucket", "results_prefix")}}, LambdaContext())
    report = call("GET", "/v1/imports/imp_fail", TENANT_A).body
    assert report["status"] == "completed" and report["accepted"] == 1
    assert any("stopped before every row" in e["message"] for e in report["errors"])
    assert setup_client("s3").list_objects_v2(Bucket=IMPORTS.name, Prefix="results/")["KeyCount"] == 1
