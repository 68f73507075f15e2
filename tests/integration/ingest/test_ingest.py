"""The CSV ingest on moto: a tenant uploads through the presigned URL, S3's event runs the ingest Lambda,
the claims appear and the import report names every bad row (CONTRACT.md §5)."""

from api_support import TENANT_A, TENANT_B, call, events_on_bus
from ingest_support import DUTCH_EXPORT, ENGLISH_EXPORT, ingest, put_object, s3_event, upload


def report(tenant_id, import_id):
    answer = call("GET", f"/v1/imports/{import_id}", tenant_id)
    assert answer.status == 200, answer.body
    return answer.body


def invoices(tenant_id):
    items, token = [], None
    while True:
        page = call("GET", "/v1/claims", tenant_id, query={"limit": "100", **({"next_token": token} if token else {})}).body
        items += page["items"]
        token = page["next_token"]
        if not token:
            return {claim["invoice_number"]: claim for claim in items}


def test_an_import_is_pending_until_the_file_arrives(api):
    started = call("POST", "/v1/imports", TENANT_A, {"filename": "maart export.csv"})
    assert started.status == 201
    assert started.body["upload_url"].startswith("http")
    assert f"tenants/{TENANT_A}/inbox/{started.body['import_id']}/maart_export.csv" in started.body["upload_url"]
    assert report(TENANT_A, started.body["import_id"])["status"] == "pending"


def test_a_dutch_export_is_imported_and_its_bad_rows_reported_by_row_number(api, aws):
    # given a Windows-1252, semicolon-separated export with Dutch headers, Dutch amounts and dates
    import_id, key = upload(TENANT_A, DUTCH_EXPORT)
    # when S3 tells the ingest function
    ingest(s3_event(key))
    # then the good rows are claims and the bad ones are reported with their row number (header = 1)
    result = report(TENANT_A, import_id)
    assert (result["status"], result["accepted"], result["rejected"]) == ("completed", 2, 2)
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(4, "principal"), (5, "invoice_date")]
    claims = invoices(TENANT_A)
    assert set(claims) == {"2025-001", "2025-002"}
    assert claims["2025-001"]["amounts"]["principal"] == "1234.56"
    assert claims["2025-001"]["debtor"]["type"] == "consumer" and claims["2025-002"]["debtor"]["type"] == "business"
    assert claims["2025-002"]["due_date"] == "2025-05-02"
    # and ClaimCreated per claim plus one ImportCompleted went to the bus
    kinds = [e["detail-type"] for e in events_on_bus(aws)]
    assert kinds.count("ClaimCreated") == 2 and kinds.count("ImportCompleted") == 1


def test_an_english_export_with_bad_rows(api):
    import_id, key = upload(TENANT_A, ENGLISH_EXPORT, "invoices.csv")
    ingest(s3_event(key))
    result = report(TENANT_A, import_id)
    assert (result["accepted"], result["rejected"]) == (2, 3)
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(3, "debtor_name"), (4, "due_date"), (5, "debtor_type")]
    assert set(invoices(TENANT_A)) == {"INV-1", "INV-5"}
    assert invoices(TENANT_A)["INV-1"]["debtor"]["language"] == "en"


def test_a_second_delivery_of_the_same_object_creates_nothing(api, aws):
    # given an imported file
    import_id, key = upload(TENANT_A, ENGLISH_EXPORT)
    event = s3_event(key)
    ingest(event)
    first = report(TENANT_A, import_id)
    events_on_bus(aws)
    # when S3 delivers the same event again
    ingest(event)
    # then nothing new: same report, same claims, no new events
    assert report(TENANT_A, import_id) == first
    assert len(invoices(TENANT_A)) == 2
    assert events_on_bus(aws) == []


def test_a_delivery_after_a_crash_half_way_finishes_without_duplicates(api):
    # given a run that wrote some claims and then died (the record still says processing)
    from incasso.domain.import_records import ImportStatus
    from incasso.services.wiring import claims_store

    import_id, key = upload(TENANT_A, ENGLISH_EXPORT)
    event = s3_event(key)
    ingest(event)
    store = claims_store()
    record = store.get_import(TENANT_A, import_id)
    store.put_import(record.model_copy(update={"status": ImportStatus.PROCESSING, "accepted": 0, "rejected": 0,
                                               "errors": []}))
    # when S3 retries the event
    ingest(event)
    # then the rows already imported count as accepted, and no claim exists twice
    result = report(TENANT_A, import_id)
    assert (result["status"], result["accepted"], result["rejected"]) == ("completed", 2, 3)
    assert len(invoices(TENANT_A)) == 2


def test_the_same_file_dropped_again_reports_every_row_as_a_duplicate(api):
    # given the English export imported once
    _, key = upload(TENANT_A, ENGLISH_EXPORT)
    ingest(s3_event(key))
    # when the same file is uploaded again as a new import
    again_id, again_key = upload(TENANT_A, ENGLISH_EXPORT)
    ingest(s3_event(again_key))
    # then it creates no second claim and says why for each good row
    result = report(TENANT_A, again_id)
    assert (result["accepted"], result["rejected"]) == (0, 5)
    duplicates = [e for e in result["errors"] if "already exists" in e["message"]]
    assert [(e["row"], e["field"]) for e in duplicates] == [(2, "invoice_number"), (6, "invoice_number")]
    assert len(invoices(TENANT_A)) == 2


def test_an_invoice_already_created_through_the_api_is_a_duplicate(api):
    from api_support import claim_body

    call("POST", "/v1/claims", TENANT_A, claim_body("INV-5"))
    import_id, key = upload(TENANT_A, ENGLISH_EXPORT)
    ingest(s3_event(key))
    result = report(TENANT_A, import_id)
    assert result["accepted"] == 1
    assert any(e["row"] == 6 and "already exists" in e["message"] for e in result["errors"])


def test_the_tenant_comes_from_the_key_prefix_only(api):
    # given a file in tenant B's inbox whose rows could pass for anyone's
    import_id, key = upload(TENANT_B, ENGLISH_EXPORT)
    ingest(s3_event(key))
    # then the claims are B's, and A sees neither them nor the import
    assert len(invoices(TENANT_B)) == 2 and invoices(TENANT_A) == {}
    assert call("GET", f"/v1/imports/{import_id}", TENANT_A).status == 404


def test_keys_outside_a_tenant_inbox_are_ignored(api):
    # given objects that are not in tenants/{tenant}/inbox/{import}/{file}
    for key in ("tenants/acme/facturen.csv", "elsewhere/acme/inbox/imp_1/f.csv", "tenants/ACME/inbox/imp_1/f.csv",
                "tenants/acme/inbox/imp_1/sub/f.csv", "results/acme/imp_1/x/batches/000.json"):
        put_object(key, ENGLISH_EXPORT)
        # when S3 tells the ingest function / then nothing is imported
        assert ingest(s3_event(key)) == {"imports": [{"key": key, "status": "ignored"}]}
    assert invoices(TENANT_A) == {}


def test_a_file_no_import_waits_for_is_refused_with_its_reason(api):
    # given no POST /v1/imports: a file written straight into an inbox (an unsigned PUT, or a key altered
    # from another tenant's upload URL, on a stack that let it through)
    key = "tenants/acme/inbox/nightly-2025-06-01/export+juni.csv"
    put_object(key, ENGLISH_EXPORT)
    # when S3 tells the ingest function / then it is refused, said why, and nothing is imported
    [outcome] = ingest(s3_event(key))["imports"]
    assert outcome["status"] == "refused" and "no import was started" in outcome["reason"]
    assert invoices(TENANT_A) == {}
    assert call("GET", "/v1/imports/nightly-2025-06-01", TENANT_A).status == 404


def test_a_key_moved_into_another_tenants_inbox_is_refused(api):
    # given tenant A's upload, its key then altered to tenant B's inbox (same import id and file)
    import_id, key = upload(TENANT_A, ENGLISH_EXPORT)
    moved = key.replace(f"tenants/{TENANT_A}/", f"tenants/{TENANT_B}/")
    put_object(moved, ENGLISH_EXPORT)
    # when S3 tells the ingest function of the moved object
    [outcome] = ingest(s3_event(moved))["imports"]
    # then B's import does not take it, and B has nothing; A's own import still waits for its event
    assert outcome["status"] == "refused"
    assert invoices(TENANT_B) == {} and call("GET", f"/v1/imports/{import_id}", TENANT_B).status == 404
    assert report(TENANT_A, import_id)["status"] == "pending"
    # and another file name under A's import id is not A's file either
    renamed = key.rsplit("/", 1)[0] + "/other.csv"
    put_object(renamed, ENGLISH_EXPORT)
    assert ingest(s3_event(renamed))["imports"][0]["status"] == "refused"


def test_a_second_file_put_to_the_same_upload_url_leaves_the_first_report(api):
    # given an import whose file was ingested
    import_id, key = upload(TENANT_A, ENGLISH_EXPORT)
    ingest(s3_event(key))
    first = report(TENANT_A, import_id)
    assert (first["status"], first["accepted"]) == ("completed", 2)
    # when another file is put to the same key (the URL is reused) and S3 tells the ingest function
    put_object(key, DUTCH_EXPORT)
    [outcome] = ingest(s3_event(key))["imports"]
    # then it is refused with its reason, and the import's report is the first one
    assert outcome["status"] == "refused" and "good for one object" in outcome["reason"]
    assert report(TENANT_A, import_id) == first
    assert sorted(invoices(TENANT_A)) == ["INV-1", "INV-5"]


def test_files_that_are_not_invoices_give_a_report_not_a_crash(api):
    cases = {
        "empty.csv": b"",
        "unknown-header.csv": b"foo,bar\n1,2\n",
        "wide.csv": b"invoice_number,debtor_name,debtor_type,principal,invoice_date,due_date\n"
                    + b",".join([b"x"] * 10_000) + b"\n",
        "excel.csv": b"PK\x03\x04" + b"\x00" * 100,
        "wrong-encoding.csv": "invoice_number,debtor_name\n".encode("utf-16-le") + b"\xff\xfe\x00\xd8",
        "binary.csv": bytes(range(256)) * 4,
    }
    for filename, content in cases.items():
        import_id, key = upload(TENANT_A, content, filename)
        outcome = ingest(s3_event(key))
        result = report(TENANT_A, import_id)
        assert outcome["imports"][0]["status"] in ("completed", "failed"), filename
        assert result["status"] in ("completed", "failed") and result["accepted"] == 0, filename
        assert result["errors"], filename
    assert invoices(TENANT_A) == {}


def test_an_unknown_column_is_reported_but_the_rows_are_imported(api):
    content = b"invoice_number,debtor_name,debtor_type,email,principal,invoice_date,due_date,remarks\n" \
              b"A-1,Jan,consumer,jan@example.nl,10.00,2025-04-01,2025-05-01,call first\n"
    import_id, key = upload(TENANT_A, content)
    ingest(s3_event(key))
    result = report(TENANT_A, import_id)
    assert (result["status"], result["accepted"], result["rejected"]) == ("completed", 1, 0)
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(1, "remarks")]


def test_dates_the_engine_cannot_compute_with_are_row_errors_not_claims(api):
    # given rows due before the interest table, invoiced in the future, due before invoiced, an absurd amount
    rows = ("invoice_number,debtor_name,debtor_type,email,principal,invoice_date,due_date\n"
            "OK-1,Jan,consumer,jan@example.nl,100.00,2025-04-01,2025-05-01\n"
            "OLD-1,Jan,consumer,jan@example.nl,100.00,1999-12-01,2000-01-01\n"
            "FUT-1,Jan,consumer,jan@example.nl,100.00,2030-01-01,2030-02-01\n"
            "REV-1,Jan,consumer,jan@example.nl,100.00,2025-04-01,2025-03-01\n"
            "BIG-1,Jan,consumer,jan@example.nl,99999999999999999999,2025-04-01,2025-05-01\n")
    import_id, key = upload(TENANT_A, rows.encode(), "dates.csv")
    # when ingested
    ingest(s3_event(key))
    # then each bad row is reported with its field, and only the good one became a claim
    result = report(TENANT_A, import_id)
    assert (result["accepted"], result["rejected"]) == (1, 4)
    fields = {(e["row"], e["field"]) for e in result["errors"]}
    assert {(3, "invoice_date"), (4, "invoice_date"), (5, "due_date"), (6, "principal")} <= fields
    assert set(invoices(TENANT_A)) == {"OK-1"}


def test_a_debtor_who_cannot_be_reached_in_writing_is_a_row_error_not_a_parked_claim(api):
    # given a row with neither an e-mail address nor a postal address (only a phone)
    content = b"invoice_number,debtor_name,debtor_type,telefoon,principal,invoice_date,due_date\n" \
              b"A-1,Jan,consumer,0612345678,10.00,2025-04-01,2025-05-01\n"
    import_id, key = upload(TENANT_A, content)
    ingest(s3_event(key))
    # then it is refused with the reason, and no claim waits to be parked at its first reminder
    result = report(TENANT_A, import_id)
    assert (result["accepted"], result["rejected"]) == (0, 1)
    assert "in writing" in result["errors"][0]["message"]
    assert invoices(TENANT_A) == {}
