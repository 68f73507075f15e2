"""UBL invoices through the ingest on moto: a tenant uploads an XML or a zip through the presigned import URL,
S3's event runs the ingest Lambda, the claims appear, the report names every refused invoice, and the
original of each claim is kept in the documents bucket."""

from api_support import TENANT_A, TENANT_B, call, claim_body, setup_client
from ingest_support import ingest, s3_event, upload
from infra.topology import DOCUMENTS
from ubl_files import BILLION_LAUGHS, ubl_credit_note, ubl_invoice, zip_of

# The API tests' clock stands at 2 June 2025: the invoices are of April.
DATES = {"issued": "2025-04-01", "due": "2025-05-01"}


def report(tenant_id, import_id):
    answer = call("GET", f"/v1/imports/{import_id}", tenant_id)
    assert answer.status == 200, answer.body
    return answer.body


def claims_of(tenant_id):
    return {c["invoice_number"]: c for c in call("GET", "/v1/claims", tenant_id, query={"limit": "100"}).body["items"]}


def kept(key: str) -> bytes:
    return setup_client("s3").get_object(Bucket=DOCUMENTS.name, Key=key)["Body"].read()


def test_a_ubl_invoice_dropped_through_the_import_url_becomes_a_claim_with_its_original_kept(api):
    # given a Peppol BIS 3.0 invoice uploaded through POST /v1/imports and its presigned URL
    data = ubl_invoice("F-2025-0412", amount="1315.00", **DATES)
    import_id, key = upload(TENANT_A, data, "F-2025-0412.xml")
    # when S3 tells the ingest function
    outcome = ingest(s3_event(key))
    # then the import completed with one claim, made with the buyer as debtor and the payable amount
    assert outcome["imports"][0]["status"] == "completed"
    result = report(TENANT_A, import_id)
    assert (result["status"], result["accepted"], result["rejected"], result["errors"]) == ("completed", 1, 0, [])
    claim = claims_of(TENANT_A)["F-2025-0412"]
    assert claim["amounts"]["principal"] == "1315.00" and claim["due_date"] == "2025-05-01"
    assert claim["debtor"]["type"] == "business" and claim["debtor"]["reference"] == "K-1001"
    assert claim["debtor"]["address"]["postal_code"] == "5611 AA"
    # and the original XML is kept in the tenant's own prefix of the documents bucket, byte for byte
    assert kept(f"tenants/{TENANT_A}/documents/{claim['claim_id']}/invoice.xml") == data
    # and the tenant gets a short-lived link to it as the claim's document invoice.xml; the other tenant nothing
    link = call("GET", f"/v1/claims/{claim['claim_id']}/documents/invoice.xml", TENANT_A)
    assert link.status == 200 and f"/tenants/{TENANT_A}/documents/{claim['claim_id']}/invoice.xml?" in link.body["url"]
    assert call("GET", f"/v1/claims/{claim['claim_id']}/documents/invoice.xml", TENANT_B).status == 404
    assert claims_of(TENANT_B) == {}


def test_a_zip_of_invoices_imports_the_good_ones_and_reports_each_refused_file(api):
    # given a zip of two good invoices, a credit note, a dollar invoice and an entity bomb
    data = zip_of({"F-1.xml": ubl_invoice("F-1", **DATES), "CN-1.xml": ubl_credit_note(),
                   "F-2.xml": ubl_invoice("F-2", currency="USD", **DATES), "bomb.xml": BILLION_LAUGHS,
                   "F-3.xml": ubl_invoice("F-3", amount="80.00", kvk=None, reference="K-2002", **DATES)})
    import_id, key = upload(TENANT_A, data, "mei.zip")
    # when it is ingested
    ingest(s3_event(key))
    # then two claims are made and the three refused files are reported by row (file in the zip) and field
    result = report(TENANT_A, import_id)
    assert (result["status"], result["accepted"], result["rejected"]) == ("completed", 2, 3)
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(2, "file"), (3, "currency"), (4, "file")]
    assert result["errors"][0]["message"].startswith("CN-1.xml: ") and "credit note" in result["errors"][0]["message"]
    claims = claims_of(TENANT_A)
    assert set(claims) == {"F-1", "F-3"} and claims["F-3"]["debtor"]["type"] == "consumer"
    assert kept(f"tenants/{TENANT_A}/documents/{claims['F-3']['claim_id']}/invoice.xml") == ubl_invoice(
        "F-3", amount="80.00", kvk=None, reference="K-2002", **DATES)


def test_the_same_invoice_again_and_the_same_event_again_make_no_second_claim(api):
    # given an imported invoice
    first_id, first_key = upload(TENANT_A, ubl_invoice("F-1", **DATES), "a.xml")
    ingest(s3_event(first_key))
    # when S3 delivers the same event again, and the same invoice comes in a second upload
    ingest(s3_event(first_key))
    second_id, second_key = upload(TENANT_A, ubl_invoice("F-1", **DATES), "b.xml")
    ingest(s3_event(second_key))
    # then one claim exists; the second upload reports the duplicate and keeps no copy
    assert list(claims_of(TENANT_A)) == ["F-1"]
    assert report(TENANT_A, first_id)["accepted"] == 1
    second = report(TENANT_A, second_id)
    assert (second["accepted"], second["rejected"]) == (0, 1) and second["errors"][0]["field"] == "invoice_number"
    listed = setup_client("s3").list_objects_v2(Bucket=DOCUMENTS.name, Prefix=f"tenants/{TENANT_A}/documents/")
    assert [o["Key"].rsplit("/", 1)[-1] for o in listed.get("Contents", [])] == ["invoice.xml"]


def test_a_claim_not_imported_from_ubl_has_no_invoice_xml(api):
    created = call("POST", "/v1/claims", TENANT_A, claim_body())
    assert call("GET", f"/v1/claims/{created.body['claim_id']}/documents/invoice.xml", TENANT_A).status == 404


def test_a_credit_note_alone_fails_the_import_with_a_file_error(api):
    import_id, key = upload(TENANT_A, ubl_credit_note(), "creditnota.xml")
    ingest(s3_event(key))
    result = report(TENANT_A, import_id)
    assert (result["status"], result["accepted"], result["rejected"]) == ("failed", 0, 0)
    assert [(e["row"], e["field"]) for e in result["errors"]] == [(0, "file")]
    assert claims_of(TENANT_A) == {}


def test_a_ubl_invoice_whose_buyer_number_is_known_as_another_kind_of_debtor_is_refused_on_its_row(api):
    # given a zip of a business's invoice and a consumer's invoice that quote the same buyer number
    data = zip_of({"F-1.xml": ubl_invoice("F-1", **DATES),
                   "F-3.xml": ubl_invoice("F-3", amount="80.00", kvk=None, **DATES)})
    import_id, key = upload(TENANT_A, data, "mixed.zip")
    # when it is ingested / then the second is refused naming the conflict (one reference is one debtor)
    ingest(s3_event(key))
    result = report(TENANT_A, import_id)
    assert (result["accepted"], result["rejected"]) == (1, 1)
    assert result["errors"][0]["row"] == 2 and result["errors"][0]["field"] == "debtor_type"
