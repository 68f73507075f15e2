"""Who may do what (CONTRACT.md §7): ``viewer`` reads; ``clerk`` also works claims, payments, imports and
disputes; ``manager`` also the tenant's profile, policy, approvals, write-offs, credentials and webhooks.

Decided from the method and the path alone, before routing, so a route the role may not use answers 403
whatever its body. Roles are ordered: each may do what the one before it may.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from incasso.api.auth import ROLES, role_from_event
from incasso.api.errors import ApiError

VIEWER, CLERK, MANAGER = ROLES
# Paths (and their sub-paths) that only a manager may change; reading the tenant is open to all.
MANAGER_PREFIXES = ("/v1/tenant", "/v1/webhooks")
# approvals and write-offs of a claim (/v1/claims/{id}/legal/approve|decline); a debtor's personal data
# export and erasure (/v1/debtors/{reference}/export|erase). The rest of /v1/debtors: read by all, changed
# by a clerk.
MANAGER_SEGMENTS = ("/legal/",)
MANAGER_DEBTOR_ACTIONS = ("export", "erase")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")


def _debtor_personal_data(path: str) -> bool:
    parts = path.split("/")  # "", "v1", "debtors", reference, action
    return len(parts) == 5 and parts[2] == "debtors" and parts[4] in MANAGER_DEBTOR_ACTIONS


def required_role(method: str, path: str) -> str:
    """The least role that may call ``method path``."""
    method = method.upper()
    if any(_under(path, prefix) for prefix in MANAGER_PREFIXES) or any(s in path for s in MANAGER_SEGMENTS) \
            or _debtor_personal_data(path):
        return VIEWER if method in READ_METHODS and path == "/v1/tenant" else MANAGER
    return VIEWER if method in READ_METHODS else CLERK


def allows(role: str | None, needed: str) -> bool:
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def forbidden_for(event: Any) -> ApiError | None:
    """403 naming the role needed when the caller's role may not use this route (a Powertools event)."""
    role = role_from_event(event.raw_event)
    needed = required_role(event.http_method, event.path)
    if allows(role, needed):
        return None
    return ApiError(HTTPStatus.FORBIDDEN, "forbidden", f"this needs the role {needed}",
                    [{"field": "role", "message": f"needs {needed}; the token's role is {role or 'not a role'}"}])
