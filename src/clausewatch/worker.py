"""The long-running worker: every document checked on its interval, politely, for months.

The schedule itself (slots from the store, jitter without drift, retries, catch-up after a
restart) is computed in ``schedule.py``; this module runs it on APScheduler.

Politeness (``Worker._dispatch``): a global limit of ``concurrency`` checks at once, at most one
check per host at a time and ``per_host_delay`` (or the host's robots.txt ``Crawl-delay``, if
longer) between two of them; a document waiting for its host never holds a worker thread, so a
slow host never blocks the others.  robots.txt is obeyed (``fetch/robots.py``) unless the
document says ``robots: {ignore: "why"}``.

Threads: fetching and extraction run in a pool; the browser runs on one thread of its own
(Playwright's sync API is bound to the thread that started it); every database read and write
happens on the thread that called ``Worker.run`` — so each check's records, including its slot,
are one transaction, and a worker killed at any instant leaves whole checks or none.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import socket
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from .config import Watchlist
from .errors import ExtractError, FetchError
from .models import DocumentSpec, Fetcher, Outcome
from .runtime import JsonLogFormatter, TextLogFormatter, WorkerLock, emit  # noqa: F401  (re-exported)
from .schedule import (  # noqa: F401  (re-exported)
    Plan,
    effective_jitter,
    iso_ms,
    jitter_offset,
    plan_next,
    retry_delay,
)
from .store import Store

MAX_HOST_PAUSE_S = 3600.0  # a Retry-After pauses the whole host, for at most an hour
HEARTBEAT_S = 60.0
DIGEST_EVERY_S = 300.0  # how often the digest module is asked what is due (it decides from the ledger)
BROWSER_IDLE_S = 300.0  # Chromium (≈0.5 GB) is stopped after this long without a browser document


def host_of(url: str) -> str:
    return urlsplit(url).netloc.lower()


# --- the worker --------------------------------------------------------------------------------


@dataclass
class _Job:
    doc: DocumentSpec
    plan: Plan
    row: dict  # the document's row when the check was dispatched (validators, last capture)
    fired_at: datetime | None = None


@dataclass
class WorkerStats:
    checks: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    robots_requests: int = 0
    abandoned: int = 0
    stop_reason: str = ""


class _BrowserThread:
    """Runs every browser fetch on one dedicated thread and stops Chromium when it sits idle."""

    def __init__(self, fetchers):
        self.fetchers = fetchers
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser")
        self.last_used = time.monotonic()

    def fetch(self, url: str):
        return self.pool.submit(self._fetch, url).result()

    def _fetch(self, url: str):
        try:
            return self.fetchers.browser(url)
        finally:
            self.last_used = time.monotonic()

    def close_if_idle(self, idle_s: float) -> None:
        if self.fetchers.browser_started and time.monotonic() - self.last_used > idle_s:
            self.pool.submit(self._close_idle, idle_s)

    def _close_idle(self, idle_s: float) -> None:
        if self.fetchers.browser_started and time.monotonic() - self.last_used > idle_s:
            self.fetchers.close_browser()
            emit("browser_stopped", reason=f"idle for more than {idle_s:.0f}s")

    def shutdown(self, timeout_s: float) -> None:
        done = threading.Event()

        def close():
            try:
                self.fetchers.close_browser()
            finally:
                done.set()

        self.pool.submit(close)
        done.wait(timeout_s)
        self.pool.shutdown(wait=False, cancel_futures=True)


class _JobFetchers:
    """What ``capture_and_extract`` needs: HTTP on the calling thread, the browser on its own."""

    def __init__(self, fetchers, browser: _BrowserThread):
        self._fetchers, self._browser = fetchers, browser
        self.settings = fetchers.settings

    def http(self, url, etag=None, last_modified=None):
        return self._fetchers.http(url, etag, last_modified)

    def browser(self, url):
        return self._browser.fetch(url)


class Worker:
    """Schedules and runs the checks of a watchlist until ``stop`` is set.

    ``store`` is used only from the thread that calls ``run``.  ``fetchers`` defaults to the real
    ones (httpx, Chromium on demand, robots.txt per the settings).  ``now`` is the wall clock.
    """

    def __init__(self, watchlist: Watchlist, store: Store, fetchers=None, *,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 max_checks: int | None = None, grace_s: float = 8.0,
                 reload: Callable[[], Watchlist] | None = None,
                 digest_send: Callable[[Store, Watchlist, str], list] | None | bool = True,
                 digest_every_s: float = DIGEST_EVERY_S):
        from .fetch.robots import RobotsGuard
        from .pipeline import Fetchers

        self.watchlist = watchlist
        self.settings = watchlist.settings
        self.store = store
        self.now = now
        self.max_checks = max_checks
        self.grace_s = grace_s
        self.reload_watchlist = reload
        if digest_send is True:  # the digest module's sender
            from .deliver import worker_send as digest_send
        self.digest_send = digest_send or None
        self.digest_every_s = digest_every_s
        self._digests: ThreadPoolExecutor | None = None
        self._digest_busy: set[str] = set()
        self.fetchers = fetchers or Fetchers(watchlist.settings)
        if self.fetchers.robots is None and self.settings.obey_robots:
            self.fetchers.robots = RobotsGuard.for_documents(watchlist.documents, self.fetchers.client,
                                                             gate=self.fetchers.gate)
        self.events: queue.Queue = queue.Queue()
        self.stats = WorkerStats()
        self._docs: dict[str, DocumentSpec] = {}
        self._state: dict[str, str] = {}  # doc id -> "scheduled" | "queued" | "running"
        self._ready: OrderedDict[str, deque[_Job]] = OrderedDict()  # host -> jobs waiting for it
        self._busy: set[str] = set()
        self._host_free_at: dict[str, float] = {}  # monotonic time a host may be asked again
        self._running = 0
        self._jobs: dict[str, _Job] = {}
        self._scheduler = None
        self._pool: ThreadPoolExecutor | None = None
        self._browser: _BrowserThread | None = None
        self._worker_id: int | None = None
        self._stopping = False

    # -- public --

    def run(self, stop: threading.Event) -> WorkerStats:
        from apscheduler.executors.pool import ThreadPoolExecutor as APSThreads
        from apscheduler.jobstores.memory import MemoryJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        self._pool = ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="check")
        self._browser = _BrowserThread(self.fetchers)
        # Jobs only post an event; the schedule itself lives in the store and is rebuilt from it
        # at every start (STACK-NOTES d: memory job store, no second copy of the schedule).
        self._scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()}, executors={"default": APSThreads(2)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None}, timezone=UTC)
        from .pipeline import rehash_stale_versions

        rehash_stale_versions(self.store)  # after an upgrade that changed the normalisation, before any check
        self._worker_id = self.store.worker_started(os.getpid(), socket.gethostname())
        emit("worker_started", pid=os.getpid(), documents=len(self.watchlist.documents),
             concurrency=self.settings.concurrency, per_host_delay_s=self.settings.per_host_delay_s,
             obey_robots=self.settings.obey_robots)
        stopper = threading.Thread(target=lambda: (stop.wait(), self.events.put(("stop",))), daemon=True,
                                   name="stop-watch")
        stopper.start()
        try:
            _warm_up()
            self._scheduler.start()
            self._load(self.watchlist)
            self._schedule_digests()
            self._loop(stop)
        finally:
            self._shutdown()
        return self.stats

    def request_reload(self) -> None:
        self.events.put(("reload",))

    # -- scheduling --

    def _load(self, watchlist: Watchlist) -> None:
        """(Re)build every document's job from the store."""
        self.watchlist, self.settings = watchlist, watchlist.settings
        robots = getattr(self.fetchers, "robots", None)
        if robots is not None:
            robots.exempt = {d.url: d.ignore_robots for d in watchlist.documents if d.ignore_robots}
        wanted = {d.id: d for d in watchlist.documents}
        for doc_id in set(self._docs) - set(wanted):
            with contextlib.suppress(Exception):
                self._scheduler.remove_job(f"check:{doc_id}")
            if self._state.get(doc_id) == "scheduled":
                self._state.pop(doc_id, None)
        self._docs = wanted
        last_checks = self.store.last_checks()
        last_slots = self.store.last_check_slots()
        now = self.now()
        for doc in watchlist.documents:
            self.store.upsert_document(doc)
            if doc.ignore_robots:
                emit("robots_ignored", doc=doc.id, reason=doc.ignore_robots)
            if self._state.get(doc.id) in ("queued", "running"):
                continue
            plan = plan_next(doc.id, self._interval_s(doc), self.settings.jitter_hours * 3600,
                             last_checks.get(doc.id), last_slots.get(doc.id), now)
            self._schedule(plan)

    def _interval_s(self, doc: DocumentSpec) -> float:
        return self.watchlist.interval_for(doc) * 3600.0

    def _schedule(self, plan: Plan) -> None:
        doc = self._docs[plan.document_id]
        self._jobs[doc.id] = _Job(doc, plan, {})
        self._state[doc.id] = "scheduled"
        self._scheduler.add_job(self._fire, "date", run_date=plan.fire_at, args=[doc.id, plan],
                                id=f"check:{doc.id}", replace_existing=True)
        emit("scheduled", logging.DEBUG, doc=doc.id, due_at=iso_ms(plan.due_at), fire_at=iso_ms(plan.fire_at),
             attempt=plan.attempt, why=plan.why)

    def _fire(self, doc_id: str, plan: Plan) -> None:  # APScheduler thread: post an event, nothing else
        self.events.put(("due", doc_id, plan))

    def _schedule_digests(self) -> None:
        """Every ``digest_every_s`` (and once at start), ask the digest module what is due.

        Whether a subscriber's daily / weekly / after-run digest is due, and what it holds, is
        decided from the store's ledger (``deliver.send_due_digests``), so a restart or a missed
        tick neither repeats nor drops a digest; the worker only supplies the heartbeat.
        """
        if self.digest_send is None:
            return
        wanted = {getattr(s, "name", None) for s in self.watchlist.subscribers} - {None}
        for job in self._scheduler.get_jobs():
            if job.id.startswith("digest:") and job.id.removeprefix("digest:") not in wanted:
                job.remove()
        for name in sorted(wanted):
            self._scheduler.add_job(self._fire_digest, "interval", seconds=self.digest_every_s, args=[name],
                                    id=f"digest:{name}", replace_existing=True, next_run_time=self.now())

    def _fire_digest(self, name: str) -> None:  # APScheduler thread
        self.events.put(("digest", name))

    # -- the loop (owns the store) --

    def _loop(self, stop: threading.Event) -> None:
        next_beat = time.monotonic() + HEARTBEAT_S
        while True:
            timeout = self._dispatch()
            if stop.is_set():
                self.stats.stop_reason = self.stats.stop_reason or "signal"
                return
            try:
                event = self.events.get(timeout=min(timeout, max(0.05, next_beat - time.monotonic())))
            except queue.Empty:
                event = None
            if event is not None:
                kind = event[0]
                if kind == "stop":
                    self.stats.stop_reason = self.stats.stop_reason or "signal"
                    return
                if kind == "due":
                    self._on_due(event[1], event[2])
                elif kind == "done":
                    self._on_done(*event[1:])
                    if self.max_checks is not None and self.stats.checks >= self.max_checks:
                        self.stats.stop_reason = f"max checks ({self.max_checks}) reached"
                        return
                elif kind == "reload" and self.reload_watchlist is not None:
                    self._reload()
                elif kind == "digest":
                    self._start_digest(event[1])
                elif kind == "digest_done":
                    self._digest_busy.discard(event[1])
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + HEARTBEAT_S
                self.store.worker_heartbeat(self._worker_id, self.stats.checks)
                self._browser.close_if_idle(BROWSER_IDLE_S)

    def _reload(self) -> None:
        try:
            watchlist = self.reload_watchlist()
        except Exception as exc:  # a broken edit must not stop a running worker
            emit("reload_failed", logging.ERROR, error=str(exc))
            return
        self._load(watchlist)
        self._schedule_digests()
        emit("reloaded", documents=len(watchlist.documents))

    # -- digests: their own thread and database connection, so a slow SMTP server or a webhook
    #    being retried never delays a check --

    def _start_digest(self, name: str) -> None:
        if self.digest_send is None or self._stopping or name in self._digest_busy:
            return
        if self._digests is None:
            self._digests = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest")
        self._digest_busy.add(name)
        self._digests.submit(self._send_digest, name, self.watchlist)

    def _send_digest(self, name: str, watchlist: Watchlist) -> None:
        try:
            store = self._digest_store()
            for r in self.digest_send(store, watchlist, name) or ():
                as_json = r.as_json() if hasattr(r, "as_json") else {"result": str(r)}
                failed = as_json.get("status") == "failed"
                emit("digest", logging.WARNING if failed else logging.INFO, **as_json)
        except Exception as exc:  # a broken channel is that subscriber's problem, not the worker's
            emit("digest_failed", logging.ERROR, subscriber=name, error=f"{exc.__class__.__name__}: {exc}")
        finally:
            self.events.put(("digest_done", name))

    def _digest_store(self) -> Store:
        local = getattr(self, "_digest_local", None)
        if local is None:
            local = self._digest_local = Store(self.store.path, now=self.store.now)
        return local

    def _on_due(self, doc_id: str, plan: Plan) -> None:
        job = self._jobs.get(doc_id)
        if doc_id not in self._docs or job is None or job.plan != plan or self._state.get(doc_id) != "scheduled":
            return  # replaced by a reload, or removed from the watchlist
        job.fired_at = self.now()
        self._state[doc_id] = "queued"
        self._ready.setdefault(host_of(job.doc.url), deque()).append(job)

    def _dispatch(self) -> float:
        """Start every queued check whose host is free; return seconds until a host frees up."""
        wait = 1.0
        if not self._ready:
            return wait
        clock = time.monotonic()
        for host in list(self._ready):
            if self._running >= self.settings.concurrency:
                break
            if host in self._busy:
                continue
            free_at = self._host_free_at.get(host, 0.0)
            if free_at > clock:
                wait = min(wait, free_at - clock)
                continue
            jobs = self._ready[host]
            job = jobs.popleft()
            if jobs:
                self._ready.move_to_end(host)  # round robin between hosts
            else:
                del self._ready[host]
            doc = job.doc
            if doc.id not in self._docs:
                self._state.pop(doc.id, None)
                continue
            job.row = self.store.document(doc.id) or {}
            self._busy.add(host)
            self._running += 1
            self._state[doc.id] = "running"
            self._pool.submit(self._work, job)
        return max(0.0, wait)

    # -- pool thread: fetch and extract, no store --

    def _work(self, job: _Job) -> None:
        from .pipeline import capture_and_extract

        doc, row = job.doc, job.row
        has_version = row.get("current_version_id") is not None
        started, t0 = self.now(), time.perf_counter()
        capture = extracted = error = None
        try:
            capture, extracted = capture_and_extract(
                doc, _JobFetchers(self.fetchers, self._browser),
                etag=row.get("etag") if has_version else None,
                last_modified=row.get("last_modified") if has_version else None,
                prefer_browser=doc.fetcher == Fetcher.AUTO and row.get("last_fetcher") == "browser",
                skip_if_sha=row.get("last_capture_sha256") if has_version else None,
            )
        except (FetchError, ExtractError) as exc:
            error = exc
        except Exception as exc:  # a bug or a bad page is that document's failure, nothing more
            error = FetchError(f"internal error: {exc.__class__.__name__}: {exc}", transient=False)
        self.events.put(("done", job, started, t0, capture, extracted, error))

    # -- back on the loop thread: record, free the host, plan the next check --

    def _on_done(self, job: _Job, started, t0, capture, extracted, error) -> None:
        from .pipeline import record_capture_result

        doc = job.doc
        host = host_of(doc.url)
        self._running -= 1
        self._busy.discard(host)
        previous_failures = self.store.failure_streak(doc.id)
        with self.store.transaction():
            try:
                with self.store.transaction():
                    result = record_capture_result(self.store, doc, started, t0, capture, extracted, error)
            except Exception as exc:
                error = FetchError(f"internal error: {exc.__class__.__name__}: {exc}", transient=False)
                result = record_capture_result(self.store, doc, started, t0, None, None, error)
            delay = retry_delay(result.outcome, error, result.consecutive_failures, self._interval_s(doc)) \
                if doc.id in self._docs else None
            retry_at = self.now() + timedelta(seconds=delay) if delay is not None else None
            self.store.add_check_slot(self.store.last_check_id(doc.id), doc.id, due_at=iso_ms(job.plan.due_at),
                                      fired_at=iso_ms(job.fired_at or started), attempt=job.plan.attempt,
                                      retry_at=iso_ms(retry_at) if retry_at else None)

        pause = self.settings.per_host_delay_s
        robots = getattr(self.fetchers, "robots", None)
        crawl_delay = robots.crawl_delay(doc.url) if robots is not None else None
        if crawl_delay:
            pause = max(pause, crawl_delay)
        retry_after = getattr(error, "retry_after", None)
        if retry_after:
            pause = max(pause, min(retry_after, MAX_HOST_PAUSE_S))
        self._host_free_at[host] = time.monotonic() + pause

        self.stats.checks += 1
        self.stats.outcomes[str(result.outcome)] = self.stats.outcomes.get(str(result.outcome), 0) + 1
        self.stats.robots_requests = getattr(robots, "requests", 0)
        threshold = self.settings.failure_threshold
        failed = result.outcome in (Outcome.ERROR, Outcome.SUSPECT)
        emit("check", logging.WARNING if failed else logging.INFO, doc=doc.id, host=host,
             outcome=str(result.outcome), reason=None if result.outcome == Outcome.UNCHANGED else result.reason,
             fetcher=result.fetcher, duration_s=round(result.duration_s, 3), attempt=job.plan.attempt,
             due_at=iso_ms(job.plan.due_at),
             late_s=round(((job.fired_at or started) - job.plan.fire_at).total_seconds(), 3),
             consecutive_failures=result.consecutive_failures or None,
             retry_in_s=round(delay, 1) if delay is not None else None)
        if failed and result.consecutive_failures == threshold:
            emit("failing", logging.ERROR, doc=doc.id, consecutive_failures=result.consecutive_failures,
                 reason=result.reason)
        elif not failed and previous_failures >= threshold:
            emit("recovered", doc=doc.id, after_failures=previous_failures)

        if doc.id not in self._docs or self._stopping:  # removed from the watchlist, or shutting down
            self._state.pop(doc.id, None)
            return
        plan = plan_next(doc.id, self._interval_s(doc), self.settings.jitter_hours * 3600,
                         self.store.last_check(doc.id), self.store.last_check_slot(doc.id), self.now())
        self._schedule(plan)

    # -- stopping --

    def _shutdown(self) -> None:
        """Fire nothing new; let running checks finish for ``grace_s``; abandon the rest unrecorded."""
        self._stopping = True
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        queued = sum(len(jobs) for jobs in self._ready.values())
        self._ready.clear()
        deadline = time.monotonic() + self.grace_s
        if self._running:
            emit("stopping", in_flight=self._running, queued=queued, grace_s=self.grace_s)
        while self._running and time.monotonic() < deadline:
            try:
                event = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if event[0] == "done":
                self._on_done(*event[1:])
        self.stats.abandoned = self._running
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._browser is not None:
            self._browser.shutdown(timeout_s=5.0)
        if self._digests is not None:
            # A digest being sent is finished (the ledger makes an interrupted one safe, but a
            # finished one is kinder to the SMTP server); bounded by the same grace period.
            done = threading.Event()

            def close_digest_store():  # on the digest thread: sqlite3 connections are per thread
                local = getattr(self, "_digest_local", None)
                if local is not None:
                    local.close()
                done.set()

            self._digests.submit(close_digest_store)
            done.wait(max(0.0, deadline - time.monotonic()) + 1.0)
            self._digests.shutdown(wait=False, cancel_futures=True)
        if self._worker_id is not None:
            self.store.worker_stopped(self._worker_id, self.stats.stop_reason or "stopped", self.stats.checks)
        emit("worker_stopped", reason=self.stats.stop_reason or "stopped", checks=self.stats.checks,
             abandoned=self.stats.abandoned or None, queued_not_started=queued or None)


def _warm_up() -> None:
    """Import and exercise the extractor and clause rules once (≈1 s) before the first due check,
    so that the first round of checks is not late by an import under the GIL."""
    from .models import DocumentSpec

    with contextlib.suppress(Exception):
        from .clauses import extract_clauses
        from .extract import extract

        page = b"<html><body><main><h1>Terms</h1><p>We may use your content to train AI models.</p></main></body></html>"
        extract_clauses(extract(page, "text/html", select=DocumentSpec("w", "w", "w", "http://w").select).text)


# --- status (read-only) ------------------------------------------------------------------------


def document_status(watchlist: Watchlist, store: Store, now: datetime | None = None) -> list[dict]:
    """Per watched document: last check, outcome, next due, failures (``clausewatch status``)."""
    now = now or datetime.now(UTC)
    last_checks = store.last_checks()
    last_slots = store.last_check_slots()
    threshold = watchlist.settings.failure_threshold
    out = []
    for doc in watchlist.documents:
        last = last_checks.get(doc.id)
        interval_s = watchlist.interval_for(doc) * 3600
        plan = plan_next(doc.id, interval_s, watchlist.settings.jitter_hours * 3600, last,
                         last_slots.get(doc.id), now)
        failures = 0
        if last is not None and last["outcome"] in (Outcome.ERROR, Outcome.SUSPECT):
            failures = last["consecutive_failures"] or 0
        out.append({
            "id": doc.id, "service": doc.service, "type": doc.type, "url": doc.url,
            "interval_hours": watchlist.interval_for(doc),
            "last_check": last["started_at"] if last else None,
            "outcome": last["outcome"] if last else None,
            "reason": last["reason"] if last else None,
            "consecutive_failures": failures,
            "failing": failures >= threshold,  # reported only after N consecutive failures
            "next_due": iso_ms(plan.fire_at), "next_due_why": plan.why,
            "robots_ignored": doc.ignore_robots,
        })
    return out
