"""SIGKILL in the middle of a run loses nothing already recorded; the next run carries on."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from policy_pages import Response, policy_page

N_DOCS = 24


def _cli(*args):
    return [sys.executable, "-c", "from clausewatch.cli import main; main()", *args]


def test_sigkill_mid_run_then_rerun(server, corpus, tmp_path):
    texts = sorted((corpus / "ota/Reddit/Terms of Service").glob("*.md"))
    for i in range(N_DOCS):
        md = texts[i % len(texts)].read_text(encoding="utf-8") + f"\n\nDocument number {i} of this test.\n"
        server.pages[f"/doc/{i}"] = Response(body=policy_page(md))
    server.delay_s = 0.15  # slow enough that the kill lands mid-run
    wl = tmp_path / "watchlist.yaml"
    wl.write_text("settings: {per_host_delay: 0, concurrency: 2}\ndocuments:\n" + "".join(
        f"  - {{service: S{i}, type: Terms, url: '{server.url(f'/doc/{i}')}'}}\n" for i in range(N_DOCS)),
        encoding="utf-8")
    db_path = tmp_path / "cw.sqlite"
    args = _cli("--watchlist", str(wl), "--db", str(db_path), "run", "--json")
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    recorded = 0
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if db_path.exists():
            try:
                with sqlite3.connect(db_path, timeout=1) as conn:
                    recorded = conn.execute("select count(*) from checks").fetchone()[0]
            except sqlite3.OperationalError:
                continue  # schema not created yet
            if recorded >= 4:
                break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert 4 <= recorded < N_DOCS, "the kill should land mid-run"

    conn = sqlite3.connect(db_path)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    checked = conn.execute("select count(*) from checks").fetchone()[0]
    assert checked >= recorded
    # Every recorded check is whole: its version, clauses and document pointer are all there.
    rows = conn.execute("select c.document_id, c.version_id, d.current_version_id from checks c "
                        "join documents d on d.id = c.document_id").fetchall()
    assert all(vid is not None and vid == cur for _, vid, cur in rows)
    assert conn.execute("select count(*) from versions").fetchone()[0] == checked
    conn.close()

    server.delay_s = 0
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    outcomes = [r["outcome"] for r in results]
    assert outcomes.count("unchanged") == checked
    assert outcomes.count("new") == N_DOCS - checked
    conn = sqlite3.connect(db_path)
    assert conn.execute("select count(*) from versions").fetchone()[0] == N_DOCS
    assert conn.execute("select count(distinct document_id) from versions").fetchone()[0] == N_DOCS
