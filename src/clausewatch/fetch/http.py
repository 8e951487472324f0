"""Plain HTTP capture with httpx (an edge: the transport is passed in for tests).

Timeouts, redirects, compression (httpx decodes gzip/deflate/brotli when available),
conditional requests (ETag / Last-Modified → 304), a size cap, and a realistic browser
User-Agent with a contact string so site operators can reach whoever runs the monitor.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from .._imports import import_without
from ..errors import FetchError
from ..models import Capture

httpx = import_without("httpx", "trio")
# httpcore imports its lock helpers (which look for trio) only when the first client is made.
import_without("httpcore._synchronization", "trio")

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
KEPT_HEADERS = (
    "content-type", "content-length", "content-language", "etag", "last-modified", "date", "server",
    "cache-control", "retry-after", "x-robots-tag", "location",
)


def user_agent(contact: str) -> str:
    from .. import __version__

    return f"{BROWSER_UA} clausewatch/{__version__} ({contact})"


def make_client(*, timeout_s: float = 30.0, contact: str = "", transport: httpx.BaseTransport | None = None,
                max_connections: int = 16) -> httpx.Client:
    """One client per run: connection pooling across documents of the same host."""
    return httpx.Client(
        follow_redirects=True,
        max_redirects=10,
        timeout=httpx.Timeout(timeout_s, connect=min(10.0, timeout_s)),
        headers={
            "User-Agent": user_agent(contact),
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5",
            "Accept-Language": "en-GB,en;q=0.9",
        },
        transport=transport,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
    )


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
        except (TypeError, ValueError):
            return None


def fetch_http(
    url: str,
    client: httpx.Client,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = 10_000_000,
    now=lambda: datetime.now(UTC),
) -> Capture:
    """GET one URL; raise FetchError (with transient / bot_block set) on any failure."""
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    started = time.perf_counter()
    fetched_at = now()
    try:
        with client.stream("GET", url, headers=headers) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"response is {int(declared):,} bytes, over the {max_bytes:,}-byte cap",
                                 transient=False, status=response.status_code)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"response is over the {max_bytes:,}-byte cap", transient=False,
                                     status=response.status_code)
                chunks.append(chunk)
            body = b"".join(chunks)
    except FetchError:
        raise
    except httpx.TimeoutException:
        raise FetchError(f"timed out fetching {url}") from None
    except httpx.TooManyRedirects:
        raise FetchError(f"too many redirects from {url}", transient=False) from None
    except httpx.RemoteProtocolError as exc:
        # A server that closes early (Content-Length not reached) gives a truncated page.
        raise FetchError(f"connection broke off mid-response (truncated page): {exc}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc.__class__.__name__}: {exc}") from None

    status = response.status_code
    kept = {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}
    if status >= 400:
        bot = status in (401, 403, 429, 451) or (status == 503 and "cf-ray" in response.headers)
        raise FetchError(
            f"HTTP {status} {response.reason_phrase}".strip(),
            transient=status >= 500 or status in (408, 425, 429),
            bot_block=bot,
            status=status,
            retry_after=_retry_after(response.headers.get("retry-after")),
        )
    return Capture(
        url=url,
        final_url=str(response.url),
        status=status,
        headers=kept,
        body=body,
        fetcher="http",
        fetched_at=fetched_at,
        duration_s=time.perf_counter() - started,
    )
