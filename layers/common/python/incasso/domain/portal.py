"""The debtor's portal (CONTRACT.md §8): personal links, what they open, and the rules of its actions.

Pure: no AWS. A link is ``BASE/p/TOKEN``; the token is ``<tenant id>.<32 random bytes, base64url>``
(256 bits of randomness; the tenant id in front only tells the store where to look). Only its SHA-256
is stored. A token opens one *scope*: all of one debtor's claims of that tenant where the debtor has
the creditor's customer number (``debtor.reference``), else the one claim it was minted for.
"""

import datetime as dt
import hashlib
import re
import secrets
from decimal import Decimal
from typing import Protocol, Sequence

from pydantic import ConfigDict

from incasso.domain.arrangement_limits import proposal_problems
from incasso.domain.base import DeferredModel
from incasso.domain.models import Claim, Instalment, Policy
from incasso.money import Money

TOKEN_BYTES = 32
TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
TOKEN = re.compile(r"^(?P<tenant>[a-z0-9][a-z0-9-]{1,62})\.(?P<secret>[A-Za-z0-9_-]{43})$")
# A link stops working this many days after the last of its claims closed.
EXPIRES_AFTER_CLOSED_DAYS = 90
LINK_PATH = "/p/"


def new_token(tenant_id: str) -> str:
    return f"{tenant_id}.{secrets.token_urlsafe(TOKEN_BYTES)}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_tenant(token: str) -> str | None:
    """The tenant a well-formed token names; None for anything else."""
    match = TOKEN.fullmatch(token or "")
    return match.group("tenant") if match else None


def scope_of(claim: Claim) -> str:
    """What a link minted for ``claim`` opens: the debtor's claims (with a reference) or this claim."""
    reference = claim.debtor.reference
    return f"debtor:{reference}" if reference else f"claim:{claim.claim_id}"


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


class PortalToken(DeferredModel):
    """The stored side of a link: never the token itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tenant_id: str
    scope: str
    token_hash: str
    issued_at: dt.datetime


def closed_on(claim: Claim) -> dt.date | None:
    return claim.updated_at.date() if claim.is_closed else None


def expired(claims: Sequence[Claim], today: dt.date) -> bool:
    """No claim left, or all closed more than ``EXPIRES_AFTER_CLOSED_DAYS`` days ago."""
    if not claims:
        return True
    days = [closed_on(claim) for claim in claims]
    if any(day is None for day in days):
        return False
    return today > max(days) + dt.timedelta(days=EXPIRES_AFTER_CLOSED_DAYS)  # type: ignore[type-var]


# -- arrangements the debtor proposes -------------------------------------------------------------
def monthly_instalments(total: Money, count: int, first_due: dt.date) -> list[Instalment]:
    """``count`` instalments a month apart from ``first_due``, equal but for the last, summing to ``total``."""
    if count < 1:
        raise ValueError("at least one instalment")
    part = (total / count).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
    amounts = [part] * (count - 1) + [total - part * (count - 1)]
    return [Instalment(due_date=_months_after(first_due, n), amount=amount) for n, amount in enumerate(amounts)]


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def beyond_limits(policy: Policy, instalments: Sequence[Instalment], today: dt.date) -> str | None:
    """Why the tenant must decide on this proposal itself (None: within the policy's limits for debtors'
    proposals, ``debtor_max_instalments`` and ``debtor_min_instalment``: accepted at once)."""
    problems = proposal_problems(instalments, policy)
    if problems:
        return "; ".join(problem["message"] for problem in problems)
    if instalments and instalments[0].due_date > today + dt.timedelta(days=31):
        return "the first instalment more than a month ahead"
    return None


# -- the payment provider's port --------------------------------------------------------------------
class PaymentProviderError(Exception):
    """The provider could not be reached or refused the request."""


class ProviderPayment(DeferredModel):
    """A payment as the provider tells it (fetched back from it, never taken from a webhook's body)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    payment_id: str
    status: str  # open, pending, authorized, paid, failed, canceled, expired
    amount: Money
    checkout_url: str | None = None
    paid_at: dt.datetime | None = None
    metadata: dict[str, str] = {}

    @property
    def is_paid(self) -> bool:
        return self.status == "paid"


class PaymentProvider(Protocol):
    def create_payment(self, *, amount: Money, description: str, redirect_url: str, webhook_url: str,
                       metadata: dict[str, str]) -> ProviderPayment: ...

    def get_payment(self, payment_id: str) -> ProviderPayment | None: ...
