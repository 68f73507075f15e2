"""A tenant's machine credentials (CONTRACT.md §7): an integration (an accounting system) calls the API with
a client id and secret instead of a person's sign-in. The tenant is bound to the client when the tenant's
manager creates it; a token for the client carries that tenant, never one named in a request.

- On AWS the client is a Cognito app client with the client-credentials grant and the API's scope; its name
  records the binding (``client_name``), which the pre-token-generation trigger reads to put the tenant and
  the role into the access token.
- Locally the client id itself names the tenant (``cli.<tenant>.<random>``); the secret is kept hashed under
  the tenant's key, so naming another tenant in an id gets nothing without that tenant's secret.

A revoked client is refused on every request, not only when it asks for a new token: its tokens are checked
against the client's record (``ApiClientService.active``).
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Literal

from pydantic import Field

from incasso.domain.base import Model

# A machine never manages the account: creating credentials, users and the profile stay with a person.
ClientRole = Literal["viewer", "clerk"]
CLIENT_ROLES: tuple[str, ...] = ("viewer", "clerk")
CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
LOCAL_CLIENT_ID = re.compile(r"^cli\.(?P<tenant>[a-z0-9][a-z0-9-]{1,62})\.[a-f0-9]{32}$")
CLIENT_NAME_PREFIX = "incasso"
TOKEN_SECONDS = 3600  # as Cognito's default access token validity


class ApiClient(Model):
    tenant_id: str
    client_id: str = Field(pattern=CLIENT_ID.pattern)
    name: str = Field(min_length=1, max_length=64)
    role: ClientRole
    created_at: dt.datetime
    revoked_at: dt.datetime | None = None
    secret_hash: str | None = Field(default=None, description="locally only: sha256 of the secret")

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def client_name(tenant_id: str, role: str, name: str) -> str:
    """The Cognito app client's name: the binding the pre-token trigger reads (``incasso:tenant:role:name``)."""
    return f"{CLIENT_NAME_PREFIX}:{tenant_id}:{role}:{name}"[:128]


def binding_of(app_client_name: str) -> tuple[str, str] | None:
    """(tenant, role) from an app client's name made by ``client_name``; None for any other client."""
    parts = app_client_name.split(":", 3)
    if len(parts) < 3 or parts[0] != CLIENT_NAME_PREFIX or parts[2] not in CLIENT_ROLES:
        return None
    return parts[1], parts[2]


def new_local_client(tenant_id: str) -> tuple[str, str]:
    """(client id, secret) for the local stack: 128 bits of id, 256 bits of secret."""
    return f"cli.{tenant_id}.{secrets.token_hex(16)}", secrets.token_urlsafe(32)


def tenant_of_local_client(client_id: str) -> str | None:
    match = LOCAL_CLIENT_ID.fullmatch(client_id or "")
    return match["tenant"] if match else None


def secret_hash(secret: str) -> str:
    # The secret is 256 random bits: a plain digest cannot be reversed or guessed (no password stretching needed).
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str | None) -> bool:
    return bool(stored_hash) and hmac.compare_digest(secret_hash(secret or ""), stored_hash or "")
