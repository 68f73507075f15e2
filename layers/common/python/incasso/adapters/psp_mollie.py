"""Mollie's Payments API (v2) over HTTPS: create a payment, fetch it back. The port is
``incasso.domain.portal.PaymentProvider``; ``incasso serve`` runs a fake that speaks the same API.

Only what the portal needs: ``POST /payments`` (amount, description, redirectUrl, webhookUrl, metadata;
the answer's ``_links.checkout.href`` is where the debtor pays) and ``GET /payments/{id}``. Mollie's
webhook carries nothing but ``id``: the status is always fetched back from here.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

from incasso.domain.portal import PaymentProviderError, ProviderPayment
from incasso.money import Money

TIMEOUT_SECONDS = 10
PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{4,64}$")


class MolliePayments:
    def __init__(self, api_url: str, api_key: str) -> None:
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key

    def create_payment(self, *, amount: Money, description: str, redirect_url: str, webhook_url: str,
                       metadata: dict[str, str]) -> ProviderPayment:
        body = {"amount": {"currency": "EUR", "value": f"{amount:.2f}"}, "description": description[:255],
                "redirectUrl": redirect_url, "webhookUrl": webhook_url, "metadata": metadata}
        answer = self._call("POST", "/payments", body)
        if answer is None:
            raise PaymentProviderError("the provider did not create the payment")
        return _payment(answer)

    def get_payment(self, payment_id: str) -> ProviderPayment | None:
        """The payment as the provider knows it; None when it knows no such payment."""
        if not PAYMENT_ID.fullmatch(payment_id or ""):
            return None
        answer = self._call("GET", f"/payments/{urllib.parse.quote(payment_id)}")
        return _payment(answer) if answer is not None else None

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any] | None:
        request = urllib.request.Request(
            f"{self.api_url}{path}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self._api_key}", "Accept": "application/json",
                     **({"Content-Type": "application/json"} if body is not None else {})})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https URL from settings
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise PaymentProviderError(f"the provider answered {error.code}") from error
        except (urllib.error.URLError, TimeoutError, json.JSONDecodeError) as error:
            raise PaymentProviderError(f"the provider could not be reached: {error}") from error


def _payment(answer: dict[str, Any]) -> ProviderPayment:
    try:
        paid_at = answer.get("paidAt")
        return ProviderPayment(
            payment_id=answer["id"], status=answer["status"], amount=Decimal(answer["amount"]["value"]),
            checkout_url=((answer.get("_links") or {}).get("checkout") or {}).get("href"),
            paid_at=dt.datetime.fromisoformat(paid_at) if paid_at else None,
            metadata={str(k): str(v) for k, v in (answer.get("metadata") or {}).items()})
    except (KeyError, TypeError, ValueError, ArithmeticError) as error:
        raise PaymentProviderError(f"the provider's answer is not a payment: {error}") from error


def default_provider() -> MolliePayments:
    """Mollie with the key from the settings, or from Secrets Manager where the settings name a secret."""
    from incasso.settings import get_settings

    settings = get_settings()
    key = settings.payment_api_key
    if not key and settings.payment_api_key_secret:
        from incasso.adapters import aws

        key = aws.client("secretsmanager").get_secret_value(SecretId=settings.payment_api_key_secret)["SecretString"]
    return MolliePayments(settings.payment_api_url, key)
