"""Write the static site: which pages exist, what each depends on, and the incremental writer.

Every page is a :class:`Page`: an output path, a template, its *inputs* (plain JSON values read
from the store) and a function that turns the inputs into the template's variables.  The key of a
page is the hash of its inputs plus the fingerprint of all templates, static files and
``SITE_VERSION``; the manifest (``OUT/.clausewatch-site/manifest.json``) remembers the key each
file was written with, so a rebuild renders and writes only pages whose key changed, deletes
pages that no longer exist, and re-runs the search indexer only when an indexed page changed.

Layout (all links relative, so the site works from ``file://`` and from any sub-path)::

    index.html  about.html  search.html  feed.xml
    service/<service-slug>.html  service/<service-slug>.xml      per service page + Atom feed
    versions/<document-id>/<captured-at>.html  … .txt           one version, and its plain text
    changes/<change id>.html                                     one change (digests link here)
    raw/<sha256>.txt  raw/<sha256>.html                          a raw capture, as text only
    static/  pagefind/                                           CSS/JS, the search index
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError
from ..store import Store
from . import data as D

SITE_VERSION = "1"  # bump when the page inputs or layout change in a way templates do not show
MANIFEST = ".clausewatch-site/manifest.json"
CHANGE_CACHE = ".clausewatch-site/changes.json"
DIFF_CACHE = ".clausewatch-site/diffs.json"


@dataclass
class Page:
    path: str  # relative to the output folder, "/" separated
    template: str | None  # None = ``render`` returns the bytes itself
    inputs: object  # JSON-serialisable; the page is rewritten when these change
    prepare: Callable[[object], dict] | None = None  # inputs → template variables (called only to render)
    render: Callable[[object], bytes] | None = None  # for non-template files (feeds, raw captures)
    indexed: bool = False  # part of the search index
    heavy: bool = False  # a change page: its word diff is cached and it may render in a worker process


@dataclass
class BuildReport:
    out_dir: str
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    deleted: int = 0
    indexed: bool = False  # the search index was rebuilt
    search: str = ""  # what the search step did
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"out_dir": self.out_dir, "pages": self.pages, "written": self.written, "unchanged": self.unchanged,
                "deleted": self.deleted, "search_index_rebuilt": self.indexed, "search": self.search,
                "seconds": round(self.seconds, 3), "timings": {k: round(v, 3) for k, v in self.timings.items()}}


def root_of(path: str) -> str:
    """The relative prefix from a page back to the site root ("" for top-level pages)."""
    return "../" * path.count("/")


def _fingerprint_dir(dirs: list[Path]) -> str:
    h = hashlib.sha256(SITE_VERSION.encode())
    for d in dirs:
        for f in sorted(d.rglob("*")) if d.is_dir() else [d]:
            if f.is_file():
                h.update(f.name.encode())
                h.update(f.read_bytes())
    return h.hexdigest()


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, path)  # a reader never sees half a page


def build_site(store: Store, out_dir: str | Path, *, base_url: str | None = None, search: bool = True,
               now: Callable[[], datetime] = lambda: datetime.now(UTC),
               templates: str | Path | None = None, workers: int | None = None) -> BuildReport:
    """Render the store into a static site in ``out_dir``; only changed pages are rewritten.

    ``base_url`` (e.g. ``https://cw.example.org/``) makes feed links absolute; without it they are
    relative to the feed.  ``search=False`` skips the search index (pagefind).  Change pages (their
    whole-text word diffs are the slow part) render on ``workers`` processes (default: one per CPU).
    """
    from . import pages as P
    from .render import Renderer

    t0 = time.perf_counter()
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).exists():
        raise InputError(f"{out}: not empty and not a clausewatch site (no {MANIFEST}); choose an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    report = BuildReport(out_dir=str(out))

    renderer = Renderer(templates)
    fp = _fingerprint_dir(renderer.dirs_used())
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("version") != SITE_VERSION:
            manifest = {}
    except (OSError, ValueError):
        manifest = {}
    old_pages: dict[str, str] = manifest.get("pages", {})

    cache = D.ChangeCache(out / CHANGE_CACHE)
    t = time.perf_counter()
    site = P.collect(store, cache, base_url=base_url, built_at=now())
    cache.save()
    report.timings["read"] = time.perf_counter() - t

    t = time.perf_counter()
    new_pages: dict[str, str] = {}
    index_dirty = False
    heavy: list[Page] = []
    live_diffs: set[str] = set()
    for page in P.pages(site, renderer):
        key = hashlib.sha256((fp + D.fingerprint(page.inputs)).encode()).hexdigest()
        new_pages[page.path] = key
        if page.heavy:
            live_diffs.add(P.diff_key(page.inputs) or "")
        target = out / page.path
        if old_pages.get(page.path) == key and target.exists():
            report.unchanged += 1
            continue
        report.written += 1
        index_dirty |= page.indexed
        if page.heavy:
            heavy.append(page)
            continue
        if page.render is not None:
            content = page.render(page.inputs)
        else:
            variables = page.prepare(page.inputs) if page.prepare else dict(page.inputs)
            variables.setdefault("root", root_of(page.path))
            content = renderer.render(page.template, variables).encode("utf-8")
        _write(target, content)
    for path in sorted(set(old_pages) - set(new_pages)):
        stale = out / path
        if stale.exists():
            stale.unlink()
            report.deleted += 1
        index_dirty |= path.startswith("versions/")
    report.timings["pages"] = time.perf_counter() - t

    t = time.perf_counter()
    from .search import finish_index, index_ok, start_index

    indexing = None
    if search and (index_dirty or not index_ok(out)):
        indexing = start_index(out)  # runs while the change pages render
    diffs = D.ChangeCache(out / DIFF_CACHE)
    from .parallel import render_change_pages

    render_change_pages(store, renderer, heavy, out, diffs, workers=workers)
    diffs.prune(live_diffs)  # drop diffs of changes that are gone
    diffs.save()
    report.timings["change_pages"] = time.perf_counter() - t
    report.pages = len(new_pages)

    # the manifest goes last: a build killed half-way is simply redone where keys differ
    if new_pages != old_pages or manifest.get("version") != SITE_VERSION:
        _write(out / MANIFEST, json.dumps({"version": SITE_VERSION, "pages": new_pages}, indent=0).encode())

    t = time.perf_counter()
    if indexing is not None:
        report.search = finish_index(out, indexing)
        report.indexed = True
    else:
        report.search = "search index unchanged" if search else "search skipped"
    report.timings["search_wait"] = time.perf_counter() - t
    report.seconds = time.perf_counter() - t0
    return report
