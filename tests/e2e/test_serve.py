"""``incasso serve`` as a user runs it: a subprocess, its two lines, the API over HTTP with tokens from
``incasso token``, a CSV through the presigned URL, the simulated clock and the outbox, then SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from held_webhooks import HeldSubscriber
from tenant_profiles import PROFILE_BODY

BIN = Path(sys.executable).parent
INCASSO = str(BIN / "incasso")
READY_SECONDS = 90

CSV = ("factuurnummer;naam;type;e-mail;bedrag;factuurdatum;vervaldatum\r\n"
       "2025-201;Kees Verbeek;particulier;kees@example.nl;€ 1.250,00;01-12-2025;20-12-2025\r\n"
       "2025-202;Bakkerij De Korst B.V.;zakelijk;info@korst.example.nl;€ 89,95;01-12-2025;20-12-2025\r\n"
       "2025-203;Onbekend;particulier;x@example.nl;twaalf;01-12-2025;20-12-2025\r\n").encode("cp1252")


class Served:
    """A running ``incasso serve`` and what it printed."""

    def __init__(self, *args: str, tmp_path: Path) -> None:
        self.stderr_path = tmp_path / f"serve-{time.monotonic_ns()}.log"
        self._stderr = self.stderr_path.open("wb")
        self.process = subprocess.Popen([INCASSO, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                        stderr=self._stderr, stdin=subprocess.DEVNULL, env=dict(os.environ))
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        printed = [self._line(), self._line()]
        self.api = next(line.split(" ", 1)[1] for line in printed if line.startswith("API "))
        self.aws = next(line.split(" ", 1)[1] for line in printed if line.startswith("AWS "))

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw.decode().rstrip("\n"))

    def _line(self) -> str:
        try:
            return self.lines.get(timeout=READY_SECONDS)
        except queue.Empty:
            self.process.kill()
            raise AssertionError(f"incasso serve printed nothing: {self.stderr_path.read_text()}") from None

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        finally:
            self._stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr.close()


def token(tenant_id: str, role: str | None = None) -> str:
    role_option = ["--role", role] if role else []
    return subprocess.run([INCASSO, "token", tenant_id, *role_option], check=True, capture_output=True,
                          text=True).stdout.strip()


def call(base: str, method: str, path: str, body: object = None, *, bearer: str | None = None,
         headers: dict[str, str] | None = None) -> tuple[int, object]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={
        **({"Authorization": f"Bearer {bearer}"} if bearer else {}),
        **({"Content-Type": "application/json"} if data is not None else {}), **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def new_claim(invoice: str, due: str) -> dict:
    return {"invoice_number": invoice, "principal": "425.00", "invoice_date": "2025-12-01", "due_date": due,
            "debtor": {"name": "Jan de Vries", "type": "consumer", "email": "jan@example.nl", "language": "nl"}}


@pytest.fixture
def served(tmp_path):
    started: list[Served] = []

    def start(*args: str) -> Served:
        server = Served(*args, tmp_path=tmp_path)
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


def test_serve_runs_the_api_uploads_the_clock_and_the_outbox_and_stops_on_sigterm(served):
    # given incasso serve on free ports, the simulated clock at Monday 5 January 2026
    server = served("--start-date", "2026-01-05")
    assert server.api.startswith("http://127.0.0.1:") and server.aws.startswith("http://127.0.0.1:")
    acme, globex = token("acme"), token("globex")
    # and acme's profile set over HTTP, as the README starts (a viewer may read it, not change it)
    assert call(server.api, "GET", "/v1/tenant", bearer=acme)[1]["missing"] == ["legal_name", "address", "iban",
                                                                                "email", "phone"]
    assert call(server.api, "PUT", "/v1/tenant/profile", PROFILE_BODY, bearer=token("acme", "viewer"))[0] == 403
    assert call(server.api, "PUT", "/v1/tenant/profile", PROFILE_BODY, bearer=acme)[0] == 200
    assert call(server.api, "GET", "/v1/tenant", bearer=token("acme", "viewer"))[1]["ready"] is True
    assert call(server.api, "PUT", "/v1/tenant/profile", {**PROFILE_BODY, "legal_name": "Globex B.V."},
                bearer=globex)[0] == 200

    # when acme creates a claim over HTTP / then 201, and globex cannot see it
    status, claim = call(server.api, "POST", "/v1/claims", new_claim("F-1", "2025-12-20"), bearer=acme)
    assert status == 201 and claim["status"] == "open"
    assert call(server.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=globex)[0] == 404
    status, theirs = call(server.api, "POST", "/v1/claims", new_claim("G-1", "2025-12-20"), bearer=globex)
    assert status == 201
    # and without a token, or with a forged one, nothing: 401
    assert call(server.api, "GET", "/v1/claims")[0] == 401
    assert call(server.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme[:-2] + "xx")[0] == 401

    # when acme uploads a Windows-1252 CSV with a plain PUT to the presigned URL
    status, started = call(server.api, "POST", "/v1/imports", {"filename": "december.csv"}, bearer=acme)
    assert status == 201 and started["upload_url"].startswith(server.aws + "/")
    # (but the same URL altered into globex's inbox, or a PUT without any signature, is refused as S3 would)
    altered = started["upload_url"].replace("/tenants/acme/", "/tenants/globex/")
    unsigned = altered.split("?", 1)[0]
    for url in (altered, unsigned):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(url, data=CSV, method="PUT"), timeout=60)
        assert refused.value.code == 403 and b"<Error><Code>" in refused.value.read()
    upload = urllib.request.Request(started["upload_url"], data=CSV, method="PUT")
    with urllib.request.urlopen(upload, timeout=60) as response:
        assert response.status == 200
    # then S3's event ran the ingest: two claims, the bad row reported by its row number
    deadline, report = time.monotonic() + 60, {}
    while time.monotonic() < deadline:
        status, report = call(server.api, "GET", f"/v1/imports/{started['import_id']}", bearer=acme)
        if report["status"] in ("completed", "failed"):
            break
        time.sleep(0.2)
    assert (report["status"], report["accepted"], report["rejected"]) == ("completed", 2, 1)
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(4, "principal")]
    # and a second file put to the same URL leaves that report as it is (an upload URL is good for one object)
    with urllib.request.urlopen(urllib.request.Request(started["upload_url"], data=CSV.replace(b"2025-20", b"2025-90"),
                                                       method="PUT"), timeout=60) as response:
        assert response.status == 200
    assert call(server.api, "GET", f"/v1/imports/{started['import_id']}", bearer=acme) == (200, report)
    assert call(server.api, "GET", "/v1/claims", bearer=globex)[1]["items"] == [theirs]

    # when the clock moves ten days (the first reminder is due on 27 December, so at the first sweep)
    status, moved = call(server.api, "POST", "/_local/clock/advance", {"days": 10})
    assert (status, moved) == (200, {"now": "2026-01-15T08:00:00Z"})
    assert call(server.api, "POST", "/_local/clock/advance", {"days": -1})[0] == 422

    # then the claims escalated, and the outbox shows what went out, oldest first, in the contract's shape
    status, escalated = call(server.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme)
    assert (status, escalated["status"], escalated["stage"]) == (200, "in_collection", "reminder_1")
    status, page = call(server.api, "GET", "/v1/claims", bearer=acme)
    assert sorted(c["invoice_number"] for c in page["items"]) == ["2025-201", "2025-202", "F-1"]
    status, outbox = call(server.api, "GET", f"/_local/outbox?claim_id={claim['claim_id']}")
    assert status == 200 and [m["kind"] for m in outbox] == ["reminder_1"]
    assert set(outbox[0]) == {"claim_id", "kind", "channel", "sent_at", "subject", "body", "document"}
    assert outbox[0]["channel"] == "email" and "F-1" in outbox[0]["body"]
    status, everything = call(server.api, "GET", "/_local/outbox")
    assert [m["sent_at"] for m in everything] == sorted(m["sent_at"] for m in everything)
    assert {m["claim_id"] for m in everything} >= {claim["claim_id"], theirs["claim_id"]}
    status, globex_outbox = call(server.api, "GET", "/_local/outbox", bearer=globex)
    assert {m["claim_id"] for m in globex_outbox} == {theirs["claim_id"]}

    # and a second server on the same port is refused with a message, not a traceback
    taken = subprocess.run([INCASSO, "serve", "--port", server.api.rsplit(":", 1)[1]], capture_output=True,
                           text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert taken.returncode != 0 and "cannot listen" in taken.stderr and "Traceback" not in taken.stderr

    # when it is stopped with SIGTERM / then it exits cleanly
    assert server.stop() == 0


def upload(server: Served, bearer: str, filename: str, body: bytes) -> dict:
    """POST /v1/imports, PUT the file to the URL, and wait for the import's report."""
    status, started = call(server.api, "POST", "/v1/imports", {"filename": filename}, bearer=bearer)
    assert status == 201
    with urllib.request.urlopen(urllib.request.Request(started["upload_url"], data=body, method="PUT"), timeout=60):
        pass
    deadline = time.monotonic() + 60
    while True:
        report = call(server.api, "GET", f"/v1/imports/{started['import_id']}", bearer=bearer)[1]
        if report["status"] in ("completed", "failed") or time.monotonic() > deadline:
            return report
        time.sleep(0.2)


def test_the_data_dir_keeps_claims_uploads_time_and_running_escalations_across_a_restart(served, tmp_path):
    # given a server with a data dir, a claim, an uploaded CSV and three simulated days
    data = tmp_path / "data"
    first = served("--start-date", "2026-01-05", "--data-dir", str(data))
    acme = token("acme")
    assert call(first.api, "PUT", "/v1/tenant/profile", PROFILE_BODY, bearer=acme)[0] == 200
    status, claim = call(first.api, "POST", "/v1/claims", new_claim("F-9", "2025-12-20"), bearer=acme)
    assert status == 201
    assert upload(first, acme, "december.csv", CSV)["accepted"] == 2
    call(first.api, "POST", "/_local/clock/advance", {"days": 3})
    assert first.stop() == 0

    # when it is started again on the same data dir
    second = served("--data-dir", str(data))
    # then the clock goes on where it stopped, the claims are there (the kept CSV was not imported again)
    assert call(second.api, "GET", "/_local/clock") == (200, {"now": "2026-01-08T08:00:00Z"})
    assert call(second.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme)[1]["stage"] == "reminder_1"
    assert len(call(second.api, "GET", "/v1/claims", bearer=acme)[1]["items"]) == 3
    # and a new upload is imported (the bucket's notification is back), and the escalation carries on
    more = CSV.replace(b"2025-20", b"2025-30")
    assert upload(second, acme, "more.csv", more)["accepted"] == 2
    call(second.api, "POST", "/_local/clock/advance", {"days": 14})
    status, later = call(second.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme)
    assert (status, later["stage"]) == (200, "reminder_2")
    assert second.stop() == 0


def test_a_closed_terminal_or_a_crash_loses_at_most_the_last_seconds_and_the_snapshot_is_private(served, tmp_path):
    # given a server with a data dir that snapshots every half second, and a claim
    data = tmp_path / "data"
    first = served("--start-date", "2026-01-05", "--data-dir", str(data), "--save-every", "0.5")
    acme = token("acme")
    status, claim = call(first.api, "POST", "/v1/claims", new_claim("F-7", "2025-12-20"), bearer=acme)
    assert status == 201
    # when it is killed outright (no chance to save) a few seconds later
    time.sleep(3)
    first.kill()

    # then a restart warns that the previous run did not stop cleanly, and the claim is there
    second = served("--data-dir", str(data))
    assert call(second.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme)[0] == 200
    assert "did not stop cleanly" in first.stderr_path.read_text() + second.stderr_path.read_text()
    # when the terminal is closed (SIGHUP) after another claim
    status, other = call(second.api, "POST", "/v1/claims", new_claim("F-8", "2025-12-20"), bearer=acme)
    second.process.send_signal(signal.SIGHUP)
    # then it snapshots on the way out and exits cleanly; the snapshot is readable by its owner only
    assert second.process.wait(timeout=60) == 0
    state = data / "snapshot" / "state.json"
    assert state.stat().st_mode & 0o777 == 0o600 and (data / "snapshot").stat().st_mode & 0o777 == 0o700
    assert not (data / "serve.running").exists()
    third = served("--data-dir", str(data))
    assert call(third.api, "GET", f"/v1/claims/{other['claim_id']}", bearer=acme)[0] == 200
    assert "did not stop cleanly" not in third.stderr_path.read_text()
    assert third.stop() == 0


@pytest.fixture
def held_subscriber():
    subscriber = HeldSubscriber()
    yield subscriber
    subscriber.close()


def _pay_in_the_background(server: Served, bearer: str, claim_id: str) -> threading.Thread:
    """A payment whose request stays in flight while the subscriber holds its webhook delivery."""
    def pay() -> None:
        try:
            call(server.api, "POST", f"/v1/claims/{claim_id}/payments", {"amount": "100.00", "paid_at": "2026-01-05"},
                 bearer=bearer)
        except OSError:
            pass  # the server went away under it: what this test is about

    paying = threading.Thread(target=pay, daemon=True)
    paying.start()
    return paying


def _wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds:.0f} s for {what}")
        time.sleep(0.1)


def test_a_stop_whose_work_does_not_settle_in_time_still_saves_and_a_restart_restores_the_claims(
        served, tmp_path, held_subscriber):
    # given a server that waits one second for work in flight on the way out, and a claim with a webhook
    data = tmp_path / "data"
    first = served("--start-date", "2026-01-05", "--data-dir", str(data), "--settle-timeout", "1")
    acme = token("acme")
    status, claim = call(first.api, "POST", "/v1/claims", new_claim("F-10", "2025-12-20"), bearer=acme)
    assert status == 201
    assert call(first.api, "POST", "/v1/webhooks", {"url": held_subscriber.url, "events": ["payment.received"]},
                bearer=acme)[0] == 201
    # and a payment whose request is still in flight (its event's delivery is held)
    _pay_in_the_background(first, acme, claim["claim_id"])
    assert held_subscriber.arrived.wait(60)

    # when it is stopped: what is in flight does not settle within the second
    first.process.send_signal(signal.SIGTERM)
    assert first.process.wait(timeout=60) == 0
    held_subscriber.release.set()

    # then it said so, and saved a snapshot all the same
    said = first.stderr_path.read_text()
    assert "not everything settled within 1 s" in said and "kept" in said, said
    assert (data / "snapshot" / "state.json").is_file() and not (data / "serve.running").exists()
    # and a restart restores the claims, with the payment that had been written
    second = served("--data-dir", str(data))
    status, restored = call(second.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme)
    assert status == 200 and restored["amounts"]["paid"] == "100.00"
    assert "did not stop cleanly" not in second.stderr_path.read_text()
    assert second.stop() == 0


def test_a_second_ctrl_c_stops_at_once_while_work_in_flight_has_not_settled_and_says_what_is_kept(
        served, tmp_path, held_subscriber):
    # given a server that snapshots every half second, waits a minute on the way out, and has a claim
    data = tmp_path / "data"
    first = served("--start-date", "2026-01-05", "--data-dir", str(data), "--save-every", "0.5",
                   "--settle-timeout", "60")
    acme = token("acme")
    status, claim = call(first.api, "POST", "/v1/claims", new_claim("F-11", "2025-12-20"), bearer=acme)
    assert status == 201
    state = data / "snapshot" / "state.json"
    _wait_for(lambda: state.is_file() and claim["claim_id"] in state.read_text(), "a snapshot with the claim")
    # and a request in flight that will not settle while its webhook delivery is held
    assert call(first.api, "POST", "/v1/webhooks", {"url": held_subscriber.url, "events": ["payment.received"]},
                bearer=acme)[0] == 201
    paying = _pay_in_the_background(first, acme, claim["claim_id"])
    assert held_subscriber.arrived.wait(60)
    # (meanwhile the periodic snapshot holds nobody back behind the slow request: after a round of the
    # saver, another tenant is answered while the payment is still in flight)
    time.sleep(1.5)
    assert call(first.api, "GET", "/v1/claims", bearer=token("other"))[0] == 200
    assert paying.is_alive()

    # when Ctrl-C is pressed, and again while it waits for that work
    first.process.send_signal(signal.SIGINT)
    _wait_for(lambda: "press Ctrl-C again" in first.stderr_path.read_text(), "the first Ctrl-C to be taken")
    first.process.send_signal(signal.SIGINT)

    # then it stops at once (the held delivery is still held: nothing settled), with the exit of a signal
    assert first.process.wait(timeout=30) == 128 + signal.SIGINT
    assert not held_subscriber.release.is_set()
    # and it says that the last snapshot was not written, and which one is kept
    said = first.stderr_path.read_text()
    assert "stopped at once, without a last snapshot" in said and "keeps the one written at" in said, said
    held_subscriber.release.set()
    # and a restart warns of the unclean stop and has the claim of the snapshot kept
    second = served("--data-dir", str(data))
    assert call(second.api, "GET", f"/v1/claims/{claim['claim_id']}", bearer=acme)[0] == 200
    assert "did not stop cleanly" in second.stderr_path.read_text()
    assert second.stop() == 0
