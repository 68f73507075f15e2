"""Fixtures for letter tests; the builders are in ``letters_factories``."""

from __future__ import annotations

import pytest

from incasso.domain.models import Claim, Tenant
from letters_factories import make_claim, make_tenant


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def consumer_claim() -> Claim:
    return make_claim()


@pytest.fixture
def business_claim() -> Claim:
    return make_claim(debtor_type="business", name="Bakkerij Jansen B.V.")
