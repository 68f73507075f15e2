"""Which claim a credit pays (CONTRACT.md §9), in this order:

1. the structured payment reference (betalingskenmerk, check digit verified) in the structured field
   or anywhere in the remittance text;
2. an invoice number in the remittance text, tolerant of spaces, dashes and leading zeros;
3. the debtor's reference (the creditor's customer number) in the remittance, with the exact amount.

A rule that finds one claim matches. A rule that finds several matches them together only when the
amount is exactly what they come to together (a combined payment); otherwise the entry is left
unmatched with those claims listed as candidates: two claims that fit are never guessed between.
Pure: the caller gives the tenant's open claims as ``Candidate`` values.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from incasso.domain import payment_reference as references
from incasso.domain.bank.entries import BankEntry, Direction
from incasso.domain.bank.records import MatchKind
from incasso.domain.models import Claim

# Sixteen digits, written together or in groups (5000 0567 8901 2345, 5000-0567-...).
_REFERENCE = re.compile(r"(?<!\d)\d(?:[ .\-]?\d){15}(?!\d)")
_SEPARATORS = re.compile(r"[^0-9A-Z]+")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_TOKEN_SPLIT = re.compile(r"[\s,;:()\[\]\"'+]+")
_GLUE = re.compile(r"(?<=[A-Z])[.#](?=[0-9A-Z])")
MAX_WINDOW = 4  # an invoice number written with up to three spaces ("F 2025 000 123")
MIN_KEY_LENGTH = 4  # shorter numbers ("12") turn up in any text: never matched on


def loose_keys(text: str) -> frozenset[str]:
    """An invoice number or customer number as compared: upper case, without separators, and without
    leading zeros (of the whole number, or of each group between separators): ``F-2025-00123``,
    ``f 2025 123`` and ``F202500123`` all meet in one key; so do ``00042`` and ``42``."""
    upper = text.upper()
    joined = _SEPARATORS.sub("", upper)
    groups = "".join(_LEADING_ZEROS.sub("", group) for group in _SEPARATORS.split(upper))
    return frozenset({joined, _LEADING_ZEROS.sub("", joined), groups})


def _usable(key: str) -> bool:
    return len(key) >= MIN_KEY_LENGTH and any(c.isdigit() for c in key)


@dataclass(frozen=True)
class Candidate:
    """What the matcher needs of an open claim."""

    claim_id: str
    payment_reference: str
    invoice_number: str
    debtor_reference: str | None
    outstanding: Decimal
    principal: Decimal
    demanded: Decimal | None = None  # what the 14-day letter or notice asked for

    @property
    def exact_amounts(self) -> frozenset[Decimal]:
        """Amounts a debtor paying this claim in full would transfer."""
        return frozenset(a for a in (self.outstanding, self.principal, self.demanded) if a is not None and a > 0)

    @classmethod
    def of(cls, claim: Claim) -> "Candidate":
        return cls(claim_id=claim.claim_id, payment_reference=claim.payment_reference or "",
                   invoice_number=claim.invoice_number, debtor_reference=claim.debtor.reference,
                   outstanding=claim.amounts.outstanding, principal=claim.principal,
                   demanded=claim.notice.demanded if claim.notice else None)


@dataclass(frozen=True)
class Match:
    kind: MatchKind
    claims: tuple[Candidate, ...] = ()  # the claims it pays: one, or several for a combined payment
    candidates: tuple[str, ...] = ()  # when unmatched: the claims that fit equally
    reason: str = ""


@dataclass
class ClaimIndex:
    """The tenant's open claims, looked up by reference, loose invoice number and debtor reference."""

    by_reference: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    by_invoice: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))
    by_debtor: dict[str, list[Candidate]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, candidates: Iterable[Candidate]) -> "ClaimIndex":
        index = cls()
        for candidate in candidates:
            index.add(candidate)
        return index

    def add(self, candidate: Candidate) -> None:
        if candidate.payment_reference:
            self.by_reference[candidate.payment_reference].append(candidate)
        for key in loose_keys(candidate.invoice_number):
            if _usable(key):
                self.by_invoice[key].append(candidate)
        for key in loose_keys(candidate.debtor_reference or ""):
            if _usable(key):
                self.by_debtor[key].append(candidate)

    def __len__(self) -> int:
        return sum(len(claims) for claims in self.by_reference.values())

    # -- matching --------------------------------------------------------------------------------
    def match(self, entry: BankEntry) -> Match:
        if entry.direction is not Direction.CREDIT:
            return Match(MatchKind.NONE, reason="a debit: listed, never booked")
        text = " ".join(filter(None, [entry.structured_reference, entry.remittance]))
        undecided: list[str] = []
        for kind, found in ((MatchKind.REFERENCE, self._by_reference(text)),
                            (MatchKind.INVOICE_NUMBER, self._by_invoice(text))):
            if not found:
                continue
            decided = _decide(kind, found, entry.amount)
            if decided.claims:
                return decided
            undecided += decided.candidates
        found = self._by_debtor(text)
        if found:
            fitting = [c for c in found if entry.amount in c.exact_amounts]
            if len(fitting) == 1:
                return Match(MatchKind.DEBTOR_AMOUNT, claims=(fitting[0],))
            together = _together(found, entry.amount)
            if together:
                return Match(MatchKind.DEBTOR_AMOUNT, claims=together)
            debtors = {c.debtor_reference for c in found}
            if not fitting and not undecided and len(debtors) == 1:
                # Names the debtor, no invoice of it and no amount that fits one: the payment goes to its
                # invoices in the order of art. 6:43 BW (booked by the debtor payment service).
                return Match(MatchKind.DEBTOR, claims=tuple(sorted(found, key=lambda c: c.claim_id)),
                             reason=f"customer number {debtors.pop()}: divided over its invoices (art. 6:43 BW)")
            undecided += [c.claim_id for c in (fitting or found)]
        if undecided:
            return Match(MatchKind.NONE, candidates=tuple(dict.fromkeys(undecided)),
                         reason="more than one claim fits; none is guessed")
        return Match(MatchKind.NONE, reason="no claim's reference, invoice number or customer number found")

    def _by_reference(self, text: str) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for written in _REFERENCE.findall(text):
            digits = references.normalized(written)
            if digits and references.is_valid(digits):
                for candidate in self.by_reference.get(digits, ()):
                    found[candidate.claim_id] = candidate
        return list(found.values())

    def _windows(self, text: str) -> Iterable[str]:
        tokens = [t for t in _TOKEN_SPLIT.split(text.upper()) if t]
        for start in range(len(tokens)):
            for size in range(1, MAX_WINDOW + 1):
                if start + size > len(tokens):
                    break
                yield from loose_keys(" ".join(tokens[start:start + size]))
        # an invoice number glued to a word: "NR.2025-001", "NR.F2025-000847", "FACT#F-12" (each part after
        # the glue is tried; invoice keys need four characters with a digit, so a word alone never matches)
        for token in tokens:
            for part in _GLUE.split(token)[1:]:
                yield from loose_keys(part)

    def _by_invoice(self, text: str) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for key in self._windows(text):
            for candidate in self.by_invoice.get(key, ()):
                found[candidate.claim_id] = candidate
        return list(found.values())

    def _by_debtor(self, text: str) -> list[Candidate]:
        found: dict[str, Candidate] = {}
        for key in self._windows(text):
            for candidate in self.by_debtor.get(key, ()):
                found[candidate.claim_id] = candidate
        return list(found.values())


def _together(claims: list[Candidate], amount: Decimal) -> tuple[Candidate, ...]:
    """Several claims paid with one transfer: only when the amount is exactly their outstanding (or
    their principal) summed."""
    if len(claims) < 2:
        return ()
    ordered = tuple(sorted(claims, key=lambda c: c.claim_id))
    for figure in ("outstanding", "principal"):
        if sum((getattr(c, figure) for c in ordered), Decimal("0")) == amount:
            return ordered
    return ()


def _decide(kind: MatchKind, found: list[Candidate], amount: Decimal) -> Match:
    if len(found) == 1:
        return Match(kind, claims=(found[0],))
    together = _together(found, amount)
    if together:
        return Match(kind, claims=together)
    return Match(MatchKind.NONE, candidates=tuple(sorted(c.claim_id for c in found)),
                 reason="more than one claim fits; none is guessed")
