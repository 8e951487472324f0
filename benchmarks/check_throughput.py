"""Check throughput: 100 local policy pages, first run and unchanged rerun, clausewatch vs urlwatch.

Serves 100 pages built from real versions in ../shared/corpus/ota (navigation, cookie banner and a
footer around the policy text; median ≈ 45 KB of HTML) from a threaded HTTP server on 127.0.0.1,
then times whole processes:

* ``clausewatch run`` on a fresh database (first run: fetch, extract, clauses, store 100 versions),
* ``clausewatch run`` again (unchanged: 100 checks recorded, extraction skipped on identical bytes),
* the same two rounds for urlwatch (``html2text`` filter), when it is installed.

Wall time and the peak RSS of the measured process (``os.wait4``), median of --trials runs.

Run:  python benchmarks/check_throughput.py [--trials 3] [--docs 100]
      python benchmarks/check_throughput.py --serve   # keep serving; prints the commands to time by hand
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from policy_pages import CORPUS, PolicyServer, Response, policy_page  # noqa: E402


def corpus_texts(n: int) -> list[str]:
    """n real policy versions, spread over the services of the corpus."""
    docs = sorted(p for p in (CORPUS / "ota").glob("*/*") if p.is_dir())
    per_doc = [sorted(d.glob("*.md")) for d in docs]
    texts: list[str] = []
    i = 0
    while len(texts) < n:
        files = per_doc[i % len(per_doc)]
        k = i // len(per_doc)
        if k < len(files):
            texts.append(files[-1 - k].read_text(encoding="utf-8"))
        i += 1
        if i > 100_000:
            break
    return texts


# 100 documents of a real watchlist live on ~40 hosts; clausewatch sends one request at a time per
# host, so the pages are spread over this many local servers (one host:port each).
HOSTS = 10


class Servers:
    def __init__(self, n: int):
        self.servers = [PolicyServer().start() for _ in range(HOSTS)]
        for i, md in enumerate(corpus_texts(n)):
            self.servers[i % HOSTS].pages[f"/policy/{i}"] = Response(body=policy_page(md, title=f"Policy {i}"))

    def url(self, i: int) -> str:
        return self.servers[i % HOSTS].url(f"/policy/{i}")

    def stop(self):
        for server in self.servers:
            server.stop()


def serve(n: int) -> Servers:
    return Servers(n)


def write_configs(server: Servers, n: int, work: Path) -> dict[str, Path]:
    wl = work / "watchlist.yaml"
    wl.write_text("settings: {per_host_delay: 0, concurrency: 8, timeout: 10}\ndocuments:\n" + "".join(
        f"  - {{service: Service {i}, type: Policy, url: '{server.url(i)}', fetcher: http}}\n"
        for i in range(n)), encoding="utf-8")
    urls = work / "urls.yaml"
    urls.write_text("".join(f"---\nname: policy {i}\nurl: {server.url(i)}\nfilter:\n  - html2text\n"
                            for i in range(n)), encoding="utf-8")
    return {"watchlist": wl, "urls": urls}


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def clausewatch_cmd(cfg: dict, db: Path) -> list[str]:
    exe = shutil.which("clausewatch") or ""
    base = [exe] if exe else [sys.executable, "-c", "from clausewatch.cli import main; main()"]
    return [*base, "--watchlist", str(cfg["watchlist"]), "--db", str(db), "run"]


def urlwatch_cmd(cfg: dict, work: Path) -> list[str] | None:
    exe = shutil.which("urlwatch")
    if not exe:
        return None
    config = work / "urlwatch.yaml"
    if not config.exists():
        config.write_text("display: {new: true, error: true, unchanged: false}\n"
                          "report: {text: {details: true}, stdout: {enabled: true, color: false}}\n", encoding="utf-8")
    return [exe, "--urls", str(cfg["urls"]), "--config", str(config), "--cache", str(work / "urlwatch-cache.db")]


def measure(trials: int, n: int) -> list[tuple[str, list[tuple[float, float, int]]]]:
    server = serve(n)
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            cfg = write_configs(server, n, work)
            first, rerun = [], []
            for t in range(trials):
                db = work / f"cw-{t}.sqlite"
                first.append(timed(clausewatch_cmd(cfg, db)))
                rerun.append(timed(clausewatch_cmd(cfg, db)))
            rows += [("clausewatch first run", first), ("clausewatch unchanged rerun", rerun)]
            if urlwatch_cmd(cfg, work):
                first, rerun = [], []
                for _ in range(trials):
                    (work / "urlwatch-cache.db").unlink(missing_ok=True)
                    first.append(timed(urlwatch_cmd(cfg, work)))
                    rerun.append(timed(urlwatch_cmd(cfg, work)))
                rows += [("urlwatch first run", first), ("urlwatch unchanged rerun", rerun)]
    finally:
        server.stop()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--serve", action="store_true", help="serve the pages and wait (for timing by hand)")
    args = parser.parse_args()
    if not (CORPUS / "ota").is_dir():
        sys.exit(f"check_throughput: the corpus is not at {CORPUS}")
    if args.serve:
        server = serve(args.docs)
        work = Path(tempfile.mkdtemp(prefix="cw-bench-"))
        cfg = write_configs(server, args.docs, work)
        print(" ".join(clausewatch_cmd(cfg, work / "cw.sqlite")))
        if urlwatch_cmd(cfg, work):
            print(" ".join(urlwatch_cmd(cfg, work)))
        sys.stdout.flush()
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            server.stop()
        return
    rows = measure(args.trials, args.docs)
    print(f"{args.docs} documents on 127.0.0.1, {args.trials} trials, median (min–max)")
    print("| round | wall s | peak RSS MB | exit |")
    print("|---|---:|---:|---:|")
    for name, runs in rows:
        walls, rss = [r[0] for r in runs], [r[1] for r in runs]
        print(f"| {name} | {statistics.median(walls):.2f} ({min(walls):.2f}–{max(walls):.2f}) "
              f"| {statistics.median(rss):.0f} ({min(rss):.0f}–{max(rss):.0f}) | {','.join(str(r[2]) for r in runs)} |")


if __name__ == "__main__":
    main()
