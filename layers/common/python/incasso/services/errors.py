"""Errors the services raise; the API maps each to one HTTP answer in one place."""

from __future__ import annotations


class ServiceError(Exception):
    code = "error"

    def __init__(self, message: str, details: list[dict] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFoundError(ServiceError):
    code = "not_found"


class ConflictError(ServiceError):
    code = "conflict"


class InvalidRequestError(ServiceError):
    """A request that is well-formed but not acceptable for this claim (an overpayment, say)."""

    code = "invalid_request"
