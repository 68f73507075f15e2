"""Who is calling: the tenant, from the authorizer's claims only (never from the path or the body).

In AWS, API Gateway's Cognito authorizer verifies the token and puts its claims into
``event.requestContext.authorizer.claims``; the tenant is the ``custom:tenant_id`` claim and the user's role
(``viewer``, ``clerk`` or ``manager``; see ``incasso.api.roles``) the ``custom:role`` claim. Locally there
is no API Gateway: ``incasso serve`` verifies a bearer token minted by ``incasso token`` (an HMAC-signed
token with an expiry) and puts the same claims into the proxy event, so the handler cannot tell the two
apart.

Token format (local only): ``v1.<payload>.<signature>``, both base64url without padding; the payload is
JSON ``{"tid": tenant_id, "exp": unix seconds}`` (and ``"role"`` where the token names one), the signature HMAC-SHA256 over ``v1.<payload>``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import json
import re
from typing import Any, Mapping

from incasso.settings import get_settings

TENANT_CLAIM = "custom:tenant_id"
ROLE_CLAIM = "custom:role"
CLIENT_CLAIM = "client_id"  # as in Cognito's access tokens
# A token without a role (every token minted before roles existed) acts as a manager.
DEFAULT_ROLE = "manager"
ROLES = ("viewer", "clerk", "manager")
# The one default secret of the local stack; INCASSO_LOCAL_TOKEN_SECRET overrides it (settings).
DEFAULT_LOCAL_TOKEN_SECRET = "incasso-local-development-secret"
DEFAULT_TTL = dt.timedelta(hours=24)
MAX_TOKEN_LENGTH = 1024
# The same shape as Tenant.tenant_id: it becomes the first part of every key, so it must be tame.
TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")

_VERSION = "v1"


class InvalidTokenError(ValueError):
    """A token that is malformed, tampered with, signed with another secret or expired."""


def local_token_secret() -> str:
    """The secret that ``incasso token`` signs with and ``incasso serve`` verifies with."""
    return get_settings().local_token_secret or DEFAULT_LOCAL_TOKEN_SECRET


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise InvalidTokenError("token is not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise InvalidTokenError("token is not base64url") from exc


def _sign(message: str, secret: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), message.encode("ascii"), hashlib.sha256).digest())


def _wall_clock(now: dt.datetime | None) -> dt.datetime:
    # Token expiry is security, not simulation: the wall clock, not the simulated ``incasso.clock``.
    moment = now or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment


def mint_local_token(tenant_id: str, secret: str, *, ttl: dt.timedelta = DEFAULT_TTL,
                     now: dt.datetime | None = None, role: str | None = None, client_id: str | None = None) -> str:
    """A bearer token for ``tenant_id`` (as ``role``; none: acts as manager) that the local API accepts
    until ``now + ttl``; ``client_id``: a machine client's token (the API checks the client is not revoked)."""
    if role is not None and role not in ROLES:
        raise ValueError(f"not a role: {role!r} (one of {', '.join(ROLES)})")
    if not TENANT_ID.fullmatch(tenant_id):
        raise ValueError(f"not a tenant id: {tenant_id!r} (lowercase letters, digits and '-', 2-63 characters)")
    if not secret:
        raise ValueError("the token secret is empty")
    if ttl <= dt.timedelta(0):
        raise ValueError("ttl must be positive")
    expires = int((_wall_clock(now) + ttl).timestamp())
    claims: dict[str, Any] = {"tid": tenant_id, "exp": expires}
    if role is not None:
        claims["role"] = role
    if client_id is not None:
        claims["cid"] = client_id
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode("utf-8"))
    signed = f"{_VERSION}.{payload}"
    return f"{signed}.{_sign(signed, secret)}"


def verify_local_token(token: str, secret: str, now: dt.datetime | None = None) -> str:
    """The tenant id of a valid token; ``InvalidTokenError`` if it is malformed, tampered or expired."""
    return local_token_identity(token, secret, now)[0]


def local_token_identity(token: str, secret: str, now: dt.datetime | None = None) -> tuple[str, str | None]:
    """(tenant id, role or None) of a valid token; ``InvalidTokenError`` as ``verify_local_token``."""
    claims = local_token_claims(token, secret, now)
    return claims[TENANT_CLAIM], claims.get(ROLE_CLAIM)


def local_token_claims(token: str, secret: str, now: dt.datetime | None = None) -> dict[str, str]:
    """The authorizer claims of a valid token (``authorizer_claims``); ``InvalidTokenError`` otherwise."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidTokenError("no token")
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        raise InvalidTokenError("malformed token")
    signed = f"{parts[0]}.{parts[1]}"
    if not secret or not hmac.compare_digest(_sign(signed, secret), parts[2]):
        raise InvalidTokenError("bad signature")
    try:
        payload = json.loads(_unb64(parts[1]))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidTokenError("malformed token payload") from exc
    if not isinstance(payload, dict):
        raise InvalidTokenError("malformed token payload")
    tenant_id, expires = payload.get("tid"), payload.get("exp")
    if not isinstance(tenant_id, str) or not TENANT_ID.fullmatch(tenant_id):
        raise InvalidTokenError("token names no valid tenant")
    if isinstance(expires, bool) or not isinstance(expires, int):
        raise InvalidTokenError("token has no expiry")
    if _wall_clock(now).timestamp() >= expires:
        raise InvalidTokenError("token expired")
    role = payload.get("role")
    if role is not None and role not in ROLES:
        raise InvalidTokenError("token names no valid role")
    client_id = payload.get("cid")
    if client_id is not None and not (isinstance(client_id, str) and 0 < len(client_id) <= 128):
        raise InvalidTokenError("token names no valid client")
    return authorizer_claims(tenant_id, role, client_id)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` header value, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def tenant_for_authorization(authorization: str | None, secret: str | None = None,
                             now: dt.datetime | None = None) -> str | None:
    """What ``incasso serve`` does in API Gateway's place: the tenant of an ``Authorization`` header
    carrying a valid local token, or None (the handler then answers 401)."""
    identity = identity_for_authorization(authorization, secret, now)
    return identity[0] if identity else None


def identity_for_authorization(authorization: str | None, secret: str | None = None,
                               now: dt.datetime | None = None) -> tuple[str, str | None] | None:
    """(tenant, role or None) of an ``Authorization`` header carrying a valid local token, or None."""
    token = bearer_token(authorization)
    if token is None:
        return None
    try:
        return local_token_identity(token, secret or local_token_secret(), now)
    except InvalidTokenError:
        return None


def authorizer_claims(tenant_id: str, role: str | None = None, client_id: str | None = None) -> dict[str, str]:
    """The claims as API Gateway's Cognito authorizer passes them (``requestContext.authorizer.claims``);
    a machine client's access token carries its ``client_id`` and no user name."""
    claims = {TENANT_CLAIM: tenant_id}
    if role is not None:
        claims[ROLE_CLAIM] = role
    if client_id is not None:
        claims[CLIENT_CLAIM] = client_id
    return claims


def claims_for_authorization(authorization: str | None, secret: str | None = None,
                             now: dt.datetime | None = None) -> dict[str, str] | None:
    """The authorizer claims of an ``Authorization`` header carrying a valid local token, or None."""
    token = bearer_token(authorization)
    if token is None:
        return None
    try:
        return local_token_claims(token, secret or local_token_secret(), now)
    except InvalidTokenError:
        return None


def machine_client_from_event(event: Mapping[str, Any] | None) -> str | None:
    """The client id when the caller is a machine client (client-credentials token: a ``client_id`` and no
    user name), else None. Cognito puts ``client_id`` in users' access tokens too, with their user name."""
    if not isinstance(event, Mapping):
        return None
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    if not isinstance(claims, Mapping) or claims.get("username") or claims.get("cognito:username"):
        return None
    client_id = claims.get(CLIENT_CLAIM)
    return client_id if isinstance(client_id, str) and client_id else None


def tenant_from_event(event: Mapping[str, Any] | None) -> str | None:
    """The tenant of an API Gateway proxy event, from the authorizer's claims only; None if absent or odd."""
    if not isinstance(event, Mapping):
        return None
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    tenant_id = claims.get(TENANT_CLAIM) if isinstance(claims, Mapping) else None
    if isinstance(tenant_id, str) and TENANT_ID.fullmatch(tenant_id):
        return tenant_id
    return None


def role_from_event(event: Mapping[str, Any] | None) -> str | None:
    """The caller's role from the authorizer's claims: ``manager`` when the token names none, None when
    it names something that is not a role (such a caller may do nothing)."""
    if not isinstance(event, Mapping):
        return None
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    claims = authorizer.get("claims") if isinstance(authorizer, Mapping) else None
    role = claims.get(ROLE_CLAIM) if isinstance(claims, Mapping) else None
    if role is None or role == "":
        return DEFAULT_ROLE
    return role if role in ROLES else None
