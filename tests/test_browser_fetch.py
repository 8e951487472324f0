"""A JavaScript-rendered policy page captured through real Chromium (Debian's, via Playwright)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from clausewatch.cli import main
from policy_pages import Response, js_shell_page

pytestmark = pytest.mark.browser

MD = """# Meta AI Terms of Service

These terms govern your use of our AI features. We may use information you share with AIs to develop and
train artificial intelligence models, consistent with our Privacy Policy.

- Outputs may be inaccurate or inappropriate.
- Do not use the AIs to generate content that infringes on the rights of others.

""" + "\n\n".join(
    f"Section {i}. This paragraph of the terms explains how the service works, what you agree to when you use it, "
    "how disputes are resolved and which law applies to the agreement between you and the company." for i in range(12))


def test_auto_fetcher_falls_back_to_chromium_for_a_javascript_page(server, chromium, tmp_path):
    server.pages["/ai-terms"] = Response(body=js_shell_page(MD, title="Meta AI Terms"))
    wl = tmp_path / "watchlist.yaml"
    wl.write_text(
        f"settings: {{per_host_delay: 0, browser_executable: '{chromium}'}}\n"
        f"documents: [{{service: Meta AI, type: Terms of Service, url: '{server.url('/ai-terms')}'}}]\n",
        encoding="utf-8")
    db = tmp_path / "cw.sqlite"
    result = CliRunner().invoke(main, ["--watchlist", str(wl), "--db", str(db), "run", "--json"])
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.output)
    assert r["outcome"] == "new", r
    assert r["fetcher"] == "browser"
    shown = json.loads(CliRunner().invoke(main, ["--db", str(db), "show", str(r["version_id"]), "--json"]).output)
    assert "develop and train artificial intelligence models" in shown["text"]
    assert "Outputs may be inaccurate" in shown["text"]
    assert shown["capture"]["fetcher"] == "browser"
    assert "without JavaScript" in shown["capture"]["headers"]["x-clausewatch-browser-because"]
    # The next run goes straight to the browser and finds the same text.
    again = json.loads(CliRunner().invoke(main, ["--watchlist", str(wl), "--db", str(db), "run", "--json"]).output)
    assert again[0]["outcome"] == "unchanged" and again[0]["fetcher"] == "browser"


def test_http_fetcher_records_the_empty_shell_as_a_failure(server, tmp_path):
    server.pages["/ai-terms"] = Response(body=js_shell_page(MD))
    wl = tmp_path / "watchlist.yaml"
    wl.write_text(f"settings: {{per_host_delay: 0}}\ndocuments: [{{service: M, type: T, url: '{server.url('/ai-terms')}',"
                  " fetcher: http}]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--watchlist", str(wl), "--db", str(tmp_path / "db.sqlite"), "run", "--json"])
    [r] = json.loads(result.output)
    assert r["outcome"] == "error" and r["version_id"] is None


def test_missing_chromium_is_a_recorded_failure_not_a_crash(server, tmp_path):
    server.pages["/ai-terms"] = Response(body=js_shell_page(MD))
    wl = tmp_path / "watchlist.yaml"
    wl.write_text(f"settings: {{per_host_delay: 0, browser_executable: /nonexistent/chromium}}\n"
                  f"documents: [{{service: M, type: T, url: '{server.url('/ai-terms')}', fetcher: browser}}]\n",
                  encoding="utf-8")
    result = CliRunner().invoke(main, ["--watchlist", str(wl), "--db", str(tmp_path / "db.sqlite"), "run", "--json"])
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.output)
    assert r["outcome"] == "error" and "cannot start Chromium at /nonexistent/chromium" in r["reason"]
