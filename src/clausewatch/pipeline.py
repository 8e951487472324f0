"""Check documents end to end: fetch → extract → decide → record.  Failures are results.

The decision for one capture (``decide``) is pure; fetching and recording are the edges around
it.  For a run of many documents, plain-HTTP fetches go to a thread pool (I/O-bound, one
request at a time per host), while extraction, decisions and database writes happen on the
calling thread as each fetch completes; documents that need a browser are captured last, one
at a time, in a Chromium started only if one is needed.  Each document's records are written in
one transaction as soon as it is done, so a killed run loses nothing already recorded.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlsplit

from .analysis import Analysis, analyse, make_pool
from .config import Settings
from .errors import ExtractError, FetchError
from .models import Capture, CheckResult, DocumentSpec, Extracted, Fetcher, Outcome, Version
from .normalize import NORMALISATION_VERSION, decision_hash, word_count
from .store import Store
from .walls import needs_javascript, wall_reason

# A capture with under half the words of the last good version is more likely a broken or
# partial page (truncated transfer, A/B shell, consent interstitial) than a rewritten policy.
# Tuned on the corpus: no real change in ota/ shrank a document below 0.62 of its predecessor.
SHRINK_RATIO = 0.5


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- capture ------------------------------------------------------------------------------------


class HostGate:
    """At most one request at a time per host, and a minimum delay between two to the same host."""

    def __init__(self, min_delay_s: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.min_delay_s = min_delay_s
        self.clock = clock
        self.sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        self._guard = threading.Lock()

    def hold(self, url: str):
        host = urlsplit(url).netloc.lower()
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        return _HostHold(self, host, lock)


class _HostHold:
    def __init__(self, gate: HostGate, host: str, lock: threading.Lock):
        self.gate, self.host, self.lock = gate, host, lock

    def __enter__(self):
        self.lock.acquire()
        wait = self.gate._last.get(self.host, -1e18) + self.gate.min_delay_s - self.gate.clock()
        if wait > 0:
            self.gate.sleep(wait)

    def __exit__(self, *exc):
        self.gate._last[self.host] = self.gate.clock()
        self.lock.release()


@dataclass
class Fetchers:
    """The outside world a run talks to: an httpx client, a browser factory, a host gate."""

    settings: Settings
    client: object = None  # httpx.Client; None = make one
    browser_factory: Callable[[], object] | None = None  # () -> BrowserSession; None = the real one
    gate: HostGate | None = None
    robots: object = None  # fetch.robots.RobotsGuard; None = robots.txt is not consulted here
    _browser: object = None

    def __post_init__(self):
        if self.client is None:
            from .fetch.http import make_client

            self.client = make_client(timeout_s=self.settings.timeout_s, contact=self.settings.contact,
                                      max_connections=self.settings.concurrency)
        if self.gate is None:
            self.gate = HostGate(self.settings.per_host_delay_s)

    def http(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Capture:
        from .fetch.http import fetch_http

        if self.robots is not None:
            self.robots.check(url)  # raises FetchError when robots.txt disallows the URL
        with self.gate.hold(url):
            return fetch_http(url, self.client, etag=etag, last_modified=last_modified,
                              max_bytes=self.settings.max_bytes)

    def browser(self, url: str) -> Capture:
        if self.robots is not None:
            self.robots.check(url)
        if self._browser is None:
            if self.browser_factory is not None:
                self._browser = self.browser_factory()
            else:
                from .fetch.browser import BrowserSession

                self._browser = BrowserSession(self.settings.chromium_path(), contact=self.settings.contact,
                                               timeout_s=max(self.settings.timeout_s, 30))
        with self.gate.hold(url):
            return self._browser.fetch(url)

    @property
    def browser_started(self) -> bool:
        return self._browser is not None

    def close_browser(self):
        """Stop Chromium (it starts again on the next browser fetch); frees ≈0.5 GB when idle."""
        if self._browser is not None:
            session, self._browser = self._browser, None
            session.close()

    def close(self):
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        close = getattr(self.client, "close", None)
        if close:
            close()


# --- the decision (pure) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What a capture means for a document, before anything is written."""

    outcome: Outcome
    reason: str
    extracted: Extracted | None = None
    decision_hash: str | None = None
    words: int = 0
    matched_version: Version | None = None  # the current or earlier version the text equals


def decide(extracted: Extracted, *, current: Version | None, current_words: int | None,
           current_language: str | None, earlier: Callable[[str], Version | None],
           digest: str | None = None, words: int | None = None) -> Decision:
    """Outcome for an extracted capture, given the document's current version (pure).

    ``digest`` and ``words`` may be passed in when they were computed already (in a worker process).
    """
    wall = wall_reason(extracted.text, extracted.title)
    if wall:
        return Decision(Outcome.ERROR, wall, extracted)
    digest = digest or decision_hash(extracted.text)
    words = word_count(extracted.text) if words is None else words
    if current is not None and digest == current.decision_hash:
        return Decision(Outcome.UNCHANGED, "same text as the current version", extracted, digest, words, current)
    if current is not None:
        if current_words and words < SHRINK_RATIO * current_words:
            return Decision(Outcome.SUSPECT, f"much shorter than the last good version ({words:,} vs "
                                             f"{current_words:,} words): truncated or partial page?",
                            extracted, digest, words)
        if current_language and extracted.language and extracted.language != current_language:
            return Decision(Outcome.SUSPECT, f"in another language ({extracted.language}, was {current_language})",
                            extracted, digest, words)
        match = earlier(digest)
        if match is not None:
            when = match.captured_at.date().isoformat()
            return Decision(Outcome.REPEAT, f"back to the text of {when} (version {match.id})",
                            extracted, digest, words, match)
        return Decision(Outcome.CHANGED, "text changed", extracted, digest, words)
    return Decision(Outcome.NEW, "first version", extracted, digest, words)


# --- one document ----------------------------------------------------------------------------


def extract_capture(doc: DocumentSpec, capture: Capture) -> Extracted:
    from .extract import extract

    return extract(capture.body, capture.content_type, select=doc.select, remove=doc.remove)


def capture_and_extract(doc: DocumentSpec, fetchers: Fetchers, *, etag: str | None = None,
                        last_modified: str | None = None, prefer_browser: bool = False,
                        skip_if_sha: str | None = None) -> tuple[Capture, Extracted | None]:
    """Fetch a document with its fetcher (``auto``: HTTP, then the browser if needed) and extract it.

    Returns ``(capture, None)`` when extraction was skipped: a 304, or raw bytes whose sha256
    equals ``skip_if_sha``.  Raises FetchError / ExtractError.
    """
    use_browser = doc.fetcher == Fetcher.BROWSER or (doc.fetcher == Fetcher.AUTO and prefer_browser)
    if use_browser:
        return _browser_capture(doc, fetchers, skip_if_sha)
    try:
        capture = fetchers.http(doc.url, etag, last_modified)
    except FetchError as exc:
        if doc.fetcher == Fetcher.AUTO and exc.bot_block:
            return _browser_capture(doc, fetchers, skip_if_sha, why=str(exc))
        raise
    if capture.status == 304 or (skip_if_sha and sha256(capture.body) == skip_if_sha):
        return capture, None
    try:
        extracted = extract_capture(doc, capture)
    except ExtractError:
        why = browser_reason(doc, capture, None, 0)
        if why:
            return _browser_capture(doc, fetchers, skip_if_sha, why=why)
        raise
    why = browser_reason(doc, capture, extracted, word_count(extracted.text))
    if why:
        return _browser_capture(doc, fetchers, skip_if_sha, why=why)
    return capture, extracted


def browser_reason(doc: DocumentSpec, capture: Capture, extracted: Extracted | None, words: int) -> str | None:
    """Why an ``auto`` document's HTTP capture should be taken again with the browser, or None."""
    if doc.fetcher != Fetcher.AUTO:
        return None
    if extracted is None:
        return "HTTP page has no text without JavaScript" if needs_javascript(capture.body, 0) else None
    walled = wall_reason(extracted.text, extracted.title)
    if walled:
        return walled
    if needs_javascript(capture.body, words):
        return f"HTTP page has only {words} words without JavaScript"
    return None


def _browser_capture(doc, fetchers, skip_if_sha, why: str | None = None):
    capture = fetchers.browser(doc.url)
    if why:
        capture = replace(capture, headers={**capture.headers, "x-clausewatch-browser-because": why})
    if skip_if_sha and sha256(capture.body) == skip_if_sha:
        return capture, None
    return capture, extract_capture(doc, capture)


def _clauses_for(text: str):
    from .clauses import extract_clauses

    return extract_clauses(text)


def record_capture_result(store: Store, doc: DocumentSpec, started: datetime, t0: float,
                          capture: Capture | None, extracted: Extracted | None,
                          error: Exception | None, analysis: Analysis | None = None, *,
                          row: dict | None = None, sha: str | None = None) -> CheckResult:
    """Decide what a capture (or its failure) means and write it, all in one transaction.

    ``analysis`` carries the decision hash and clauses when a worker process computed them;
    ``row`` (the document's row) and ``sha`` (the capture's sha256) when the caller has them already.
    """
    row = row if row is not None else (store.document(doc.id) or {})
    streak = store.failure_streak(doc.id)
    base = dict(document_id=doc.id, service=doc.service, type=doc.type, url=doc.url)
    current_id = row.get("current_version_id")
    with store.transaction():
        if error is not None or capture is None:
            sha = sha256(capture.body) if capture is not None and capture.body else None
            result = CheckResult(**base, outcome=Outcome.ERROR, reason=str(error), capture_sha256=sha,
                                 duration_s=time.perf_counter() - t0, consecutive_failures=streak + 1,
                                 fetcher=capture.fetcher if capture else None)
            store.add_check(result, started_at=started, status=getattr(error, "status", None))
            return result
        sha = sha or (sha256(capture.body) if capture.body else None)
        if extracted is None:  # 304 or byte-identical capture: nothing new to read
            reason = "not modified (HTTP 304)" if capture.status == 304 else "capture byte-identical to the last one"
            known = current_id is not None
            result = CheckResult(**base, outcome=Outcome.UNCHANGED if known else Outcome.ERROR,
                                 reason=reason if known else f"{reason}, but no version is stored",
                                 version_id=current_id, capture_sha256=sha,
                                 duration_s=time.perf_counter() - t0, fetcher=capture.fetcher,
                                 consecutive_failures=0 if known else streak + 1)
            store.add_check(result, started_at=started, status=capture.status, final_url=capture.final_url)
            return result

        current = store.version(current_id) if current_id is not None else None
        decision = decide(
            extracted, current=current, current_words=row.get("last_good_words"),
            current_language=current.language if current else None,
            earlier=lambda digest: store.version_with_hash(doc.id, digest),
            digest=analysis.decision_hash if analysis else None, words=analysis.words if analysis else None,
        )
        outcome, reason, version_id = decision.outcome, decision.reason, None
        keep_capture = outcome in (Outcome.NEW, Outcome.CHANGED, Outcome.REPEAT, Outcome.SUSPECT)
        if keep_capture and sha:
            store.add_capture(capture, sha)
        if outcome in (Outcome.NEW, Outcome.CHANGED):
            version = Version(
                id=None, document_id=doc.id, captured_at=capture.fetched_at, text=extracted.text,
                decision_hash=decision.decision_hash, extractor_version=extracted.extractor_version,
                normalisation_version=NORMALISATION_VERSION, capture_sha256=sha,
            )
            rebaseline = current is not None and _is_rebaseline(store, doc, current, decision.decision_hash)
            version_id = store.add_version(
                version, word_count=decision.words, title=extracted.title, effective_date=extracted.effective_date,
                language=extracted.language, extractor=extracted.extractor,
                source="rebaseline" if rebaseline else "capture",
                clauses=analysis.clauses if analysis and analysis.clauses is not None else _clauses_for(extracted.text),
            )
            if rebaseline:
                outcome = Outcome.UNCHANGED
                reason = (f"re-baselined: extractor {current.extractor_version or 'import'} → "
                          f"{extracted.extractor_version} gives this text from the same page (not a change)")
            else:
                store.record_change_for(doc, replace(version, id=version_id))
        elif outcome in (Outcome.UNCHANGED, Outcome.REPEAT):
            version_id = decision.matched_version.id
            if outcome == Outcome.REPEAT:
                store.set_current_version(doc.id, version_id, decision.words)
        failed = outcome in (Outcome.ERROR, Outcome.SUSPECT)
        result = CheckResult(**base, outcome=outcome, reason=reason, version_id=version_id, capture_sha256=sha,
                             duration_s=time.perf_counter() - t0, fetcher=capture.fetcher,
                             consecutive_failures=streak + 1 if failed else 0)
        store.add_check(result, started_at=started, status=capture.status, final_url=capture.final_url)
        if not failed and sha:
            seen = {"last_capture_sha256": sha, "etag": capture.headers.get("etag"),
                    "last_modified": capture.headers.get("last-modified"), "last_fetcher": capture.fetcher}
            store.note_capture_seen(doc.id, seen, row)
        return result


def _is_rebaseline(store: Store, doc: DocumentSpec, current: Version, new_hash: str) -> bool:
    """Does today's extractor, run on the *stored* capture of the current version, give the new text?

    Then the page did not change; only our extraction did (a technical re-baseline, never an alert).
    """
    from .extract import extractor_version

    if not current.capture_sha256 or current.extractor_version == extractor_version():
        return False
    stored = store.capture(current.capture_sha256)
    if stored is None:
        return False
    old_capture = Capture(url=doc.url, final_url=stored["final_url"], status=stored["status"],
                          headers=stored["headers"], body=stored["body"], fetcher=stored["fetcher"],
                          fetched_at=datetime.now(UTC))
    try:
        return decision_hash(extract_capture(doc, old_capture).text) == new_hash
    except ExtractError:
        return False


def rehash_stale_versions(store: Store) -> int:
    """Give versions hashed under an older normalisation (``NORMALISATION_VERSION``) today's
    decision hash, silently: a page that did not change stays unchanged, and repeats of old texts
    are still found.  The comparisons already stored are kept as they were.  Returns how many."""
    stale = store.stale_hash_versions(NORMALISATION_VERSION)
    for version_id in stale:
        with store.transaction():
            version = store.version(version_id)
            if version is not None:
                store.set_decision_hash(version_id, decision_hash(version.text), NORMALISATION_VERSION)
    return len(stale)


# --- many documents --------------------------------------------------------------------------


def run_checks(docs: Iterable[DocumentSpec], store: Store, fetchers: Fetchers, *,
               on_result: Callable[[CheckResult], None] = lambda r: None,
               now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> list[CheckResult]:
    """Check every document once; one failing document never stops the others."""
    docs = list(docs)
    rehash_stale_versions(store)
    if fetchers.robots is None and fetchers.settings.obey_robots:
        from .fetch.robots import RobotsGuard

        fetchers.robots = RobotsGuard.for_documents(docs, fetchers.client, gate=fetchers.gate)
    ids = [doc.id for doc in docs]
    before = store.document_rows(ids)
    for doc in docs:
        store.upsert_document(doc, existing=before[doc.id])
    state = store.document_rows(ids)
    results: list[CheckResult] = []

    def finish(doc, started, t0, capture, extracted, error, analysis=None, sha=None):
        try:
            result = record_capture_result(store, doc, started, t0, capture, extracted, error, analysis,
                                           row=state[doc.id], sha=sha)
        except Exception as exc:  # a bug or a bad page must not stop the run: record it
            result = record_capture_result(store, doc, started, t0, None, None,
                                           FetchError(f"internal error: {exc.__class__.__name__}: {exc}"))
        results.append(result)
        on_result(result)

    browser_docs: list[tuple[DocumentSpec, str | None]] = []  # with why HTTP was not enough
    http_docs: list[DocumentSpec] = []
    for doc in docs:
        row = state[doc.id]
        prefer_browser = doc.fetcher == Fetcher.AUTO and row.get("last_fetcher") == "browser"
        if doc.fetcher == Fetcher.BROWSER or prefer_browser:
            browser_docs.append((doc, None))
        else:
            http_docs.append(doc)

    def fetch(doc):
        row = state[doc.id]
        has_version = row.get("current_version_id") is not None
        started, t0 = now(), time.perf_counter()
        try:
            capture = fetchers.http(doc.url, row.get("etag") if has_version else None,
                                    row.get("last_modified") if has_version else None)
            return doc, started, t0, capture, None
        except FetchError as exc:
            return doc, started, t0, None, exc

    # Captures whose bytes are new are read (extract → hash → clauses) in a process pool when a
    # run has many of them, while the fetch threads keep fetching; results are recorded in order
    # of completion on this thread, which alone writes to the store.
    analysis_pool = None
    pending: list[tuple] = []
    needing_analysis = 0

    def conclude(doc, started, t0, capture, analysis: Analysis):
        why = browser_reason(doc, capture, analysis.extracted, analysis.words)
        if why:
            browser_docs.append((doc, why))
        elif analysis.extracted is None:
            finish(doc, started, t0, capture, None, ExtractError(analysis.error))
        else:
            finish(doc, started, t0, capture, analysis.extracted, None, analysis)

    def drain(block: bool):
        nonlocal pending
        still = []
        for doc, started, t0, capture, future in pending:
            if not block and not future.done():
                still.append((doc, started, t0, capture, future))
                continue
            try:
                analysis = future.result()
            except Exception as exc:  # a worker process died or raised: record it, go on
                finish(doc, started, t0, capture, None, ExtractError(f"internal error: {exc.__class__.__name__}: {exc}"))
                continue
            conclude(doc, started, t0, capture, analysis)
        pending = still

    try:
        with ThreadPoolExecutor(max_workers=fetchers.settings.concurrency, thread_name_prefix="fetch") as pool:
            futures = [pool.submit(fetch, doc) for doc in http_docs]
            remaining = len(futures)
            for future in as_completed(futures):
                remaining -= 1
                doc, started, t0, capture, error = future.result()
                row = state[doc.id]
                if error is not None:
                    if doc.fetcher == Fetcher.AUTO and error.bot_block:
                        browser_docs.append((doc, str(error)))
                    else:
                        finish(doc, started, t0, None, None, error)
                    continue
                skip = row.get("last_capture_sha256") if row.get("current_version_id") else None
                sha = sha256(capture.body) if capture.body else None
                if capture.status == 304 or (skip and sha == skip):
                    finish(doc, started, t0, capture, None, None, sha=sha)
                    continue
                args = (capture.body, capture.content_type, doc.select, doc.remove, store.version_hashes(doc.id))
                needing_analysis += 1
                if analysis_pool is None and needing_analysis == 2:
                    analysis_pool = make_pool(remaining + 1)
                if analysis_pool is not None:
                    pending.append((doc, started, t0, capture, analysis_pool.submit(analyse, *args)))
                    drain(block=False)
                else:
                    conclude(doc, started, t0, capture, analyse(*args))
            drain(block=True)
    finally:
        if analysis_pool is not None:
            analysis_pool.shutdown(cancel_futures=True)

    for doc, why in browser_docs:
        row = state[doc.id]
        skip = row.get("last_capture_sha256") if row.get("current_version_id") else None
        started, t0 = now(), time.perf_counter()
        try:
            capture, extracted = _browser_capture(doc, fetchers, skip, why=why)
        except (FetchError, ExtractError) as exc:
            finish(doc, started, t0, None, None, exc)
            continue
        finish(doc, started, t0, capture, extracted, None)
    return results


def check_once(doc: DocumentSpec, fetchers: Fetchers) -> tuple[Capture, Extracted]:
    """Fetch and extract one document without storing anything (``clausewatch check``)."""
    capture, extracted = capture_and_extract(doc, fetchers)
    assert extracted is not None  # no skip_if_sha, no validators: always extracted
    wall = wall_reason(extracted.text, extracted.title)
    if wall:
        raise FetchError(f"{doc.url}: {wall}", bot_block=True)
    return capture, extracted
