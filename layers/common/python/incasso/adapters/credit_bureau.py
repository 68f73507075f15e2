"""The ``CreditBureau`` port's only adapter: an OFFLINE FAKE. It calls no bureau and holds no bureau's
data; it answers from the reports it was given (none by default), so the credit check runs, says that no
bureau was consulted, and can be tested with a bureau's answer.

A real adapter (Graydon, Creditsafe or similar) implements the same port: ``report(tenant_id, debtor)``
asks about one business debtor under the tenant's own contract with the bureau and maps its score onto
0-100. None is shipped (docs/debtors.md, "Credit check").
"""

from __future__ import annotations

from collections.abc import Mapping

from incasso.domain.credit import BureauReport
from incasso.domain.models import Debtor


class OfflineCreditBureauFake:
    """A stand-in for an external credit bureau that never leaves the process. Not a bureau."""

    name = "offline-credit-bureau-fake"

    def __init__(self, reports: Mapping[tuple[str, str], BureauReport] | None = None) -> None:
        # (tenant id, debtor reference) -> the report to answer; a tenant sees only its own entries.
        self._reports = dict(reports or {})

    def report(self, tenant_id: str, debtor: Debtor) -> BureauReport | None:
        if not debtor.reference:
            return None
        return self._reports.get((tenant_id, debtor.reference))
