"""``incasso serve``: the whole stack on this machine, behind a local HTTP front (CONTRACT.md §2, §3).

The AWS side is the local stack in server mode (moto's threaded server on 127.0.0.1: the endpoint that
presigned upload URLs point at); the API side is ``infra.local.http.LocalFront``. When both are ready
it prints exactly two lines, ``API http://HOST:PORT`` and ``AWS http://127.0.0.1:PORT``, and runs until
Ctrl-C or SIGTERM, then stops cleanly (exit 0). A port that is taken: a message on stderr, exit 1.
"""

from __future__ import annotations

import datetime as dt
import signal
import sys
import threading
from pathlib import Path

import click

START_TIME = dt.time(8, 0)  # UTC, like the demo: after the day's sweep


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
@click.option("--token-secret", envvar="INCASSO_LOCAL_TOKEN_SECRET", default=None, show_envvar=True,
              help="the secret tokens are signed with; needed when --host is not loopback")
def serve(host: str, port: int, start_date: dt.datetime | None, data_dir: Path | None,
          token_secret: str | None) -> None:
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
        import os

        os.environ["INCASSO_LOCAL_TOKEN_SECRET"] = token_secret
    quiet_logs()
    try:  # bind first: a taken port is reported before the seconds the deployment takes
        front = LocalFront(host, port)
    except OSError as error:
        _fail(f"cannot listen on {host}:{port}: {error.strerror or error}")

    saved = snapshot.saved_time(data_dir) if data_dir is not None else None
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
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"API {front.endpoint}")
    click.echo(f"AWS {server.endpoint}")
    sys.stdout.flush()
    while not stopping.wait(0.5):
        pass

    try:
        front.stop()
        if data_dir is not None:
            server.stack.settle()
            kept = snapshot.save(server.stack, data_dir)
            click.echo(f"incasso serve: kept {kept} items in {data_dir}", err=True)
    finally:
        server.stop()
        fast_dynamodb.uninstall()


def _point_s3_at(endpoint: str) -> None:
    """Presigned upload URLs must name the local AWS endpoint, so S3 clients made from now on use it
    (other services stay in process); requests a handler makes to it are served in its own thread."""
    import os

    from incasso.adapters import aws

    os.environ["AWS_ENDPOINT_URL_S3"] = endpoint
    aws.reset_clients()
