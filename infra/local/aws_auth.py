"""The local AWS endpoint checks what AWS checks before it serves a request: a signature.

moto's server serves anyone. In front of it (WSGI middleware), as S3 does for a private bucket:

- a presigned URL (SigV4 query authentication: ``X-Amz-Signature`` and friends) is served only when its
  signature, recomputed with the stack's credentials over the method, the path as sent, the query and the
  signed headers, is the one it carries, and it has not expired (``X-Amz-Date`` + ``X-Amz-Expires``
  against real time: botocore signs with the wall clock, not the simulated one). A key altered after
  signing (``tenants/tenant-a/`` -> ``tenants/tenant-b/``) or another method no longer matches;
- a request without any authentication (no ``Authorization`` header, no query signature) is refused;
- requests signed in the header are the SDK clients of processes given the stack's credentials
  (``LocalServer.env()``): passed on. ``/moto-api/`` (moto's own control endpoints) is passed on.

A refusal is S3's: 403 with an XML ``<Error>`` (``AccessDenied``, ``SignatureDoesNotMatch``,
``InvalidAccessKeyId``), or 400 for a URL that is not SigV4 at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote
from xml.sax.saxutils import escape

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_EXPIRES = 7 * 24 * 3600  # SigV4's own limit


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def _encode(text: str) -> str:
    return quote(text, safe="-_.~")


def presigned_refusal(method: str, raw_path: str, raw_query: str, headers: Mapping[str, str],
                      credentials: Mapping[str, str], now: dt.datetime) -> tuple[str, str] | None:
    """Why a presigned request is refused, as S3's ``(code, message)``; None when it is good."""
    params = parse_qsl(raw_query, keep_blank_values=True)
    values = dict(params)
    try:
        credential = values["X-Amz-Credential"].split("/")
        access_key, day, region, service, terminal = credential
        signed_at = dt.datetime.strptime(values["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.timezone.utc)
        expires = int(values["X-Amz-Expires"])
        signed_headers = values["X-Amz-SignedHeaders"].split(";")
        signature = values["X-Amz-Signature"]
    except (KeyError, ValueError):
        return "AuthorizationQueryParametersError", "the presigned URL lacks or garbles its signing parameters"
    if values.get("X-Amz-Algorithm") != ALGORITHM or terminal != "aws4_request" or \
            day != signed_at.strftime("%Y%m%d") or not 1 <= expires <= MAX_EXPIRES:
        return "AuthorizationQueryParametersError", "the presigned URL's signing parameters are not SigV4's"
    secret = credentials.get(access_key)
    if secret is None:
        return "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
    lower = {name.lower(): value for name, value in headers.items()}
    if any(name not in lower for name in signed_headers):
        return "SignatureDoesNotMatch", "a signed header is missing from the request"
    query = "&".join(f"{_encode(name)}={_encode(value)}"
                     for name, value in sorted(params) if name != "X-Amz-Signature")
    canonical_headers = "".join(f"{name}:{' '.join(lower[name].split())}\n" for name in signed_headers)
    canonical = "\n".join([method, raw_path or "/", query, canonical_headers, ";".join(signed_headers),
                           "UNSIGNED-PAYLOAD"])
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, values["X-Amz-Date"], scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret}".encode(), day), region), service), "aws4_request")
    expected = hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "SignatureDoesNotMatch", ("The request signature we calculated does not match the signature you "
                                         "provided. Check your key and signing method.")
    if now > signed_at + dt.timedelta(seconds=expires):
        return "AccessDenied", "Request has expired"
    return None


def require_signatures(app: Callable[..., Any], credentials: Mapping[str, str],
                       now: Callable[[], dt.datetime] = _now) -> Callable[..., Any]:
    """WSGI middleware: ``app`` sees only requests that are signed (presigned ones checked in full)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "/")
        raw_path, _, raw_query = raw_uri.partition("?")
        if raw_path.startswith("/moto-api/"):
            return app(environ, start_response)
        if "X-Amz-Signature=" in raw_query:
            headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                       if key.startswith("HTTP_")}
            for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                if environ.get(key):
                    headers[key.replace("_", "-").lower()] = environ[key]
            refusal = presigned_refusal(environ.get("REQUEST_METHOD", "GET"), raw_path, raw_query, headers,
                                        credentials, now())
        elif environ.get("HTTP_AUTHORIZATION"):
            refusal = None
        elif "Signature=" in raw_query:  # Signature Version 2, which S3 no longer accepts in new regions
            refusal = ("InvalidRequest", "The authorization mechanism you have provided is not supported. "
                                         "Please use AWS4-HMAC-SHA256.")
        else:
            refusal = ("AccessDenied", "Access Denied: the request is not signed")
        if refusal is None:
            return app(environ, start_response)
        code, message = refusal
        body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                f"<Message>{escape(message)}</Message><Resource>{escape(raw_path)}</Resource></Error>").encode()
        status = "400 Bad Request" if code in ("InvalidRequest", "AuthorizationQueryParametersError") else "403 Forbidden"
        start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]

    return wrapped
