"""Pages we were not meant to get are failures with a reason, never versions (walls.py, pipeline.decide)."""

from __future__ import annotations

import pytest

from clausewatch.extract import extract
from clausewatch.walls import needs_javascript, wall_reason


def _page(title: str, body: str) -> bytes:
    return f"<html><head><title>{title}</title></head><body><main>{body}</main></body></html>".encode()


@pytest.mark.parametrize(("title", "body", "reason"), [
    ("Just a moment...", "<p>Checking your browser before accessing the site. This process is automatic.</p>",
     "bot wall"),
    ("Access Denied", "<h1>Access Denied</h1><p>You don't have permission to access this page on this server. "
     "Reference #18.2f3c</p>", "access denied"),
    ("Privacy", "<p>We value your privacy. You must accept cookies to continue to the site.</p>"
     "<button>Accept all</button>", "cookie wall"),
    ("Oops", "<h1>Page not found</h1><p>The page you are looking for does not exist. Go back home.</p>",
     "error page"),
    ("LinkedIn", "<p>Sign in to view this page. Join now to see who you already know.</p>", "login wall"),
    ("Robot check", "<p>Please verify you are a human to continue.</p>", "captcha"),
])
def test_walls_served_with_200_are_recognised(title, body, reason):
    extracted = extract(_page(title, body))
    found = wall_reason(extracted.text, extracted.title)
    assert found is not None and found.startswith(reason)


def test_a_real_policy_that_mentions_cookies_and_access_is_not_a_wall(corpus):
    text = (corpus / "ota/LinkedIn/Privacy Policy/2024-08-01T18-10-11Z.md").read_text(encoding="utf-8")
    assert "cookies" in text.lower() and "access" in text.lower()
    assert wall_reason(text, "Privacy Policy") is None


def test_empty_text_is_a_wall():
    assert wall_reason("", None) == "empty page (no text)"


def test_javascript_shell_detection():
    shell = b'<html><body><div id="root"></div><script src="/app.js"></script></body></html>'
    assert needs_javascript(shell, 0)
    assert not needs_javascript(b"<html><body><p>text</p></body></html>", 5)  # no scripts: nothing to run
    assert not needs_javascript(shell, 2000)  # plenty of text already
