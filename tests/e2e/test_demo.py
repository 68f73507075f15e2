"""``incasso demo`` as ``make demo`` runs it (smaller: a dozen invoices, 45 days): exit 0, the letters
as PDF files, the report and its CSV. The full run (100 invoices, 120 days) is measured in benchmarks."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

INCASSO = str(Path(sys.executable).parent / "incasso")


def test_demo_runs_the_trajectory_and_writes_letters_and_the_report(tmp_path):
    # given an empty output folder
    out = tmp_path / "demo-out"
    # when the demo runs a dozen invoices through 45 simulated days
    run = subprocess.run([INCASSO, "demo", "--out", str(out), "--claims", "12", "--days", "45"],
                         capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                         env={"COLUMNS": "160", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    # then it succeeds and tells what it did
    assert run.returncode == 0, run.stderr[-3000:]
    assert "12 accepted, 2 rejected" in run.stdout
    assert "Summary" in run.stdout and "Recovery rate" in run.stdout
    # and some debtors paid online: the personal link, the portal's pay form, the local checkout
    online = re.search(r"Paid through the portal\s+(\d+) debtors, (\d+) payments", run.stdout)
    assert online and int(online.group(1)) >= 1 and int(online.group(2)) >= int(online.group(1))
    assert "online" in run.stdout

    # and the letters are real PDFs of the documents bucket, named by invoice and kind
    letters = sorted((out / "letters").glob("*.pdf"))
    assert letters
    kinds = {path.stem.split("-", 2)[-1] for path in letters}
    assert kinds & {"reminder_1", "reminder_2", "fourteen_day_letter", "notice_of_default"}
    first = PdfReader(str(letters[0]))
    assert len(first.pages) >= 1 and first.pages[0].extract_text().strip()

    # and the report: a self-contained page with its charts, and the CSV with one row per claim
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and "<script" not in html
    rows = list(csv.DictReader((out / "claims.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 12 and all(row["status"] for row in rows)
    # and the sample invoices it uploaded
    assert (out / "openstaande-facturen-januari.csv").read_bytes().startswith(b"\xef\xbb\xbffactuurnummer;")
