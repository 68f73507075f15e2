import datetime as dt

import pytest
from pydantic import ValidationError

from incasso.domain.models import Debtor, DebtorType, Policy, Tenant


def test_default_policy_is_dutch_practice():
    # given no overrides / when a policy is made / then it has DESIGN.md's timings
    policy = Policy()
    assert (policy.reminder_1_days, policy.reminder_2_days, policy.call_days, policy.notice_days) == (7, 21, 28, 35)
    assert policy.creditor_vat_deductible is True  # no VAT uplift unless the tenant declares it


def test_policy_days_must_be_in_trajectory_order():
    with pytest.raises(ValidationError, match="trajectory order"):
        Policy(reminder_1_days=30, reminder_2_days=21)


def test_business_hours_must_be_an_interval():
    with pytest.raises(ValidationError):
        Policy(business_hours_start=dt.time(17), business_hours_end=dt.time(9))


def test_debtor_rejects_bad_email_and_unknown_fields():
    with pytest.raises(ValidationError):
        Debtor(name="A", type=DebtorType.CONSUMER, email="not-an-email")
    with pytest.raises(ValidationError):
        Debtor(name="A", type="consumer", tenant_id="other")  # extra fields are refused


def test_tenant_id_shape():
    with pytest.raises(ValidationError):
        Tenant(tenant_id="UPPER case!")
    assert Tenant(tenant_id="acme-bv").policy == Policy()
