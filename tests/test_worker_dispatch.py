"""The worker's dispatcher in-process: a slow host never holds the others up; the global limit holds."""

from __future__ import annotations

import threading
import time

from clausewatch.config import parse_watchlist
from clausewatch.store import Store
from clausewatch.worker import Worker
from worker_server import TimedServer


def run_worker(yaml_text: str, db, max_checks: int):
    """Run a Worker on its own thread (it owns its Store) until ``max_checks`` checks are recorded."""
    wl = parse_watchlist(yaml_text)
    out = {}

    def target():
        with Store(db) as store:
            out["stats"] = Worker(wl, store, max_checks=max_checks, digest_send=None).run(threading.Event())

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the worker did not stop after max_checks"
    return out["stats"]


def test_a_slow_host_never_holds_a_thread_another_host_needs(tmp_path):
    slow, fast = TimedServer(page_delay_s=0.5), TimedServer(page_delay_s=0.01)
    try:
        # Two threads in all; four documents queue for the slow host, one is on the fast host.
        docs = "".join(f"  - {{id: s{i}, service: S{i}, type: T, url: '{slow.url(f'/p{i}')}'}}\n" for i in range(4))
        docs += f"  - {{id: f0, service: F, type: T, url: '{fast.url('/p')}'}}\n"
        yaml_text = ("settings: {interval: 1, jitter: 0.000003, per_host_delay: 0.1, concurrency: 2}\n"
                     "documents:\n" + docs)
        stats = run_worker(yaml_text, tmp_path / "cw.sqlite", max_checks=5)
        assert stats.checks == 5 and stats.outcomes == {"new": 5}
        slow_reqs = sorted(r for r in slow.requests() if r[0] != "/robots.txt")
        fast_start = next(start for path, start, _ in fast.requests() if path == "/p")
        first_slow_start = min(start for _, start, _ in slow_reqs)
        # The fast host's check started while the slow host's first check was still being served:
        # it did not wait for a thread held by a check queued behind the slow host.
        assert fast_start < first_slow_start + 0.45
        # The slow host was still asked one request at a time.
        ordered = sorted(slow.requests(), key=lambda r: r[1])
        assert all(b[1] >= a[2] + 0.08 for a, b in zip(ordered, ordered[1:], strict=False))
    finally:
        slow.close()
        fast.close()


def test_global_concurrency_limit(tmp_path):
    servers = [TimedServer(page_delay_s=0.3) for _ in range(4)]
    try:
        docs = "".join(f"  - {{id: d{i}, service: D{i}, type: T, url: '{s.url('/p')}'}}\n"
                       for i, s in enumerate(servers))
        yaml_text = ("settings: {interval: 1, jitter: 0.000003, per_host_delay: 0, concurrency: 2}\n"
                     "documents:\n" + docs)
        run_worker(yaml_text, tmp_path / "cw.sqlite", max_checks=4)
        spans = sorted((start, end) for s in servers for path, start, end in s.requests() if path == "/p")
        assert len(spans) == 4
        most = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans)
        assert most == 2  # four hosts free, but never more than two checks at once
    finally:
        for s in servers:
            s.close()


def test_reload_adds_and_removes_documents_without_a_restart(tmp_path):
    server = TimedServer(page_delay_s=0.01)
    try:
        head = "settings: {interval: 0.0003, jitter: 0.000003, per_host_delay: 0}\ndocuments:\n"  # ~1.1 s
        old = head + f"  - {{id: old, service: O, type: T, url: '{server.url('/old')}'}}\n"
        new = head + f"  - {{id: new, service: N, type: T, url: '{server.url('/new')}'}}\n"
        holder, stop = {}, threading.Event()

        def target():
            with Store(tmp_path / "cw.sqlite") as store:
                worker = holder["worker"] = Worker(parse_watchlist(old), store, digest_send=None,
                                                   reload=lambda: parse_watchlist(new))
                holder["stats"] = worker.run(stop)

        def wait(path, n):
            deadline = time.monotonic() + 30
            while len(server.requests(path)) < n and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(server.requests(path)) >= n

        thread = threading.Thread(target=target)
        thread.start()
        try:
            wait("/old", 1)
            holder["worker"].request_reload()  # what SIGHUP does
            wait("/new", 2)  # picked up at once (never checked), then on its interval
        finally:
            stop.set()
            thread.join(30)
        assert not thread.is_alive()
        # 'old' would have been due again ~1.1 s after its first check, before 'new' came round twice.
        assert len(server.requests("/old")) == 1
    finally:
        server.close()


def test_worker_rehashes_versions_stored_under_an_older_normalisation(tmp_path):
    from clausewatch.normalize import NORMALISATION_VERSION, decision_hash

    server = TimedServer(page_delay_s=0.01)
    try:
        # Checked every second (interval in hours), so the second run has a check due at once.
        yaml_text = ("settings: {interval: 0.0003, jitter: 0.000003, per_host_delay: 0, concurrency: 1}\n"
                     f"documents:\n  - {{id: d0, service: D, type: T, url: '{server.url('/p')}'}}\n")
        db = tmp_path / "cw.sqlite"
        run_worker(yaml_text, db, max_checks=1)
        with Store(db) as store:  # as an older clausewatch would have left it
            store.db.execute("update versions set normalisation_version = '0', decision_hash = 'old'")
        stats = run_worker(yaml_text, db, max_checks=1)
        assert stats.outcomes == {"unchanged": 1}
        with Store(db) as store:
            [row] = store.db.query("select text, decision_hash, normalisation_version from versions")
        assert row["normalisation_version"] == NORMALISATION_VERSION and row["decision_hash"] == decision_hash(row["text"])
    finally:
        server.close()
