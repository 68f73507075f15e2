"""Bank statement matching (CONTRACT.md §9): how many payments find their claim, and does any find the wrong one?

A generated month of statements for a tenant with ``--claims`` open claims (default 10,000) of
``--claims // 2``-ish debtors (one to three claims each, each debtor with a customer number), in which:

- debtors pay by structured reference (the betalingskenmerk in the structured field), by the reference
  typed in the free text (in groups, with dashes or dots), by invoice number in the free text as people
  type it (lower case, spaces, dashes dropped or doubled, leading zeros dropped, glued to ``nr.``), by
  their customer number with the exact amount, in part (by reference or invoice number), and several
  claims with one transfer (by customer number, or by listing the invoice numbers) for exactly their sum;
- a share of claims stays unpaid (so the matcher searches all 10,000);
- noise credits (refunds, interest, a stranger's transfer, numbers that look like references but fail
  their check digit, order numbers) and debits, which must stay unmatched.

Each generated entry knows the claims it pays (its truth). Figures:

- ``bank_match_rate``: entries that pay claims and are booked to exactly those claims / entries that pay
  claims (target >= 0.95). The worse of the pure matcher and the service on moto.
- ``bank_false_match_rate``: entries booked to a claim they do not pay (or a noise entry booked at all)
  / entries booked (target <= 0). The worse of the two runs. A combined payment booked to only some of
  the claims it pays (the rest listed as refund) is not false but incomplete: counted apart
  (``bank_*_incomplete``) and, like every miss, against the match rate.
- ``bank_entries_per_second``: statement entries through the pure matcher (``ClaimIndex.match``) per
  second, index building included.
- ``bank_service_*``: the same on a smaller sample (``--service-claims``) through ``ReconciliationService``
  on moto (with the local stack's ``moto_transactions`` and ``fast_dynamodb``): a CAMT.053 file parsed, the open claims read from DynamoDB, every credit booked through
  ``ClaimService.pay``.
- ``bank_digit_typo_false_match_rate`` (informational, outside the headline figures): invoice numbers with
  one digit wrong. The matcher cannot know them: a typo that happens to be another open claim's invoice
  number is booked to that claim (no amount check on the invoice-number rule); the rest stays unmatched.

Never a timed test: run ``.venv/bin/python benchmarks/bank_match.py [--claims 10000 --service-claims 1000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.setdefault("LOG_LEVEL", "ERROR")  # each payment's confirmation is not sent here (no SES identity): a warning each

from incasso.domain import payment_reference as references  # noqa: E402
from incasso.domain.bank.entries import BankEntry, Direction  # noqa: E402
from incasso.domain.bank.matching import Candidate, ClaimIndex  # noqa: E402

TENANT = "bench"
IBAN = "NL44RABO0123456789"
MONTH = dt.date(2026, 3, 1)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Claim:
    claim_id: str
    invoice_number: str
    debtor: str  # the debtor's customer number
    principal: Decimal
    outstanding: Decimal
    payment_reference: str


@dataclass(frozen=True)
class Generated:
    kind: str
    amount: Decimal
    remittance: str = ""
    structured: str | None = None
    debit: bool = False
    pays: tuple[str, ...] = ()  # the claims it pays (sorted); () for noise and debits


# -- the tenant's claims ------------------------------------------------------------------------------

def invoice_number(n: int) -> str:
    """Two numbering schemes, as tenants have them: ``F2025-000123`` and ``2025000123``-ish numbers."""
    return f"F2025-{n:06d}" if n % 2 else f"{2025_000_000 + n * 7}"


def generate_claims(count: int, rng: random.Random) -> list[list[Claim]]:
    """Claims grouped per debtor (one to three each); a debtor's principals differ."""
    debtors: list[list[Claim]] = []
    n = 0
    while n < count:
        size = min(rng.choice((1, 1, 1, 2, 2, 3)), count - n)
        debtor = f"KL-{len(debtors) + 1:05d}"
        group = []
        for _ in range(size):
            n += 1
            principal = Decimal(rng.randint(2500, 500_000)) * CENT + Decimal(len(group)) * CENT
            interest = (principal * Decimal(rng.randint(0, 40)) / 1000).quantize(CENT)
            claim_id = f"clm_{n:07d}"
            group.append(Claim(claim_id, invoice_number(n), debtor, principal, principal + interest,
                               references.for_claim(TENANT, claim_id)))
        debtors.append(group)
    return debtors


def candidate(claim: Claim) -> Candidate:
    return Candidate(claim_id=claim.claim_id, payment_reference=claim.payment_reference,
                     invoice_number=claim.invoice_number, debtor_reference=claim.debtor,
                     outstanding=claim.outstanding, principal=claim.principal)


# -- what debtors write ---------------------------------------------------------------------------------

def typed_reference(reference: str, rng: random.Random) -> str:
    groups = [reference[i:i + 4] for i in range(0, 16, 4)]
    return rng.choice([" ".join(groups), "-".join(groups), ".".join(groups), reference])


def typed_invoice(number: str, rng: random.Random) -> str:
    """An invoice number as a debtor types it: what the matcher promises to tolerate."""
    if number.startswith("F"):
        digits = number.split("-")[1]
        short = digits.lstrip("0")
        return rng.choice([number, number.lower(), f"F {2025} {digits}", f"F2025{digits}", f"F-2025-{short}",
                           f"f2025 {short}", f"F--2025--{digits}", f"F 2025-{digits}", f"nr.{number}",
                           f"F2025/{digits}", f"F 2025 {short}"])
    return rng.choice([number, f"{number[:4]} {number[4:]}", f"{number[:4]}-{number[4:]}", f"0{number}",
                       f"nr.{number}", f"{number[:4]} {number[4:7]} {number[7:]}"])


def digit_typo(number: str, rng: random.Random) -> str:
    positions = [i for i, c in enumerate(number) if c.isdigit()][-6:]
    i = rng.choice(positions)
    wrong = rng.choice([d for d in "0123456789" if d != number[i]])
    return number[:i] + wrong + number[i + 1:]


INVOICE_TEXT = ["factuur {}", "Betaling fact. {}", "{} bedankt", "inv {} J. Jansen", "FACTUURNR: {}", "betreft {} en rente"]
DEBTOR_TEXT = ["klantnummer {}", "klantnr {} betaling", "debiteur {}", "{} openstaand saldo"]
NOISE_TEXT = ["Rente 1e kwartaal", "Terugbetaling bestelling 48213", "Storting kas", "Retour zending 2026-03-04",
              "Bol.com uitbetaling 8817262612", "Teruggave belasting 2025", "Gift", "Huur maart",
              "Creditnota 77", "Order 12 13 14 15", "Ref 1234 5678 9012 3456", "Marktplaats 3344556677"]


def generate_entries(debtors: list[list[Claim]], rng: random.Random) -> list[Generated]:
    entries: list[Generated] = []
    for group in debtors:
        roll = rng.random()
        if len(group) > 1 and roll < 0.10:  # combined, by customer number, for exactly all the debtor's claims
            figure = rng.choice(("outstanding", "principal"))
            amount = sum((getattr(c, figure) for c in group), Decimal("0"))
            entries.append(Generated("combined_debtor", amount, rng.choice(DEBTOR_TEXT).format(group[0].debtor),
                                     pays=tuple(sorted(c.claim_id for c in group))))
            continue
        if len(group) > 1 and roll < 0.18:  # combined, listing the invoice numbers
            amount = sum((c.outstanding for c in group), Decimal("0"))
            text = "facturen " + " en ".join(typed_invoice(c.invoice_number, rng) for c in group)
            entries.append(Generated("combined_invoices", amount, text, pays=tuple(sorted(c.claim_id for c in group))))
            continue
        for claim in group:
            roll = rng.random()
            pays = (claim.claim_id,)
            if roll < 0.25:
                continue  # not paid this month
            if roll < 0.50:
                entries.append(Generated("structured_reference", claim.outstanding, structured=claim.payment_reference,
                                         pays=pays))
            elif roll < 0.58:
                entries.append(Generated("reference_in_text", claim.outstanding,
                                         f"betalingskenmerk {typed_reference(claim.payment_reference, rng)}", pays=pays))
            elif roll < 0.76:
                text = rng.choice(INVOICE_TEXT).format(typed_invoice(claim.invoice_number, rng))
                entries.append(Generated("invoice_number", claim.outstanding, text, pays=pays))
            elif roll < 0.84 and len(group) == 1:
                amount = rng.choice((claim.outstanding, claim.principal))
                entries.append(Generated("debtor_amount", amount, rng.choice(DEBTOR_TEXT).format(claim.debtor), pays=pays))
            elif roll < 0.94:
                part = (claim.outstanding * Decimal(rng.randint(10, 80)) / 100).quantize(CENT)
                if rng.random() < 0.5:
                    entries.append(Generated("partial", part, structured=claim.payment_reference, pays=pays))
                else:
                    text = f"deelbetaling {typed_invoice(claim.invoice_number, rng)}"
                    entries.append(Generated("partial", part, text, pays=pays))
            else:
                text = rng.choice(INVOICE_TEXT).format(digit_typo(claim.invoice_number, rng))
                entries.append(Generated("digit_typo", claim.outstanding, text, pays=pays))
    payments = len(entries)
    for n in range(payments // 10):  # noise credits: one for every ten payments
        text = rng.choice(NOISE_TEXT)
        if n % 5 == 0:  # sixteen digits that fail the check digit
            body = f"{rng.randrange(10 ** 15):015d}"
            text = f"kenmerk {(references.check_digit(body) + 1) % 10}{body}"
        entries.append(Generated("noise_credit", Decimal(rng.randint(100, 300_000)) * CENT, text))
    for _ in range(payments // 5):  # debits, some quoting a claim's own reference
        group = rng.choice(debtors)
        entries.append(Generated("debit", group[0].principal, structured=group[0].payment_reference, debit=True))
    rng.shuffle(entries)
    return entries


def bank_entry(n: int, generated: Generated) -> BankEntry:
    return BankEntry(position=n, account=IBAN, booked_on=MONTH + dt.timedelta(days=n % 28), amount=generated.amount,
                     direction=Direction.DEBIT if generated.debit else Direction.CREDIT, bank_reference=f"B{n:07d}",
                     remittance=generated.remittance, structured_reference=generated.structured)


# -- scoring --------------------------------------------------------------------------------------------

@dataclass
class Score:
    paying: int = 0
    right: int = 0
    booked: int = 0
    wrong: int = 0
    incomplete: int = 0
    typos: int = 0
    typos_wrong: int = 0
    missed: Counter = field(default_factory=Counter)  # paying entries not booked to exactly their claims, by kind

    def add(self, generated: Generated, booked: tuple[str, ...]) -> None:
        if generated.kind == "digit_typo":
            self.typos += 1
            self.typos_wrong += bool(booked) and booked != generated.pays
            return
        if booked:
            self.booked += 1
            self.wrong += not set(booked) <= set(generated.pays)
            self.incomplete += set(booked) < set(generated.pays)
        if generated.pays:
            self.paying += 1
            self.right += booked == generated.pays
            if booked != generated.pays:
                self.missed[generated.kind] += 1

    @property
    def match_rate(self) -> float:
        return self.right / self.paying if self.paying else 0.0

    @property
    def false_match_rate(self) -> float:
        return self.wrong / self.booked if self.booked else 0.0


def run_pure(claims: int, seed: int) -> tuple[Score, int, float, Counter]:
    rng = random.Random(seed)
    debtors = generate_claims(claims, rng)
    generated = generate_entries(debtors, rng)
    entries = [bank_entry(n, g) for n, g in enumerate(generated, start=1)]
    started = time.perf_counter()
    index = ClaimIndex.of(candidate(c) for group in debtors for c in group)
    matches = [index.match(entry) for entry in entries]
    seconds = time.perf_counter() - started
    score = Score()
    for g, match in zip(generated, matches):
        score.add(g, tuple(sorted(c.claim_id for c in match.claims)))
    return score, len(entries), seconds, Counter(g.kind for g in generated)


# -- the service on moto ---------------------------------------------------------------------------------

def camt053(generated: list[Generated]) -> bytes:
    entries = []
    for n, g in enumerate(generated, start=1):
        remittance = (f"<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp>"
                      f"<Ref>{g.structured}</Ref></CdtrRefInf></Strd>" if g.structured else
                      f"<Ustrd>{escape(g.remittance)}</Ustrd>")
        day = (MONTH + dt.timedelta(days=n % 28)).isoformat()
        side = "Cdtr" if g.debit else "Dbtr"
        entries.append(
            f"<Ntry><Amt Ccy=\"EUR\">{g.amount:.2f}</Amt><CdtDbtInd>{'DBIT' if g.debit else 'CRDT'}</CdtDbtInd>"
            f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"<AcctSvcrRef>B{n:07d}</AcctSvcrRef><NtryDtls><TxDtls><RltdPties><{side}><Nm>Debiteur {n}</Nm>"
            f"</{side}></RltdPties><RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>")
    return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:"
            "camt.053.001.02\"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId><CreDtTm>2026-04-01T06:00:00</CreDtTm>"
            f"</GrpHdr><Stmt><Id>1</Id><Acct><Id><IBAN>{IBAN}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
            + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>").encode()


def run_service(claims: int, seed: int) -> tuple[Score, int, float]:
    """The sample through ReconciliationService on moto: the claims stored through ClaimService, the
    statement parsed from CAMT.053, the credits booked. Claims are invoiced on 1 Jan 2026, due 1 Feb."""
    import boto3
    from moto import mock_aws

    from incasso.clock import FixedClock, set_clock
    from incasso.domain.bank.records import StatementRecord
    from incasso.domain.models import Debtor, Profile, Tenant
    from infra.topology import CLAIMS, IMPORTS, dynamodb_create_table_kwargs

    from infra.local import fast_dynamodb, moto_transactions

    # moto's own TransactWriteItems deep-copies the whole table per item, and its Query sorts the whole
    # table: the local stack's patches, so that this measures the service, not moto.
    moto_transactions.install()
    fast_dynamodb.install()
    rng = random.Random(seed)
    debtors = generate_claims(claims, rng)
    with mock_aws():
        os.environ.update({"CLAIMS_TABLE": CLAIMS.name, "IMPORTS_BUCKET": IMPORTS.name, "EVENT_BUS_NAME": "bench-bus"})
        from incasso.adapters.aws import reset_clients
        from incasso.services import wiring
        from incasso.services.claim_commands import NewClaim
        from incasso.adapters.import_files import ImportFiles
        from incasso.adapters.statement_files import StatementFiles
        from incasso.services.reconciliation import ReconciliationService
        from incasso.settings import reset_settings

        reset_settings()
        reset_clients()
        wiring.reset()
        region = os.environ["AWS_DEFAULT_REGION"]
        boto3.client("dynamodb", region_name=region).create_table(**dynamodb_create_table_kwargs(CLAIMS))
        boto3.client("events", region_name=region).create_event_bus(Name="bench-bus")
        set_clock(FixedClock(dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.timezone.utc)))
        store, service = wiring.claims_store(), wiring.claim_service()
        store.put_tenant(Tenant(tenant_id=TENANT, profile=Profile.model_validate({
            "legal_name": "Bench B.V.", "iban": IBAN, "phone": "+31 20 123 4567", "email": "debiteuren@bench.example", "kvk_number": "12345678",
            "address": {"street": "Kerkstraat 1", "postal_code": "1011 AB", "city": "Amsterdam", "country": "NL"}})))
        stored: list[list[Claim]] = []
        for group in debtors:
            stored_group = []
            for claim in group:
                created = service.create(TENANT, NewClaim(
                    invoice_number=claim.invoice_number, principal=claim.principal,
                    debtor=Debtor(name="J. de Vries", type="consumer", email="jan@example.nl", reference=claim.debtor),
                    invoice_date=dt.date(2026, 1, 1), due_date=dt.date(2026, 2, 1)))
                # what the debtor owes is what the service says (interest since the due date)
                stored_group.append(Claim(created.claim_id, claim.invoice_number, claim.debtor, claim.principal,
                                          created.amounts.outstanding, created.payment_reference or ""))
            stored.append(stored_group)
        generated = generate_entries(stored, rng)
        data = camt053(generated)
        reconcile = ReconciliationService(store, service, bucket=IMPORTS.name, files=StatementFiles(),
                                          uploads=ImportFiles())
        now = dt.datetime(2026, 4, 1, 8, 0, tzinfo=dt.timezone.utc)
        record = StatementRecord(tenant_id=TENANT, statement_id="stm_bench", filename="maart.xml", created_at=now,
                                 updated_at=now)
        started = time.perf_counter()
        finished = reconcile.reconcile(record, data)
        seconds = time.perf_counter() - started
        assert finished.status.value == "completed", finished.error
        items = sorted(store.statement_items(TENANT, "stm_bench"), key=lambda item: item.position)
        score = Score()
        for g, item in zip(generated, items):
            score.add(g, tuple(sorted(b.claim_id for b in item.bookings)))
        return score, len(items), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=10_000, help="open claims for the pure matcher")
    parser.add_argument("--service-claims", type=int, default=1000, help="open claims for the service on moto")
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()

    pure, entries, seconds, kinds = run_pure(args.claims, args.seed)
    print(f"bank_claims: {args.claims}")
    print(f"bank_entries: {entries}  ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"bank_pure_match_rate: {pure.match_rate:.4f}  ({pure.right} of {pure.paying} paying entries)")
    print(f"bank_pure_false_match_rate: {pure.false_match_rate:.4f}  ({pure.wrong} of {pure.booked} booked)")
    print(f"bank_pure_incomplete: {pure.incomplete}  (combined payments booked to only some of their claims)")
    if pure.missed:
        print(f"bank_pure_missed: {dict(pure.missed)}")
    print(f"bank_digit_typo_false_match_rate: {pure.typos_wrong / pure.typos if pure.typos else 0:.4f}  "
          f"({pure.typos_wrong} of {pure.typos} one-digit typos booked to another claim)")

    service, service_entries, service_seconds = run_service(args.service_claims, args.seed)
    print(f"bank_service_claims: {args.service_claims}")
    print(f"bank_service_match_rate: {service.match_rate:.4f}  ({service.right} of {service.paying} paying entries)")
    print(f"bank_service_false_match_rate: {service.false_match_rate:.4f}  ({service.wrong} of {service.booked} booked)")
    print(f"bank_service_incomplete: {service.incomplete}  (combined payments booked to only some of their claims)")
    if service.missed:
        print(f"bank_service_missed: {dict(service.missed)}")
    print(f"bank_service_entries_per_second: {service_entries / service_seconds:.0f}  "
          f"({service_entries} entries parsed, matched and booked on moto in {service_seconds:.1f} s)")

    print(f"bank_match_rate: {min(pure.match_rate, service.match_rate):.4f}")
    print(f"bank_false_match_rate: {max(pure.false_match_rate, service.false_match_rate):.4f}")
    print(f"bank_entries_per_second: {entries / seconds:.0f}")


if __name__ == "__main__":
    main()
