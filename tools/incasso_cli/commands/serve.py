"""``incasso serve``: the whole stack on this machine, behind a local HTTP front (CONTRACT.md §2, §3).

The AWS side is the local stack in server mode (moto's threaded server on 127.0.0.1: the endpoint that
presigned upload URLs point at); the API side is ``infra.local.http.LocalFront``. When both are ready
it prints exactly two lines, ``API http://HOST:PORT`` and ``AWS http://127.0.0.1:PORT``, and runs until
Ctrl-C, SIGTERM or SIGHUP, then stops cleanly (exit 0); a second one stops it at once (exit 128 + the
signal), saying what it kept. A port that is taken: a message on stderr, exit 1. With ``--data-dir``
the state is snapshotted every few seconds while anything changes and always on the way out
(``infra.local.snapshot``), also when what is in flight does not settle in time (``--settle-timeout``):
then the snapshot holds what DynamoDB and S3 hold at that moment, as after a crash on AWS. A start
after a crash says so.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import signal
import sys
import threading
import time
from pathlib import Path

import click

START_TIME = dt.time(8, 0)  # UTC, like the demo: after the day's sweep
STOP_SETTLE_SECONDS = 10.0  # on the way out: what has not settled by then is kept as it stands
SAVE_SETTLE_SECONDS = 1.0  # a periodic snapshot waits this long for quiet, else tries again later


def _fail(message: str) -> None:
    click.echo(f"incasso serve: {message}", err=True)
    sys.exit(1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="where the API listens")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="the API's port (0: any free port)")
@click.option("--start-date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the simulated clock's first day (default: today)")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="keep the state here across restarts (tables, buckets, time, running escalations)")
@click.option("--save-every", type=click.FloatRange(0.5, 3600), default=5.0, show_default=True,
              help="with --data-dir: seconds between snapshots while anything changes")
@click.option("--token-secret", envvar="INCASSO_LOCAL_TOKEN_SECRET", default=None, show_envvar=True,
              help="the secret tokens are signed with; needed when --host is not loopback")
@click.option("--settle-timeout", type=click.FloatRange(0.1, 3600), envvar="INCASSO_SERVE_SETTLE_TIMEOUT",
              default=STOP_SETTLE_SECONDS, show_default=True, hidden=True,
              help="on the way out: seconds to wait for work in flight before the last snapshot")
def serve(host: str, port: int, start_date: dt.datetime | None, data_dir: Path | None, save_every: float,
          token_secret: str | None, settle_timeout: float) -> None:
    """Serve the API, the AWS endpoint and the simulated clock locally until stopped."""
    from infra.local import SimulatedClock, fast_dynamodb, snapshot, start_server
    from infra.local.http import LocalFront, is_loopback, quiet_logs, serve_uploads_whole, use_local_aws
    from infra.local.stack import DEFAULT_REGION

    if not is_loopback(host) and not token_secret:
        # The default secret is public (it is in the source): off loopback anyone could mint tokens.
        raise click.UsageError(f"--host {host} is reachable from other machines: give a token secret of your own "
                               "(--token-secret or INCASSO_LOCAL_TOKEN_SECRET; `incasso token` signs with the same)")
    use_local_aws(DEFAULT_REGION)
    if token_secret:
        os.environ["INCASSO_LOCAL_TOKEN_SECRET"] = token_secret
    quiet_logs()
    try:  # bind first: a taken port is reported before the seconds the deployment takes
        front = LocalFront(host, port)
    except OSError as error:
        _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    # The debtor's portal and its fake payment provider (CONTRACT.md §8): links in messages point here.
    os.environ.update(front.enable_portal(f"test_{secrets.token_hex(16)}"))

    saved = snapshot.saved_time(data_dir) if data_dir is not None else None
    left_behind = snapshot.Marker(data_dir).left_behind() if data_dir is not None else None
    if left_behind is not None:
        saved_at = snapshot.saved_at(data_dir)
        click.echo(f"incasso serve: warning: the previous run ({left_behind}) did not stop cleanly; going on from "
                   + (f"its last snapshot, written {saved_at:%Y-%m-%d %H:%M:%S} UTC" if saved_at else "nothing: no snapshot was written"),
                   err=True)
    if saved is not None:
        start = saved
        if start_date is not None:
            click.echo(f"incasso serve: --start-date ignored, the clock goes on from {saved.isoformat()} "
                       f"(kept in {data_dir})", err=True)
    else:
        day = start_date.date() if start_date is not None else dt.date.today()
        start = dt.datetime.combine(day, START_TIME, tzinfo=dt.timezone.utc)

    fast_dynamodb.install()
    try:
        server = start_server(0, SimulatedClock(start))
    except BaseException:
        front.stop()
        raise
    try:
        serve_uploads_whole(server)
        if data_dir is not None:
            restored = snapshot.restore(server.stack, data_dir)
            if restored is not None:
                click.echo(f"incasso serve: restored {restored.items} items, {restored.objects} objects and "
                           f"{restored.executions} running escalations from {data_dir}", err=True)
        _point_s3_at(server.endpoint)
        front.attach(server.stack)
        front.start()
    except BaseException:
        front.stop()
        server.stop()
        raise

    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        if stopping.is_set():  # a second Ctrl-C (or signal): out now; the last snapshot stays as it was
            _echo_now(_stopped_at_once(data_dir, snapshot))
            os._exit(128 + signum)
        stopping.set()
        _echo_now(f"incasso serve: stopping: waiting up to {settle_timeout:g} s for work in flight, then saving "
                  f"a snapshot; {_AGAIN}" if data_dir is not None else f"incasso serve: stopping; {_AGAIN}")

    for stop_signal in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):  # SIGHUP: the terminal was closed
        signal.signal(stop_signal, stop)
    saver = _Saver(server, front, data_dir, snapshot) if data_dir is not None else None
    click.echo(f"API {front.endpoint}")
    click.echo(f"AWS {server.endpoint}")
    sys.stdout.flush()
    while not stopping.wait(0.5):
        if saver is not None:
            saver.save_if_due(save_every)

    try:
        front.stop()
        if saver is not None:
            kept = saver.save_on_exit(settle_seconds=settle_timeout)
            click.echo(f"incasso serve: kept {kept} items in {data_dir}", err=True)
    finally:
        server.stop()
        fast_dynamodb.uninstall()


_AGAIN = "press Ctrl-C again to stop at once"


def _echo_now(line: str) -> None:
    """Straight to stderr's file descriptor: safe inside a signal handler, which may interrupt a write."""
    try:
        os.write(sys.stderr.fileno(), (line + "\n").encode("utf-8", "replace"))
    except (OSError, ValueError):
        pass


def _stopped_at_once(data_dir: Path | None, snapshot: object) -> str:
    """What a stop at once keeps: the snapshot written before (whole: a swap cut short is put back at the
    next start), or nothing."""
    said = "incasso serve: stopped at once, without a last snapshot"
    if data_dir is None:
        return "incasso serve: stopped at once"
    try:
        written = snapshot.saved_at(data_dir)  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - in a signal handler: say less rather than not stop
        written = None
    if written is None:
        return f"{said}: none had been written, nothing is kept in {data_dir}"
    return (f"{said}; {data_dir} keeps the one written at {written:%Y-%m-%d %H:%M:%S} UTC "
            f"(changes since then are lost)")


class _Saver:
    """Snapshots of the running server: every ``save_every`` seconds when anything was asked of it (the
    API or the AWS endpoint), each taken alone (requests and clock advances wait, see ``ClockGate``) from
    a settled stack; and the last one on the way out, of whatever did settle."""

    def __init__(self, server: object, front: object, data_dir: Path, snapshot: object) -> None:
        self._server, self._front, self._data_dir, self._snapshot = server, front, data_dir, snapshot
        self._requests = 0
        self._saved_requests = 0
        self._last = time.monotonic()
        app = server._server._server.app  # LocalServer -> ThreadedMotoServer -> werkzeug server

        def counting(environ: dict, start_response: object) -> object:
            self._requests += 1
            return app(environ, start_response)

        server._server._server.app = counting
        front.on_request = self._count
        self._marker = snapshot.Marker(data_dir)
        self._marker.set()

    def _count(self) -> None:
        self._requests += 1

    def save_if_due(self, every: float) -> None:
        if time.monotonic() - self._last < every or self._requests == self._saved_requests:
            return
        from infra.local.scheduler import SettleTimeout

        seen = self._requests
        clock = self._server.stack.clock
        try:
            clock.settle(timeout=SAVE_SETTLE_SECONDS)  # first without holding anyone back
            # Then alone, when no request runs (a slow one is not waited for: new requests would queue).
            with self._front.gate.alone_if_idle(within=SAVE_SETTLE_SECONDS) as alone:
                if alone:
                    clock.settle(timeout=SAVE_SETTLE_SECONDS)
                    self._snapshot.save(self._server.stack, self._data_dir)
                    self._saved_requests = seen
        except SettleTimeout:
            pass  # busy: the next round tries again
        self._last = time.monotonic()

    def save_on_exit(self, settle_seconds: float) -> int:
        from infra.local.scheduler import SettleTimeout

        try:
            self._server.stack.clock.settle(timeout=settle_seconds)
        except SettleTimeout as timeout:
            click.echo(f"incasso serve: not everything settled within {settle_seconds:g} s; saving the state as it "
                       f"stands (work still in flight is in it or not, as after a crash) "
                       f"({str(timeout).splitlines()[0]})", err=True)
        kept = self._snapshot.save(self._server.stack, self._data_dir)
        self._marker.clear()
        return kept


def _point_s3_at(endpoint: str) -> None:
    """Presigned upload URLs must name the local AWS endpoint, so S3 clients made from now on use it
    (other services stay in process); requests a handler makes to it are served in its own thread."""
    import os

    from incasso.adapters import aws

    os.environ["AWS_ENDPOINT_URL_S3"] = endpoint
    aws.reset_clients()
