"""Render change pages, on worker processes when there are many (their word diffs are CPU-bound).

Each worker opens its own Store on the same database file (SQLite connections are not shared
across processes) and its own jinja2 environment; it writes the page itself and sends back only
the diff it computed, which the parent keeps in the diff cache for the next build.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..store import Store
from . import pages as P
from .build import Page, _write, root_of
from .data import ChangeCache
from .render import Renderer

PARALLEL_FROM = 16  # fewer change pages than this render in-process (a pool costs ~0.2 s to start)

_worker: dict = {}


def _init(db_path: str, template_dir: str | None) -> None:
    _worker["store"] = Store(db_path)
    _worker["renderer"] = Renderer(template_dir)


def _render_one(store: Store, renderer: Renderer, page: Page, out: Path, cached: dict | None) -> dict | None:
    diff = cached or P.full_diff(store, page.inputs)
    variables = P.change_vars(store, page.inputs, diff)
    variables.setdefault("root", root_of(page.path))
    _write(out / page.path, renderer.render(page.template, variables).encode("utf-8"))
    return None if cached else diff


def _task(path: str, template: str, inputs: dict, out: str, cached: dict | None) -> dict | None:
    page = Page(path, template, inputs, heavy=True)
    return _render_one(_worker["store"], _worker["renderer"], page, Path(out), cached)


def render_change_pages(store: Store, renderer: Renderer, pages: list[Page], out: Path, diffs: ChangeCache,
                        *, workers: int | None = None) -> None:
    workers = workers or os.cpu_count() or 1
    jobs = [(p, P.diff_key(p.inputs)) for p in pages]
    if workers < 2 or len(jobs) < PARALLEL_FROM:
        for page, key in jobs:
            computed = _render_one(store, renderer, page, out, diffs.data.get(key) if key else None)
            if computed is not None and key:
                diffs.data[key] = computed
                diffs.dirty = True
        return
    user_dir = str(renderer.dirs[0]) if renderer.user_dir else None
    # the longest texts first, so no worker is left with a big diff at the end
    jobs.sort(key=lambda j: -(j[0].inputs["new"]["words"] or 0))
    with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(str(store.path), user_dir)) as pool:
        futures = [(key, pool.submit(_task, p.path, p.template, p.inputs, str(out), diffs.data.get(key) if key else None))
                   for p, key in jobs]
        for key, future in futures:
            computed = future.result()
            if computed is not None and key:
                diffs.data[key] = computed
                diffs.dirty = True
