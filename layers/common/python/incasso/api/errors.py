"""Every error answer of the API, in one place: ``{"error": {"code", "message", "details": [...]}}``.

Routes raise; the resolver's exception handlers registered here turn each exception into its one HTTP
answer. Anything unexpected becomes a 500 without internals (and is logged with its traceback).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.exceptions import ServiceError as HttpError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)

from incasso.services.errors import ConflictError, InvalidRequestError, NotFoundError, ServiceError

logger = Logger(service="incasso", child=True)


class ApiError(Exception):
    """An error answer decided by the API layer itself (authentication, a malformed request)."""

    def __init__(self, status: HTTPStatus, code: str, message: str, details: list[dict] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []
        self.headers = headers or {}


def unauthorized() -> ApiError:
    return ApiError(HTTPStatus.UNAUTHORIZED, "unauthorized", "a valid bearer token is required",
                    headers={"WWW-Authenticate": "Bearer"})


def error_response(status: HTTPStatus | int, code: str, message: str, details: list[dict] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=int(status),
        content_type=content_types.APPLICATION_JSON,
        body={"error": {"code": code, "message": message, "details": details or []}},
        headers=headers or None,
    )


_SERVICE_STATUS = {
    NotFoundError: (HTTPStatus.NOT_FOUND, "not_found"),
    ConflictError: (HTTPStatus.CONFLICT, "conflict"),
    InvalidRequestError: (HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_request"),
}
_LOCATIONS = ("body", "query", "path", "header", "cookie")


def field_name(loc: tuple | list) -> str:
    """A pydantic error location as a dotted field name: ("body", "debtor", "type") -> "debtor.type"."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        where = parts.pop(0)
        if not parts or (where == "body" and all(isinstance(p, int) for p in parts)):
            return "body"  # the body as a whole (missing, not an object, not JSON at all)
        if where == "header":  # as clients write it: Idempotency-Key
            return "-".join(word.capitalize() for word in str(parts[0]).split("-"))
    return ".".join(str(part) for part in parts)


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "the body is not valid JSON"
    message = str(error.get("msg") or "invalid value")
    # pydantic prefixes messages of custom validators; the reader needs only the reason.
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    details, seen = [], set()
    for error in errors:
        detail = {"field": field_name(error.get("loc", ())), "message": _message(error)}
        key = (detail["field"], detail["message"])
        if key not in seen:
            seen.add(key)
            details.append(detail)
    return details


def register_error_handlers(app: Any, *, allowed_methods: Any) -> None:
    """Install the handlers on ``app``. ``allowed_methods(path)`` names the methods a path has (for 405)."""

    @app.exception_handler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    def _invalid(exc: RequestValidationError) -> Response:
        details = validation_details(exc.errors())
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "validation_error", "the request is not valid",
                              details)

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(exc: RequestUnsupportedContentType) -> Response:
        return error_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                              "send the body as application/json")

    @app.exception_handler(ServiceError)
    def _service(exc: ServiceError) -> Response:
        status, code = next(((s, c) for kind, (s, c) in _SERVICE_STATUS.items() if isinstance(exc, kind)),
                            (HTTPStatus.UNPROCESSABLE_ENTITY, exc.code))
        return error_response(status, code, exc.message, exc.details)

    @app.exception_handler(HttpError)
    def _http(exc: HttpError) -> Response:
        status = HTTPStatus(int(exc.status_code))
        message = exc.msg if isinstance(exc.msg, str) else status.phrase
        return error_response(status, status.phrase.lower().replace(" ", "_"), message)

    @app.exception_handler(RouteNotFoundError)
    def _no_route(exc: RouteNotFoundError) -> Response:
        event = app.current_event
        methods = allowed_methods(event.path)
        if methods:
            return error_response(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                                  f"{event.http_method} is not allowed here",
                                  [{"field": "method", "message": f"allowed: {', '.join(methods)}"}],
                                  {"Allow": ", ".join(methods)})
        return error_response(HTTPStatus.NOT_FOUND, "not_found", "no such resource")

    _register_idempotency_errors(app)

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected error")
        return error_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal_error",
                              "something went wrong on our side; please try again later")


def _register_idempotency_errors(app: Any) -> None:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (  # deferred, as api.idempotency
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    # The Idempotency-Key header draft (IETF httpapi): a concurrent retry is 409, a key reused
    # for another request body is 422.
    @app.exception_handler(IdempotencyAlreadyInProgressError)
    def _in_progress(exc: Exception) -> Response:
        return error_response(HTTPStatus.CONFLICT, "request_in_progress",
                              "a request with this Idempotency-Key is still being processed; retry shortly",
                              [{"field": "Idempotency-Key", "message": "in progress"}])

    @app.exception_handler(IdempotencyValidationError)
    def _key_reused(exc: Exception) -> Response:
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "idempotency_key_reused",
                              "this Idempotency-Key was used for a different request",
                              [{"field": "Idempotency-Key", "message": "already used with another body"}])
