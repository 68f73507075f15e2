"""A webhook subscriber that holds every delivery until the test lets it go (imported by this unique module
name from any test folder).

The local stack delivers a domain event to the tenant's webhook inside the request (or step) that
publishes it, so a held subscriber keeps that request in flight for as long as the test wants: a slow
request, or work that does not settle, made by construction instead of by timing."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HELD_AT_MOST_SECONDS = 60  # a safety net only: the test lets go itself


class HeldSubscriber:
    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.received: list[dict] = []
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                subscriber.received.append(json.loads(raw))
                subscriber.arrived.set()
                subscriber.release.wait(HELD_AT_MOST_SECONDS)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass  # the sender is gone (a server stopped at once)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
