"""The debtor's portal over HTTP (CONTRACT.md §8): public routes, no tenant token; the personal link's
token is the only key. Served by its own Lambda (``functions/portal``) behind API Gateway without the
Cognito authorizer (rate-limited by the WAF), and by ``incasso serve``'s front locally.

| method and path                            | what                                                    |
|--------------------------------------------|---------------------------------------------------------|
| ``GET /p/TOKEN[?lang=nl|en]``              | the page (HTML)                                         |
| ``POST /p/TOKEN/pay``                      | 303 to the payment provider's checkout                   |
| ``POST /p/TOKEN/dispute``                  | ``claim_id``, ``reason``, ``amount``? (a part): the claim |
|                                            | (or that part) pauses; 303 back                         |
| ``POST /p/TOKEN/arrangement``              | ``claim_id``, ``instalments``, ``first_due``; 303 back   |
| ``GET /p/TOKEN/letters/CLAIM_ID/N``        | one of the claim's letters as PDF                       |
| ``POST /p/webhooks/payments``              | the provider's webhook: ``id`` only; fetched back        |

Every form carries a CSRF token that must equal the ``portal_csrf`` cookie (SameSite=Strict, HttpOnly).
Every answer: a strict Content-Security-Policy (no scripts, the style sheet by nonce, no framing),
``Cache-Control: no-store`` and no referrer, so the token does not leak to another site.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import re
import secrets
from decimal import Decimal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from incasso import clock
from incasso.domain.portal import PaymentProviderError
from incasso.handlers import logger
from incasso.letters.portal_page import STRINGS, render_notice, render_page
from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError
from incasso.settings import get_settings
from incasso.services import wiring

if TYPE_CHECKING:  # built by wiring at the first request, as every handler's services (cold start)
    from incasso.services.portal import PortalService, PortalView

CSRF_COOKIE = "portal_csrf"
MAX_FORM_BYTES = 16 * 1024
# Where the pay form's redirect may lead (a browser applies form-action to the redirect too).
CHECKOUT_ORIGINS = ("https://www.mollie.com",)
_PAGE = re.compile(r"^/p/(?P<token>[^/]{1,200})(?P<rest>/(pay|dispute|arrangement|letters/[A-Za-z0-9_-]{1,64}/[0-9]{1,4}))?/?$")
DONE = frozenset({"accepted", "left", "disputed", "disputed_in_part", "payment_back"})


def _headers(nonce: str, content_type: str = "text/html; charset=utf-8") -> dict[str, str]:
    return {
        "Content-Type": content_type,
        "Content-Security-Policy": (f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self'; "
                                    f"form-action 'self' {' '.join(CHECKOUT_ORIGINS)}; frame-ancestors 'none'; "
                                    "base-uri 'none'"),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Strict-Transport-Security": "max-age=31536000",
    }


def _answer(status: int, body: str | bytes, nonce: str, *, content_type: str = "text/html; charset=utf-8",
            extra: dict[str, str] | None = None) -> dict[str, Any]:
    headers = {**_headers(nonce, content_type), **(extra or {})}
    if isinstance(body, bytes):
        return {"statusCode": status, "headers": headers, "body": base64.b64encode(body).decode(),
                "isBase64Encoded": True}
    return {"statusCode": status, "headers": headers, "body": body, "isBase64Encoded": False}


def _redirect(location: str, nonce: str) -> dict[str, Any]:
    return _answer(HTTPStatus.SEE_OTHER, "", nonce, extra={"Location": location})


class _Request:
    def __init__(self, event: dict[str, Any]) -> None:
        self.method = str(event.get("httpMethod") or "GET").upper()
        self.path = str(event.get("path") or "/")
        self.headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        self.query = {k: v for k, v in (event.get("queryStringParameters") or {}).items() if isinstance(v, str)}
        raw = event.get("body") or ""
        body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
        self.form: dict[str, str] = {}
        if len(body) <= MAX_FORM_BYTES:
            try:
                parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
            except (UnicodeDecodeError, ValueError):
                parsed = {}
            self.form = {key: values[-1] for key, values in parsed.items()}
        self.cookies: dict[str, str] = {}
        for part in self.headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name:
                self.cookies[name] = value


def handle(event: dict[str, Any], context: Any = None, *, service: PortalService | None = None) -> dict[str, Any]:
    """The portal Lambda's entry point (``functions/portal/handler.py``) and what ``incasso serve`` calls."""
    request = _Request(event)
    nonce = secrets.token_urlsafe(16)
    service = service or wiring.portal_service()
    language = request.query.get("lang") or request.form.get("lang") or ""
    try:
        if request.path.rstrip("/") == "/p/webhooks/payments":
            if request.method != "POST":
                raise NotFoundError("no such page")
            booked = service.on_provider_webhook(request.form.get("id", "")[:80])
            logger.info("payment webhook", extra={"claims_booked": len(booked)})
            return _answer(HTTPStatus.OK, "ok", nonce, content_type="text/plain; charset=utf-8")
        match = _PAGE.match(request.path)
        if match is None:
            raise NotFoundError("no such page")
        token, rest = match["token"], match["rest"] or ""
        if request.method == "GET" and not rest:
            return _page(service, request, token, language, nonce)
        if request.method == "GET" and rest.startswith("/letters/"):
            _, _, claim_id, index = rest.split("/")
            name, pdf = service.letter(token, claim_id, int(index))
            return _answer(HTTPStatus.OK, pdf, nonce, content_type="application/pdf",
                           extra={"Content-Disposition": f'inline; filename="{name}"'})
        if request.method != "POST" or not rest:
            raise NotFoundError("no such page")
        _check_csrf(request)
        here = _here(token)
        if rest == "/pay":
            return _redirect(service.checkout(token), nonce)
        if rest == "/dispute":
            claim = service.dispute(token, request.form.get("claim_id", ""), request.form.get("reason", ""),
                                    _amount(request.form.get("amount")))
            done = "disputed_in_part" if claim.disputed_amount is not None else "disputed"
            return _redirect(f"{here}?{_query(language, done)}", nonce)
        proposal = service.propose(token, request.form.get("claim_id", ""), _int(request.form.get("instalments")),
                                   _date(request.form.get("first_due")))
        return _redirect(f"{here}?{_query(language, 'accepted' if proposal.accepted else 'left')}", nonce)
    except NotFoundError:
        return _notice(HTTPStatus.NOT_FOUND, language, "Niet gevonden / Not found",
                       "Deze link is onbekend of verlopen. This link is unknown or has expired.", nonce)
    except (InvalidRequestError, _BadForm) as error:
        return _notice(HTTPStatus.UNPROCESSABLE_ENTITY, language, "Niet verwerkt / Not processed",
                       getattr(error, "message", str(error)), nonce)
    except ConflictError as error:
        return _notice(HTTPStatus.CONFLICT, language, "Niet verwerkt / Not processed", error.message, nonce)
    except PaymentProviderError as error:
        logger.warning("payment provider failed", extra={"reason": str(error)})
        return _notice(HTTPStatus.BAD_GATEWAY, language, "Betalen lukt nu niet / Payment unavailable",
                       "Probeer het later opnieuw. Please try again later.", nonce)


class _BadForm(Exception):
    pass


def _check_csrf(request: _Request) -> None:
    cookie, field = request.cookies.get(CSRF_COOKIE, ""), request.form.get("csrf", "")
    if not cookie or not field or not hmac.compare_digest(cookie.encode(), field.encode()):
        raise _BadForm("the form has expired: open the page again (CSRF)")


def _amount(value: str | None) -> Decimal | None:
    """The form's optional disputed amount ("125,50" or "125.50"); empty: the whole claim."""
    text = (value or "").strip().replace(" ", "")
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,9}([.,][0-9]{1,2})?", text):
        raise _BadForm("amount: an amount in euros, such as 125,50")
    return Decimal(text.replace(",", ".")).quantize(Decimal("0.01"))


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise _BadForm("instalments: a whole number") from None


def _date(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        raise _BadForm("first_due: a date (YYYY-MM-DD)") from None


def _query(language: str, done: str) -> str:
    return f"lang={language}&done={done}" if language in STRINGS else f"done={done}"


def _here(token: str) -> str:
    return f"{urlsplit(get_settings().portal_base_url).path.rstrip('/')}/p/{token}"


def _page(service: PortalService, request: _Request, token: str, language: str, nonce: str) -> dict[str, Any]:
    view: PortalView = service.open(token)
    if language not in STRINGS:
        language = view.claims[0].claim.debtor.language.value if view.claims else "nl"
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", csrf):
        csrf = secrets.token_urlsafe(24)
    profile = view.tenant.profile
    today = clock.today()
    html = render_page(language=language, variables={
        "nonce": nonce, "csrf": csrf, "here": _here(token), "claims": view.claims, "total": view.outstanding,
        "profile": profile, "creditor_name": (profile.trade_name or profile.legal_name) if profile else "",
        "notice": request.query.get("done") if request.query.get("done") in DONE else None,
        "today": today.isoformat(), "first_due": (today + dt.timedelta(days=7)).isoformat()})
    secure = "; Secure" if get_settings().portal_base_url.startswith("https://") else ""
    cookie = f"{CSRF_COOKIE}={csrf}; Path=/; HttpOnly; SameSite=Strict; Max-Age=7200{secure}"
    return _answer(HTTPStatus.OK, html, nonce, extra={"Set-Cookie": cookie, "Content-Language": language})


def _notice(status: int, language: str, title: str, message: str, nonce: str) -> dict[str, Any]:
    return _answer(status, render_notice(language=language, title=title, message=message, nonce=nonce), nonce)
