"""The debtor's side (CONTRACT.md §8): personal links, the page's view, and its three actions.

A link opens what its scope holds (``incasso.domain.portal``). Every way a token can fail (malformed,
unknown, another tenant's, revoked, expired) ends in the same ``NotFoundError`` after the same single
read of the link's record, so an answer does not tell which. Pay goes through the payment provider; the
provider's webhook only names a payment, which is fetched back from the provider and booked once per
(payment, claim) through ``ClaimService.pay``. Dispute pauses exactly as the tenant API's does; an
arrangement within the policy's portal limits is agreed at once, any other is recorded on the claim's
timeline as a proposal for the tenant (who agrees it through ``POST /v1/claims/{id}/arrangement``).
"""

import datetime as dt
import hmac
from decimal import Decimal
from typing import Any, Callable, TYPE_CHECKING

from pydantic import ConfigDict

from incasso import clock
from incasso.domain import portal as rules
from incasso.domain.arrangements import open_proposal
from incasso.domain.base import DeferredModel
from incasso.domain.models import Claim, ClaimStatus, Instalment, Tenant
from incasso.domain.portal import PaymentProvider, PortalToken, ProviderPayment
from incasso.handlers import logger
from incasso.money import ZERO, Money
from incasso.services.claim_commands import NewPayment
from incasso.services.claims import ClaimService
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, Documents, PortalRecords

# Statuses in which the debtor can still act on a claim from the page.
PAYABLE = frozenset({ClaimStatus.OPEN, ClaimStatus.IN_COLLECTION, ClaimStatus.ARRANGEMENT,
                     ClaimStatus.PAUSED, ClaimStatus.NEEDS_ATTENTION,
                     ClaimStatus.DEBT_MONITORING})


class Letter(DeferredModel):
    model_config = ConfigDict(frozen=True)

    index: int
    kind: str
    sent_on: dt.date


class PortalClaim(DeferredModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    claim: Claim
    letters: tuple[Letter, ...] = ()
    proposed: bool = False  # an arrangement proposal waits for the tenant

    @property
    def open(self) -> bool:
        return self.claim.status in PAYABLE and self.claim.amounts.outstanding > 0


class PortalView(DeferredModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    token: str
    tenant: Tenant
    scope: str
    claims: tuple[PortalClaim, ...]

    @property
    def outstanding(self) -> Money:
        return sum((c.claim.amounts.outstanding for c in self.claims if c.open), ZERO)

    def claim(self, claim_id: str) -> PortalClaim:
        found = next((c for c in self.claims if c.claim.claim_id == claim_id), None)
        if found is None:
            raise NotFoundError("no such invoice on this page")
        return found


class Proposal(DeferredModel):
    model_config = ConfigDict(frozen=True)

    accepted: bool
    reason: str | None = None  # why it was left for the tenant


class PortalLinkIssuer:
    """Issues the debtor's personal links: a new token for each message, stored hashed (``domain.portal``)."""

    def __init__(self, records: "PortalRecords", *, base_url: str = "") -> None:
        self.records = records
        self.base_url = base_url.rstrip("/")

    def link_for(self, claim: Claim) -> str | None:
        """A new personal link to the page of ``claim``'s scope (None where no portal is configured)."""
        if not self.base_url:
            return None
        token = rules.new_token(claim.tenant_id)
        self.records.put_token(PortalToken(tenant_id=claim.tenant_id, scope=rules.scope_of(claim),
                                           token_hash=rules.token_hash(token), issued_at=clock.now()))
        return rules.link(self.base_url, token)


class PortalService:
    def __init__(self, store: "ClaimsStore", records: "PortalRecords", claims: ClaimService, *, links: PortalLinkIssuer,
                 provider: PaymentProvider, documents: "Documents",
                 publish: Callable[[str, str, dict[str, Any]], None] | None = None) -> None:
        self.store = store
        self.records = records
        self.claims = claims
        self.links = links
        self.provider = provider
        self.documents = documents
        self.base_url = links.base_url
        self._publish = publish or (lambda tenant_id, detail_type, detail: None)

    # -- links ---------------------------------------------------------------------------------------
    def link_for(self, claim: Claim) -> str | None:
        return self.links.link_for(claim)

    def revoke(self, tenant_id: str, claim_id: str) -> str:
        """Every link issued so far to the scope of this claim stops working; new messages carry new ones."""
        claim = self.claims.get(tenant_id, claim_id)
        scope = rules.scope_of(claim)
        self.records.revoke(tenant_id, scope, clock.now())
        self.store.add_timeline_event(tenant_id, claim_id, "portal_links_revoked", {"scope": scope.split(":")[0]})
        return scope

    # -- the page ------------------------------------------------------------------------------------
    def open(self, token: str) -> PortalView:
        tenant_id = rules.token_tenant(token)
        digest = rules.token_hash(token or "")
        record = self.records.get_token(tenant_id, digest)
        if record is None or not hmac.compare_digest(record.token_hash, digest):
            raise NotFoundError("no such page")
        revoked = self.records.revoked_at(record.tenant_id, record.scope)
        if revoked is not None and record.issued_at <= revoked:
            raise NotFoundError("no such page")
        claims = self._claims_of(record.tenant_id, record.scope)
        if rules.expired(claims, clock.today()):
            raise NotFoundError("no such page")
        tenant = self.claims.tenant(record.tenant_id)
        shown = []
        for claim in claims:
            current = self.claims.current(record.tenant_id, claim.claim_id)
            shown.append(PortalClaim(claim=current, letters=self._letters(current), proposed=self._proposed(current)))
        return PortalView(token=token, tenant=tenant, scope=record.scope, claims=tuple(shown))

    def _claims_of(self, tenant_id: str, scope: str) -> list[Claim]:
        kind, _, value = scope.partition(":")
        if kind == "debtor":
            return self.store.claims_of_debtor(tenant_id, value)
        claim = self.store.get_claim(tenant_id, value)
        return [claim] if claim is not None else []

    def _letters(self, claim: Claim) -> tuple[Letter, ...]:
        records = self.store.list_messages(claim.tenant_id, claim.claim_id)
        return tuple(Letter(index=n, kind=r["kind"], sent_on=dt.datetime.fromisoformat(r["sent_at"]).date())
                     for n, r in enumerate(records) if r.get("document"))

    def _proposed(self, claim: Claim) -> bool:
        if claim.status is ClaimStatus.ARRANGEMENT:
            return False
        return open_proposal(self.store.get_timeline(claim.tenant_id, claim.claim_id)) is not None

    def letter(self, token: str, claim_id: str, index: int) -> tuple[str, bytes]:
        """(file name, PDF) of one of the claim's letters, read from the tenant's documents."""
        view = self.open(token)
        claim = view.claim(claim_id).claim
        records = self.store.list_messages(claim.tenant_id, claim.claim_id)
        if not 0 <= index < len(records) or not records[index].get("document"):
            raise NotFoundError("no such letter")
        key = records[index]["document"]
        if not key.startswith(f"tenants/{claim.tenant_id}/"):
            raise NotFoundError("no such letter")
        return f"{records[index]['kind']}-{claim.invoice_number}.pdf", self.documents.get(key)

    # -- pay -----------------------------------------------------------------------------------------
    def checkout(self, token: str) -> str:
        """Start a payment of everything open on the page; the URL where the debtor pays."""
        view = self.open(token)
        parts = {c.claim.claim_id: c.claim.amounts.outstanding for c in view.claims if c.open}
        total = sum(parts.values(), ZERO)
        if total <= 0:
            raise ConflictError("nothing left to pay")
        invoices = ", ".join(c.claim.invoice_number for c in view.claims if c.claim.claim_id in parts)
        payment = self.provider.create_payment(
            amount=total, description=f"{_creditor_name(view.tenant)} {invoices}"[:255],
            redirect_url=f"{rules.link(self.base_url, token)}?done=payment_back", webhook_url=f"{self.base_url}/p/webhooks/payments",
            metadata={"tenant_id": view.tenant.tenant_id})
        self.records.put_checkout(view.tenant.tenant_id, payment.payment_id, view.scope, parts)
        if not payment.checkout_url:
            raise ConflictError("the payment provider gave no checkout")
        return payment.checkout_url

    def on_provider_webhook(self, payment_id: str) -> list[str]:
        """The provider says something happened to ``payment_id``: fetch it back; when paid, book each
        claim's part once (the ledger key is the payment id and the claim). Returns the claims booked."""
        payment = self.provider.get_payment(payment_id)
        if payment is None:
            return []  # unknown to the provider: a forged or mistyped call
        tenant_id = payment.metadata.get("tenant_id", "")
        checkout = self.records.get_checkout(tenant_id, payment.payment_id) if rules.TENANT.fullmatch(
            tenant_id) else None
        if checkout is None or not payment.is_paid:
            return []
        _, parts = checkout
        paid_at = payment.paid_at or clock.now()
        booked = []
        left = payment.amount
        for claim_id, amount in parts.items():
            amount = min(amount, left)
            if amount <= 0:
                break
            if self._book(tenant_id, claim_id, amount, paid_at, payment):
                booked.append(claim_id)
            left -= amount
        return booked

    def _book(self, tenant_id: str, claim_id: str, amount: Decimal, paid_at: dt.datetime,
              payment: ProviderPayment) -> bool:
        key = f"psp:{payment.payment_id}:{claim_id}"
        current = self.claims.current(tenant_id, claim_id)
        booked_before = any(e.key == f"payment#{key}" for e in self.store.get_ledger(tenant_id, claim_id))
        if not booked_before:
            outstanding = current.amounts.outstanding
            if outstanding <= 0:
                self.store.add_timeline_event(tenant_id, claim_id, "portal_payment_not_booked", {
                    "amount": str(amount), "reason": "nothing outstanding", "payment_id": payment.payment_id})
                return False
            amount = min(amount, outstanding)
        try:
            self.claims.pay(tenant_id, claim_id, NewPayment(amount=amount, paid_at=paid_at), payment_key=key,
                            via="portal")
        except (ConflictError, InvalidRequestError) as error:
            logger.warning("portal payment not booked", extra={"claim_id": claim_id, "reason": error.message})
            self.store.add_timeline_event(tenant_id, claim_id, "portal_payment_not_booked", {
                "amount": str(amount), "reason": error.message, "payment_id": payment.payment_id})
            return False
        return True

    # -- dispute and arrangement ---------------------------------------------------------------------
    def dispute(self, token: str, claim_id: str, reason: str, amount: Decimal | None = None) -> Claim:
        """The debtor disputes a claim, or (with ``amount``) a part of it, as the tenant API's dispute does."""
        view = self.open(token)
        claim = view.claim(claim_id).claim
        reason = " ".join(reason.split())[:1000]
        if not reason:
            raise InvalidRequestError("a reason is needed", [{"field": "reason", "message": "empty"}])
        return self.claims.dispute(view.tenant.tenant_id, claim.claim_id, f"(portal) {reason}", amount)

    def propose(self, token: str, claim_id: str, count: int, first_due: dt.date) -> Proposal:
        view = self.open(token)
        claim = view.claim(claim_id).claim
        today = clock.today()
        if not 1 <= count <= 120 or first_due < today:
            raise InvalidRequestError("instalments: 1 to 120, the first not in the past",
                                      [{"field": "instalments", "message": "out of range"}])
        instalments = rules.monthly_instalments(claim.amounts.outstanding, count, first_due)
        why = rules.beyond_limits(view.tenant.policy, instalments, today)
        if why is None:
            self.claims.arrange(view.tenant.tenant_id, claim.claim_id, instalments)
            return Proposal(accepted=True)
        self._record_proposal(view.tenant.tenant_id, claim.claim_id, instalments, why)
        return Proposal(accepted=False, reason=why)

    def _record_proposal(self, tenant_id: str, claim_id: str, instalments: list[Instalment], why: str) -> None:
        self.claims.record_proposal(tenant_id, claim_id, instalments, why)
        self._publish(tenant_id, "ArrangementProposed", {"claim_id": claim_id, "instalments": len(instalments)})


def _creditor_name(tenant: Tenant) -> str:
    profile = tenant.profile
    return (profile.trade_name or profile.legal_name) if profile else tenant.tenant_id
