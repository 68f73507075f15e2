"""Mollie's Payments API (v2) through Mollie's official client, ``mollie-api-python``: create a payment,
fetch it back. The port is ``incasso.domain.portal.PaymentProvider``; ``incasso serve`` runs a fake that
answers like Mollie's API for what the client calls (``infra/local/psp.py``).

Only what the portal needs: ``client.payments.create`` (amount, description, redirectUrl, webhookUrl,
metadata; the payment's ``checkout_url`` is where the debtor pays) and ``client.payments.get``. Mollie's
webhook carries nothing but ``id``: the status is always fetched back from here. The client's errors
never leave this module: they become the domain's ``PaymentProviderError`` (or None: no such payment).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from incasso.domain.portal import PaymentProviderError, ProviderPayment
from incasso.money import Money
from incasso.settings import get_settings

if TYPE_CHECKING:
    from mollie.api.client import Client

TIMEOUT_SECONDS = (2, 10)  # connect, read
PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{4,64}$")
API_VERSION_SUFFIX = "/v2"  # the client adds the version itself; the settings name the versioned URL
# Mollie's payment statuses, as the port knows them; anything else is taken as not (yet) paid.
STATUSES = {status: status for status in ("open", "pending", "authorized", "paid", "failed", "canceled", "expired")}


class MolliePayments:
    def __init__(self, api_url: str, api_key: str) -> None:
        """``api_url``: Mollie's API (``https://api.mollie.com/v2``) or a stand-in that speaks it."""
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        self._client: Client | None = None

    @property
    def client(self) -> "Client":
        if self._client is None:
            # deferred: requests and the Mollie client load only when the portal takes or checks a payment
            from mollie.api.client import Client
            from mollie.api.error import Error as MollieError

            endpoint = self.api_url[: -len(API_VERSION_SUFFIX)] if self.api_url.endswith(API_VERSION_SUFFIX) \
                else self.api_url
            client = Client(api_endpoint=endpoint, timeout=TIMEOUT_SECONDS, retry=1)
            try:
                client.set_api_key(self._api_key)
            except MollieError as error:
                raise PaymentProviderError(f"the provider's API key is not usable: {error}") from error
            self._client = client
        return self._client

    def create_payment(self, *, amount: Money, description: str, redirect_url: str, webhook_url: str,
                       metadata: dict[str, str]) -> ProviderPayment:
        from mollie.api.error import Error as MollieError  # deferred with the client (above)

        client = self.client
        try:
            payment = client.payments.create({
                "amount": {"currency": "EUR", "value": f"{amount:.2f}"}, "description": description[:255],
                "redirectUrl": redirect_url, "webhookUrl": webhook_url, "metadata": metadata})
        except MollieError as error:
            raise PaymentProviderError(f"the provider did not create the payment: {error}") from error
        return _payment(payment)

    def get_payment(self, payment_id: str) -> ProviderPayment | None:
        """The payment as the provider knows it; None when it knows no such payment."""
        from mollie.api.error import Error as MollieError, NotFoundError  # deferred with the client (above)

        if not PAYMENT_ID.fullmatch(payment_id or ""):
            return None
        client = self.client
        try:
            payment = client.payments.get(payment_id)
        except NotFoundError:
            return None
        except MollieError as error:
            raise PaymentProviderError(f"the provider could not be asked: {error}") from error
        return _payment(payment)


def _payment(payment: Any) -> ProviderPayment:
    """The client's ``Payment`` object as the port's ``ProviderPayment``."""
    try:
        paid_at = payment.paid_at
        amount = payment.amount or {}
        return ProviderPayment(
            payment_id=payment.id, status=STATUSES.get(payment.status, "open"), amount=Decimal(amount["value"]),
            checkout_url=payment.checkout_url,
            paid_at=dt.datetime.fromisoformat(paid_at) if paid_at else None,
            metadata={str(k): str(v) for k, v in (payment.metadata or {}).items()})
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise PaymentProviderError(f"the provider's answer is not a payment: {error}") from error


def default_provider() -> MolliePayments:
    """Mollie with the key from the settings, or from Secrets Manager where the settings name a secret."""
    settings = get_settings()
    key = settings.payment_api_key
    if not key and settings.payment_api_key_secret:
        from incasso.adapters import aws  # deferred: boto3 loads only where a secret is named (cold start)

        key = aws.client("secretsmanager").get_secret_value(SecretId=settings.payment_api_key_secret)["SecretString"]
    return MolliePayments(settings.payment_api_url, key)
