"""Bank statements end to end on the local stack (CONTRACT.md §9): a tenant uploads its CAMT.053 or MT940
through the API's presigned URL, S3's event runs the reconcile Lambda, and the payments it finds stop the
claims' trajectories exactly as a payment through the API does (docs/law.md "Payments within the term")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bank_files import Payment, camt053, mt940
from incasso.domain.models import ClaimStatus, LedgerKind, Stage
from incasso.services.claim_commands import NewPayment

START = dt.date(2026, 1, 5)  # the local stack starts on Monday 5 Jan 2026
DAY = dt.timedelta(days=1)


# -- the tenant's side: the API and its upload URL ------------------------------------------------------


def upload(world, data: bytes, filename: str) -> dict:
    """POST /v1/bank-statements, PUT the file to the URL it answers (S3's event runs the reconcile Lambda),
    and answer GET /v1/bank-statements/{id} once the stack has settled."""
    import requests

    status, started = world.api("POST", "/v1/bank-statements", {"filename": filename})
    assert status == 201, started
    assert requests.put(started["upload_url"], data=data, timeout=10).status_code == 200
    world.stack.settle()
    status, statement = world.api("GET", f"/v1/bank-statements/{started['statement_id']}")
    assert status == 200 and statement["status"] == "completed", statement
    return statement


# -- statement files written from the claims ------------------------------------------------------------

def by_reference(claim, amount: Decimal, booked_on: dt.date, bank_reference: str) -> Payment:
    """A credit quoting the claim's betalingskenmerk in the structured field."""
    return Payment(f"{amount:.2f}", reference=claim.payment_reference, booked_on=booked_on.isoformat(),
                   bank_reference=bank_reference)


def by_text(remittance: str, amount: Decimal, booked_on: dt.date, bank_reference: str, **changes) -> Payment:
    """A credit whose free text names the claim (invoice number, or the reference written in groups)."""
    return Payment(f"{amount:.2f}", remittance=remittance, booked_on=booked_on.isoformat(),
                   bank_reference=bank_reference, **changes)


def grouped(reference: str) -> str:
    """A betalingskenmerk as a debtor types it: ``5000 0567 8901 2345``."""
    return " ".join(reference[i:i + 4] for i in range(0, 16, 4))


def owed(world, claim) -> Decimal:
    return world.claims.current("acme", claim.claim_id).amounts.outstanding


def ledger(world, claim, kind: LedgerKind | None = None) -> list:
    return [e for e in world.store.get_ledger("acme", claim.claim_id) if kind is None or e.kind is kind]


def timeline_types(world, claim) -> list[str]:
    return [event.type for event in world.store.get_timeline("acme", claim.claim_id)]


def assert_stopped(world, claims, sent_before: dict[str, list[str]], until: dt.date) -> None:
    """Each claim is paid, and after the payment only confirmations went out for it (no reminder, no
    letter), up to ``until``."""
    world.until(until)
    for claim in claims:
        closed = world.get(claim)
        assert closed.status is ClaimStatus.PAID and closed.amounts.outstanding == 0, claim.invoice_number
        sent = world.sent(claim)
        assert sent[:len(sent_before[claim.claim_id])] == sent_before[claim.claim_id], claim.invoice_number
        assert set(sent[len(sent_before[claim.claim_id]):]) == {"payment_confirmation"}, claim.invoice_number
    assert world.stack.running_executions == 0


# -- (a), (b), (c) --------------------------------------------------------------------------------------

def test_a_camt053_uploaded_through_the_api_pays_the_claims_and_stops_their_trajectories(world):
    # given three claims a week past due, each with its first reminder out
    world.tenant()
    first = world.claim(principal="250.00", invoice="F-2026-0101")
    second = world.claim(principal="1200.00", invoice="F-2026-0102")
    third = world.claim(principal="80.00", invoice="F-2026-0103")
    world.until(START + 10 * DAY)
    sent = {c.claim_id: world.sent(c) for c in (first, second, third)}
    assert all(sent.values()), sent
    today = START + 10 * DAY
    # when the tenant uploads today's CAMT.053: one credit by structured reference, one by invoice
    # number typed with spaces and leading zeros, one by the reference in groups, and a debit
    data = camt053([
        by_reference(first, owed(world, first), today, "CAMT-1"),
        by_text("betaling factuur F 2026 00102", owed(world, second), today, "CAMT-2"),
        by_text(f"kenmerk {grouped(third.payment_reference)}", owed(world, third), today, "CAMT-3"),
        by_text("huur kantoor", Decimal("950.00"), today, "CAMT-4", debit=True, name="Verhuur B.V."),
    ])
    statement = upload(world, data, "dagafschrift.xml")
    # then the three credits are booked to their claims, the debit is listed
    assert (statement["format"], statement["entries"], statement["matched"], statement["unmatched"]) == (
        "camt.053", 4, 3, 0)
    assert [(i["outcome"], i["match"], i["claim_id"]) for i in statement["items"]] == [
        ("booked", "reference", first.claim_id), ("booked", "invoice_number", second.claim_id),
        ("booked", "reference", third.claim_id), ("debit", "none", None)]
    assert all(Decimal(i["refund"]) == 0 for i in statement["items"])
    # and the claims are paid, dated the booking day, with no further reminder for two months
    for claim in (first, second, third):
        payment = next(e for e in world.store.get_timeline("acme", claim.claim_id) if e.type == "payment_received")
        assert payment.details["paid_at"].startswith(today.isoformat())
    assert_stopped(world, (first, second, third), sent, START + 70 * DAY)
    assert all(not ledger(world, c, LedgerKind.COLLECTION_COSTS) for c in (first, second, third))


def test_an_mt940_pays_the_claims_and_the_same_file_again_changes_nothing(world):
    # given two claims a week past due
    world.tenant()
    first = world.claim(principal="300.00", invoice="F-2026-0201")
    second = world.claim(principal="120.00", invoice="F-2026-0202")
    world.until(START + 10 * DAY)
    sent = {c.claim_id: world.sent(c) for c in (first, second)}
    today = START + 10 * DAY
    # when the tenant uploads an MT940: one payment by reference, one paid in two parts by invoice number
    # (with a dash missing), and a stranger's credit that names nothing
    part = (owed(world, second) / 2).quantize(Decimal("0.01"))
    data = mt940([
        by_reference(first, owed(world, first), today, "MT-1"),
        by_text("factuur F2026-0202 deel 1", part, today, "MT-2"),
        by_text("fact. F-2026-0202 rest", owed(world, second) - part, today, "MT-3"),
        by_text("gift", Decimal("20.00"), today, "MT-4", name="A. Noniem"),
    ])
    statement = upload(world, data, "mt940.sta")
    # then three credits are booked, the stranger's waits in the queue, and both claims are paid
    assert (statement["format"], statement["entries"], statement["matched"], statement["unmatched"]) == (
        "mt940", 4, 3, 1)
    assert [i["claim_id"] for i in statement["items"]] == [first.claim_id, second.claim_id, second.claim_id, None]
    status, queue = world.api("GET", "/v1/bank-statements/unmatched")
    assert status == 200 and [i["remittance"] for i in queue["items"]] == ["gift"]
    world.until(today + DAY)
    before = {c.claim_id: (world.ledger_keys(c), world.get(c).amounts, timeline_types(world, c), world.sent(c))
              for c in (first, second)}
    # when the same file is uploaded again
    again = upload(world, data, "mt940.sta")
    # then every credit is listed as seen before, nothing is booked, and the queue holds the one credit
    assert [i["outcome"] for i in again["items"]] == ["seen_before", "seen_before", "seen_before", "seen_before"]
    assert (again["matched"], again["unmatched"]) == (0, 0)
    assert {c.claim_id: (world.ledger_keys(c), world.get(c).amounts, timeline_types(world, c), world.sent(c))
            for c in (first, second)} == before
    assert [i["remittance"] for i in world.api("GET", "/v1/bank-statements/unmatched")[1]["items"]] == ["gift"]
    # and the trajectories stay stopped
    assert_stopped(world, (first, second), sent, START + 70 * DAY)


# -- (d) ------------------------------------------------------------------------------------------------

def test_art_6_96_lid_6_a_statement_payment_in_the_term_uploaded_after_it_reverses_the_costs_like_the_api(world):
    # given two identical claims whose 14-day term ran out with nothing recorded: costs booked, with the bailiff
    world.tenant()
    by_api = world.claim(invoice="F-2026-0301")
    by_bank = world.claim(invoice="F-2026-0302")
    world.until(dt.date(2026, 2, 26))
    filed = world.get(by_bank)
    assert filed.stage is Stage.BAILIFF_FILING and filed.amounts.collection_costs == Decimal("425.00")
    assert world.get(by_api).notice.demanded == filed.notice.demanded
    # when, on 10 March, the letter's total that reached the account on the term's last day (25 Feb) is
    # recorded through the API for one claim, and arrives in a CAMT.053 for the other
    world.until(dt.date(2026, 3, 10))
    world.claims.pay("acme", by_api.claim_id, NewPayment(amount=filed.notice.demanded, paid_at=filed.notice.ends_on))
    statement = upload(world, camt053([by_reference(by_bank, filed.notice.demanded, filed.notice.ends_on, "LATE-1")]),
                       "februari.xml")
    world.until(dt.date(2026, 3, 11))
    # then the statement booked it in full (no refund) dated 25 Feb
    item, = statement["items"]
    assert (item["outcome"], item["claim_id"], item["booked_on"], Decimal(item["refund"])) == (
        "booked", by_bank.claim_id, "2026-02-25", 0)
    # and the costs are reversed by a negative collection_costs entry, the booked one staying
    closed = world.get(by_bank)
    assert closed.status is ClaimStatus.PAID and closed.amounts.outstanding == 0 and closed.amounts.collection_costs == 0
    assert sorted(e.amount for e in ledger(world, by_bank, LedgerKind.COLLECTION_COSTS)) == [Decimal("-425.00"),
                                                                                            Decimal("425.00")]
    assert "costs_reversed" in timeline_types(world, by_bank) and "bailiff_withdrawal" in world.sent(by_bank)
    # exactly as for the claim paid through the API: the same ledger, amounts and events
    api_paid = world.get(by_api)

    def booked(claim):
        return sorted((e.kind.value, e.amount) for e in ledger(world, claim))

    assert booked(by_bank) == booked(by_api)
    assert closed.amounts == api_paid.amounts and closed.status == api_paid.status
    assert sorted(timeline_types(world, by_bank)) == sorted(timeline_types(world, by_api))
    assert sorted(world.sent(by_bank)) == sorted(world.sent(by_api))
    assert world.stack.running_executions == 0
