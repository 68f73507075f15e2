"""Calls to the tenant API (CONTRACT.md §3): over HTTP with a bearer token (``incasso serve`` or API
Gateway), or through the API Lambda of a local stack in this process (``incasso demo``). Both answer
``(status, JSON body)``; ``ApiError`` carries an unexpected answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from incasso_cli.reporting.portfolio import Customer, customer_of

PAGE_SIZE = 100


class ApiError(RuntimeError):
    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else str(body)[:300]
        super().__init__(f"{method} {path} answered {status}: {message}")


class Api(Protocol):
    def call(self, method: str, path: str, body: Any = None, *, query: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
        """Send one request; the answer's status and its JSON body (None when empty)."""


def expect(api: Api, status: int, method: str, path: str, body: Any = None, **options: Any) -> Any:
    """The JSON body of an answer that must have ``status``; ``ApiError`` otherwise."""
    answered, payload = api.call(method, path, body, **options)
    if answered != status:
        raise ApiError(method, path, answered, payload)
    return payload


class HttpApi:
    """The API at ``base_url`` (``http://127.0.0.1:8080``), as the tenant of ``token``."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 60) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method: str, path: str, body: Any = None, *, query: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
        # The path as the API names it (a debtor's reference may hold a space): quoted for the URL.
        url = self.base_url + quote(path, safe="/") + (f"?{urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Accept": "application/json",
            **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else None


class LambdaApi:
    """The API Lambda of a local stack in this process, called with the proxy event API Gateway would
    send for ``tenant_id`` (its authorizer's claims)."""

    def __init__(self, stack: Any, tenant_id: str) -> None:
        self.stack = stack
        self.tenant_id = tenant_id

    def call(self, method: str, path: str, body: Any = None, *, query: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[int, Any]:
        from incasso.api.proxy import proxy_event

        all_headers = {"content-type": "application/json", **(headers or {})} if body is not None else dict(headers or {})
        event = proxy_event(method, path, tenant_id=self.tenant_id,
                            body=None if body is None else json.dumps(body), headers=all_headers, query=query)
        response = self.stack.invoke("api", event)
        raw = response.get("body")
        return int(response["statusCode"]), json.loads(raw) if raw else None


def all_claims(api: Api) -> Iterator[dict[str, Any]]:
    """Every claim of the tenant, page by page (``GET /v1/claims``)."""
    token: str | None = None
    while True:
        query = {"limit": str(PAGE_SIZE), **({"next_token": token} if token else {})}
        page = expect(api, 200, "GET", "/v1/claims", query=query)
        yield from page["items"]
        token = page.get("next_token")
        if not token:
            return


def summary(api: Api) -> dict[str, Any]:
    return expect(api, 200, "GET", "/v1/reports/summary")


def all_debtors(api: Api) -> Iterator[dict[str, Any]]:
    """Every debtor of the tenant, page by page (``GET /v1/debtors``)."""
    token: str | None = None
    while True:
        query = {"limit": str(PAGE_SIZE), **({"next_token": token} if token else {})}
        page = expect(api, 200, "GET", "/v1/debtors", query=query)
        yield from page["items"]
        token = page.get("next_token")
        if not token:
            return


def customers(api: Api) -> list[Customer]:
    """A row per debtor: the list's line, the debtor's view and its credit check."""
    rows = []
    for listed in all_debtors(api):
        path = f"/v1/debtors/{listed['reference']}"
        rows.append(customer_of(listed, expect(api, 200, "GET", path), expect(api, 200, "GET", f"{path}/credit")))
    return rows


def history(api: Api) -> dict[str, Any]:
    return expect(api, 200, "GET", "/v1/reports/history")
