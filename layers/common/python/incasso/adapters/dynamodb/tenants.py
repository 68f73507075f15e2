"""Tenants in the claims table: the profile and policy, and the registry the daily sweep reads; a copy
per process for callers that accept one a little old."""

from __future__ import annotations

import time

from incasso.adapters import keys
from incasso.adapters.codec import attrs_to_model, model_to_attrs
from incasso.adapters.dynamodb.table import Table
from incasso.domain.models import Tenant

# Tenants as last read or written by this process: (table, tenant id) -> (time.monotonic(), tenant). A
# caller that accepts a profile up to ``max_age`` seconds old is served from here (a warm Lambda reads a
# tenant once a minute, not at every step); a write through this process replaces the entry at once.
# Real seconds, not the simulated clock: it is about how fresh a copy is, not about the claim's dates.
_tenants: dict[tuple[str, str], tuple[float, Tenant]] = {}


def forget_tenants() -> None:
    """Empty the process's tenant copies (the local stack does when it opens or closes)."""
    _tenants.clear()


class TenantRecords(Table):
    def list_tenants(self) -> list[str]:
        return [item["sk"]["S"] for item in self._query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": {"S": keys.TENANT_REGISTRY_PK}})]

    def put_tenant(self, tenant: Tenant) -> Tenant:
        """The tenant's profile and policy, and its entry in the registry the sweep reads."""
        profile = model_to_attrs(tenant)
        profile.update(pk={"S": keys.tenant_pk(tenant.tenant_id)}, sk={"S": keys.PROFILE_SK}, entity={"S": "tenant"})
        registry = {"pk": {"S": keys.TENANT_REGISTRY_PK}, "sk": {"S": tenant.tenant_id}, "entity": {"S": "registry"}}
        self.client.transact_write_items(TransactItems=[
            {"Put": {"TableName": self.table_name, "Item": profile}},
            {"Put": {"TableName": self.table_name, "Item": registry}},
        ])
        _tenants[(self.table_name, tenant.tenant_id)] = (time.monotonic(), tenant)
        return tenant

    def get_tenant(self, tenant_id: str, *, max_age: float = 0.0) -> Tenant | None:
        """The tenant's profile; with ``max_age`` > 0 this process's copy when it is at most that many
        seconds old (a change made elsewhere then takes up to ``max_age`` to be seen here)."""
        key = (self.table_name, tenant_id)
        if max_age > 0:
            copy = _tenants.get(key)
            if copy is not None and time.monotonic() - copy[0] <= max_age:
                return copy[1]
        item = self.client.get_item(
            TableName=self.table_name,
            Key={"pk": {"S": keys.tenant_pk(tenant_id)}, "sk": {"S": keys.PROFILE_SK}},
        ).get("Item")
        tenant = attrs_to_model(Tenant, item) if item else None
        if tenant is None:
            _tenants.pop(key, None)
        else:
            _tenants[key] = (time.monotonic(), tenant)
        return tenant
