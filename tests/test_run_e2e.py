"""End to end: real policy pages (from the corpus) on a local HTTP server, `clausewatch run`, a real SQLite file."""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from click.testing import CliRunner

from clausewatch.cli import main
from policy_pages import CAPTCHA_PAGE, Response, policy_page

LINKEDIN = "ota/LinkedIn/Privacy Policy/2024-08-01T18-10-11Z.md"
LINKEDIN_AI = "ota/LinkedIn/Privacy Policy/2024-09-19T06-10-13Z.md"
REDDIT = "ota/Reddit/Terms of Service/2024-02-15T18-39-45Z.md"


@pytest.fixture
def site(server, corpus, tmp_path):
    """Two watched documents on the local server, a watchlist and a database path."""
    pages = {
        "/linkedin/privacy": (corpus / LINKEDIN).read_text(encoding="utf-8"),
        "/reddit/terms": _first_version(corpus, "ota/Reddit/Terms of Service"),
    }
    for path, md in pages.items():
        server.pages[path] = Response(body=policy_page(md))
    wl = tmp_path / "watchlist.yaml"
    wl.write_text(
        "settings: {per_host_delay: 0, timeout: 5}\n"
        "documents:\n"
        f"  - {{service: LinkedIn, type: Privacy Policy, url: '{server.url('/linkedin/privacy')}'}}\n"
        f"  - {{service: Reddit, type: Terms of Service, url: '{server.url('/reddit/terms')}', fetcher: http}}\n",
        encoding="utf-8",
    )
    return {"server": server, "pages": pages, "watchlist": wl, "db": tmp_path / "cw.sqlite", "corpus": corpus}


def _first_version(corpus, folder):
    return sorted((corpus / folder).glob("*.md"))[0].read_text(encoding="utf-8")


def run(site, *args):
    result = CliRunner().invoke(main, ["--watchlist", str(site["watchlist"]), "--db", str(site["db"]), *args])
    assert result.exit_code == 0, result.output
    return result


def run_json(site):
    out = run(site, "run", "--json").output
    try:
        return {r["service"]: r for r in json.loads(out)}
    except ValueError:
        raise AssertionError(out) from None


def versions(site, service="LinkedIn"):
    db = sqlite_utils.Database(site["db"])
    return list(db.query("select v.* from versions v join documents d on d.id = v.document_id where d.service = ?"
                         " order by v.id", [service]))


def checks(site):
    return sqlite_utils.Database(site["db"])["checks"].count


def serve(site, path="/linkedin/privacy", **page):
    md = page.pop("md", site["pages"][path])
    site["server"].pages[path] = Response(body=policy_page(md, **page))


def test_first_run_stores_versions_and_keeps_the_raw_capture(site):
    results = run_json(site)
    assert {r["outcome"] for r in results.values()} == {"new"}
    for r in results.values():
        assert set(r) >= {"service", "type", "url", "outcome", "reason"}
    [v] = versions(site)
    assert "Your Privacy Matters" in v["text"]
    assert "Careers" not in v["text"]  # navigation is not policy text
    assert v["extractor"] == "trafilatura" and v["extractor_version"].startswith("2.")
    db = sqlite_utils.Database(site["db"])
    capture = db["captures"].get(v["capture_sha256"])
    import zlib

    assert zlib.decompress(capture["data"]) == site["server"].pages["/linkedin/privacy"].body
    assert capture["status"] == 200 and capture["final_url"].endswith("/linkedin/privacy")
    assert "text/html" in json.loads(capture["headers"])["content-type"]


def test_unchanged_rerun_records_checks_but_no_version(site):
    run_json(site)
    before = checks(site)
    results = run_json(site)
    assert {r["outcome"] for r in results.values()} == {"unchanged"}
    assert results["LinkedIn"]["reason"] == "capture byte-identical to the last one"
    assert len(versions(site)) == 1
    assert checks(site) == before + 2


@pytest.mark.parametrize("noise", [
    {"tracking": "utm_source=newsletter&trk=abc123"},
    {"wrap": True},
    {"footer": "Page generated 2026-12-01 23:59:59 · build 9f8e7d6c5b"},
    {"tracking": "ref=footer", "wrap": True, "footer": "Page generated 2025-02-03 04:05:06 · build abcdef123"},
], ids=["tracking-parameters", "markup-whitespace", "dynamic-footer", "all-three"])
def test_noise_only_change_stores_no_version(site, noise):
    run_json(site)
    serve(site, **noise)
    results = run_json(site)
    assert results["LinkedIn"]["outcome"] == "unchanged"
    assert results["LinkedIn"]["reason"] == "same text as the current version"
    assert len(versions(site)) == 1


def test_changed_link_targets_are_not_a_change(site):
    run_json(site)
    md = site["pages"]["/linkedin/privacy"].replace("https://www.linkedin.com/", "https://www.linkedin.com/legal/")
    serve(site, md=md)
    assert run_json(site)["LinkedIn"]["outcome"] == "unchanged"


def test_real_change_stores_a_new_version(site):
    run_json(site)
    serve(site, md=(site["corpus"] / LINKEDIN_AI).read_text(encoding="utf-8"))
    results = run_json(site)
    assert results["LinkedIn"]["outcome"] == "changed"
    old, new = versions(site)
    assert "develop and train artificial intelligence (AI) models" in new["text"]
    assert "develop and train artificial intelligence" not in old["text"]


@pytest.mark.parametrize(("page", "reason"), [
    (Response(503, b"<html><body><h1>Service Unavailable</h1></body></html>"), "HTTP 503"),
    (Response(200, CAPTCHA_PAGE), "captcha"),
    (Response(200, b""), "the capture is empty"),
    (Response(200, b"   \n  "), "the capture is empty"),
], ids=["503", "captcha", "empty-body", "blank-body"])
def test_failures_are_recorded_and_keep_the_last_good_version(site, page, reason):
    run_json(site)
    site["server"].pages["/reddit/terms"] = page
    first = run_json(site)["Reddit"]
    assert first["outcome"] == "error" and reason in first["reason"]
    assert first["consecutive_failures"] == 1
    assert run_json(site)["Reddit"]["consecutive_failures"] == 2
    assert len(versions(site, "Reddit")) == 1
    db = sqlite_utils.Database(site["db"])
    doc = db["documents"].get("reddit-terms-of-service")
    assert doc["current_version_id"] == versions(site, "Reddit")[0]["id"]
    # One good check resets the streak.
    serve(site, "/reddit/terms")
    assert run_json(site)["Reddit"]["consecutive_failures"] == 0


def test_truncated_page_is_a_failure(site):
    run_json(site)
    body = policy_page(site["pages"]["/reddit/terms"])
    site["server"].pages["/reddit/terms"] = Response(200, body, truncate_to=len(body) // 3)
    result = run_json(site)["Reddit"]
    assert result["outcome"] == "error"
    assert "truncated" in result["reason"]
    assert len(versions(site, "Reddit")) == 1


def test_much_shorter_page_is_suspect_not_a_version(site):
    run_json(site)
    md = site["pages"]["/linkedin/privacy"]
    serve(site, md=md[: len(md) // 4])
    result = run_json(site)["LinkedIn"]
    assert result["outcome"] == "suspect"
    assert "much shorter" in result["reason"]
    assert len(versions(site)) == 1


def test_flip_flop_is_a_repeat(site):
    run_json(site)
    original = site["pages"]["/linkedin/privacy"]
    serve(site, md=(site["corpus"] / LINKEDIN_AI).read_text(encoding="utf-8"))
    assert run_json(site)["LinkedIn"]["outcome"] == "changed"
    serve(site, md=original)
    result = run_json(site)["LinkedIn"]
    assert result["outcome"] == "repeat"
    assert result["reason"].startswith("back to the text of ")
    assert len(versions(site)) == 2


def test_conditional_request_gets_304(site):
    site["server"].pages["/reddit/terms"].headers["ETag"] = '"v1"'
    run_json(site)
    result = run_json(site)["Reddit"]
    assert result["outcome"] == "unchanged" and result["reason"] == "not modified (HTTP 304)"
    sent = [h for path, h in site["server"].requests if path == "/reddit/terms"]
    assert sent[-1].get("If-None-Match") == '"v1"'
    assert "clausewatch/" in sent[-1]["User-Agent"] and sent[-1]["User-Agent"].startswith("Mozilla/5.0")


def test_site_down_is_a_recorded_failure(site, tmp_path):
    port = site["server"].port
    site["server"].stop()
    results = run_json(site)
    assert {r["outcome"] for r in results.values()} == {"error"}
    assert all(f"127.0.0.1:{port}" in r["reason"] for r in results.values())
    site["server"].httpd = None  # already stopped; keep the fixture's stop() harmless

    class _Stopped:
        def shutdown(self):
            pass

        def server_close(self):
            pass

    site["server"].httpd = _Stopped()


def test_run_only_selects_by_service_and_rejects_unknown(site):
    results = json.loads(run(site, "run", "--only", "reddit", "--json").output)
    assert [r["service"] for r in results] == ["Reddit"]
    bad = CliRunner().invoke(main, ["--watchlist", str(site["watchlist"]), "--db", str(site["db"]),
                                    "run", "--only", "nothing"])
    assert bad.exit_code == 2
    assert bad.output.startswith("clausewatch: --only nothing: matches no document id, service or tag")


def test_history_and_show(site):
    run_json(site)
    out = json.loads(run(site, "history", "LinkedIn", "--json").output)
    [doc] = out
    assert doc["last_check"]["outcome"] == "new" and len(doc["versions"]) == 1
    vid = doc["versions"][0]["version"]
    shown = json.loads(run(site, "show", str(vid), "--json").output)
    assert "Your Privacy Matters" in shown["text"]
    assert shown["capture"]["status"] == 200 and len(shown["capture"]["sha256"]) == 64
    missing = CliRunner().invoke(main, ["--db", str(site["db"]), "show", "999999"])
    assert missing.exit_code == 2 and missing.output.startswith("clausewatch: no version 999999 in ")


def test_check_prints_text_and_stores_nothing(site):
    url = site["server"].url("/linkedin/privacy")
    result = CliRunner().invoke(main, ["--watchlist", str(site["watchlist"]), "--db", str(site["db"]),
                                       "check", url, "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["status"] == 200 and "Your Privacy Matters" in out["text"] and out["words"] > 1000
    assert not site["db"].exists()
    bad = CliRunner().invoke(main, ["--watchlist", str(site["watchlist"]), "check", site["server"].url("/nope")])
    assert bad.exit_code == 2 and "HTTP 404" in bad.output and "Traceback" not in bad.output
