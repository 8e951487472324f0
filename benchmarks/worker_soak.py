"""Soak the real worker: 10,000 checks against local servers; RSS over time and checks per second.

    python benchmarks/worker_soak.py                       # 10,000 checks, at most 10 minutes
    python benchmarks/worker_soak.py --checks 2000 --docs 100 --timeout 120

What runs: ``python -m clausewatch worker --max-checks N`` as a subprocess (the real process,
with its structured logs going to a file) over a watchlist of ``--docs`` documents spread over
``--hosts`` local servers (each 127.0.0.1 port is a separate host for the politeness rules).
Pages carry real policy text from ../shared/corpus when it is there (Open Terms Archive
contributors, ODC-BY 1.0), else generated text.  The mix is the steady state of a monitor:

* 45 % of documents send an ETag, so rechecks are ``304 Not Modified``;
* 45 % send no validator, so rechecks are byte-identical bodies (extraction skipped by hash);
* 10 % carry a dynamic footer ("Page generated <time>"), so every recheck is extracted and
  decided (no version is stored: the decision text does not change).

Every document's interval is ``--interval`` seconds, short enough that the worker, not the
schedule, is the limit; per-host delay 0 (politeness is tested elsewhere; here it would only
measure sleeping).  RSS of the worker process is read from /proc every 0.5 s.  "start" is after
the first round (every document fetched and its first version stored, the extractor loaded);
growth is measured from there to the end, against the 10 % budget.  Results are printed and
written to benchmarks/out/worker_soak.json.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "ota"


def policy_texts(n: int) -> list[str]:
    files = sorted(CORPUS.glob("*/*/*.md"))[:: max(1, len(sorted(CORPUS.glob("*/*/*.md"))) // max(n, 1))] \
        if CORPUS.is_dir() else []
    texts = [f.read_text(encoding="utf-8") for f in files[:n]]
    while len(texts) < n:
        i = len(texts)
        texts.append("\n\n".join(f"Section {j} of policy {i}. We collect the information you give us and use it "
                                 "to provide, secure and improve the service." for j in range(60)))
    return texts


def to_html(md: str, title: str) -> str:
    paras = [p.strip() for p in re.split(r"\n\s*\n", md) if p.strip()]
    body = "\n".join(f"<h2>{html.escape(p.lstrip('#').strip())}</h2>" if p.startswith("#")
                     else f"<p>{html.escape(' '.join(p.split()))}</p>" for p in paras)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><nav><a href='/'>Home</a></nav><main><article><h1>{html.escape(title)}</h1>{body}"
            "</article></main><footer>{footer}</footer></body></html>")


def make_server(pages: dict[str, tuple[str, str]]):
    """pages: path -> (html template, kind) with kind etag | plain | dynamic."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802
            page = pages.get(self.path)
            if page is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            template, kind = page
            etag = f'"{abs(hash(self.path))}"'
            if kind == "etag" and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            footer = f"Page generated {time.time():.6f}" if kind == "dynamic" else "© Example"
            body = template.replace("{footer}", footer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if kind == "etag":
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def count_checks(db: Path) -> int:
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            return conn.execute("select count(*) from checks").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checks", type=int, default=10_000)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--hosts", type=int, default=10)
    ap.add_argument("--interval", type=float, default=2.0, help="seconds between two checks of a document")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--timeout", type=float, default=600.0, help="stop the worker after this many seconds")
    args = ap.parse_args()

    texts = policy_texts(min(args.docs, 40))
    tables: list[dict] = [{} for _ in range(args.hosts)]
    servers = []
    docs = []
    for i in range(args.docs):
        kind = "dynamic" if i % 10 == 9 else ("etag" if i % 2 == 0 else "plain")
        tables[i % args.hosts][f"/doc/{i}"] = (to_html(texts[i % len(texts)] + f"\n\nDocument {i}.", f"Policy {i}"), kind)
    for table in tables:
        servers.append(make_server(table))
    for i in range(args.docs):
        port = servers[i % args.hosts].server_address[1]
        docs.append(f"  - {{id: doc-{i}, service: S{i}, type: Policy, url: 'http://127.0.0.1:{port}/doc/{i}'}}")

    work = Path(tempfile.mkdtemp(prefix="cw-soak-"))
    wl, db, log = work / "watchlist.yaml", work / "soak.sqlite", work / "worker.log"
    wl.write_text(f"settings: {{interval: {args.interval / 3600!r}, jitter: {min(0.5, args.interval / 4) / 3600!r}, "
                  f"per_host_delay: 0, concurrency: {args.concurrency}}}\ndocuments:\n" + "\n".join(docs) + "\n",
                  encoding="utf-8")
    cmd = [sys.executable, "-m", "clausewatch", "--watchlist", str(wl), "--db", str(db), "worker",
           "--max-checks", str(args.checks), "--log-format", "json"]
    with open(log, "wb") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=out, cwd=ROOT)
    samples: list[tuple[float, int, float]] = []  # (seconds since start, checks, RSS MB)
    start_point = None
    timed_out = False
    while proc.poll() is None:
        time.sleep(0.5)
        elapsed = time.monotonic() - t0
        mb = rss_mb(proc.pid)
        n = count_checks(db)
        if mb is not None:
            samples.append((elapsed, n, mb))
        if start_point is None and n >= args.docs:
            start_point = (elapsed, n, mb)
        if elapsed > args.timeout:
            timed_out = True
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            break
    total_s = time.monotonic() - t0
    checks = count_checks(db)
    conn = sqlite3.connect(db)
    outcomes = dict(conn.execute("select outcome, count(*) from checks group by outcome").fetchall())
    versions = conn.execute("select count(*) from versions").fetchone()[0]
    slots = conn.execute("select count(*) from check_slots").fetchone()[0]
    conn.close()
    end_point = samples[-1] if samples else (total_s, checks, None)
    steady = [s for s in samples if start_point and s[0] >= start_point[0]]
    rate = ((end_point[1] - start_point[1]) / (end_point[0] - start_point[0])
            if start_point and end_point[0] > start_point[0] else None)
    growth = (end_point[2] - start_point[2]) / start_point[2] * 100 if start_point and start_point[2] else None
    result = {
        "checks": checks, "target": args.checks, "timed_out": timed_out, "exit_code": proc.returncode,
        "docs": args.docs, "hosts": args.hosts, "interval_s": args.interval, "concurrency": args.concurrency,
        "wall_s": round(total_s, 1), "outcomes": outcomes, "versions": versions, "check_slots": slots,
        "rss_mb_first_sample": round(samples[0][2], 1) if samples else None,
        "rss_mb_start": round(start_point[2], 1) if start_point and start_point[2] else None,
        "start_at_s": round(start_point[0], 1) if start_point else None,
        "rss_mb_end": round(end_point[2], 1) if end_point[2] else None,
        "rss_mb_peak": round(max(s[2] for s in samples), 1) if samples else None,
        "rss_growth_pct": round(growth, 1) if growth is not None else None,
        "steady_checks_per_s": round(rate, 1) if rate else None,
        "overall_checks_per_s": round(checks / total_s, 1),
        "rss_mb_by_checks": [(n, round(mb, 1)) for _, n, mb in steady[:: max(1, len(steady) // 10)]],
        "python": sys.version.split()[0], "cpus": os.cpu_count(),
    }
    (ROOT / "benchmarks" / "out").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "out" / "worker_soak.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    for httpd in servers:
        httpd.shutdown()
    ok = checks >= args.checks and not timed_out and (growth is None or growth < 10) and slots == checks
    print("PASS" if ok else "FAIL", f"(growth {growth:.1f} % < 10 %)" if growth is not None else "", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
