"""The daily sweep: start the short run of every claim whose next action is due.

Waiting lives on the claim, not in the state machine: a run does what is due and ends, and the claim
records the day of its next run (``next_action_on``). The sweep reads what is due, not what exists: per
tenant one query on the sparse due index (claims with ``next_action_on <= day``), never a Scan. Each start
is named ``<claim_id>-<phase>-<day>``: a second sweep on the same day (or a retried Lambda) starts the same
run, which Standard refuses and whose steps are idempotent on Express (docs/scale.md). The run's step
moves ``next_action_on`` to the day after which the claim is due again, in the step's own write; a run
that is lost leaves it due, and the next day's sweep starts it again.

A tenant whose profile is not complete gets nothing started (CONTRACT.md §7): its due claims stay on the
index, each with one ``waiting_for_profile`` event on its timeline naming what is missing, and the first
sweep after the profile is complete starts them all, each at its first step.
"""

from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, TYPE_CHECKING

from incasso import clock
from incasso.domain.models import Tenant
from incasso.settings import get_settings

if TYPE_CHECKING:  # the ports are types only: importing them costs a cold start ~20 ms
    from incasso.domain.ports import ClaimsStore, Workflows

WAITING_FOR_PROFILE = "waiting_for_profile"
STARTS_IN_PARALLEL = 8  # Step Functions StartExecution calls in flight (well inside its API quota)


@dataclass
class SweepResult:
    day: dt.date
    tenants: int = 0
    due: int = 0
    started: int = 0
    already_running: int = 0
    waiting: int = 0  # due claims of tenants whose profile is not complete
    erased: int = 0  # claims whose personal data was erased after the retention period
    started_claims: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "tenants": self.tenants, "due": self.due, "started": self.started,
                "already_running": self.already_running, "waiting": self.waiting, "erased": self.erased}


class SweepService:
    def __init__(self, store: ClaimsStore, workflows: Workflows, *, parallel: int = STARTS_IN_PARALLEL,
                 erase_expired: Callable[[str, dt.date, int], int] | None = None) -> None:
        self.store = store
        self._start = workflows.start_run
        self._parallel = parallel
        # AVG art. 17: personal data kept past the tenant's retention period is erased by the sweep.
        self._erase_expired = erase_expired

    def run(self, day: dt.date | None = None) -> SweepResult:
        day = day or clock.today()
        result = SweepResult(day=day)
        queues: list[list[tuple[str, str, str]]] = []
        for tenant_id in self._tenant_ids():
            result.tenants += 1
            if self._erase_expired is not None:
                result.erased += self._erase_expired(tenant_id, day, self._retention_years(tenant_id))
            claims = list(self.store.due_claims(tenant_id, day))
            if claims and not self._ready(tenant_id, claims):
                result.waiting += len(claims)
                continue
            result.due += len(claims)
            queues.append([(tenant_id, claim.claim_id, f"{claim.phase}-{day:%Y%m%d}") for claim in claims])
        # Started in turn across tenants, not tenant by tenant: a large tenant's runs do not all write to its
        # own index partitions at once (docs/scale.md, "Where the first limit is met").
        due = [run for turn in itertools.zip_longest(*queues) for run in turn if run is not None]
        with ThreadPoolExecutor(max_workers=self._parallel) as pool:
            for (_, claim_id, _), started in zip(due, pool.map(lambda args: self._start(*args), due)):
                if started:
                    result.started += 1
                    result.started_claims.append(claim_id)
                else:
                    result.already_running += 1
        return result

    def _tenant(self, tenant_id: str) -> Tenant:
        return self.store.get_tenant(tenant_id, max_age=get_settings().tenant_max_age_seconds) or \
            Tenant(tenant_id=tenant_id)

    def _retention_years(self, tenant_id: str) -> int:
        return self._tenant(tenant_id).policy.personal_data_retention_years

    def _ready(self, tenant_id: str, claims: list) -> bool:
        """Whether the tenant's profile is complete; if not, each due claim's timeline says so once."""
        tenant = self._tenant(tenant_id)
        if tenant.ready:
            return True
        for claim in claims:
            if not any(event.type == WAITING_FOR_PROFILE for event in self.store.get_timeline(tenant_id, claim.claim_id)):
                self.store.add_timeline_event(tenant_id, claim.claim_id, WAITING_FOR_PROFILE,
                                              {"reason": "the creditor's profile is not complete",
                                               "missing": tenant.missing})
        return False

    def _tenant_ids(self):
        for tenant in self.store.list_tenants():
            yield tenant if isinstance(tenant, str) else tenant.tenant_id
