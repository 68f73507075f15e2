"""The local HTTP front of ``incasso serve``: API Gateway's part, played on 127.0.0.1.

Each request becomes the API Gateway (REST, Lambda proxy) event the API Lambda gets in AWS, with the
claims of a verified bearer token in ``requestContext.authorizer.claims`` (no or a bad token: no claims,
and the API answers 401), and the real API handler runs through the stack's Lambda, with the api
function's environment. Besides the API, two local-only endpoints (CONTRACT.md §3):

- ``POST /_local/clock/advance {"days": N}`` moves the simulated clock N days, day by day, and answers
  ``{"now": ...}`` once everything due has settled; ``GET /_local/clock`` answers the time;
- ``GET /_local/outbox[?claim_id=]`` lists the messages sent, oldest first (with a token only that
  tenant's, a bad token is 401; without one everyone's): a Scan of the message records, acceptable here
  because it is local only.

Off loopback (``incasso serve --host 0.0.0.0``, which needs a token secret of the user's own) every
``/_local/`` route needs a valid token: nobody on the network lists every tenant's letters.

Requests are served the way API Gateway would, concurrently: a bounded pool of worker threads behind a
listen backlog of ``LISTEN_BACKLOG`` (a slow or stalled client holds one worker, never the server; a
socket that sends nothing for ``CLIENT_TIMEOUT_SECONDS`` is closed), and their handlers run in parallel
(``lambda_runtime``: one slow request of one tenant holds up nobody else). The simulated clock stays
exact: ``ClockGate`` lets any number of requests run together, or one clock advance alone; an advance
waits for the requests in progress and holds new ones back until everything due has settled, so no
request ever runs at a moment half-way through a day's work. The workers are daemon threads: a request
stuck in its handler never keeps a stopped ``incasso serve`` alive.

``keep_upload_bodies`` sits in front of the AWS endpoint so that a plain ``curl -X PUT --data-binary``
to a presigned URL stores the file whole; ``use_local_aws`` and ``quiet_logs`` set up the process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LOG = logging.getLogger(__name__)
MAX_BODY_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
MAX_ADVANCE_DAYS = 3650
LISTEN_BACKLOG = 128  # socketserver's default of 5 resets connections under 20 concurrent requests
WORKERS = 32
CLIENT_TIMEOUT_SECONDS = 30


def use_local_aws(region: str) -> None:
    """Make this process's AWS SDK talk to the local stack only: fake credentials, a fixed region, no
    profile, config file or endpoint of the user's that could send a call to a real account."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
                 "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": region,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    })


def quiet_logs(level: int = logging.WARNING) -> None:
    """Logs at ``level`` and up only, on stderr (stdout belongs to the command's own output): the
    handlers' Powertools logger (configured before any handler loads it) and moto's request log."""
    from incasso.handlers import logger

    logging.getLogger("werkzeug").setLevel(level)
    logger.setLevel(level)
    for handler in logging.getLogger(logger.name).handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
            handler.setStream(sys.stderr)


def keep_upload_bodies(app: Callable[..., Any]) -> Callable[..., Any]:
    """WSGI middleware for the AWS endpoint: a PUT sent with a form's Content-Type reaches moto as
    ``application/octet-stream``.

    ``curl --data-binary`` and ``urllib`` label a body ``application/x-www-form-urlencoded`` unless told
    otherwise; S3 stores such an upload as it is, but moto's server parses it as form fields and stores
    an empty object (or loses a Windows-1252 file while decoding it). So the file a tenant PUTs to its
    presigned URL arrives whole; only its stored Content-Type differs from what S3 would keep.
    """

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("REQUEST_METHOD") == "PUT" and \
                environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
            environ["CONTENT_TYPE"] = "application/octet-stream"
        return app(environ, start_response)

    return wrapped


def serve_uploads_whole(server: Any) -> None:
    """Put ``keep_upload_bodies`` in front of a ``LocalServer``'s moto application (its werkzeug server
    reads ``app`` for every request)."""
    http_server = server._server._server  # LocalServer -> ThreadedMotoServer -> werkzeug server
    http_server.app = keep_upload_bodies(http_server.app)


def iso_utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The API's error shape (CONTRACT.md §3)."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def outbox(stack: Any, *, tenant_id: str | None = None, claim_id: str | None = None) -> list[dict[str, Any]]:
    """Messages sent, oldest first, in the outbox shape; all tenants' unless ``tenant_id``."""
    from incasso.letters.message_text import SentMessage

    dynamodb = stack.client("dynamodb")
    scan: dict[str, Any] = {
        "TableName": stack.names["claims"],
        "FilterExpression": "#entity = :message AND attribute_exists(#record)",
        "ExpressionAttributeNames": {"#entity": "entity", "#record": "record"},
        "ExpressionAttributeValues": {":message": {"S": "message"}},
    }
    found: list[tuple[str, str, dict[str, Any]]] = []
    for page in dynamodb.get_paginator("scan").paginate(**scan):
        for item in page["Items"]:
            owner, _, rest = item["pk"]["S"].partition("#CLAIM#")
            if (tenant_id is not None and owner != tenant_id) or (claim_id is not None and rest != claim_id):
                continue
            message = SentMessage.model_validate(json.loads(item["record"]["S"])).to_outbox()
            found.append((message["sent_at"], item.get("recorded_at", {}).get("S", ""), message))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [message for _, _, message in found]


class ClockGate:
    """Many requests at once, or one clock advance alone (a readers-writer lock that lets a waiting
    advance go first, so that a stream of requests cannot hold the clock back for ever)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._requests = 0
        self._advancing = False
        self._advances_waiting = 0

    @contextmanager
    def request(self) -> Iterator[None]:
        with self._cond:
            while self._advancing or self._advances_waiting:
                self._cond.wait()
            self._requests += 1
        try:
            yield
        finally:
            with self._cond:
                self._requests -= 1
                self._cond.notify_all()

    @contextmanager
    def alone_if_idle(self, within: float) -> Iterator[bool]:
        """Alone like ``advance`` if no request runs within ``within`` seconds; meanwhile new requests
        are not held back (a snapshot must not make everybody wait for one slow request). Yields
        whether it is alone."""
        deadline = time.monotonic() + within
        with self._cond:
            while self._advancing or self._advances_waiting or self._requests:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            alone = not (self._advancing or self._advances_waiting or self._requests)
            if alone:
                self._advancing = True
        try:
            yield alone
        finally:
            if alone:
                with self._cond:
                    self._advancing = False
                    self._cond.notify_all()

    @contextmanager
    def advance(self) -> Iterator[None]:
        with self._cond:
            self._advances_waiting += 1
            try:
                while self._advancing or self._requests:
                    self._cond.wait()
            finally:
                self._advances_waiting -= 1
            self._advancing = True
        try:
            yield
        finally:
            with self._cond:
                self._advancing = False
                self._cond.notify_all()


class _Workers:
    """A bounded pool of daemon worker threads, started as work arrives (at most ``size``)."""

    def __init__(self, size: int, name: str) -> None:
        self._size = size
        self._name = name
        self._tasks: queue.SimpleQueue[tuple[Callable[..., None], tuple[Any, ...]] | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._lock = threading.Lock()
        self._threads = 0
        self._closed = False

    def submit(self, work: Callable[..., None], *args: Any) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the workers are shut down")
            self._tasks.put((work, args))
            if self._idle.acquire(blocking=False) or self._threads >= self._size:
                return
            self._threads += 1
            threading.Thread(target=self._work, name=f"{self._name}-{self._threads}", daemon=True).start()

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            work, args = task
            try:
                work(*args)
            except Exception:  # noqa: BLE001 - one request's failure must not end the worker
                LOG.exception("local front: a worker's request failed")
            self._idle.release()

    def shutdown(self) -> None:
        """Drop the work not started; running work ends on its own (daemon threads never hold up an exit)."""
        with self._lock:
            self._closed = True
            try:
                while True:
                    self._tasks.get_nowait()
            except queue.Empty:
                pass
            for _ in range(self._threads):
                self._tasks.put(None)


class _PooledHTTPServer(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` with a bounded pool of workers instead of a thread per connection."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], workers: int) -> None:
        self._pool = _Workers(workers, "incasso-front-worker")
        super().__init__(address, handler)  # closes the server (and the pool) when it cannot bind

    def process_request(self, request: Any, client_address: Any) -> None:
        self._pool.submit(self.process_request_thread, request, client_address)

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown()


def is_loopback(host: str) -> bool:
    """Whether ``host`` (what ``--host`` names) listens on this machine only."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class LocalFront:
    """The front on ``host:port`` (0: a free port); bound at once, so a taken port fails here.

    ``attach(stack)`` gives it the stack to call (deployed after binding, so that a taken port is
    reported before the deployment's seconds), ``start()`` serves in a background thread. Off loopback
    the ``/_local/`` routes need a token (``local_routes_need_token``, on by default there).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 8080, *, workers: int = WORKERS,
                 local_routes_need_token: bool | None = None) -> None:
        self._stack: Any = None
        self.gate = ClockGate()
        self._http = _PooledHTTPServer((host, port), _handler_class(self), workers)
        self._thread: threading.Thread | None = None
        self.host = host
        self.local_routes_need_token = (not is_loopback(host)) if local_routes_need_token is None \
            else local_routes_need_token
        self.on_request: Callable[[], None] = lambda: None  # told of every request (serve's snapshots)
        self.psp: Any = None  # the fake payment provider of the debtor's portal, once enable_portal ran

    @property
    def port(self) -> int:
        return self._http.server_address[1]

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def attach(self, stack: Any) -> None:
        self._stack = stack

    def start(self) -> None:
        self._thread = threading.Thread(target=self._http.serve_forever, name="incasso-local-front", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._http.shutdown()
            self._thread.join()
            self._thread = None
        self._http.server_close()

    # -- what a request does -------------------------------------------------------------------
    def tenant_for(self, authorization: str | None) -> str | None:
        from incasso.api.auth import tenant_for_authorization

        return tenant_for_authorization(authorization)

    def identity_for(self, authorization: str | None) -> tuple[str | None, str | None, str | None]:
        """(tenant, role, machine client) of a valid token, as the Cognito authorizer's claims carry them."""
        from incasso.api.auth import CLIENT_CLAIM, ROLE_CLAIM, TENANT_CLAIM, claims_for_authorization

        claims = claims_for_authorization(authorization) or {}
        return claims.get(TENANT_CLAIM), claims.get(ROLE_CLAIM), claims.get(CLIENT_CLAIM)

    def issue_client_token(self, body: bytes, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """Cognito's token endpoint for the client-credentials grant (RFC 6749 §4.4): id and secret in HTTP
        Basic or the form; the token names the tenant the client was created for, never one asked for."""
        import base64
        import binascii
        from urllib.parse import parse_qs

        from incasso.adapters.api_clients import ApiClientTable, LocalClients
        from incasso.api.auth import local_token_secret, mint_local_token
        from incasso.domain.api_clients import TOKEN_SECONDS
        from incasso.services.api_clients import ApiClientService

        form = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return 400, {"error": "unsupported_grant_type"}
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        scheme, _, encoded = (authorization or "").partition(" ")
        if scheme.lower() == "basic":
            try:
                client_id, _, secret = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return 400, {"error": "invalid_client"}
        service = ApiClientService(ApiClientTable(self._stack.names["claims"], client=self._stack.client("dynamodb")),
                                   LocalClients())
        client = service.authenticate(client_id, secret)
        if client is None:
            return 400, {"error": "invalid_client"}
        token = mint_local_token(client.tenant_id, local_token_secret(), ttl=dt.timedelta(seconds=TOKEN_SECONDS),
                                 role=client.role, client_id=client.client_id)
        return 200, {"access_token": token, "expires_in": TOKEN_SECONDS, "token_type": "Bearer"}

    def call_api(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                 body: bytes) -> tuple[int, dict[str, str], bytes]:
        """The API Lambda's answer to one request, as API Gateway would pass it on."""
        from incasso.api.proxy import proxy_event
        from infra.local.stack import HandlerError

        authorization = next((value for name, value in headers.items() if name.lower() == "authorization"), None)
        tenant_id, role, client_id = self.identity_for(authorization)
        event = proxy_event(method, path, tenant_id=tenant_id, role=role, client_id=client_id, body=body or None,
                            headers=headers, query=query)
        try:
            result = self._stack.invoke("api", event)
        except HandlerError as error:  # API Gateway: a failed integration is a 502
            LOG.error("the API function failed: %s", error)
            return 502, {"Content-Type": "application/json"}, json.dumps(
                error_body("internal_error", "the API function failed")).encode()
        response_headers: dict[str, str] = {}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            response_headers[name] = ", ".join(str(value) for value in values)
        for name, value in (result.get("headers") or {}).items():
            response_headers[name] = str(value)
        raw = result.get("body") or ""
        if result.get("isBase64Encoded"):
            import base64

            payload = base64.b64decode(raw)
        else:
            payload = raw.encode("utf-8")
        return int(result.get("statusCode", 200)), response_headers, payload

    # -- the debtor's portal (CONTRACT.md §8): /p/... to the portal function, /_local/psp/... the fake provider
    def enable_portal(self, api_key: str) -> dict[str, str]:
        """Serve the portal and a fake payment provider; the environment the product needs to use them."""
        from infra.local.psp import FakeMollie, portal_environment

        self.psp = FakeMollie(lambda: self.endpoint, api_key, deliver_webhook=self._portal_webhook)
        self.psp.now = lambda: iso_utc(self._stack.now())
        return portal_environment(self.endpoint, api_key)

    def call_portal(self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str],
                    body: bytes) -> tuple[int, dict[str, str], bytes]:
        """The portal function's answer, as API Gateway passes it on (a public route: no authorizer)."""
        from incasso.api.proxy import proxy_event
        from infra.local.stack import HandlerError

        event = proxy_event(method, path, body=body or None, headers=headers, query=query)
        try:
            result = self._stack.invoke("portal", event)
        except HandlerError as error:
            LOG.error("the portal function failed: %s", error)
            return 502, {"Content-Type": "text/plain"}, b"the portal failed"
        import base64

        raw = result.get("body") or ""
        payload = base64.b64decode(raw) if result.get("isBase64Encoded") else raw.encode("utf-8")
        return int(result.get("statusCode", 200)), {k: str(v) for k, v in (result.get("headers") or {}).items()}, payload

    def _portal_webhook(self, url: str, body: bytes) -> int:
        """The fake provider's webhook to this front's own portal, called in-process (as a request would be)."""
        if not url.startswith(self.endpoint + "/"):
            from infra.local.psp import _post_form

            return _post_form(url, body)
        with self.gate.request():
            status, _, _ = self.call_portal("POST", urlsplit(url[len(self.endpoint):]).path, {},
                                            {"Content-Type": "application/x-www-form-urlencoded"}, body)
        return status

    def advance(self, body: bytes) -> tuple[int, dict[str, Any]]:
        try:
            request = json.loads(body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return 422, error_body("validation_error", "the body is not JSON", [{"field": "body", "message": "not JSON"}])
        days = request.get("days") if isinstance(request, dict) else None
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_ADVANCE_DAYS:
            return 422, error_body("validation_error", "days must be a whole number of days",
                                   [{"field": "days", "message": f"an integer from 0 to {MAX_ADVANCE_DAYS}"}])
        with self.gate.advance():  # alone: requests wait, so the clock stays exact
            now = self._stack.advance(days=days)
        return 200, {"now": iso_utc(now)}

    def now(self) -> dict[str, str]:
        return {"now": iso_utc(self._stack.now())}

    def outbox(self, query: dict[str, list[str]], authorization: str | None) -> list[dict[str, Any]]:
        claim_id = (query.get("claim_id") or [None])[-1] or None
        return outbox(self._stack, tenant_id=self.tenant_for(authorization), claim_id=claim_id)


def _handler_class(front: LocalFront) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "incasso-local"
        protocol_version = "HTTP/1.1"
        timeout = CLIENT_TIMEOUT_SECONDS  # a client that stalls loses its connection, not the server

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            LOG.info("%s %s", self.address_string(), format % args)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            lower = {name.lower() for name in headers}
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            if "content-type" not in lower and body:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if self.command != "HEAD" else 0))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, payload: Any) -> None:
            self._send(status, {"Content-Type": "application/json"}, json.dumps(payload).encode("utf-8"))

        def _body(self) -> bytes | None:
            length = self.headers.get("Content-Length")
            if not length:
                return b""
            try:
                size = int(length)
            except ValueError:
                size = -1
            if not 0 <= size <= MAX_BODY_BYTES:
                self.close_connection = True
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE if size > 0 else HTTPStatus.BAD_REQUEST,
                           error_body("bad_request", f"the body must be 0 to {MAX_BODY_BYTES} bytes"))
                return None
            return self.rfile.read(size)

        def _handle(self) -> None:
            front.on_request()
            body = self._body()
            if body is None:
                return
            url = urlsplit(self.path)
            path = unquote(url.path) or "/"
            query = parse_qs(url.query, keep_blank_values=True)
            try:
                route = _LOCAL_ROUTES.get((self.command, path))
                if front.psp is not None and path.startswith("/_local/psp/"):
                    # The fake provider: its API checks its own key; a browser completes its checkout.
                    self._send(*front.psp.handle(self.command, path, dict(self.headers.items()), body))
                    return
                if front.psp is not None and path.startswith("/p/"):
                    headers = {name: value for name, value in self.headers.items()}
                    with front.gate.request():
                        self._send(*front.call_portal(self.command, path, query, headers, body))
                    return
                if path.startswith("/_local/") and front.local_routes_need_token and \
                        front.tenant_for(self.headers.get("Authorization")) is None:
                    self._json(401, error_body("unauthorized", "off loopback the local endpoints need a valid token"))
                elif route is _advance:
                    route(self, front, query, body)  # takes the gate alone
                elif route is not None:
                    with front.gate.request():
                        route(self, front, query, body)
                elif path.startswith("/_local/"):
                    self._json(404, error_body("not_found", f"no local endpoint {self.command} {path}"))
                else:
                    headers = {name: value for name, value in self.headers.items()}
                    with front.gate.request():
                        status, response_headers, payload = front.call_api(self.command, path, query, headers, body)
                    self._send(status, response_headers, payload)
            except Exception:  # the front itself failed: say so, keep serving
                LOG.exception("local front: %s %s failed", self.command, path)
                self._json(500, error_body("internal_error", "the local front failed; see its log"))

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

        def __getattr__(self, name: str) -> Any:
            # A method the front does not know (TRACE, CONNECT, PROPFIND, ...): 405 in the API's JSON error
            # shape, as API Gateway answers, instead of http.server's 501 HTML page.
            if name.startswith("do_"):
                return self._method_not_allowed
            raise AttributeError(name)

        def _method_not_allowed(self) -> None:
            self.close_connection = True
            self._json(HTTPStatus.METHOD_NOT_ALLOWED, error_body(
                "method_not_allowed", f"{self.command} is not allowed",
                [{"field": "method", "message": "allowed: GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"}]))

    return Handler


def _advance(handler: Any, front: LocalFront, query: dict[str, list[str]], body: bytes) -> None:
    status, payload = front.advance(body)
    handler._json(status, payload)


def _clock(handler: Any, front: LocalFront, query: dict[str, list[str]], body: bytes) -> None:
    handler._json(200, front.now())


def _outbox(handler: Any, front: LocalFront, query: dict[str, list[str]], body: bytes) -> None:
    authorization = handler.headers.get("Authorization")
    if authorization and front.tenant_for(authorization) is None:
        handler._json(401, error_body("unauthorized", "the token is not valid (leave it out to see every tenant's)"))
        return
    handler._json(200, front.outbox(query, authorization))


def _client_token(handler: Any, front: LocalFront, query: dict[str, list[str]], body: bytes) -> None:
    status, payload = front.issue_client_token(body, handler.headers.get("Authorization"))
    handler._json(status, payload)


_LOCAL_ROUTES: dict[tuple[str, str], Callable[..., None]] = {
    ("POST", "/oauth2/token"): _client_token,
    ("POST", "/_local/clock/advance"): _advance,
    ("GET", "/_local/clock"): _clock,
    ("GET", "/_local/outbox"): _outbox,
}
