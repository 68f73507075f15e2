"""The portal's records in the claims table: a link's hash (never the token), a revoked scope, and a
checkout started from the portal (which claims it pays, how much of each).

| item            | pk                                      | sk         |
|-----------------|-----------------------------------------|------------|
| portal link     | ``<tenant>#PORTAL#<sha256 of the token>`` | ``TOKEN``  |
| revoked scope   | ``<tenant>#PORTALSCOPE#<scope>``        | ``REVOKED`` |
| checkout        | ``<tenant>#CHECKOUT#<provider payment id>`` | ``CHECKOUT`` |
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from incasso.adapters import keys
from incasso.adapters.dynamodb.table import Table
from incasso.domain.portal import PortalToken

TOKEN_SK = "TOKEN"
REVOKED_SK = "REVOKED"
CHECKOUT_SK = "CHECKOUT"
# Looked up when a token is malformed or names no tenant, so that every miss costs one read.
_NOBODY = "nobody"


class PortalRecords(Table):
    def put_token(self, token: PortalToken) -> None:
        self.client.put_item(TableName=self.table_name, Item={
            "pk": {"S": keys.portal_token_pk(token.tenant_id, token.token_hash)}, "sk": {"S": TOKEN_SK},
            "entity": {"S": "portal_token"}, "scope": {"S": token.scope},
            "issued_at": {"S": keys.utc_text(token.issued_at)}})

    def get_token(self, tenant_id: str | None, token_hash: str) -> PortalToken | None:
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": keys.portal_token_pk(tenant_id or _NOBODY, token_hash)}, "sk": {"S": TOKEN_SK}}).get("Item")
        if not item or tenant_id is None:
            return None
        return PortalToken(tenant_id=tenant_id, scope=item["scope"]["S"], token_hash=token_hash,
                           issued_at=_parse(item["issued_at"]["S"]))

    def revoke(self, tenant_id: str, scope: str, at: dt.datetime) -> None:
        self.client.put_item(TableName=self.table_name, Item={
            "pk": {"S": keys.portal_scope_pk(tenant_id, scope)}, "sk": {"S": REVOKED_SK},
            "entity": {"S": "portal_revocation"}, "revoked_at": {"S": keys.utc_text(at)}})

    def revoked_at(self, tenant_id: str, scope: str) -> dt.datetime | None:
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": keys.portal_scope_pk(tenant_id, scope)}, "sk": {"S": REVOKED_SK}}).get("Item")
        return _parse(item["revoked_at"]["S"]) if item else None

    def put_checkout(self, tenant_id: str, payment_id: str, scope: str, parts: dict[str, Decimal]) -> None:
        self.client.put_item(TableName=self.table_name, Item={
            "pk": {"S": keys.checkout_pk(tenant_id, payment_id)}, "sk": {"S": CHECKOUT_SK},
            "entity": {"S": "checkout"}, "scope": {"S": scope},
            "parts": {"S": json.dumps({claim_id: str(amount) for claim_id, amount in parts.items()})}})

    def get_checkout(self, tenant_id: str, payment_id: str) -> tuple[str, dict[str, Decimal]] | None:
        """(scope, claim id -> amount) of a checkout this product started; None for any other id."""
        item = self.client.get_item(TableName=self.table_name, ConsistentRead=True, Key={
            "pk": {"S": keys.checkout_pk(tenant_id, payment_id)}, "sk": {"S": CHECKOUT_SK}}).get("Item")
        if not item:
            return None
        parts = json.loads(item["parts"]["S"])
        return item["scope"]["S"], {claim_id: Decimal(amount) for claim_id, amount in parts.items()}


def _parse(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
