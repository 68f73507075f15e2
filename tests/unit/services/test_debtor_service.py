"""The debtor on the fakes: one reference is one debtor (a conflicting claim is refused, by the API and the
import), the view and its totals, the list, the credit check, and the explicit change of the details."""

import datetime as dt
from decimal import Decimal

import pytest
from conftest import TENANT, TODAY

from incasso.adapters.credit_bureau import OfflineCreditBureauFake
from incasso.domain.credit import BureauReport
from incasso.domain.import_records import ImportStatus
from incasso.domain.models import ClaimStatus, Debtor
from incasso.services.claim_commands import NewClaim, NewPayment
from incasso.domain.debtors import DebtorUpdate
from incasso.services.debtors import DEBTOR_UPDATED, DebtorService
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError
from incasso.services.imports import ImportService
from tenant_profiles import ready_tenant

OTHER = "other-tenant"


def debtor(**changes) -> Debtor:
    fields = {"name": "Bakkerij Jansen", "type": "business", "email": "ap@jansen.nl", "reference": "K-100", **changes}
    return Debtor(**fields)


def invoice(number: str, *, principal: str = "100.00", days_overdue: int = 10, **changes) -> NewClaim:
    due = TODAY - dt.timedelta(days=days_overdue)
    return NewClaim(invoice_number=number, debtor=debtor(**changes), principal=principal,
                    invoice_date=due - dt.timedelta(days=30), due_date=due)


@pytest.fixture
def bureau() -> OfflineCreditBureauFake:
    return OfflineCreditBureauFake()


@pytest.fixture
def debtors(store, claims, bureau) -> DebtorService:
    return DebtorService(store, claims, bureau)


# -- one reference, one debtor ---------------------------------------------------------------------------
def test_a_later_claim_with_another_debtor_type_is_refused_naming_the_conflict(claims, store):
    # given a claim on K-100 as a business
    claims.create(TENANT, invoice("INV-1"))
    # when a claim on K-100 says consumer
    with pytest.raises(ConflictError) as refused:
        claims.create(TENANT, invoice("INV-2", type="consumer"))
    # then it is refused naming debtor.type, and no claim was made
    assert [d["field"] for d in refused.value.details] == ["debtor.type"]
    assert [c.invoice_number for c in store.claims.values()] == ["INV-1"]


def test_another_name_or_address_joins_the_debtor_and_a_claim_without_reference_stands_alone(claims, store):
    # given a claim on K-100
    claims.create(TENANT, invoice("INV-1"))
    # when another with a new e-mail comes, and one without a reference as a consumer
    claims.create(TENANT, invoice("INV-2", email="boekhouding@jansen.nl"))
    claims.create(TENANT, invoice("INV-3", type="consumer", reference=None))
    # then all three are made; K-100 has two claims
    assert len(store.claims) == 3 and len(store.claims_of_debtor(TENANT, "K-100")) == 2


def test_the_same_reference_at_another_tenant_is_another_debtor(claims, store):
    # given K-100 as a business at acme
    store.put_tenant(ready_tenant(OTHER))
    claims.create(TENANT, invoice("INV-1"))
    # when another tenant has a consumer K-100 / then it is accepted
    claims.create(OTHER, invoice("INV-1", type="consumer"))
    assert store.get_debtor(OTHER, "K-100").debtor.type.value == "consumer"


def test_an_import_row_whose_debtor_conflicts_is_a_row_error_and_the_rest_is_imported(store, claims, files, events):
    # given a file with K-7 as business, then as consumer, then in English
    csv = (b"invoice_number,debtor_name,debtor_type,debtor_reference,language,email,principal,invoice_date,due_date\n"
           b"A-1,Jansen,business,K-7,nl,a@jansen.nl,100.00,2025-04-01,2025-05-01\n"
           b"A-2,Jansen,consumer,K-7,nl,a@jansen.nl,50.00,2025-04-01,2025-05-01\n"
           b"A-3,Jansen,business,K-7,en,a@jansen.nl,50.00,2025-04-01,2025-05-01\n"
           b"A-4,Jansen,business,K-7,nl,a@jansen.nl,25.00,2025-04-01,2025-05-01\n")
    imports = ImportService(store, claims, bucket="imports", files=files, events=events)
    started = imports.start(TENANT, "invoices.csv")
    key = store.get_import(TENANT, started.import_id).key
    files.objects[("imports", key)] = csv
    # when it is imported
    record = imports.ingest_object("imports", key, etag="e1")
    # then rows 3 and 4 are errors naming debtor_type and language; rows 2 and 5 are claims
    assert (record.status, record.accepted, record.rejected) == (ImportStatus.COMPLETED, 2, 2)
    assert [(e.row, e.field) for e in record.errors] == [(3, "debtor_type"), (4, "language")]
    assert sorted(c.invoice_number for c in store.claims.values()) == ["A-1", "A-4"]


# -- the view, the list, the credit check ----------------------------------------------------------------
def test_the_view_lists_the_claims_with_totals_and_the_payment_behaviour(claims, debtors):
    # given two invoices of K-100, one paid 3 days after its due date
    first = claims.create(TENANT, invoice("INV-1", days_overdue=20))
    claims.create(TENANT, invoice("INV-2", principal="250.00"))
    paid_on = TODAY - dt.timedelta(days=17)
    rest = claims.pay(TENANT, first.claim_id, NewPayment(amount=Decimal("100.00"), paid_at=paid_on)).claim
    claims.pay(TENANT, first.claim_id, NewPayment(amount=rest.amounts.outstanding, paid_at=paid_on))
    # when the debtor is viewed
    view = debtors.view(TENANT, "K-100")
    # then both claims; 350.00 principal; the open claim with its interest up to today, as GET /v1/claims/{id}
    assert [c.invoice_number for c in view.claims] == ["INV-1", "INV-2"]
    assert [c.status for c in view.claims] == [ClaimStatus.PAID, ClaimStatus.OPEN]
    assert view.totals.principal == Decimal("350.00") and view.totals.paid == Decimal("100.00") + rest.amounts.outstanding
    assert view.totals.interest > 0
    assert view.totals.outstanding == claims.current(TENANT, view.claims[1].claim_id).amounts.outstanding
    # and the paid one was 3 days late; what is open is the open claim's amount
    assert view.behaviour.average_days_late == Decimal("3.0")
    assert view.behaviour.open_amount == view.totals.outstanding
    assert view.debtor.name == "Bakkerij Jansen"


def test_an_unknown_or_another_tenants_debtor_is_not_found(claims, debtors, store):
    # given K-100 at acme only
    store.put_tenant(ready_tenant(OTHER))
    claims.create(TENANT, invoice("INV-1"))
    # when another tenant asks / then it does not exist for them
    for call in (debtors.view, debtors.credit):
        with pytest.raises(NotFoundError):
            call(OTHER, "K-100")
    with pytest.raises(NotFoundError):
        debtors.view(TENANT, "K-999")


def test_the_list_pages_the_tenants_debtors_by_reference_with_claims_and_open_amount(claims, debtors, store):
    # given three debtors at acme (one with two claims) and one at another tenant
    store.put_tenant(ready_tenant(OTHER))
    claims.create(TENANT, invoice("INV-1", reference="K-2"))
    claims.create(TENANT, invoice("INV-2", reference="K-2", principal="50.00"))
    claims.create(TENANT, invoice("INV-3", reference="K-1"))
    claims.create(TENANT, invoice("INV-4", reference="K-3"))
    claims.create(OTHER, invoice("INV-1", reference="K-9"))
    # when they are listed two at a time
    first, token = debtors.page(TENANT, 2, None)
    second, last = debtors.page(TENANT, 2, token)
    # then by reference, each once, with its claims and open amount; nothing of the other tenant
    assert [(d.reference, d.claims, d.open_amount) for d in first] == [
        ("K-1", 1, Decimal("100.00")), ("K-2", 2, Decimal("150.00"))]
    assert [d.reference for d in second] == ["K-3"] and last is None


def test_the_credit_check_rests_on_this_tenants_record_and_says_the_bureau_had_nothing(claims, debtors):
    # given a debtor with one open claim, not yet paid anything
    claims.create(TENANT, invoice("INV-1", principal="400.00"))
    # when it is checked
    debtor_details, assessment = debtors.credit(TENANT, "K-100")
    # then a new customer's score, and the offline fake named as not having a report
    assert assessment.score <= 60 and debtor_details.type.value == "business"
    assert [(s.name, s.used) for s in assessment.sources] == [("payment_record", True), ("credit_bureau", False)]
    assert "offline-credit-bureau-fake" in assessment.sources[1].note


def test_a_bureau_report_is_asked_for_this_tenant_only(store, claims):
    # given a fake bureau with a report on K-100 for acme only
    store.put_tenant(ready_tenant(OTHER))
    report = BureauReport(bureau="offline-credit-bureau-fake", score=20, retrieved_on=TODAY)
    service = DebtorService(store, claims, OfflineCreditBureauFake({(TENANT, "K-100"): report}))
    claims.create(TENANT, invoice("INV-1"))
    claims.create(OTHER, invoice("INV-1"))
    # when both tenants check K-100
    _, at_acme = service.credit(TENANT, "K-100")
    _, at_other = service.credit(OTHER, "K-100")
    # then only acme's score took the report in
    assert at_acme.sources[1].used and not at_other.sources[1].used
    assert at_acme.score < at_other.score


# -- the explicit change ---------------------------------------------------------------------------------
def test_patching_the_debtor_changes_every_open_claim_versioned_and_lets_the_conflicting_claim_in(
        claims, debtors, store):
    # given two claims of K-100 as a business, one of them paid
    open_claim = claims.create(TENANT, invoice("INV-1"))
    paid = claims.create(TENANT, invoice("INV-2"))
    owed = claims.current(TENANT, paid.claim_id).amounts.outstanding
    claims.pay(TENANT, paid.claim_id, NewPayment(amount=owed, paid_at=TODAY))
    # when the tenant says K-100 is a consumer writing in English
    changed = debtors.update(TENANT, "K-100", DebtorUpdate(type="consumer", language="en"))
    # then the open claim changed (a new version, a timeline event), the paid one kept its details
    assert changed.updated_claims == [open_claim.claim_id]
    after = store.get_claim(TENANT, open_claim.claim_id)
    assert (after.debtor.type.value, after.debtor.language.value) == ("consumer", "en")
    assert after.version > open_claim.version
    assert store.get_timeline(TENANT, open_claim.claim_id)[-1].type == DEBTOR_UPDATED
    assert store.get_claim(TENANT, paid.claim_id).debtor.type.value == "business"
    # and a new consumer claim in English now joins, a business one is refused
    claims.create(TENANT, invoice("INV-3", type="consumer", language="en"))
    with pytest.raises(ConflictError):
        claims.create(TENANT, invoice("INV-4"))


def test_patching_with_nothing_or_leaving_no_address_is_refused(claims, debtors):
    # given a debtor reachable by e-mail only
    claims.create(TENANT, invoice("INV-1"))
    # when nothing is sent, or the e-mail is taken away / then both are refused
    with pytest.raises(InvalidRequestError):
        debtors.update(TENANT, "K-100", DebtorUpdate())
    with pytest.raises(InvalidRequestError):
        debtors.update(TENANT, "K-100", DebtorUpdate(email=None))
    assert claims.store.get_claim(TENANT, next(iter(claims.store.claims))[1]).status is ClaimStatus.OPEN


def test_an_import_row_with_a_reference_too_long_or_with_a_control_character_is_a_row_error(
        store, claims, files, events):
    # given a file with a 65-character klantnummer and one holding a BEL character
    long_reference = "K" * 65
    csv = (b"factuurnummer;naam;type;klantnummer;email;bedrag;factuurdatum;vervaldatum\n"
           + f"A-1;Jansen;zakelijk;{long_reference};a@jansen.nl;100,00;01-04-2025;01-05-2025\n".encode()
           + b"A-2;Jansen;zakelijk;K-\x07;a@jansen.nl;100,00;01-04-2025;01-05-2025\n"
           + b"A-3;Jansen;zakelijk;K-1;a@jansen.nl;100,00;01-04-2025;01-05-2025\n")
    imports = ImportService(store, claims, bucket="imports", files=files, events=events)
    started = imports.start(TENANT, "facturen.csv")
    key = store.get_import(TENANT, started.import_id).key
    files.objects[("imports", key)] = csv
    # when it is imported
    record = imports.ingest_object("imports", key, etag="e1")
    # then rows 2 and 3 are errors naming debtor_reference; row 4 is a claim of debtor K-1
    assert [(e.row, e.field) for e in record.errors] == [(2, "debtor_reference"), (3, "debtor_reference")]
    assert record.accepted == 1 and store.get_debtor(TENANT, "K-1") is not None
