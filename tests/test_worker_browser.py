"""The worker's Chromium: started once and reused across checks; relaunched after it crashes."""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from clausewatch.config import parse_watchlist
from clausewatch.fetch.browser import BrowserSession
from clausewatch.pipeline import Fetchers
from clausewatch.store import Store
from clausewatch.worker import Worker
from worker_server import TimedServer

pytestmark = pytest.mark.browser


class CountingSession(BrowserSession):
    """A real BrowserSession that counts how often it had to launch Chromium."""

    launches = 0

    def _ensure(self):
        if self._browser is None or not self._browser.is_connected():
            CountingSession.launches += 1
        return super()._ensure()


def chromium_main_pids() -> list[int]:
    """Chromium browser processes (not renderers) descended from this test process."""
    me = os.getpid()
    parents, cmdlines = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            cmdlines[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    return [pid for pid, cmd in cmdlines.items()
            if cmd and cmd[0].rsplit(b"/", 1)[-1] == b"chromium" and not any(a.startswith(b"--type=") for a in cmd)
            and descends(pid)]


def test_chromium_is_reused_and_relaunched_after_a_crash(chromium, tmp_path):
    server = TimedServer(page_delay_s=0.01)
    db = tmp_path / "cw.sqlite"
    wl = parse_watchlist(
        "settings: {interval: 0.0003, jitter: 0.000003, per_host_delay: 0, browser_executable: '"
        + chromium + "'}\n"
        f"documents:\n  - {{id: js, service: S, type: T, url: '{server.url('/policy')}', fetcher: browser}}\n")
    CountingSession.launches = 0
    stop = threading.Event()
    out = {}

    def target():
        fetchers = Fetchers(wl.settings, browser_factory=lambda: CountingSession(chromium, timeout_s=20))
        with Store(db) as store:
            out["stats"] = Worker(wl, store, fetchers, max_checks=4, digest_send=None).run(stop)

    def checks() -> list[str]:
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                return [r[0] for r in conn.execute("select outcome from checks order by id")]
        except sqlite3.OperationalError:
            return []

    others = set(chromium_main_pids())  # browsers other tests in this session keep open
    thread = threading.Thread(target=target)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(checks()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(checks()) >= 2
        assert CountingSession.launches == 1  # two checks, one Chromium
        pids = sorted(set(chromium_main_pids()) - others)
        assert len(pids) == 1
        os.kill(pids[0], signal.SIGKILL)  # Chromium crashes between (or during) checks
        thread.join(90)
        assert not thread.is_alive()
    finally:
        stop.set()
        thread.join(30)
        server.close()
    outcomes = checks()
    assert len(outcomes) >= 4, outcomes
    assert outcomes[0] == "new" and outcomes[-1] == "unchanged"  # still capturing after the crash
    assert CountingSession.launches == 2, outcomes  # relaunched once, then reused
    assert set(chromium_main_pids()) - others == set()  # closed on shutdown
    assert out["stats"].checks >= 4
