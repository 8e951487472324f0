"""Static site build time on the whole dev corpus (issue 9): cold build, unchanged rebuild, one new version.

    python benchmarks/site_build.py                       # imports ../shared/corpus/ota into a temp DB first
    python benchmarks/site_build.py --db full.sqlite      # reuse a database that already holds the import
    python benchmarks/site_build.py --db full.sqlite --screenshots docs/   # also write the README screenshots

Prints one line per step and a summary table (seconds, wall clock, on this machine).  The import
is timed separately: it is not part of the site build (classification and clause extraction
happen there).  When the database has no ``changes`` table the site computes changes itself and
caches them in OUT/.clausewatch-site/changes.json; the first cold build then pays for the change
engine, so a second cold build with that cache kept is reported as the render-only cold build.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "ota"


def cw(db: Path, *args: str) -> str:
    # --watchlist to a file that does not exist: the import must not adopt the repository's
    # watchlist entries (that would change documents' URLs and so every page of them)
    result = subprocess.run([sys.executable, "-m", "clausewatch", "--db", str(db), "--watchlist",
                             str(db.parent / "no-watchlist.yaml"), *args],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(f"clausewatch {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build, its worker processes and pagefind
    return r.ru_utime + r.ru_stime


def timed_build(db: Path, out: Path) -> tuple[float, dict]:
    t, c = time.perf_counter(), _cpu()
    report = json.loads(cw(db, "site", "build", str(out), "--json"))
    report["cpu_s"] = _cpu() - c
    return time.perf_counter() - t, report


def _ai_change_page(out: Path, title_words: tuple[str, ...]) -> Path | None:
    """The change page whose <title> has all of ``title_words`` (e.g. LinkedIn's 2024-09-19 AI change)."""
    import re

    for page in sorted((out / "changes").glob("*.html")):
        head = page.read_text(encoding="utf-8")[:2000]
        title = re.search(r"<title>(.*?)</title>", head, re.S)
        if title and all(w in title.group(1) for w in title_words):
            return page
    return None


def screenshots(out: Path, dest: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    dest.mkdir(parents=True, exist_ok=True)
    change = (_ai_change_page(out, ("LinkedIn Privacy Policy", "AI clause", "2024-09-19"))
              or _ai_change_page(out, ("AI clause",)))
    shots = [("site-index.png", out / "index.html", 1100, 1400), ("site-service.png", out / "service" / "linkedin.html", 1100, 1400)]
    if change is not None:
        shots.append(("site-change.png", change, 1100, 1400))
    shots.append(("site-phone.png", out / "index.html", 390, 844))
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
        for name, target, width, height in shots:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(target.as_uri())
            page.screenshot(path=str(dest / name))
            page.close()
            written.append(dest / name)
        browser.close()
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--db", type=Path, help="an existing database with the corpus imported (skips the import)")
    ap.add_argument("--out", type=Path, help="site folder (default: a temporary one)")
    ap.add_argument("--screenshots", type=Path, help="write site-index.png, site-service.png, site-change.png here")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="cw-site-bench-"))
    rows: list[tuple[str, float, str]] = []
    db = args.db
    if db is None or not db.exists():
        db = db or work / "cw.sqlite"
        t = time.perf_counter()
        cw(db, "import", str(args.corpus))
        rows.append(("import (not part of the build)", time.perf_counter() - t, str(args.corpus)))
    out = args.out or work / "site"
    if out.exists():
        shutil.rmtree(out)

    secs, rep = timed_build(db, out)
    rows.append(("cold build, empty folder", secs, f"{rep['pages']} files, {rep['search']}; CPU {rep['cpu_s']:.1f} s"))
    cache = out / ".clausewatch-site" / "changes.json"
    if cache.exists():  # the site computed the changes itself: measure the render-only cold build too
        keep = work / "changes.json"
        shutil.copy(cache, keep)
        shutil.rmtree(out)
        cache.parent.mkdir(parents=True)
        shutil.copy(keep, cache)
        (out / ".clausewatch-site" / "manifest.json").write_text('{"version": "1", "pages": {}}', encoding="utf-8")
        secs, rep = timed_build(db, out)
        rows.append(("cold build, change cache kept", secs, f"{rep['written']} written"))
    secs, rep = timed_build(db, out)
    rows.append(("unchanged rebuild", secs, f"{rep['written']} written, {rep['search']}; CPU {rep['cpu_s']:.1f} s"))

    # one new version of one document (a copy of LinkedIn's newest text plus a paragraph)
    src = sorted((args.corpus / "LinkedIn" / "Privacy Policy").glob("*.md"))[-1]
    hist = work / "hist" / "LinkedIn" / "Privacy Policy"
    hist.mkdir(parents=True)
    (hist / "2099-01-01T00-00-00Z.md").write_text(
        src.read_text(encoding="utf-8") + "\n\nWe may use your posts to train generative AI models.\n", encoding="utf-8")
    bench_db = work / "bench-copy.sqlite"
    shutil.copy(db, bench_db)
    cw(bench_db, "import", str(work / "hist"))
    secs, rep = timed_build(bench_db, out)
    rows.append(("rebuild after one new version", secs,
                 f"{rep['written']} written, {rep['search']}; CPU {rep['cpu_s']:.1f} s"))

    load = os.getloadavg()
    print(f"\n{os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min)")
    print("\n| step | seconds | what |\n|---|---:|---|")
    for name, s, what in rows:
        print(f"| {name} | {s:.2f} | {what} |")
    if args.screenshots:
        # screenshots of the unmodified corpus site: rebuild it from the original database
        secs, rep = timed_build(db, out)
        for path in screenshots(out, args.screenshots):
            print(f"screenshot: {path}")
    if args.out is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
