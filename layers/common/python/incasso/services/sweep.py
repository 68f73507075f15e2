"""The daily sweep: start the escalation of every claim whose next action is due.

It reads what is due, not what exists: per tenant one query on the sparse due index (claims with
``next_action_on <= day``), never a Scan. Each start uses the deterministic execution name
``<claim_id>-<phase>``, so a second sweep on the same day (or a retried Lambda) starts nothing twice.
The execution's first Check clears ``next_action_on`` (``EscalationService.check``), which takes the claim
off the index until it is due again.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from incasso import clock
from incasso.domain.ports import ClaimsStore, Workflows

STARTS_IN_PARALLEL = 8  # Step Functions StartExecution calls in flight (well inside its API quota)


@dataclass
class SweepResult:
    day: dt.date
    tenants: int = 0
    due: int = 0
    started: int = 0
    already_running: int = 0
    started_claims: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "tenants": self.tenants, "due": self.due, "started": self.started,
                "already_running": self.already_running}


class SweepService:
    def __init__(self, store: ClaimsStore, workflows: Workflows, *, parallel: int = STARTS_IN_PARALLEL) -> None:
        self.store = store
        self._start = workflows.start_escalation
        self._parallel = parallel

    def run(self, day: dt.date | None = None) -> SweepResult:
        day = day or clock.today()
        result = SweepResult(day=day)
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            for tenant_id in self._tenant_ids():
                result.tenants += 1
                due = [(tenant_id, claim.claim_id, claim.phase) for claim in self.store.due_claims(tenant_id, day)]
                result.due += len(due)
                for (_, claim_id, _), started in zip(due, pool.map(lambda args: self._start(*args), due)):
                    if started:
                        result.started += 1
                        result.started_claims.append(claim_id)
                    else:
                        result.already_running += 1
        return result

    def _tenant_ids(self):
        for tenant in self.store.list_tenants():
            yield tenant if isinstance(tenant, str) else tenant.tenant_id
