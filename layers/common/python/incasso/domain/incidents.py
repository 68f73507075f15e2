"""A step that failed for good, told twice: in full to the logs, in short to the tenant.

The Catch of the escalation state machine hands the park step the failed Task's ``Error`` (the
exception's type) and ``Cause`` (Lambda's JSON: ``errorMessage``, ``errorType``, ``stackTrace``). The
stack trace names the code's files and lines: it belongs in the logs, never on a tenant's timeline. Both
sides carry one incident id, derived from the failure itself, so that a retried park step names the
same incident and support finds the log line from the id the tenant quotes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

MAX_REASON = 200
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:[/\\][A-Za-z_.][\w.-]*){2,}")


@dataclass(frozen=True)
class Incident:
    id: str
    reason: str  # for the tenant: the error's first line, without paths
    trace: list[str]  # for the logs: the stack trace as Lambda reported it


def parked_incident(tenant_id: str, claim_id: str, error: str, cause: str) -> Incident:
    try:
        details = json.loads(cause) if cause else {}
    except ValueError:
        details = {}
    if not isinstance(details, dict):
        details = {}
    message = str(details.get("errorMessage") or (cause if not details else "") or "").strip()
    trace = details.get("stackTrace")
    trace = [str(frame) for frame in trace] if isinstance(trace, list) else ([cause] if cause and not details else [])
    first_line = _PATH.sub("…", message.splitlines()[0] if message else "")
    reason = f"{error}: {first_line}" if first_line else (error or "the step failed")
    if len(reason) > MAX_REASON:
        reason = reason[:MAX_REASON - 1] + "…"
    digest = hashlib.sha256("\x1f".join((tenant_id, claim_id, error, cause)).encode("utf-8")).hexdigest()
    return Incident(id=f"inc-{digest[:16]}", reason=reason, trace=trace)
