"""Browser capture: Python Playwright driving Debian's Chromium (an edge).

``playwright install`` cannot download browsers on these machines, so Chromium is always the
system one, passed as ``executable_path``.  Playwright is imported only here, and this module
only when a document needs a browser: a run of plain-HTTP documents never pays for it
(≈0.5 GB and ≈1 s of start-up).  One ``BrowserSession`` is reused for a whole run or worker
and relaunched if Chromium crashes.
"""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime

from ..errors import FetchError
from ..models import Capture
from .http import BROWSER_UA, KEPT_HEADERS


class BrowserSession:
    """A lazily started Chromium, reused across fetches; call ``close()`` when done."""

    def __init__(self, executable_path: str, *, contact: str = "", timeout_s: float = 45.0,
                 now=lambda: datetime.now(UTC)):
        self.executable_path = executable_path
        self.contact = contact
        self.timeout_ms = int(timeout_s * 1000)
        self.now = now
        self._playwright = None
        self._browser = None

    def _ensure(self):
        if self._browser is not None and self._browser.is_connected():
            return self._browser
        self._close_browser()
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:  # pragma: no cover - playwright is a hard dependency
            raise FetchError("the browser fetcher needs the 'playwright' package", transient=False) from None
        try:
            if self._playwright is None:
                self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(executable_path=self.executable_path, headless=True)
        except Exception as exc:  # Playwright raises its own Error type for every launch failure
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            raise FetchError(f"cannot start Chromium at {self.executable_path}: {first}", transient=False) from None
        return self._browser

    def fetch(self, url: str) -> Capture:
        from .. import __version__

        browser = self._ensure()
        started = time.perf_counter()
        fetched_at = self.now()
        context = None
        try:
            context = browser.new_context(
                user_agent=f"{BROWSER_UA} clausewatch/{__version__} ({self.contact})",
                locale="en-GB",
                java_script_enabled=True,
            )
            page = context.new_page()
            response = page.goto(url, wait_until="load", timeout=self.timeout_ms)
            # Give client-side rendering its chance, but never wait forever on chatty pages.
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=min(10_000, self.timeout_ms))
            html = page.content()
            status = response.status if response else 200
            headers = {k: v for k, v in (response.headers if response else {}).items() if k in KEPT_HEADERS}
            final_url = page.url
        except FetchError:
            raise
        except Exception as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
            if not browser.is_connected():
                self._close_browser()  # crashed: relaunch on the next fetch
            raise FetchError(f"browser could not load {url}: {message}") from None
        finally:
            if context is not None:
                with contextlib.suppress(Exception):
                    context.close()
        if status >= 400:
            raise FetchError(f"HTTP {status} (browser)", transient=status >= 500 or status == 429,
                             bot_block=status in (401, 403, 429), status=status)
        headers["content-type"] = "text/html; charset=utf-8"  # page.content() is the serialised DOM
        return Capture(url=url, final_url=final_url, status=status, headers=headers, body=html.encode("utf-8"),
                       fetcher="browser", fetched_at=fetched_at, duration_s=time.perf_counter() - started)

    def _close_browser(self):
        if self._browser is not None:
            with contextlib.suppress(Exception):
                self._browser.close()
        self._browser = None

    def close(self):
        self._close_browser()
        if self._playwright is not None:
            with contextlib.suppress(Exception):
                self._playwright.stop()
            self._playwright = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
