"""An HTTP request as API Gateway (REST, Lambda proxy) hands it to the API Lambda.

``incasso serve`` uses it to call the handler exactly as API Gateway would, with the authorizer's
claims of a verified token; tests use it to call the handler directly.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from typing import Any

from incasso.api.auth import authorizer_claims

STAGE = "prod"


def proxy_event(method: str, path: str, *, tenant_id: str | None = None, body: str | bytes | None = None,
                headers: Mapping[str, str] | None = None,
                query: Mapping[str, str | list[str]] | None = None,
                request_id: str | None = None, source_ip: str = "127.0.0.1",
                role: str | None = None, client_id: str | None = None) -> dict[str, Any]:
    """The proxy event of one request; ``tenant_id`` None means no (valid) token: no authorizer claims.
    ``role`` None: the token names no role (the API treats it as a manager's)."""
    headers = dict(headers or {})
    multi_query = {key: list(value) if isinstance(value, list) else [value] for key, value in (query or {}).items()}
    encoded = False
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            body, encoded = base64.b64encode(body).decode("ascii"), True
    request_id = request_id or str(uuid.uuid4())
    context: dict[str, Any] = {
        "accountId": "000000000000",
        "apiId": "local",
        "stage": STAGE,
        "requestId": request_id,
        "httpMethod": method.upper(),
        "path": f"/{STAGE}{path}",
        "resourcePath": path,
        "identity": {"sourceIp": source_ip},
    }
    if tenant_id is not None:
        context["authorizer"] = {"claims": authorizer_claims(tenant_id, role, client_id)}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers or None,
        "multiValueHeaders": {key: [value] for key, value in headers.items()} or None,
        "queryStringParameters": {key: values[-1] for key, values in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }
