"""boto3 clients, created once per process (cold start) and reused by every adapter."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_clients: dict[str, Any] = {}
_session: Any = None  # one boto3 session: its loaders (service models, endpoints) are shared by all clients
_lock = threading.Lock()


def client(service: str, *, signature_version: str | None = None) -> Any:
    """A cached boto3 client for ``service``; endpoint and region come from the environment.
    ``signature_version`` (e.g. "s3v4" for presigned S3 URLs) gives a client of its own."""
    name = f"{service}@{signature_version}" if signature_version else service
    cached = _clients.get(name)
    if cached is not None:
        return cached
    global _session
    with _lock:
        if name not in _clients:
            if _session is None:
                _session = boto3.session.Session()
            config = None
            if signature_version:
                config = Config(signature_version=signature_version)
            _clients[name] = _session.client(service, config=config)
        return _clients[name]


def reset_clients() -> None:
    """Drop cached clients (the local stack calls this when it changes endpoint or credentials)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
