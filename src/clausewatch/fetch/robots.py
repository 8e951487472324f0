"""robots.txt, respected by default (protego; RFC 9309), with a per-document override.

``RobotsGuard.check(url)`` raises ``FetchError`` when robots.txt disallows the URL for our
user-agent token (``clausewatch``), and returns the host's ``Crawl-delay`` (or None) when it
allows it.  A document listed with ``robots: {ignore: "why"}`` is exempt, by URL; the reason is
kept so that ``status`` and the logs can show it.

What each robots.txt response means (RFC 9309 §2.3.1):

* 2xx: parsed; only the first 500 KiB count.
* 4xx (404, 403, 410 …): "unavailable": every path may be fetched.
* 5xx, timeout, connection refused: "unreachable": *nothing* may be fetched for now; the
  check fails as a transient error and is retried with backoff.  Remembered for a short time
  only (``UNREACHABLE_TTL_S``) so a flapping server does not cost a robots request per check.

Parsed files are cached per origin for ``TTL_S`` (the RFC's 24 hours), bounded in count so a
long-running worker over thousands of hosts does not grow without limit.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from ..errors import FetchError

USER_AGENT_TOKEN = "clausewatch"
TTL_S = 24 * 3600.0  # RFC 9309 §2.4: "SHOULD NOT use the cached version for more than 24 hours"
UNREACHABLE_TTL_S = 300.0
MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: at least 500 KiB must be parsed; we parse exactly that
MAX_ORIGINS = 5000
MAX_CRAWL_DELAY_S = 60.0  # a robots.txt asking for more is honoured up to this (a daily check is polite anyway)


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says (or why there is nothing to say)."""

    origin: str  # scheme://host[:port]
    status: int | None  # HTTP status of robots.txt; None = unreachable (network error)
    parser: Protego | None  # None = no rules (4xx: allow all) or unreachable (disallow all)
    fetched_at: float  # monotonic
    error: str = ""  # why unreachable ("" = it was reachable)

    @property
    def unreachable(self) -> bool:
        return self.status is None or self.status >= 500

    def allows(self, url: str, agent: str = USER_AGENT_TOKEN) -> bool:
        if self.unreachable:
            return False
        return True if self.parser is None else self.parser.can_fetch(url, agent)

    def crawl_delay(self, agent: str = USER_AGENT_TOKEN) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        return None if delay is None else min(float(delay), MAX_CRAWL_DELAY_S)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def fetch_robots(origin: str, client, *, clock: Callable[[], float] = time.monotonic) -> RobotsRules:
    """GET ``origin``/robots.txt with ``client`` (an httpx.Client); never raises."""
    import httpx

    url = origin + "/robots.txt"
    try:
        with client.stream("GET", url) as response:
            status = response.status_code
            body = b""
            if 200 <= status < 300:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_BYTES:
                        break
                body = b"".join(chunks)[:MAX_BYTES]
    except httpx.HTTPError as exc:
        return RobotsRules(origin, None, None, clock(), error=f"{exc.__class__.__name__}: {exc}".rstrip(": "))
    if 200 <= status < 300:
        text = body.decode("utf-8", errors="replace")
        return RobotsRules(origin, status, Protego.parse(text), clock())
    if status >= 500:
        return RobotsRules(origin, status, None, clock(), error=f"HTTP {status}")
    return RobotsRules(origin, status, None, clock())  # 3xx left after redirects, 4xx: no rules


class RobotsGuard:
    """Per-origin robots.txt cache and the per-document exemptions (thread-safe)."""

    def __init__(self, client, *, exempt: dict[str, str] | None = None, obey: bool = True,
                 gate=None, clock: Callable[[], float] = time.monotonic,
                 fetch: Callable[[str], RobotsRules] | None = None):
        self.client = client
        self.exempt = dict(exempt or {})  # document URL -> why robots.txt is ignored for it
        self.obey = obey
        self.gate = gate  # pipeline.HostGate: the robots request is spaced like any other
        self.clock = clock
        self._fetch = fetch or (lambda origin: fetch_robots(origin, self.client, clock=self.clock))
        self._cache: OrderedDict[str, RobotsRules] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.requests = 0  # robots.txt requests made (for logs and tests)

    @classmethod
    def for_documents(cls, docs: Iterable, client, *, obey: bool = True, gate=None) -> RobotsGuard:
        return cls(client, exempt={d.url: d.ignore_robots for d in docs if d.ignore_robots}, obey=obey, gate=gate)

    def rules(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        with self._guard:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:  # one robots.txt request per origin even when several checks ask at once
            cached = self._cached(origin)
            if cached is not None:
                return cached
            if self.gate is not None:
                with self.gate.hold(origin + "/robots.txt"):
                    rules = self._fetch(origin)
            else:
                rules = self._fetch(origin)
            self.requests += 1
            with self._guard:
                self._cache[origin] = rules
                self._cache.move_to_end(origin)
                while len(self._cache) > MAX_ORIGINS:
                    old, _ = self._cache.popitem(last=False)
                    self._locks.pop(old, None)
            return rules

    def _cached(self, origin: str) -> RobotsRules | None:
        with self._guard:
            rules = self._cache.get(origin)
            if rules is None:
                return None
            ttl = UNREACHABLE_TTL_S if rules.unreachable else TTL_S
            if self.clock() - rules.fetched_at > ttl:
                del self._cache[origin]
                return None
            self._cache.move_to_end(origin)
            return rules

    def check(self, url: str) -> float | None:
        """Raise FetchError if robots.txt forbids ``url``; else return the Crawl-delay (None if unset)."""
        if not self.obey or url in self.exempt:
            return None
        rules = self.rules(url)
        if rules.unreachable:
            raise FetchError(f"robots.txt of {rules.origin} is unreachable ({rules.error}); "
                             "not fetching until it answers (RFC 9309)", transient=True)
        if not rules.allows(url):
            raise FetchError(f"robots.txt of {rules.origin} disallows {urlsplit(url).path or '/'} for "
                             f"'{USER_AGENT_TOKEN}' (to override for this document: robots: {{ignore: \"why\"}})",
                             transient=False)
        return rules.crawl_delay()

    def crawl_delay(self, url: str) -> float | None:
        """The cached Crawl-delay of ``url``'s origin (never fetches)."""
        if not self.obey or url in self.exempt:
            return None
        rules = self._cached(origin_of(url))
        return rules.crawl_delay() if rules is not None else None
