"""The debtor of a tenant (claims with one ``debtor.reference``): the view with its totals and payment
behaviour, the tenant's list of debtors, the credit check, and an explicit change of the debtor's details.

Everything is read for one tenant: the claims of the reference in that tenant's key space, and the credit
check from that record alone (``incasso.domain.credit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from incasso import clock
from incasso.domain.credit import CreditAssessment, credit_check
from incasso.domain.debtors import ClaimHistory, DebtorRecord, DebtorUpdate, PaymentBehaviour, payment_behaviour
from incasso.domain.errors import ConcurrentModificationError
from incasso.domain.models import Amounts, Claim, Debtor, DebtorType, TimelineEvent
from incasso.money import ZERO
from incasso.services.debtor_records import known_debtor
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError
from incasso.services.versioned import Change, change_claim

if TYPE_CHECKING:  # types only: the claims service loads with the debtors service, not with the API's routes
    from incasso.domain.ports import ClaimsStore, CreditBureau
    from incasso.services.claims import ClaimService

DEBTOR_UPDATED = "debtor_updated"


@dataclass(frozen=True)
class DebtorSummary:
    """A line of the tenant's list of debtors."""

    reference: str
    name: str
    type: DebtorType
    claims: int
    open_amount: Decimal


@dataclass(frozen=True)
class DebtorView:
    reference: str
    debtor: Debtor
    claims: list[Claim]
    totals: Amounts
    behaviour: PaymentBehaviour


@dataclass(frozen=True)
class DebtorChanged:
    debtor: Debtor
    updated_claims: list[str]


def totals_of(claims: list[Claim]) -> Amounts:
    """The claims' amounts added up (each claim's add up, so their sum does)."""
    fields = ("principal", "interest", "collection_costs", "collection_costs_vat", "paid", "outstanding", "disputed")
    return Amounts(**{name: sum((getattr(claim.amounts, name) for claim in claims), ZERO) for name in fields})


def open_amount(claims: list[Claim]) -> Decimal:
    return sum((claim.amounts.outstanding for claim in claims if not claim.is_closed), ZERO)


class DebtorService:
    def __init__(self, store: ClaimsStore, claims: ClaimService, bureau: CreditBureau) -> None:
        self.store = store
        self.claims = claims
        self.bureau = bureau

    # -- reading -------------------------------------------------------------------------------
    def _claims(self, tenant_id: str, reference: str) -> list[Claim]:
        claims = self.store.claims_of_debtor(tenant_id, reference)
        if not claims:
            raise NotFoundError(f"no debtor with reference {reference}")
        return claims

    def _details(self, tenant_id: str, reference: str, claims: list[Claim]) -> Debtor:
        record = self.store.get_debtor(tenant_id, reference)
        return record.debtor if record is not None else claims[-1].debtor

    def behaviour(self, tenant_id: str, claims: list[Claim]) -> PaymentBehaviour:
        histories = [ClaimHistory(claim, self.store.get_timeline(tenant_id, claim.claim_id),
                                  self.store.get_ledger(tenant_id, claim.claim_id)) for claim in claims]
        return payment_behaviour(histories, today=clock.today())

    def view(self, tenant_id: str, reference: str) -> DebtorView:
        """The debtor's claims, the oldest due first, as they stand today (an open claim's interest up to
        today included, as ``GET /v1/claims/{id}`` shows it), their totals, and the payment behaviour."""
        stored = sorted(self._claims(tenant_id, reference), key=lambda c: (c.due_date, c.invoice_number))
        claims = [claim if claim.is_closed else self.claims.current(tenant_id, claim.claim_id) for claim in stored]
        return DebtorView(reference=reference, debtor=self._details(tenant_id, reference, stored), claims=claims,
                          totals=totals_of(claims), behaviour=self.behaviour(tenant_id, claims))

    def page(self, tenant_id: str, limit: int, next_token: str | None) -> tuple[list[DebtorSummary], str | None]:
        """A page of the tenant's debtors (their records, by reference) with each one's claims counted and
        open amount as booked (a Query of the debtor index per debtor on the page)."""
        records, token = self.store.list_debtors(tenant_id, limit, next_token)
        items = []
        for record in records:
            claims = self.store.claims_of_debtor(tenant_id, record.reference)
            if not claims:
                continue  # a record whose first claim was refused (a duplicate invoice): not a debtor yet
            items.append(DebtorSummary(reference=record.reference, name=record.debtor.name, type=record.debtor.type,
                                       claims=len(claims), open_amount=open_amount(claims)))
        return items, token

    def credit(self, tenant_id: str, reference: str) -> tuple[Debtor, CreditAssessment]:
        """The credit check of the debtor from this tenant's record of them (and an external bureau's
        report on a business debtor, where the bureau has one)."""
        claims = self._claims(tenant_id, reference)
        debtor = self._details(tenant_id, reference, claims)
        record = self.behaviour(tenant_id, claims)
        largest = max(claim.principal for claim in claims)
        report, note = None, "consulted for business debtors only (a private person's check needs its own basis, AVG art. 6)"
        if debtor.type is DebtorType.BUSINESS:
            report = self.bureau.report(tenant_id, debtor)
            note = f"{self.bureau.name}: no report on this debtor"
        return debtor, credit_check(record, largest_invoice=largest, bureau=report, bureau_note=note)

    # -- changing ------------------------------------------------------------------------------
    def update(self, tenant_id: str, reference: str, update: DebtorUpdate) -> DebtorChanged:
        """Change the debtor's details explicitly: the record first (so that new claims join the debtor as
        changed), then every open claim through the versioned change path, each with a timeline event.
        Closed claims keep the details they were closed with."""
        changes = update.model_dump(exclude_unset=True)
        if not changes:
            raise InvalidRequestError("nothing to change", [{"field": "body", "message": "name no detail to change"}])
        claims = self._claims(tenant_id, reference)
        if all(claim.personal_data_erased_on is not None for claim in claims):
            raise ConflictError(f"debtor {reference}'s personal data was erased")
        record = known_debtor(self.store, tenant_id, claims[-1].debtor, clock.now())
        assert record is not None
        debtor = self._changed(record, changes)
        try:
            self.store.save_debtor(record.model_copy(update={"debtor": debtor, "updated_at": clock.now()}),
                                   expected_version=record.version)
        except ConcurrentModificationError as exc:
            raise ConflictError(f"debtor {reference} was changed by another request; try again") from exc
        fields = sorted(changes)
        updated = [claim.claim_id for claim in claims
                   if not claim.is_closed and claim.personal_data_erased_on is None
                   and self._update_claim(tenant_id, claim.claim_id, debtor, fields)]
        return DebtorChanged(debtor=debtor, updated_claims=updated)

    @staticmethod
    def _changed(record: DebtorRecord, changes: dict) -> Debtor:
        merged = {**record.debtor.model_dump(), **changes, "reference": record.reference}
        if not merged.get("email") and merged.get("address") is None:
            raise InvalidRequestError("the debtor needs an e-mail address or a postal address", [
                {"field": "email", "message": "the debtor needs an e-mail address or a postal address"}])
        return Debtor.model_validate(merged)

    def _update_claim(self, tenant_id: str, claim_id: str, debtor: Debtor, fields: list[str]) -> bool:
        def decide(claim: Claim) -> Change[None] | None:
            if claim.is_closed or claim.personal_data_erased_on is not None or claim.debtor == debtor:
                return None
            return Change(claim.model_copy(update={"debtor": debtor}), timeline=[
                TimelineEvent(at=clock.now(), type=DEBTOR_UPDATED, details={"fields": fields})])

        def gave_up() -> ConflictError:
            return ConflictError(f"claim {claim_id} is being changed by another process; try again")

        return change_claim(self.store, lambda: self.claims.get(tenant_id, claim_id), decide, gave_up=gave_up).written
