"""The real worker process (``python -m clausewatch worker``) against local servers, bounded in time.

Two 127.0.0.1 servers stand for two hosts; each logs when every request started and ended, so
the tests can check per-host spacing from the server's side, and the store says which slot each
check served (``check_slots``, millisecond times), so they can check that no slot was run twice
or skipped — across a SIGKILL and a restart too.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from clausewatch.schedule import jitter_offset
from worker_server import TimedServer


@pytest.fixture
def hosts():
    servers = [TimedServer(robots=b"User-agent: *\nDisallow: /private\n"), TimedServer()]
    yield servers
    for s in servers:
        s.close()


def write_watchlist(path: Path, docs: list[dict], *, interval_s: float, jitter_s: float, delay_s: float,
                    threshold: int = 2, concurrency: int = 4, webhook: str | None = None) -> None:
    lines = [f"settings: {{interval: {interval_s / 3600!r}, jitter: {jitter_s / 3600!r}, "
             f"per_host_delay: {delay_s}, failure_threshold: {threshold}, concurrency: {concurrency}}}",
             "documents:"]
    for d in docs:
        extra = f", robots: {{ignore: {json.dumps(d['ignore'])}}}" if d.get("ignore") else ""
        lines.append(f"  - {{id: {d['id']}, service: {d['id']}, type: Policy, url: '{d['url']}'{extra}}}")
    if webhook:
        lines += ["subscribers:", f"  - {{name: desk, channels: {{webhook: {{url: '{webhook}'}}}}, cadence: after_run}}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def start_worker(wl: Path, db: Path, log: Path, *extra: str) -> subprocess.Popen:
    """``python -m clausewatch … worker`` with JSON log lines appended to ``log``."""
    out = open(log, "ab")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen([sys.executable, "-m", "clausewatch", "--watchlist", str(wl), "--db", str(db),
                             "worker", "--log-format", "json", *extra], stdout=out, stderr=out)
    out.close()
    return proc


def log_events(log: Path) -> list[dict]:
    events = []
    for line in log.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            events.append(json.loads(line))
    return events


def wait_for(predicate, timeout_s: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            output = log.read_text(encoding="utf-8")[-2000:] if log else ""
            raise AssertionError(f"the worker exited ({proc.returncode}) while waiting for {what}:\n{output}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def query(db: Path, sql: str, args=()) -> list[tuple]:
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute(sql, args).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def slots(db: Path, doc: str) -> list[tuple[float, int, float, str]]:
    """(due_at, attempt, fired_at, outcome) of each worker check of a document, in order."""
    rows = query(db, "select s.due_at, s.attempt, s.fired_at, c.outcome from check_slots s join checks c "
                     "on c.id = s.check_id where s.document_id = ? order by s.check_id", [doc])
    return [(ts(d), a, ts(f), o) for d, a, f, o in rows]


def fire_time(doc: str, due: float, interval_s: float, jitter_s: float) -> float:
    """When the worker should start a slot: its nominal time plus the document's jitter for it."""
    return due + jitter_offset(doc, datetime.fromtimestamp(due, UTC), min(jitter_s, interval_s / 2))


def assert_host_spacing(server: TimedServer, min_gap_s: float) -> int:
    reqs = sorted(server.requests(), key=lambda r: r[1])
    for (p1, _, end1), (p2, start2, _) in zip(reqs, reqs[1:], strict=False):
        assert start2 >= end1, f"overlapping requests to one host: {p1} and {p2}"
        assert start2 - end1 >= min_gap_s - 0.02, f"{p2} only {start2 - end1:.3f}s after {p1} on the same host"
    return len(reqs)


def assert_contiguous(doc_slots, interval_s: float, doc: str) -> None:
    """Every slot served once (retries aside), each exactly one interval after the previous one."""
    firsts = [due for due, attempt, _, _ in doc_slots if attempt == 1]
    for a, b in zip(firsts, firsts[1:], strict=False):
        step = b - a
        assert step == pytest.approx(interval_s, abs=0.003), (
            f"{doc}: slot {b - firsts[0]:.3f}s follows {a - firsts[0]:.3f}s: "
            + ("duplicated" if step < interval_s / 2 else "skipped") + f" (step {step:.3f}s)")


INTERVAL, JITTER, DELAY = 2.0, 0.2, 0.25


def test_worker_checks_each_document_on_time_politely_and_stops_on_sigterm(hosts, tmp_path):
    h1, h2 = hosts
    docs = [{"id": "a", "url": h1.url("/a")}, {"id": "b", "url": h1.url("/b")}, {"id": "c", "url": h1.url("/c")},
            {"id": "blocked", "url": h1.url("/private/terms")},
            {"id": "exempt", "url": h1.url("/private/ai"), "ignore": "operator agreed by mail"},
            {"id": "d", "url": h2.url("/d")}, {"id": "down", "url": h2.url("/fail")}]
    wl, db, log = tmp_path / "watchlist.yaml", tmp_path / "cw.sqlite", tmp_path / "worker.log"
    write_watchlist(wl, docs, interval_s=INTERVAL, jitter_s=JITTER, delay_s=DELAY)
    proc = start_worker(wl, db, log)
    try:
        wait_for(lambda: any(e["event"] == "worker_started" for e in log_events(log)), 15, "the worker to start",
                 proc, log)
        # A second worker on the same database is refused at once, with a clear message.
        second = subprocess.run([sys.executable, "-m", "clausewatch", "--watchlist", str(wl), "--db", str(db),
                                 "worker"], capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert f"clausewatch: another worker is already running on {db} (pid {proc.pid} on" in second.stderr
        ok_docs = ("a", "b", "c", "exempt", "d")
        wait_for(lambda: min(len(slots(db, d)) for d in ok_docs) >= 3, 30, "three checks of each document",
                 proc, log)
        t_term = time.time()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    events = log_events(log)
    assert events[-1]["event"] == "worker_stopped" and events[-1]["reason"] == "signal"
    assert not any(e["level"] in ("critical",) or "exception" in e for e in events)

    # The store is whole: every check has its slot; the process recorded a clean stop.
    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "select count(*) from checks") == query(db, "select count(*) from check_slots")
    assert query(db, "select stop_reason, stopped_at is not null from workers") == [("signal", 1)]

    # A check whose time has come waits for the checks ahead of it on its host (one at a time,
    # DELAY apart, ~0.05 s each): on h1 that queue is up to 5 deep.
    queue_allowance = {doc: 5 * (DELAY + 0.1) for doc in ("a", "b", "c", "exempt")} | {"d": 2 * (DELAY + 0.1)}
    first_due = {}
    for doc in ("a", "b", "c", "exempt", "d"):
        doc_slots = slots(db, doc)
        assert [o for *_, o in doc_slots][0] == "new" and {o for *_, o in doc_slots[1:]} <= {"unchanged"}
        assert_contiguous(doc_slots, INTERVAL, doc)
        first_due[doc] = doc_slots[0][0]
        # Expected count: every slot whose jittered time came before the SIGTERM, less those still
        # waiting for their host then (queued, not started: abandoned, and redone at the next start).
        fire_times = []
        k = 0
        while True:
            due = first_due[doc] + k * INTERVAL
            fire = fire_time(doc, due, INTERVAL, JITTER)
            if fire > t_term + 0.05:
                break
            fire_times.append(fire)
            k += 1
        surely = sum(1 for f in fire_times if f < t_term - queue_allowance[doc] - 0.1)
        assert surely >= 2
        assert surely <= len(doc_slots) <= len(fire_times), f"{doc}: {len(doc_slots)} checks"
        # The server saw exactly the checks the store recorded, each at (or just after) its slot's time.
        url = urlsplit(next(d["url"] for d in docs if d["id"] == doc))
        served = (h2 if doc == "d" else h1).requests(url.path)
        assert len(served) == len(doc_slots)
        for k, ((due, _, _, _), (_, start, _)) in enumerate(zip(doc_slots, served, strict=True)):
            fire = fire_time(doc, due, INTERVAL, JITTER)
            assert start >= fire - 0.05, f"{doc}: checked {fire - start:.3f}s before its time"
            if k >= 1:  # the first round also waits for first extractions; later ones only for their host
                assert start <= fire + queue_allowance[doc] + 0.3, f"{doc}: slot {k} started {start - fire:.3f}s late"

    # One request at a time per host, at least per_host_delay apart (robots.txt included).
    assert assert_host_spacing(h1, DELAY) > 10
    assert assert_host_spacing(h2, DELAY) > 5
    assert len(h1.requests("/robots.txt")) == 1  # cached
    assert h1.requests("/private/terms") == []  # robots.txt disallows it: never fetched

    # The failing document is retried with growing backoff, within its slot, and never blocked 'd'.
    down = slots(db, "down")
    assert all(o == "error" for *_, o in down) and len(down) >= 4
    attempts = [a for _, a, _, _ in down]
    assert attempts[:3] == [1, 2, 3]
    gaps = [b[2] - a[2] for a, b in zip(down, down[1:], strict=False) if b[1] > 1]
    assert gaps[0] >= INTERVAL / 8 - 0.02 and gaps[1] >= 2 * INTERVAL / 8 - 0.02

    # status: failing only past the threshold (2); reasons and the robots override are shown.
    out = subprocess.run([sys.executable, "-m", "clausewatch", "--watchlist", str(wl), "--db", str(db),
                          "status", "--json"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    status = json.loads(out.stdout)
    by_id = {d["id"]: d for d in status["documents"]}
    assert by_id["down"]["failing"] and by_id["down"]["consecutive_failures"] >= 4
    assert by_id["down"]["reason"] == "HTTP 503 Service Unavailable"
    assert by_id["blocked"]["failing"] and "robots.txt" in by_id["blocked"]["reason"]
    assert by_id["exempt"]["robots_ignored"] == "operator agreed by mail" and not by_id["exempt"]["failing"]
    for doc in ("a", "b", "c", "d"):
        assert by_id[doc]["outcome"] == "unchanged" and by_id[doc]["consecutive_failures"] == 0
        assert ts(by_id[doc]["next_due"]) > t_term - INTERVAL
    assert status["worker"]["running"] is False and status["worker"]["last"]["stop_reason"] == "signal"
    text = subprocess.run([sys.executable, "-m", "clausewatch", "--watchlist", str(wl), "--db", str(db), "status"],
                          capture_output=True, text=True, timeout=30).stdout
    assert "! failing: HTTP 503 Service Unavailable" in text
    assert "robots.txt ignored: operator agreed by mail" in text
    assert "worker: not running" in text


def test_sigkill_and_restart_neither_skips_nor_repeats_a_check_or_a_digest(hosts, tmp_path):
    h1, h2 = hosts
    interval = 4.0  # longer than a restart (interpreter, imports, warm-up): no slot falls wholly in the gap
    docs = [{"id": f"doc{i}", "url": h1.url(f"/doc{i}")} for i in range(3)] + [{"id": "down", "url": h2.url("/fail")}]
    wl, db, log = tmp_path / "watchlist.yaml", tmp_path / "cw.sqlite", tmp_path / "worker.log"
    write_watchlist(wl, docs, interval_s=interval, jitter_s=0.3, delay_s=0.05, webhook=h2.url("/hook"))
    digest_every = ("--digest-every", "0.5")

    def counts():
        rows = dict(query(db, "select document_id, count(*) from checks group by document_id"))
        return [rows.get(d["id"], 0) for d in docs]

    first = start_worker(wl, db, log, *digest_every)
    try:
        wait_for(lambda: min(counts()) >= 2, 30, "two checks of each document", first, log)
        # 'down' failed twice (the threshold): the subscriber's webhook is told once.
        wait_for(lambda: h2.posts, 15, "the failing-document digest", first, log)
        time.sleep(0.4)  # somewhere between two slots, or in the middle of a check: both must be safe
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    killed_at = time.time()
    before = counts()
    assert query(db, "select count(*) from checks") == query(db, "select count(*) from check_slots")

    second = start_worker(wl, db, log, *digest_every)
    try:
        wait_for(lambda: min(c - b for c, b in zip(counts(), before, strict=True)) >= 1, 30,
                 "a check of each document after the restart", second, log)
        time.sleep(0.5)  # a check right after the first round would be a duplicate: give it the chance
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=15) == 0
    finally:
        if second.poll() is None:
            second.kill()
    started = [e for e in log_events(log) if e["event"] == "worker_started"]
    assert len(started) == 2
    downtime = ts(started[1]["ts"]) - killed_at
    assert downtime < interval - 1.0, f"restart took {downtime:.2f}s; the test needs it under one interval"

    assert query(db, "pragma integrity_check") == [("ok",)]
    assert query(db, "select count(*) from checks") == query(db, "select count(*) from check_slots")
    for doc in docs:
        doc_slots = slots(db, doc["id"])
        if doc["id"] == "down":
            assert all(o == "error" for *_, o in doc_slots) and max(a for _, a, _, _ in doc_slots) >= 2  # retried
        else:
            assert all(o in ("new", "unchanged") for *_, o in doc_slots)
            assert all(a == 1 for _, a, _, _ in doc_slots)
        assert_contiguous(doc_slots, interval, doc["id"])  # across the kill: no slot twice, none missing
        restart_first = next(s for s in doc_slots if s[2] >= ts(started[1]["ts"]))
        # The restarted worker did not re-check "everything now": its first check served the next slot.
        assert restart_first[0] > killed_at - interval
    # The digest about 'down' went out once, by the first worker; the second (still failing, the
    # same streak) sent nothing again.
    assert len(h2.posts) == 1, h2.posts
    assert h2.posts[0][0] == "/hook" and "down" in json.dumps(h2.posts[0][1])
    assert all(e.get("status") in ("nothing", None) for e in log_events(log)
               if e["event"] == "digest" and ts(e["ts"]) > ts(started[1]["ts"]))
    assert query(db, "select count(*) from deliveries where status = 'sent'") == [(1,)]
    workers = query(db, "select stop_reason, stopped_at is null from workers order by id")
    assert workers == [(None, 1), ("signal", 0)]  # the killed one never recorded a stop; the second did


def test_a_check_in_flight_finishes_on_sigint_and_a_short_grace_abandons_it_unrecorded(tmp_path):
    slow = TimedServer(page_delay_s=1.5)
    wl, db, log = tmp_path / "watchlist.yaml", tmp_path / "cw.sqlite", tmp_path / "worker.log"
    write_watchlist(wl, [{"id": "slow", "url": slow.url("/slow")}], interval_s=3, jitter_s=0.01, delay_s=0)

    def in_flight(n):
        return lambda: sum(1 for p, _ in slow.started if p == "/slow") >= n

    try:
        proc = start_worker(wl, db, log)
        try:
            wait_for(in_flight(1), 20, "the first fetch to start", proc, log)
            proc.send_signal(signal.SIGINT)  # Ctrl-C, mid-fetch: the default 8 s grace lets it finish
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
        assert query(db, "select outcome from checks") == [("new",)]
        stopping = [e for e in log_events(log) if e["event"] == "stopping"]
        assert stopping and stopping[0]["in_flight"] == 1

        proc = start_worker(wl, db, log, "--grace", "0.2")
        try:
            wait_for(in_flight(2), 20, "the second fetch to start", proc, log)
            signalled = time.monotonic()
            proc.send_signal(signal.SIGTERM)  # mid-fetch, 0.2 s grace: abandoned, not waited for
            assert proc.wait(timeout=15) == 0
            assert time.monotonic() - signalled < 1.4  # did not sit out the 1.5 s response
        finally:
            if proc.poll() is None:
                proc.kill()
        assert query(db, "select count(*) from checks") == [(1,)]  # nothing half-written
        assert query(db, "select count(*) from check_slots") == [(1,)]
        stopped = [e for e in log_events(log) if e["event"] == "worker_stopped"]
        assert stopped[-1]["abandoned"] == 1
        assert query(db, "select stop_reason from workers order by id") == [("signal",), ("signal",)]
    finally:
        slow.close()
