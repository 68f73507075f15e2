"""The creditor's profile: checked with schwifty (IBAN, BIC) and python-stdnum (VAT), ready when complete."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from incasso.domain.models import Tenant
from tenant_profiles import PROFILE_BODY, sample_profile


def _fields_at_fault(error: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in error.errors()}


def test_a_complete_profile_is_kept_compact():
    # Given an IBAN and a VAT number as people type them
    profile = sample_profile(iban="nl44 rabo 0123 4567 89", vat_number="NL 0044.95.445.B01")
    # Then both are kept in their compact form
    assert profile.iban == "NL44RABO0123456789"
    assert profile.vat_number == "NL004495445B01"


@pytest.mark.parametrize("iban", ["NL45RABO0123456789", "NL44RABO012345678", "XX44RABO0123456789", "not an iban"])
def test_a_bad_iban_is_refused_naming_the_field(iban):
    with pytest.raises(ValidationError) as caught:
        sample_profile(iban=iban)
    assert _fields_at_fault(caught.value) == {"iban"}


@pytest.mark.parametrize("field, value", [("kvk_number", "1234567"), ("kvk_number", "123456789"),
                                          ("vat_number", "NL004495446B01"), ("bic", "RABONL"),
                                          ("email", "nobody"), ("legal_name", "  ")])
def test_other_bad_fields_are_refused_naming_them(field, value):
    with pytest.raises(ValidationError) as caught:
        sample_profile(**{field: value})
    assert _fields_at_fault(caught.value) == {field}


def test_a_tenant_without_a_profile_is_not_ready_and_says_what_is_missing():
    tenant = Tenant(tenant_id="acme")
    assert not tenant.ready
    assert tenant.missing == ["legal_name", "address", "iban", "email", "phone"]
    ready = Tenant(tenant_id="acme", profile=sample_profile())
    assert ready.ready and ready.missing == []


def test_there_is_no_default_iban_nor_name():
    # Then a tenant carries no invented details: the profile is all there is
    assert "name" not in Tenant.model_fields and "iban" not in Tenant.model_fields
    with pytest.raises(ValidationError):
        sample_profile(iban=None)
    assert PROFILE_BODY["iban"] != "NL91ABNA0417164300"
