"""A debtor's personal data: the export for a request of access, and erasure — on request, or by the
daily sweep once the tenant's retention period has passed (the rules in ``incasso.domain.privacy``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TYPE_CHECKING

from incasso import clock
from incasso.domain.models import CLOSED_STATUSES, Claim, TimelineEvent
from incasso.domain.privacy import (
    erased_debtor,
    open_claims,
    redact_details,
    redact_message,
    retention_over,
)
from incasso.law.interest import add_years
from incasso.services.errors import ConflictError, NotFoundError

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, Documents

ERASED_EVENT = "personal_data_erased"


class PrivacyService:
    def __init__(self, store: ClaimsStore, documents: Documents) -> None:
        self.store = store
        self.documents = documents

    def _claims(self, tenant_id: str, reference: str) -> list[Claim]:
        claims = self.store.claims_of_debtor(tenant_id, reference)
        if not claims:
            raise NotFoundError(f"no debtor with reference {reference}")
        return claims

    # -- access (art. 15 AVG) ------------------------------------------------------------------
    def export(self, tenant_id: str, reference: str) -> dict[str, Any]:
        """Everything held about the debtor: the debtor as each claim knows it, each claim with its
        ledger, timeline, the messages sent and where its documents are."""
        claims = self._claims(tenant_id, reference)
        return {
            "reference": reference,
            "exported_at": clock.now().isoformat(),
            "debtor": claims[-1].debtor.model_dump(mode="json"),
            "claims": [{
                "claim": claim.model_dump(mode="json", exclude={"task_token", "pending_messages", "version"}),
                "ledger": [entry.model_dump(mode="json") for entry in self.store.get_ledger(tenant_id, claim.claim_id)],
                "timeline": [event.model_dump(mode="json") for event in self.store.get_timeline(tenant_id, claim.claim_id)],
                "messages": self.store.list_messages(tenant_id, claim.claim_id),
            } for claim in claims],
        }

    # -- erasure (art. 17 AVG) -----------------------------------------------------------------
    def erase(self, tenant_id: str, reference: str) -> dict[str, Any]:
        """Erase the debtor's personal data now (a request). Refused while a claim is open: the data is
        needed for the legal claim (art. 17 lid 3 (e) AVG)."""
        claims = self._claims(tenant_id, reference)
        still_open = open_claims(claims)
        if still_open:
            raise ConflictError(
                "the debtor has open claims: their data is needed to establish the legal claim "
                "(art. 17 lid 3 (e) AVG); close them first",
                [{"field": "reference", "message": f"open claims: {', '.join(c.claim_id for c in still_open)}"}])
        erased = [self._erase_claim(tenant_id, claim, "request") for claim in claims]
        self.store.delete_debtor(tenant_id, reference)  # the debtor's record holds the same details
        return {"reference": reference, "claims": [claim_id for claim_id in erased if claim_id]}

    def erase_expired(self, tenant_id: str, today: dt.date, retention_years: int) -> int:
        """The sweep's part: erase what has been kept for the retention period after its last claim
        closed. Answers the number of claims erased."""
        # Only claims created before the end of the day the retention period began can be done with.
        cutoff = dt.datetime.combine(add_years(today, -retention_years) + dt.timedelta(days=1), dt.time(0),
                                     tzinfo=dt.timezone.utc)
        count = 0
        for status in sorted(CLOSED_STATUSES):
            for claim in list(self.store.closed_claims_created_before(tenant_id, status, cutoff)):
                reference = claim.debtor.reference
                group = self.store.claims_of_debtor(tenant_id, reference) if reference else [claim]
                if retention_over(group, today, retention_years):
                    count += sum(1 for c in group if self._erase_claim(tenant_id, c, "retention period over"))
                    if reference:
                        self.store.delete_debtor(tenant_id, reference)
        return count

    def _erase_claim(self, tenant_id: str, claim: Claim, why: str) -> str | None:
        if claim.personal_data_erased_on is not None:
            return None
        updated = claim.model_copy(update={"debtor": erased_debtor(claim.debtor, tenant_id),
                                           "personal_data_erased_on": clock.today(), "dispute_reason": None,
                                           "updated_at": claim.updated_at})
        self.store.save_claim(updated, expected_version=claim.version, previous=claim, timeline=[
            TimelineEvent(at=clock.now(), type=ERASED_EVENT, details={"why": why})])
        self.store.redact_timeline(tenant_id, claim.claim_id, redact_details)
        self.store.redact_messages(tenant_id, claim.claim_id, redact_message)
        self.documents.delete_claim_documents(tenant_id, claim.claim_id)
        return claim.claim_id
