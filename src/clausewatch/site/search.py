"""Full-text search: a real static index built by Pagefind (``pagefind[bin]`` from PyPI), offline.

Pagefind indexes the version pages (their ``data-pagefind-body`` part: the policy text) into
``OUT/pagefind/``; the search page queries it in the browser with Pagefind's own JavaScript
API and WebAssembly, with our own small UI (static/search.js).

Pagefind's browser code loads itself as an ES module and ``fetch``es its index files; browsers
refuse both for pages opened from ``file://``.  So after indexing we also write a ``file://``
bundle into ``OUT/pagefind/file/``: the same ``pagefind.js`` as a classic script (its one
``export`` statement turned into a global), and every index file wrapped in a tiny script that
hands its bytes (base64) to a ``fetch`` shim.  search.js uses the module over http(s) and the
bundle from ``file://``; both search the same index files.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..errors import ClausewatchError


class SiteError(ClausewatchError):
    """The search indexer failed."""

FILE_BUNDLE = "file"
GLOB = "versions/**/*.html"


def index_ok(out: Path) -> bool:
    pf = out / "pagefind"
    return (pf / "pagefind-entry.json").exists() and (pf / FILE_BUNDLE / "pagefind-file.js").exists()


def start_index(out: Path) -> subprocess.Popen | str:
    """Start (re)building the search index of the site in ``out``; :func:`finish_index` waits for it.

    Runs Pagefind's CLI (``python -m pagefind``, the binary from ``pagefind[bin]``) rather than its
    asyncio API: the CLI has written every file when it exits, a caller's event loop (Playwright's
    sync API, a notebook) does not matter, and it runs while the change pages are still rendering
    (it reads only the version pages, which are written by then).  A str = nothing started, and why.
    """
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return "search index not built: the 'pagefind[bin]' package is not installed"
    pf = out / "pagefind"
    if pf.exists():
        shutil.rmtree(pf)
    return subprocess.Popen(
        [sys.executable, "-m", "pagefind", "--site", str(out), "--glob", GLOB, "--output-path", str(pf),
         "--force-language", "en"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_index(out: Path, proc: subprocess.Popen | str) -> str:
    if isinstance(proc, str):
        return proc
    stdout, stderr = proc.communicate()
    pf = out / "pagefind"
    if proc.returncode != 0 or not (pf / "pagefind-entry.json").exists():
        raise SiteError(f"pagefind failed (exit {proc.returncode}): {(stderr or stdout).strip()[-500:]}")
    pages = re.search(r"Indexed (\d+) page", stdout)
    files = write_file_bundle(pf)
    return f"search index: {pages.group(1) if pages else '?'} pages, {files} index files"


def index_site(out: Path) -> str:
    """(Re)build the search index of the site in ``out`` and wait for it; returns what it did."""
    return finish_index(out, start_index(out))


def _bundle_name(rel: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", rel.replace("/", "__")) + ".js"


def write_file_bundle(pf: Path) -> int:
    """The ``file://`` variant of the index (see the module docstring); returns the files wrapped."""
    bundle = pf / FILE_BUNDLE
    bundle.mkdir(parents=True, exist_ok=True)
    js = (pf / "pagefind.js").read_text(encoding="utf-8")
    exports = re.findall(r"export\s*\{([^}]*)\}\s*;?", js)
    if len(exports) != 1:  # a Pagefind release shaped differently: http(s) search still works; say why
        why = f"this Pagefind's pagefind.js has {len(exports)} export statements, so no file:// copy was made"
        (bundle / "pagefind-file.js").write_text(f"window.__cwPagefindError = {json.dumps(why)};\n", encoding="utf-8")
        return 0
    js = re.sub(r"export\s*\{[^}]*\}\s*;?", "window.__cwPagefind={" + exports[0] + "};", js)
    js = js.replace("import.meta.url", "window.__cwPagefindUrl")
    (bundle / "pagefind-file.js").write_text("(function(){" + js + "\n})();\n", encoding="utf-8")
    n = 0
    for f in sorted(pf.rglob("*")):
        rel = f.relative_to(pf).as_posix()
        if not f.is_file() or rel.startswith(FILE_BUNDLE + "/") or not (
                rel.endswith((".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind"))
                or rel == "pagefind-entry.json"):
            continue
        payload = base64.b64encode(f.read_bytes()).decode("ascii")
        (bundle / _bundle_name(rel)).write_text(f'window.__cwPagefindData("{rel}","{payload}");\n', encoding="ascii")
        n += 1
    return n
