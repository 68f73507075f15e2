"""The claims table's keys, defined once. Every partition key value begins with the tenant id, so a
request made for one tenant cannot address another tenant's items (the id is checked: no ``#``).

| item                   | pk                              | sk                                  |
|------------------------|---------------------------------|-------------------------------------|
| claim                  | ``<tenant>#CLAIM#<claim_id>``   | ``CLAIM``                           |
| timeline event         | ``<tenant>#CLAIM#<claim_id>``   | ``TL#<utc time>#<version>.<n>``     |
| ledger entry           | ``<tenant>#CLAIM#<claim_id>``   | ``LEDGER#<entry key>``              |
| message sent           | ``<tenant>#CLAIM#<claim_id>``   | ``MSG#<message key>``               |
| invoice number guard   | ``<tenant>#INVOICE#<number>``   | ``INVOICE``                         |
| debtor record          | ``<tenant>#DEBTORS``            | ``DEBTOR#<debtor reference>``       |
| a debtor's letter      | ``<tenant>#DEBTOR#<reference>`` | ``LETTER#<kind>#<day>``             |
| a payment to a debtor  | ``<tenant>#DEBTOR#<reference>`` | ``PAYMENT#<key>``                   |
| import                 | ``<tenant>#IMPORT#<import_id>`` | ``IMPORT``                          |
| tenant profile, policy | ``<tenant>#TENANT``             | ``PROFILE``                         |
| tenant registry        | ``_TENANTS``                    | ``<tenant>``                        |
| aggregates (shard n)   | ``<tenant>#AGG#<n>``            | ``AGG``                             |
| aggregates of a day    | ``<tenant>#AGGDAY#<n>``         | ``<YYYY-MM-DD>``                    |

Indexes (both sparse: only claim items carry their attributes):
- ``status``: ``status_pk = <tenant>#STATUS#<status>``, ``status_sk = <created_at>#<claim_id>``
- ``claims``: ``claims_pk = <tenant>#CLAIMS``, ``claims_sk = <created_at>#<claim_id>`` (all claims)
- ``debtor``: ``debtor_pk = <tenant>#DEBTOR#<debtor reference>``, ``claims_sk`` (claims with a
  reference: one debtor's claims, for combined letters and the debtor's data export)
- ``due``: ``due_pk = <tenant>#DUE``, ``due_sk = <YYYY-MM-DD>#<claim_id>``, only while a next action
  is planned.

The registry is the one partition that does not begin with a tenant: the daily sweep must learn which
tenants exist without a Scan, and a tenant's own partition cannot tell it. It holds tenant ids only.
"""

from __future__ import annotations

import datetime as dt
import re

TENANT_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")  # as Tenant.tenant_id

CLAIM_SK = "CLAIM"
INVOICE_SK = "INVOICE"
IMPORT_SK = "IMPORT"
PROFILE_SK = "PROFILE"
TIMELINE_PREFIX = "TL#"
LEDGER_PREFIX = "LEDGER#"
MESSAGE_PREFIX = "MSG#"
DEBTOR_PREFIX = "DEBTOR#"
TENANT_REGISTRY_PK = "_TENANTS"

STATUS_INDEX = "status"
CLAIMS_INDEX = "claims"
DUE_INDEX = "due"
DEBTOR_INDEX = "debtor"


class InvalidTenantId(ValueError):
    """A tenant id that could break out of its key prefix (or is not a tenant id at all)."""


def tenant_prefix(tenant_id: str) -> str:
    if not isinstance(tenant_id, str) or not TENANT_ID.match(tenant_id):
        raise InvalidTenantId(f"not a tenant id: {tenant_id!r}")
    return f"{tenant_id}#"


def claim_pk(tenant_id: str, claim_id: str) -> str:
    if not claim_id:
        raise ValueError("a claim id is required")
    return f"{tenant_prefix(tenant_id)}CLAIM#{claim_id}"


def invoice_pk(tenant_id: str, invoice_number: str) -> str:
    if not invoice_number:
        raise ValueError("an invoice number is required")
    return f"{tenant_prefix(tenant_id)}INVOICE#{invoice_number}"


def import_pk(tenant_id: str, import_id: str) -> str:
    if not import_id:
        raise ValueError("an import id is required")
    return f"{tenant_prefix(tenant_id)}IMPORT#{import_id}"


def tenant_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}TENANT"


def status_pk(tenant_id: str, status: str) -> str:
    return f"{tenant_prefix(tenant_id)}STATUS#{status}"


def debtor_pk(tenant_id: str, reference: str) -> str:
    if not reference:
        raise ValueError("a debtor reference is required")
    return f"{tenant_prefix(tenant_id)}DEBTOR#{reference}"


def debtors_pk(tenant_id: str) -> str:
    """The partition of the tenant's debtor records: one Query lists them by reference, page by page."""
    return f"{tenant_prefix(tenant_id)}DEBTORS"


def debtor_sk(reference: str) -> str:
    if not reference:
        raise ValueError("a debtor reference is required")
    return f"{DEBTOR_PREFIX}{reference}"


def claims_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}CLAIMS"


AGG_SK = "AGG"


def aggregate_pk(tenant_id: str, shard: int) -> str:
    """One of the tenant's aggregate items (``incasso.domain.aggregates.SHARDS`` of them)."""
    return f"{tenant_prefix(tenant_id)}AGG#{shard}"


def aggregate_day_pk(tenant_id: str, shard: int) -> str:
    """One shard of the tenant's day buckets (sort key: the day)."""
    return f"{tenant_prefix(tenant_id)}AGGDAY#{shard}"


def due_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}DUE"


def due_sk(day: dt.date, claim_id: str) -> str:
    return f"{day.isoformat()}#{claim_id}"


def utc_text(moment: dt.datetime) -> str:
    """A fixed-width UTC form that sorts as time does (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def created_sk(created_at: dt.datetime, claim_id: str) -> str:
    return f"{utc_text(created_at)}#{claim_id}"


def timeline_sk(at: dt.datetime, version: int, n: int) -> str:
    """Ordered by time, then by the claim version that wrote it, then by its place in that write;
    the version makes the key unique, because only one write per version succeeds."""
    return f"{TIMELINE_PREFIX}{utc_text(at)}#{version:010d}.{n:03d}"


def ledger_sk(entry_key: str) -> str:
    return f"{LEDGER_PREFIX}{entry_key}"


def message_sk(message_key: str) -> str:
    return f"{MESSAGE_PREFIX}{message_key}"


# -- the debtor's portal (incasso.adapters.portal_tokens): a link's hash, a revoked scope, a checkout ----
def portal_token_pk(tenant_id: str, token_hash: str) -> str:
    return f"{tenant_prefix(tenant_id)}PORTAL#{token_hash}"


def portal_scope_pk(tenant_id: str, scope: str) -> str:
    return f"{tenant_prefix(tenant_id)}PORTALSCOPE#{scope}"


def checkout_pk(tenant_id: str, payment_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}CHECKOUT#{payment_id}"
