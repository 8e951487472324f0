"""watchlist.yaml validation: every bad file gets one exact line naming file, key path and choices."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from clausewatch.cli import main
from clausewatch.config import parse_watchlist

GOOD_DOC = '{service: LinkedIn, type: Privacy Policy, url: "https://www.linkedin.com/legal/privacy-policy"}'

BAD_WATCHLISTS = [
    # (YAML, the exact error line after "clausewatch: watchlist.yaml: ")
    (f"documents: [{GOOD_DOC[:-1]}, fetcher: brower}}]",
     "documents[0].fetcher: unknown 'brower' (known: auto, browser, http)"),
    ('documents: [{service: LinkedIn, type: Privacy Policy, url: "ftp://example.com/p"}]',
     "documents[0].url: 'ftp://example.com/p' is not an http(s) URL"),
    ("documents: [{service: LinkedIn, type: Privacy Policy}]",
     "documents[0].url: required key is missing"),
    (f"documents: [{GOOD_DOC[:-1]}, colour: red}}]",
     "documents[0].colour: unknown key 'colour' (known: fetcher, id, interval, note, remove, robots, select, "
     "service, tags, type, url)"),
    ("documents: []", "documents: list at least one document"),
    ("documents: {service: LinkedIn}", "documents: expected a list, got a mapping"),
    (f"documents: [{GOOD_DOC[:-1]}, interval: soon}}]",
     "documents[0].interval: 'soon' is not a duration (use e.g. 30m, 6h, 1d, 1w)"),
    (f"settings: {{timeout: -1}}\ndocuments: [{GOOD_DOC}]", "settings.timeout: must be greater than 0"),
    ("documents:\n  - service: [LinkedIn\n", "line 3: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ("docs: []", "docs: unknown key 'docs' (known: delivery, documents, settings, subscribers, tags) (and 1 more problem)"),
    ("- just a list", "expected a mapping with a 'documents:' list at the top, got a list"),
    (f"documents: [{GOOD_DOC}, {GOOD_DOC}]",
     "documents[1].id: 'linkedin-privacy-policy' is already used by documents[0] (give one of them an explicit 'id:')"),
    (f"documents: [{GOOD_DOC[:-1]}, tags: ai}}]", "documents[0].tags: expected a list, got 'ai'"),
    (f"documents: [{GOOD_DOC[:-1]}, robots: {{ignore: ''}}}}]", "documents[0].robots.ignore: must not be empty"),
    ('documents: [{service: 3, type: Privacy Policy, url: "https://x.example/p"}]',
     "documents[0].service: expected text, got 3"),
    (f"tags: {{ai: {{intervall: 3h}}}}\ndocuments: [{GOOD_DOC}]",
     "tags.ai.intervall: unknown key 'intervall' (known: interval)"),
    (f"documents: [{GOOD_DOC[:-1]}, id: LinkedIn PP}}]",
     "documents[0].id: 'LinkedIn PP' is not a slug (lower-case letters, digits and '-')"),
    ("", "the file is empty (it needs a 'documents:' list)"),
    (f"settings: {{concurrency: many}}\ndocuments: [{GOOD_DOC}]",
     "settings.concurrency: expected a whole number, got 'many'"),
]


@pytest.mark.parametrize(("text", "message"), BAD_WATCHLISTS, ids=[m.split(":")[0] for _, m in BAD_WATCHLISTS])
def test_bad_watchlist_gets_one_exact_line_and_exit_2(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "watchlist.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 2
    assert result.output == f"clausewatch: watchlist.yaml: {message}\n"
    assert "Traceback" not in result.output


def test_missing_watchlist_names_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--watchlist", "nope.yaml", "validate"])
    assert result.exit_code == 2
    assert result.output == "clausewatch: nope.yaml: no such file (pass --watchlist PATH)\n"


def test_minimal_watchlist_always_works(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "watchlist.yaml").write_text(f"documents: [{GOOD_DOC}]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 0, result.output
    assert "1 documents of 1 services" in result.output


def test_default_durations_are_hours():
    wl = parse_watchlist(f"documents: [{GOOD_DOC}]")
    assert wl.settings.interval_hours == 24.0
    assert wl.settings.jitter_hours == 0.5  # the default "30m", as hours


def test_defaults_overrides_and_tag_intervals():
    wl = parse_watchlist("""
settings: {interval: 2d}
tags: {fast: {interval: 6h}, faster: {interval: 90m}}
documents:
  - {service: A, type: Terms, url: "https://a.example/t", tags: [fast, faster], select: main, remove: [.nav, footer]}
  - {service: A, type: Privacy, url: "https://a.example/p", interval: 1w, fetcher: browser}
  - {service: B, type: Terms, url: "https://b.example/t", id: b-tos, robots: {ignore: "operator allowed it by mail"}}
""")
    a, b, c = wl.documents
    assert wl.interval_for(a) == 1.5  # the shortest of its tags
    assert wl.interval_for(b) == 168
    assert wl.interval_for(c) == 48
    assert a.select == ("main",) and a.remove == (".nav", "footer")
    assert b.fetcher == "browser" and a.fetcher == "auto"
    assert c.id == "b-tos" and c.ignore_robots == "operator allowed it by mail"
    assert wl.find("https://a.example/p") is b and wl.find("a/terms") is a and wl.find("b-tos") is c


def test_bundled_watchlist_is_valid_and_broad():
    from pathlib import Path

    wl = parse_watchlist((Path(__file__).parents[1] / "watchlist.yaml").read_text(encoding="utf-8"))
    services = {d.service for d in wl.documents}
    assert {"LinkedIn", "Slack", "Adobe"} <= services
    assert len(services) >= 23
    for name in ("LinkedIn", "Slack", "Adobe"):
        types = {d.type for d in wl.documents if d.service == name}
        assert any("Privacy" in t for t in types) and len(types) >= 3
