"""A payment to the debtor rather than to one invoice (``POST /v1/debtors/{reference}/payments``, and a
bank credit that quotes the customer number): divided over the debtor's open invoices in the order of
art. 6:43 BW (``incasso.domain.debtor_payments``), each part booked as that claim's own payment (costs,
interest, principal: art. 6:44 BW; the letter's term: art. 6:96 lid 6 BW).

The division is kept under the payment's key before any part is booked, so a retried request books
the same parts, each once, even though the first attempt already changed what the invoices owe."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, TYPE_CHECKING


from incasso import clock
from incasso.domain.base import DeferredModel
from incasso.domain.debtor_payments import OpenInvoice, allocate_over_invoices
from incasso.domain.ledger import payoff_on
from incasso.domain.models import ClaimStatus
from incasso.services.claim_commands import NewPayment
from incasso.services.claims import ClaimService, PaymentResult
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore

# Not paid by a payment that does not name them: closed, or disputed (the debtor contests them).
_LEFT_OUT = (ClaimStatus.PAID, ClaimStatus.CANCELLED, ClaimStatus.UNCOLLECTIBLE, ClaimStatus.PAUSED)


class DebtorPaymentResult(DeferredModel):
    reference: str
    amount: Decimal
    paid_on: dt.date
    parts: list[tuple[str, PaymentResult]]


class DebtorPaymentService:
    def __init__(self, store: "ClaimsStore", claims: ClaimService) -> None:
        self.store = store
        self.claims = claims

    def open_invoices(self, tenant_id: str, reference: str, paid_on: dt.date) -> list[OpenInvoice]:
        """The debtor's invoices a payment dated ``paid_on`` may go to, with what settles each that day."""
        tenant = self.claims.tenant(tenant_id)
        invoices = []
        for claim in self.store.claims_of_debtor(tenant_id, reference):
            if claim.status in _LEFT_OUT or claim.amounts.outstanding <= 0 or claim.invoice_date > paid_on:
                continue
            owed = payoff_on(claim, self.store.get_ledger(tenant_id, claim.claim_id), tenant.policy, paid_on,
                             at=clock.now())
            invoices.append(OpenInvoice(claim_id=claim.claim_id, invoice_number=claim.invoice_number,
                                        invoice_date=claim.invoice_date, due_date=claim.due_date, owed=owed))
        return invoices

    def plan(self, tenant_id: str, reference: str, payment: NewPayment) -> dict[str, Any]:
        """How ``payment`` divides over the invoices (art. 6:43 BW), or the error that refuses it whole."""
        paid_on = payment.paid_at_instant.date()
        if not self.store.claims_of_debtor(tenant_id, reference):
            raise NotFoundError(f"no debtor {reference}")
        invoices = self.open_invoices(tenant_id, reference, paid_on)
        owed = sum((invoice.owed for invoice in invoices), Decimal("0"))
        if owed <= 0:
            raise ConflictError(f"debtor {reference} owes nothing that a payment dated {paid_on} could go to")
        allocation = allocate_over_invoices(payment.amount, paid_on, invoices)
        if allocation.unallocated > 0:
            raise InvalidRequestError(f"the payment is more than the {owed} the debtor owes",
                                      [{"field": "amount", "message": f"more than the outstanding {owed}"}])
        return {"amount": str(payment.amount), "paid_at": payment.paid_at_instant.isoformat(),
                "parts": [[claim_id, str(amount)] for claim_id, amount in allocation.parts]}

    def pay(self, tenant_id: str, reference: str, payment: NewPayment, *, payment_key: str | None = None,
            via: str | None = None) -> DebtorPaymentResult:
        key = payment_key or uuid.uuid4().hex
        if payment.paid_at_instant > clock.now() + dt.timedelta(minutes=5):
            raise InvalidRequestError("paid_at lies in the future", [{"field": "paid_at", "message": "in the future"}])
        kept = self.store.debtor_payment(tenant_id, reference, key) or \
            self.store.put_debtor_payment(tenant_id, reference, key, self.plan(tenant_id, reference, payment))
        if Decimal(kept["amount"]) != payment.amount or kept["paid_at"] != payment.paid_at_instant.isoformat():
            raise InvalidRequestError("this Idempotency-Key was used for another payment", [
                {"field": "Idempotency-Key", "message": "used before with another amount or paid_at"}])
        parts = []
        for claim_id, amount in kept["parts"]:
            part = NewPayment(amount=Decimal(amount), paid_at=payment.paid_at)
            parts.append((claim_id, self.claims.pay(tenant_id, claim_id, part, payment_key=f"{key}#{claim_id}",
                                                    via=via)))
        return DebtorPaymentResult(reference=reference, amount=payment.amount,
                                   paid_on=payment.paid_at_instant.date(), parts=parts)
