"""The creditor's own details (CONTRACT.md §7): who the letters come from and where the debtor pays.

Nothing goes out before the profile is complete: a letter that asks for payment names the creditor's
legal name and IBAN, and letters also its address, KvK number where given, e-mail and phone. The IBAN is
checked with ``schwifty`` (ISO 13616 check digits and the country's account format), the VAT number with
``python-stdnum`` (the member state's own check), never with a hand-written pattern. The model itself is
``incasso.domain.models.Profile``; its checks and the readiness rule live here.
"""

from __future__ import annotations

from typing import Any


# What the profile must hold before any message or letter goes out (the contract's fields without "?").
REQUIRED_FIELDS = ("legal_name", "address", "iban", "email", "phone")
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9 ()\-]{6,32}$"
KVK_PATTERN = r"^[0-9]{8}$"


def check_iban(value: str) -> str:
    """The IBAN in compact form; ValueError naming what is wrong (check digits, length, country)."""
    from schwifty import IBAN  # on first use: 25 ms of registries that a step Lambda's cold start skips
    from schwifty.exceptions import SchwiftyException  # with IBAN, on first use

    try:
        return IBAN(value).compact
    except SchwiftyException as exc:
        raise ValueError(f"not a valid IBAN: {exc}") from None


def check_bic(value: str) -> str:
    from schwifty import BIC  # on first use, as check_iban
    from schwifty.exceptions import SchwiftyException  # with BIC, on first use

    try:
        return BIC(value).compact
    except SchwiftyException as exc:
        raise ValueError(f"not a valid BIC: {exc}") from None


def check_vat_number(value: str) -> str:
    """An EU VAT number (BTW-id), compact, checked by its member state's rule."""
    from stdnum.eu import vat as eu_vat  # on first use, as check_iban
    from stdnum.exceptions import ValidationError as StdnumError  # with eu_vat, on first use

    try:
        return eu_vat.validate(value)
    except StdnumError as exc:
        raise ValueError(f"not a valid EU VAT number: {exc}") from None


def bank_bic(iban: str) -> str | None:
    """The BIC schwifty knows for the IBAN's bank, or None."""
    from schwifty import IBAN  # on first use, as check_iban

    derived = IBAN(iban).bic
    return derived.compact if derived is not None else None


def missing_fields(profile: Any | None) -> list[str]:
    """The required fields the tenant has not given yet (all of them without a profile)."""
    if profile is None:
        return list(REQUIRED_FIELDS)
    return [name for name in REQUIRED_FIELDS if not getattr(profile, name, None)]


def is_ready(profile: Any | None) -> bool:
    return not missing_fields(profile)


class ProfileIncompleteError(RuntimeError):
    """A message or letter was asked for a tenant whose profile is not complete: nothing may go out."""


def require_profile(tenant: Any) -> Any:
    """The tenant's complete profile, the creditor every message and letter names."""
    if not is_ready(tenant.profile):
        raise ProfileIncompleteError(f"tenant {tenant.tenant_id} has no complete profile: "
                                     f"missing {', '.join(missing_fields(tenant.profile))}")
    return tenant.profile
