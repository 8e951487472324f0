"""Extraction from real raw snapshots (../shared/corpus/ota-snapshots) and the watchlist overrides."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from clausewatch.errors import ExtractError
from clausewatch.extract import extract, stated_date

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from extract_fidelity import compare, run, structure  # noqa: E402


def test_close_to_open_terms_archive_on_every_snapshot(corpus):
    rows = run(corpus)
    assert len(rows) == 8
    assert min(r["ratio"] for r in rows) >= 0.95
    assert sum(r["precision"] for r in rows) / len(rows) >= 0.98


def test_openai_section_headings_survive_tailwind_wrappers(corpus):
    body = (corpus / "ota-snapshots/ChatGPT/Privacy Policy/2025-11-01T00-31-13Z #policies-eu-privacy-policy.html").read_bytes()
    text = extract(body).text
    headings, items, rows = structure(text)
    assert headings >= 12  # trafilatura alone keeps 2 of them
    assert "(opens in a new window)" not in text  # screen-reader-only text removed
    assert "| --- |" in text  # tables are real GFM tables
    assert rows >= 6


def test_no_hard_wrapping(corpus):
    body = (corpus / "ota-snapshots/OpenAI/Privacy Policy/2023-10-16T12-30-08Z.html").read_bytes()
    text = extract(body).text
    paragraph = next(p for p in text.split("\n\n") if p.startswith("We at OpenAI"))
    assert "\n" not in paragraph and len(paragraph) > 400


PAGE = b"""<html><head><title>Terms | Example</title></head><body>
<nav class="menu"><p>Products Pricing Careers Blog Support</p></nav>
<div id="promo"><p>Try our new AI assistant today! Sign up for the beta and get three months free of charge.</p></div>
<section class="legal"><h2>Terms of Service</h2>
<p>Last updated: 4 April 2025</p>
<p>These terms govern your use of the service. By using it you agree to them. We may change them from time to time and will tell you when we do.</p>
<p>You keep ownership of the content you upload. You give us a licence to host and display it so that we can run the service for you.</p>
</section></body></html>"""


def test_select_and_remove_overrides():
    chosen = extract(PAGE, select=("section.legal",), remove=("#promo",))
    assert "These terms govern" in chosen.text and "Try our new AI" not in chosen.text
    assert chosen.title == "Terms | Example" and chosen.effective_date == "2025-04-04"
    removed = extract(PAGE, remove=("#promo",))
    assert "Try our new AI" not in removed.text
    with pytest.raises(ExtractError, match="matched nothing"):
        extract(PAGE, select=("article.policy",))


@pytest.mark.parametrize(("body", "content_type", "message"), [
    (b"", "text/html", "the capture is empty"),
    (b"%PDF-1.7 binary", "application/pdf", "cannot extract text from content type 'application/pdf'"),
])
def test_unusable_captures(body, content_type, message):
    with pytest.raises(ExtractError, match=message):
        extract(body, content_type)


def test_plain_text_passes_through():
    out = extract(b"Privacy Policy\n\nWe do not sell your data.\n", "text/plain; charset=utf-8")
    assert out.text == "Privacy Policy\n\nWe do not sell your data.\n" and out.extractor == "passthrough"


def test_stated_dates():
    assert stated_date("Effective 11 December 2025\n\nText") == "2025-12-11"
    assert stated_date("Last updated: March 3, 2024") == "2024-03-03"
    assert stated_date("We updated our terms.") is None


def test_compare_metric_is_sane():
    assert compare("a b c d", "a b c d")["ratio"] == 1.0
    assert compare("a b", "c d")["ratio"] == 0.0
