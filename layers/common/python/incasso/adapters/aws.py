"""boto3 clients, created once per process (cold start) and reused by every adapter."""

from __future__ import annotations

import threading
from typing import Any

_clients: dict[str, Any] = {}
_session: Any = None  # one boto3 session: its loaders (service models, endpoints) are shared by all clients
_lock = threading.Lock()


def client(service: str) -> Any:
    """A cached boto3 client for ``service``; endpoint and region come from the environment."""
    cached = _clients.get(service)
    if cached is not None:
        return cached
    global _session
    with _lock:
        if service not in _clients:
            if _session is None:
                import boto3

                _session = boto3.session.Session()
            _clients[service] = _session.client(service)
        return _clients[service]


def reset_clients() -> None:
    """Drop cached clients (the local stack calls this when it changes endpoint or credentials)."""
    global _session
    with _lock:
        _clients.clear()
        _session = None
