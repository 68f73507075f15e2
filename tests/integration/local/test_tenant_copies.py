"""A process's copies of tenant profiles never outlive the local stack whose tables they came from."""

from __future__ import annotations

from incasso.adapters.claims_store import ClaimsStore
from incasso.domain.models import Policy, Tenant
from incasso.settings import get_settings
from tenant_profiles import sample_profile


def test_a_new_stack_does_not_serve_a_tenant_copied_from_the_last_one(make_local_stack):
    # given a tenant written, and so copied, while one local stack was open
    first = make_local_stack()
    store = ClaimsStore(get_settings().claims_table)
    store.put_tenant(Tenant(tenant_id="acme", profile=sample_profile(), policy=Policy(call_enabled=False)))
    assert store.get_tenant("acme", max_age=3600) is not None
    first.close()
    # when a new stack opens on empty tables
    make_local_stack()
    # then the tenant is not there, however old a copy the reader accepts
    assert store.get_tenant("acme", max_age=3600) is None
