"""A complete creditor profile for tests (imported by this unique module name from any test folder).

Nothing goes out for a tenant without one (CONTRACT.md §7), so every test that expects a message or a
letter sets it, as a tenant would through ``PUT /v1/tenant/profile``."""

from __future__ import annotations

from typing import Any

from incasso.domain.models import Policy, Profile, Tenant

IBAN = "NL44RABO0123456789"

PROFILE_BODY: dict[str, Any] = {
    "legal_name": "Acme Verhuur B.V.",
    "address": {"street": "Kerkstraat 1", "postal_code": "1011 AB", "city": "Amsterdam", "country": "NL"},
    "iban": IBAN,
    "email": "debiteuren@acme.example",
    "phone": "+31 20 123 4567",
    "kvk_number": "12345678",
}


def sample_profile(**changes: Any) -> Profile:
    return Profile.model_validate({**PROFILE_BODY, **changes})


def ready_tenant(tenant_id: str = "acme", *, policy: Policy | None = None, **changes: Any) -> Tenant:
    """A tenant whose profile is complete; ``changes`` replace fields of the profile."""
    return Tenant(tenant_id=tenant_id, profile=sample_profile(**changes), policy=policy or Policy())
