"""The local stack behind an HTTP endpoint: ``moto.server.ThreadedMotoServer`` in this process.

Other processes reach it with unmodified boto3 (``AWS_ENDPOINT_URL=server.endpoint``, see ``env()``).
Requests over HTTP must be signed, as in AWS (``aws_auth``): presigned URLs are checked in full.
The stack itself lives here: executions run on this process's simulated clock and handlers run in
this process, their own AWS calls served in the calling thread by ``mock_aws`` (the same moto
backends the server serves). A handler whose client is pointed at the endpoint itself (for instance
to presign upload URLs for it) has those requests served by the server's application in the calling
thread too: over HTTP they would be served by another thread, which may need the handler lock that
the waiting handler holds.

    server = start_server(8081, SimulatedClock(start))
    boto3.client("stepfunctions", endpoint_url=server.endpoint).start_execution(...)
    server.stack.advance(days=14)
    server.stop()
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from infra.topology import TOPOLOGY, Topology

from infra.local.aws_auth import require_signatures
from infra.local.scheduler import SimulatedClock
from infra.local.stack import DEFAULT_REGION, LocalStack


class LocalServer:
    """A running server: ``endpoint`` (``http://host:port``), ``stack`` (the ``LocalStack``), ``stop()``."""

    def __init__(self, server: Any, endpoint: str, stack: LocalStack, saved_environ: dict[str, str | None]) -> None:
        self._server = server
        self.endpoint = endpoint
        self.stack = stack
        self._saved_environ = saved_environ
        self._stopped = False

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    def client(self, service: str) -> Any:
        """A boto3 client that talks to the server over HTTP (S3 presigns with SigV4, as the product does)."""
        config = Config(signature_version="s3v4") if service == "s3" else None
        return boto3.client(service, region_name=self.stack.region, endpoint_url=self.endpoint, config=config)

    def env(self) -> dict[str, str]:
        """The environment that points another process's boto3 at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_DEFAULT_REGION": self.stack.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
        }

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._server.stop()
        finally:
            try:
                self.stack.close()
            finally:
                _restore_environ(self._saved_environ)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Loopback:
    """Serves a botocore request with the server's WSGI application in the calling thread."""

    def __init__(self, endpoint: str, app: Any) -> None:
        self.endpoint = endpoint
        self._app = app

    def serve(self, request: Any) -> AWSResponse:
        from moto.core.botocore_stubber import MockRawResponse
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        url = urlsplit(request.url)
        body = request.body
        if hasattr(body, "read"):
            body = body.read()
        if isinstance(body, str):
            body = body.encode()
        headers = [(k, v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()]
        builder = EnvironBuilder(
            path=url.path or "/",
            base_url=f"{url.scheme}://{url.netloc}",
            query_string=url.query,
            method=request.method,
            headers=headers,
            data=body or b"",
        )
        environ = builder.get_environ()
        environ["RAW_URI"] = environ["REQUEST_URI"] = url.path + (f"?{url.query}" if url.query else "")
        app_iter, status, response_headers = run_wsgi_app(self._app, environ, buffered=True)
        content = b"".join(app_iter)
        return AWSResponse(request.url, int(status.split()[0]), HTTPHeaders(response_headers.to_wsgi_list()),
                           MockRawResponse(content))


def start_server(
    port: int = 0,
    clock: SimulatedClock | None = None,
    *,
    host: str = "127.0.0.1",
    topology: Topology = TOPOLOGY,
    extra: Topology | None = None,
    speedups: bool | None = None,
    region: str = DEFAULT_REGION,
) -> LocalServer:
    """Serve the local stack on ``host:port`` (``port=0``: a free one) and deploy ``topology`` through it."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(host, port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    endpoint = f"http://{bound_host}:{bound_port}"
    saved = {"MOTO_PORT": os.environ.get("MOTO_PORT")}
    os.environ["MOTO_PORT"] = str(bound_port)  # where the interpreter's own clients would go without mock_aws
    try:
        stack = LocalStack(topology, clock=clock, extra=extra, speedups=speedups, region=region, deploy_endpoint=endpoint)
    except BaseException:
        server.stop()
        _restore_environ(saved)
        raise
    stack._runtime.loopback = Loopback(endpoint, server._server.app)  # the handler's own calls: served as they are
    # Over HTTP, as AWS: an unsigned request, or a presigned URL altered or expired, is refused (403).
    credentials = {"testing": "testing",  # what env() gives other processes
                   os.environ.get("AWS_ACCESS_KEY_ID") or "testing": os.environ.get("AWS_SECRET_ACCESS_KEY") or "testing"}
    server._server.app = require_signatures(server._server.app, credentials)
    return LocalServer(server, endpoint, stack, saved)


def _restore_environ(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
