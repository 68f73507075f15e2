"""The local HTTP front of ``incasso serve`` (issue 15, "Local stack"): concurrent requests served by a
worker pool behind a deep listen backlog, a clock advance that runs alone, and the ``/_local/`` routes
behind a token when the front is reachable from other machines. Fronts listen on 127.0.0.1 only."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from click.testing import CliRunner

from incasso.api.auth import local_token_secret, mint_local_token
from infra.local.http import LISTEN_BACKLOG, ClockGate, LocalFront, is_loopback


def call(front: LocalFront, method: str, path: str, body: object = None, token: str | None = None,
         timeout: float = 30) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(front.endpoint + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def make_front(local_stack):
    fronts = []

    def make(stack=local_stack, **options) -> LocalFront:
        front = LocalFront("127.0.0.1", 0, **options)
        front.attach(stack)
        front.start()
        fronts.append(front)
        return front

    yield make
    for front in fronts:
        front.stop()


def token(tenant_id: str = "acme") -> str:
    return mint_local_token(tenant_id, local_token_secret())


def test_forty_concurrent_requests_are_all_answered(make_front):
    # Given a front (the listen backlog is deeper than the burst)
    front = make_front()
    assert LISTEN_BACKLOG >= 40
    bearer = token()

    # When 40 clients ask at the same moment
    def ask(_: int) -> int:
        return call(front, "GET", "/v1/claims?limit=5", token=bearer)[0]

    with ThreadPoolExecutor(40) as pool:
        statuses = list(pool.map(ask, range(40)))

    # Then every one gets its answer, none is reset
    assert statuses == [200] * 40


def test_a_stalled_client_does_not_stop_the_server(make_front):
    # Given a client that announced a body and sends nothing more
    front = make_front()
    stalled = socket.create_connection(("127.0.0.1", front.port))
    stalled.sendall(b"POST /v1/claims HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
    try:
        # When others call meanwhile
        started = time.monotonic()
        status, body = call(front, "GET", "/v1/claims", token=token(), timeout=10)
        clock_status, _ = call(front, "GET", "/_local/clock", timeout=10)
        # Then they are served at once
        assert (status, clock_status) == (200, 200)
        assert time.monotonic() - started < 5
    finally:
        stalled.close()


class SlowAdvance:
    """The stack, with an advance that takes a while in real time (as a long one does)."""

    def __init__(self, stack) -> None:
        self._stack = stack
        self.advancing = threading.Event()
        self.advanced_at: float | None = None

    def __getattr__(self, name: str):
        return getattr(self._stack, name)

    def advance(self, *, days: float = 0):
        self.advancing.set()
        time.sleep(0.2)
        now = self._stack.advance(days=days)
        time.sleep(0.2)
        self.advanced_at = time.monotonic()
        return now


def test_requests_wait_while_the_clock_advances_and_see_its_end(make_front, local_stack):
    # Given an advance of seven days in progress
    slow = SlowAdvance(local_stack)
    front = make_front(slow)
    start = local_stack.now()
    advance = threading.Thread(target=call, args=(front, "POST", "/_local/clock/advance", {"days": 7}))
    advance.start()
    assert slow.advancing.wait(10)

    # When a request comes in meanwhile
    status, answer = call(front, "GET", "/_local/clock")
    answered_at = time.monotonic()
    advance.join(30)

    # Then it ran after the advance had settled, and saw its end, never a moment half-way
    assert status == 200 and slow.advanced_at is not None and answered_at >= slow.advanced_at
    assert answer["now"] == (start + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_snapshot_takes_the_clock_alone_only_when_no_request_runs_and_holds_no_request_back():
    # Given a request in progress (a slow one)
    gate = ClockGate()
    slow = gate.request()
    slow.__enter__()
    try:
        # When serve's snapshot asks to be alone for a moment
        with gate.alone_if_idle(within=0.05) as alone:
            # Then it is not, and gives up instead of waiting
            assert alone is False
        # and a request arriving while it asks is let in at once
        asked = threading.Event()
        entered = threading.Event()
        answers: list[bool] = []

        def ask_alone() -> None:
            with gate.alone_if_idle(within=5) as alone_later:
                answers.append(alone_later)
                asked.set()

        asking = threading.Thread(target=ask_alone)
        asking.start()

        def another_request() -> None:
            with gate.request():
                entered.set()

        other = threading.Thread(target=another_request)
        other.start()
        assert entered.wait(5) and not asked.is_set()
        other.join(5)
    finally:
        slow.__exit__(None, None, None)
    # and once no request runs, it is alone
    asking.join(10)
    assert answers == [True]


def test_off_loopback_the_local_routes_need_a_token(make_front):
    # Given a front reachable from other machines (simulated: the flag --host 0.0.0.0 sets)
    front = make_front(local_routes_need_token=True)

    # When someone without a token asks for the outbox, the clock or an advance
    # Then each is refused; with a tenant's token the outbox shows that tenant's messages
    assert call(front, "GET", "/_local/outbox")[0] == 401
    assert call(front, "GET", "/_local/clock")[0] == 401
    assert call(front, "POST", "/_local/clock/advance", {"days": 1})[0] == 401
    assert call(front, "GET", "/_local/outbox", token="not-a-token")[0] == 401
    assert call(front, "GET", "/_local/outbox", token=token()) == (200, [])


def test_which_hosts_count_as_loopback():
    assert all(is_loopback(host) for host in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(host) for host in ("0.0.0.0", "::", "192.168.1.20", "example.org"))


def test_serve_refuses_a_host_off_loopback_without_a_secret_of_the_users_own(monkeypatch):
    from incasso_cli import main

    # Given no secret in the environment
    monkeypatch.delenv("INCASSO_LOCAL_TOKEN_SECRET", raising=False)
    # When serve is asked to listen on every interface
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--port", "0"])
    # Then it refuses before binding anything, and says what to do
    assert result.exit_code == 2
    assert "--token-secret" in result.output and "INCASSO_LOCAL_TOKEN_SECRET" in result.output


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
def test_a_method_the_front_does_not_know_is_405_in_the_json_error_shape(make_front, method):
    # given the front / when a method it has no handler for arrives (http.server would answer 501 HTML)
    status, body = call(make_front(), method, "/v1/claims", token=token())
    # then 405 in the API's error shape, as API Gateway answers
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
