"""robots.txt (protego, RFC 9309) through the real fetchers, with canned responses; the worker lock."""

from __future__ import annotations

import httpx
import pytest

from clausewatch.config import Settings
from clausewatch.errors import FetchError, StoreError
from clausewatch.fetch.http import make_client
from clausewatch.fetch.robots import RobotsGuard
from clausewatch.models import DocumentSpec
from clausewatch.pipeline import Fetchers
from clausewatch.runtime import WorkerLock

PAGE = b"<html><body><main><h1>Privacy</h1><p>We keep your data safe.</p></main></body></html>"


def make(robots_status=200, robots_body=b"", exempt=None, obey=True, raise_on_robots=False):
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path == "/robots.txt":
            if raise_on_robots:
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(robots_status, content=robots_body)
        return httpx.Response(200, content=PAGE, headers={"content-type": "text/html"})

    client = make_client(transport=httpx.MockTransport(handler))
    fetchers = Fetchers(Settings(per_host_delay_s=0), client=client)
    fetchers.robots = RobotsGuard(client, exempt=exempt, obey=obey, gate=fetchers.gate)
    return fetchers, seen


RULES = b"User-agent: *\nDisallow: /private\nCrawl-delay: 4\n\nUser-agent: clausewatch\nDisallow: /no-monitors\n"


def test_disallowed_url_is_a_permanent_fetch_error_and_the_page_is_never_requested():
    fetchers, seen = make(robots_body=RULES)
    with pytest.raises(FetchError) as info:
        fetchers.http("https://example.com/no-monitors/terms")
    assert not info.value.transient and not info.value.bot_block
    assert "robots.txt of https://example.com disallows /no-monitors/terms for 'clausewatch'" in str(info.value)
    assert "robots: {ignore:" in str(info.value)  # says how to override
    assert seen == ["/robots.txt"]


def test_our_group_replaces_the_star_group_and_allowed_pages_are_fetched_once_robots_is_cached():
    fetchers, seen = make(robots_body=RULES)
    assert fetchers.http("https://example.com/private/policy").status == 200  # '*' rules do not apply to us
    assert fetchers.http("https://example.com/legal/privacy").status == 200
    assert seen == ["/robots.txt", "/private/policy", "/legal/privacy"]
    assert fetchers.robots.requests == 1


def test_crawl_delay_is_read_for_our_agent():
    fetchers, _ = make(robots_body=b"User-agent: *\nCrawl-delay: 4\n")
    assert fetchers.robots.check("https://example.com/a") == 4.0
    assert fetchers.robots.crawl_delay("https://example.com/b") == 4.0


def test_per_document_override_skips_robots_entirely():
    url = "https://example.com/no-monitors/terms"
    fetchers, seen = make(robots_body=RULES, exempt={url: "the operator allowed it by mail, 2026-02-01"})
    assert fetchers.http(url).status == 200
    assert seen == ["/no-monitors/terms"]


def test_guard_built_from_documents_keeps_the_reasons():
    docs = [DocumentSpec(id="a", service="A", type="T", url="https://a.example/t", ignore_robots="owner consent"),
            DocumentSpec(id="b", service="B", type="T", url="https://b.example/t")]
    guard = RobotsGuard.for_documents(docs, client=None)
    assert guard.exempt == {"https://a.example/t": "owner consent"}


@pytest.mark.parametrize("status", [404, 403, 410])
def test_robots_4xx_means_everything_may_be_fetched(status):
    fetchers, seen = make(robots_status=status, robots_body=b"Disallow: /")
    assert fetchers.http("https://example.com/terms").status == 200
    assert seen == ["/robots.txt", "/terms"]


def test_robots_5xx_or_unreachable_means_nothing_is_fetched_for_now_as_a_transient_error():
    for kwargs in ({"robots_status": 503}, {"raise_on_robots": True}):
        fetchers, seen = make(**kwargs)
        with pytest.raises(FetchError) as info:
            fetchers.http("https://example.com/terms")
        assert info.value.transient and "unreachable" in str(info.value)
        assert seen == ["/robots.txt"]


def test_obey_robots_false_never_asks():
    fetchers, seen = make(robots_body=b"User-agent: *\nDisallow: /\n", obey=False)
    assert fetchers.http("https://example.com/terms").status == 200
    assert seen == ["/terms"]


def test_fetchers_without_a_guard_behave_as_before():
    fetchers, seen = make(robots_body=b"User-agent: *\nDisallow: /\n")
    fetchers.robots = None
    assert fetchers.http("https://example.com/terms").status == 200
    assert seen == ["/terms"]


def test_second_worker_lock_fails_with_a_clear_message(tmp_path):
    db = tmp_path / "cw.sqlite"
    first = WorkerLock(db)
    first.acquire()
    try:
        with pytest.raises(StoreError) as info:
            WorkerLock(db).acquire()
        message = str(info.value)
        assert message.startswith(f"another worker is already running on {db} (pid ")
        assert "stop it first, or give this one another --db" in message
        assert WorkerLock(db).held_by_other().startswith("pid ")
    finally:
        first.release()
    assert WorkerLock(db).held_by_other() is None
    with WorkerLock(db):  # free again
        pass
