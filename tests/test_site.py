"""The static site: `clausewatch import` + `clausewatch run` + `clausewatch site build`, then checked
as files and in real headless Chromium (over a 127.0.0.1 HTTP server and from file://).

Corpus texts are Open Terms Archive contributors' (ODC-BY 1.0), read from ../shared/corpus.
A third document is served from a local policy server with hostile markup in it (a live
<script>, an onerror handler, a javascript: link, and script tags written out as text), so the
site has real raw captures to show and something that must never run.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from click.testing import CliRunner

from clausewatch.cli import main
from policy_pages import CORPUS, PolicyServer, Response, markdown_to_html

OPENAI_PP = CORPUS / "ota" / "OpenAI" / "Privacy Policy"
META_AI = CORPUS / "ota" / "Meta AI" / "Terms of Service"
KNOWN_AI_SENTENCE = "for example to train the models that power ChatGPT"
AI_TRAINING = "We may use the content you post to train our artificial intelligence models."

HOSTILE = """
<script>window.__cw_pwned = "live script in the capture";</script>
<p>Our commitments about your content and what we do with it are set out in this section of the notice.
Example markup users post: &lt;script&gt;window.__cw_pwned = "script written as text"&lt;/script&gt; and
&lt;img src=x onerror="window.__cw_pwned='onerror as text'"&gt; are shown in our help pages.</p>
<p>You can <a href="javascript:window.__cw_pwned='javascript link'">opt out here</a> at any time,
<img src="missing.png" onerror="window.__cw_pwned='live onerror'" alt=""> by visiting your settings page.</p>
"""


def _hostile_page(extra: str = "") -> bytes:
    md = (OPENAI_PP / "2023-10-16T12-30-08Z.md").read_text(encoding="utf-8")
    body = markdown_to_html("\n\n".join(md.split("\n\n")[:25]))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Privacy</title></head>
<body><main><article><h1>Example Privacy Policy</h1>{HOSTILE}{extra}{body}</article></main></body></html>""".encode()


def cli(db: Path, *args: str, watchlist: Path | None = None) -> str:
    opts = ["--db", str(db)] + (["--watchlist", str(watchlist)] if watchlist else [])
    result = CliRunner().invoke(main, [*opts, *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A database with two imported histories and one captured document, and its site."""
    if not OPENAI_PP.is_dir():
        pytest.skip(f"the policy corpus is not at {CORPUS}")
    tmp = tmp_path_factory.mktemp("site")
    db = tmp / "cw.sqlite"
    cli(db, "import", str(OPENAI_PP))
    cli(db, "import", str(META_AI))
    srv = PolicyServer().start()
    try:
        srv.pages["/privacy"] = Response(body=_hostile_page())
        wl = tmp / "watchlist.yaml"
        wl.write_text("settings: {per_host_delay: 0, timeout: 5}\ndocuments:\n"
                      f"  - {{service: Example, type: Privacy Policy, url: '{srv.url('/privacy')}', fetcher: http}}\n",
                      encoding="utf-8")
        cli(db, "run", watchlist=wl)
        srv.pages["/privacy"] = Response(body=_hostile_page(f"<p>{AI_TRAINING}</p>"))
        cli(db, "run", watchlist=wl)
    finally:
        srv.stop()
    out = tmp / "site"
    report = json.loads(cli(db, "site", "build", str(out), "--json"))
    return {"db": db, "out": out, "report": report, "tmp": tmp}


def html_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if "pagefind" not in p.parts)


# --- files --------------------------------------------------------------------------------------


def test_build_writes_every_kind_of_page(built):
    out = built["out"]
    assert built["report"]["written"] == built["report"]["pages"] > 0
    for name in ("index.html", "about.html", "search.html", "feed.xml", "service/openai.html", "service/openai.xml",
                 "service/example.html", "static/site.css", "static/search.js", "pagefind/pagefind-entry.json"):
        assert (out / name).is_file(), name
    assert len(list((out / "versions" / "openai-privacy-policy").glob("*.html"))) == 4
    pf = out / "pagefind"
    index_files = [p for p in pf.rglob("*") if p.is_file() and "file" not in p.relative_to(pf).parts
                   and (p.suffix in (".pf_meta", ".pf_index", ".pf_fragment", ".pagefind") or p.name == "pagefind-entry.json")]
    assert len(list((pf / "file").glob("*.js"))) == len(index_files) + 1  # each wrapped for file://, + pagefind-file.js
    assert len(list((out / "changes").glob("*.html"))) == 3 + 2 + 1  # one per non-first version
    assert len(list((out / "raw").glob("*.txt"))) == 2  # the two captures of the served page
    index = (out / "index.html").read_text(encoding="utf-8")
    for service in ("OpenAI", "Meta AI", "Example"):
        assert f">{service}</a>" in index
    assert "Open Terms Archive contributors" in (out / "about.html").read_text(encoding="utf-8")


def test_stance_and_latest_ai_changes_on_the_index(built):
    index = (built["out"] / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<th scope="row"><a href="service/example.html">Example</a></th>(.*?)</tr>', index, re.S).group(1)
    trains = re.findall(r'<td class="(yes|no)">', row)
    assert trains[0] == "yes"  # the served page now says it trains on posted content
    assert "Latest AI changes" in index
    assert re.search(r'href="changes/[^"]+\.html">Example Privacy Policy</a>', index)


def test_policy_text_is_escaped_everywhere(built):
    for page in html_files(built["out"]):
        html = page.read_text(encoding="utf-8")
        assert "__cw_pwned" not in re.sub(r"&[a-z#0-9]+;", "", "".join(re.findall(r"<[^>]*>", html))), page
        assert not re.search(r"<a\s[^>]*href=\"\s*javascript:", html, re.I), page
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page  # no inline script at all
    version = next((built["out"] / "versions" / "example-privacy-policy").glob("*.html")).read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__cw_pwned" in version  # the text is there, as text


def test_raw_captures_are_kept_byte_exact_and_only_as_text(built):
    raws = sorted((built["out"] / "raw").glob("*.txt"))
    assert any(b"<script>window.__cw_pwned" in p.read_bytes() for p in raws)
    import hashlib

    for p in raws:
        assert hashlib.sha256(p.read_bytes()).hexdigest() == p.stem  # the file is the evidence it names
        viewer = p.with_suffix(".html").read_text(encoding="utf-8")
        assert "&lt;script&gt;window.__cw_pwned" in viewer


def test_feeds_are_atom_with_links_to_existing_pages(built):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for feed in (built["out"] / "feed.xml", built["out"] / "service" / "example.xml"):
        root = ET.fromstring(feed.read_bytes())
        entries = root.findall("a:entry", ns)
        assert entries, feed
        for e in entries:
            href = e.find("a:link", ns).get("href")
            assert (feed.parent / href).resolve().is_file(), href
    titles = [e.findtext("a:title", namespaces=ns) for e in ET.fromstring(
        (built["out"] / "service" / "example.xml").read_bytes()).findall("a:entry", ns)]
    assert any("AI clause" in t for t in titles)


def test_unchanged_rebuild_writes_nothing(built, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(built["out"], out)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    report = json.loads(cli(built["db"], "site", "build", str(out), "--json"))
    assert report["written"] == 0 and report["deleted"] == 0
    assert report["unchanged"] == built["report"]["pages"]
    assert report["search_index_rebuilt"] is False
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before  # not one file touched


def test_new_version_rewrites_only_the_pages_it_touches(built, tmp_path):
    db, out = tmp_path / "cw.sqlite", tmp_path / "site"
    shutil.copy(built["db"], db)
    shutil.copytree(built["out"], out)
    meta_version = next((out / "versions" / "meta-ai-terms-of-service").glob("*.html"))
    untouched = meta_version.stat().st_mtime_ns
    newest = sorted((CORPUS / "ota" / "OpenAI" / "Terms of Service").glob("*.md"))[-1]
    hist = tmp_path / "hist" / "OpenAI" / "Privacy Policy"
    hist.mkdir(parents=True)
    (hist / "2024-03-01T00-00-00Z.md").write_text(
        (OPENAI_PP / "2023-12-15T18-30-30Z.md").read_text(encoding="utf-8") + "\n\nA new closing paragraph about "
        "account deletion, retention of backups and how long we keep records after you leave.\n", encoding="utf-8")
    assert newest.exists()
    cli(db, "import", str(tmp_path / "hist"))
    report = json.loads(cli(db, "site", "build", str(out), "--json"))
    # new version page + its .txt, its change page, the previous version (its "newer" link),
    # the previous change (its "later" link), the service page and feed, index, global feed
    assert 4 <= report["written"] <= 12, report
    assert report["pages"] == built["report"]["pages"] + 3
    assert report["search_index_rebuilt"] is True
    assert meta_version.stat().st_mtime_ns == untouched


def test_build_refuses_a_folder_that_is_not_a_site(built, tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["--db", str(built["db"]), "site", "build", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a clausewatch site" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


# --- in Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def http_site(built):
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(built["out"]))
    srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()


def _not_pwned(page) -> None:
    assert page.evaluate("window.__cw_pwned === undefined"), page.evaluate("window.__cw_pwned")


@pytest.mark.browser
def test_every_internal_link_resolves_and_nothing_captured_runs(built, http_site, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    seen, queue, checked_files = set(), [http_site + "index.html"], set()
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        _not_pwned(page)
        if not url.endswith(".html"):
            continue
        hrefs = page.eval_on_selector_all("a[href], link[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            assert not href.strip().lower().startswith("javascript:"), (url, href)
            target = urldefrag(urljoin(url, href)).url
            if not target.startswith(http_site):
                continue  # the site links out only as text; nothing to follow
            path = urlsplit(target).path
            if path.endswith(".html"):
                queue.append(target)
            elif target not in checked_files:
                checked_files.add(target)
                assert page.request.get(target).status == 200, (url, href)
    reached = {urlsplit(u).path.lstrip("/") for u in seen}
    assert reached == {p.relative_to(built["out"]).as_posix() for p in html_files(built["out"])}  # no orphan page
    assert any("/raw/" in u and u.endswith(".txt") for u in seen | checked_files)
    assert not dialogs and not errors, (dialogs, errors)


@pytest.mark.browser
def test_captured_script_does_not_run_from_file_url(built, page):
    out = built["out"]
    pages = [*sorted((out / "versions" / "example-privacy-policy").glob("*.html")),
             *sorted((out / "raw").glob("*")), *sorted((out / "changes").glob("v*.html"))]
    for p in pages:
        page.goto(p.as_uri())
        _not_pwned(page)
        assert "PWNED" not in page.title()
    # and the text really is on the page, visibly, as text
    page.goto(sorted((out / "versions" / "example-privacy-policy").glob("*.html"))[-1].as_uri())
    assert '<script>window.__cw_pwned = "script written as text"</script>' in page.inner_text("main")
    page.get_by_text("opt out here").first.click()  # the javascript: link is just text now
    _not_pwned(page)


def _search(page, url: str, query: str) -> list[str]:
    page.goto(url)
    page.fill("#q", query)
    page.press("#q", "Enter")
    # (a locator wait: the site's CSP forbids the eval a string wait_for_function would need)
    page.locator("#search-status").filter(has_text=re.compile("match|unavailable")).wait_for(timeout=15000)
    status = page.inner_text("#search-status")
    assert "unavailable" not in status, status
    return page.eval_on_selector_all("#search-results li", "els => els.map(e => e.innerText)")


@pytest.mark.browser
def test_search_finds_a_known_ai_sentence_over_http(http_site, page):
    results = _search(page, http_site + "search.html", f'"{KNOWN_AI_SENTENCE}"')
    # the four OpenAI privacy policy versions, and the two of the served page built from the same text
    assert sorted(r.split(" — ")[0] for r in results) == ["Example Privacy Policy"] * 2 + ["OpenAI Privacy Policy"] * 4
    assert all("train the models that power ChatGPT" in r for r in results)
    page.get_by_role("link", name=re.compile("OpenAI Privacy Policy")).first.click()
    assert "OpenAI Privacy Policy" in page.inner_text("h1")
    assert KNOWN_AI_SENTENCE in page.inner_text("main")


@pytest.mark.browser
def test_search_works_from_file_url_and_links_open(built, page):
    results = _search(page, (built["out"] / "search.html").as_uri(), f'"{KNOWN_AI_SENTENCE}"')
    assert sum("OpenAI Privacy Policy" in r for r in results) == 4  # every version has it
    page.get_by_role("link", name=re.compile("OpenAI Privacy Policy")).first.click()
    assert page.url.startswith("file://") and "/versions/openai-privacy-policy/" in page.url
    assert KNOWN_AI_SENTENCE in page.inner_text("main")
    assert not _search(page, (built["out"] / "search.html").as_uri(), "zyxwvutsrqp")


@pytest.mark.browser
def test_pages_are_keyboard_and_phone_friendly(built, page):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto((built["out"] / "index.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1  # no sideways scroll of the page
    landmarks = page.evaluate("['header','nav','main','footer'].map(t => document.querySelectorAll(t).length)")
    assert all(n >= 1 for n in landmarks)
    assert page.evaluate("document.querySelectorAll('h1').length") == 1


def test_changes_missing_from_the_store_are_computed_and_cached(built, tmp_path):
    import sqlite_utils

    db, out = tmp_path / "cw.sqlite", tmp_path / "site"
    shutil.copy(built["db"], db)
    stored = sqlite_utils.Database(db)
    assert stored["changes"].count == 6  # the change engine recorded one per non-first version
    stored.execute("delete from changes where document_id = 'openai-privacy-policy'")
    stored.conn.commit()
    stored.close()
    report = json.loads(cli(db, "site", "build", str(out), "--json"))
    assert report["pages"] == built["report"]["pages"]
    cache = json.loads((out / ".clausewatch-site" / "changes.json").read_text(encoding="utf-8"))
    assert len(cache) == 3  # only the document whose rows were missing
    assert {c["class"] for c in cache.values()} <= {
        "AI_CLAUSE_ADDED", "AI_CLAUSE_REMOVED", "AI_CLAUSE_CHANGED", "SUBSTANTIVE_OTHER", "NOISE_FORMATTING",
        "NOISE_REPEAT", "NOISE_EXTRACTION"}
    pages = sorted((out / "changes").glob("v*.html"))
    assert len(pages) == 3 and all("OpenAI Privacy Policy" in p.read_text(encoding="utf-8") for p in pages)


def test_change_pages_render_the_same_on_worker_processes(built, tmp_path, monkeypatch):
    from clausewatch.site import build_site, parallel
    from clausewatch.store import Store

    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    out = tmp_path / "site"
    with Store(built["db"]) as store:
        report = build_site(store, out, search=False, workers=2)
    assert report.pages == built["report"]["pages"] - 0
    for page in sorted((built["out"] / "changes").glob("*.html")):
        assert (out / "changes" / page.name).read_bytes() == page.read_bytes(), page.name
    diffs = json.loads((out / ".clausewatch-site" / "diffs.json").read_text(encoding="utf-8"))
    assert len(diffs) == 6  # every change page's diff, kept for the next build
