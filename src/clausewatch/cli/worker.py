"""Worker commands: ``worker`` (the long-running scheduler) and ``status``."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

import click

from .app import Settings, echo_json, main, pass_settings


def _setup_logging(fmt: str, level: str) -> None:
    from ..worker import JsonLogFormatter, TextLogFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLogFormatter() if fmt == "json" else TextLogFormatter())
    logger = logging.getLogger("clausewatch")
    logger.handlers[:] = [handler]
    logger.setLevel(level.upper())
    logger.propagate = False
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


@main.command()
@click.option("--log-format", type=click.Choice(["json", "text"]), default="json", show_default=True,
              help="Structured log lines on stderr: one JSON object, or key=value pairs, per line.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
@click.option("--grace", "grace_s", type=float, default=8.0, show_default=True, metavar="SECONDS",
              help="On SIGTERM/SIGINT, how long running checks may take to finish before they are abandoned "
                   "(unrecorded, redone at the next start). A second signal abandons them at once.")
@click.option("--max-checks", type=int, default=None, metavar="N",
              help="Stop after N checks (for smoke tests and benchmarks).")
@click.option("--digest-every", "digest_every_s", type=click.FloatRange(min=0.1), default=300.0, show_default=True,
              metavar="SECONDS", help="How often to send the digests that are due (each subscriber's cadence "
                                      "and the delivery ledger decide what is due).")
@pass_settings
def worker(settings: Settings, log_format: str, log_level: str, grace_s: float, max_checks: int | None,
           digest_every_s: float) -> None:
    """Run forever: check each document on its interval and send digests on their cadence.

    Due times come from the database, so a restart neither re-checks everything nor skips a
    check. Only one worker may run per database. SIGTERM or Ctrl-C stops it cleanly; SIGHUP
    reloads the watchlist. See docs/running.md for systemd, containers and cron.

    \b
    Example:
      clausewatch --db /var/lib/clausewatch/db.sqlite worker --log-format text
    """
    from ..worker import Worker, WorkerLock

    wl = settings.load_watchlist()
    lock = WorkerLock(settings.db_path)
    lock.acquire()  # before anything else: a second worker stops here with a clear message
    _setup_logging(log_format, log_level)
    store = None
    stop = threading.Event()
    try:
        store = settings.open_store()
        w = Worker(wl, store, max_checks=max_checks, grace_s=grace_s, reload=settings.load_watchlist,
                   digest_every_s=digest_every_s)

        def on_stop(signum, frame):
            if stop.is_set():
                w.grace_s = 0.0  # second signal: abandon running checks now
            stop.set()

        signal.signal(signal.SIGTERM, on_stop)
        signal.signal(signal.SIGINT, on_stop)
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, lambda signum, frame: w.request_reload())
        stats = w.run(stop)
    finally:
        if store is not None:
            store.close()
        lock.release()
    logging.shutdown()
    if stats.abandoned:
        # Threads still fetching hold nothing we need: their results were never recorded and will
        # be redone. Do not wait for their timeouts.
        sys.stderr.flush()
        os._exit(0)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print documents, worker and digests as JSON.")
@click.option("--failing", is_flag=True, help="Show only documents failing past the failure threshold.")
@pass_settings
def status(settings: Settings, as_json: bool, failing: bool) -> None:
    """Per document: last check, outcome, next due, consecutive failures; the worker; digests.

    A document counts as failing only after `failure_threshold` consecutive failed checks
    (watchlist settings, default 3).

    \b
    Example:
      clausewatch status
      clausewatch status --json | jq '.documents[] | select(.failing)'
    """
    from ..worker import WorkerLock, document_status

    wl = settings.load_watchlist()
    store = settings.open_store(must_exist=True)
    try:
        docs = document_status(wl, store)
        last_worker = store.last_worker()
        digests = _digest_status(store, wl)
    finally:
        store.close()
    holder = WorkerLock(settings.db_path).held_by_other()
    if failing:
        docs = [d for d in docs if d["failing"]]
    worker_info = {"running": holder is not None, "holder": holder, "last": last_worker}
    if as_json:
        echo_json({"documents": docs, "worker": worker_info, "digests": digests,
                   "failure_threshold": wl.settings.failure_threshold})
        return
    width = max([len(d["id"]) for d in docs] + [8])
    click.echo(click.style(f"{'DOCUMENT':<{width}}  {'LAST CHECK':<20}  {'OUTCOME':<9}  FAILS  NEXT DUE", bold=True))
    for d in docs:
        outcome = d["outcome"] or "-"
        colour = "red" if d["failing"] else ("yellow" if d["consecutive_failures"] else None)
        click.echo(f"{d['id']:<{width}}  {d['last_check'] or 'never':<20}  "
                   + click.style(f"{outcome:<9}", fg=colour) + f"  {d['consecutive_failures']:>5}  "
                   f"{d['next_due'][:19]}Z ({d['next_due_why']})")
        if d["failing"]:
            click.echo(click.style(f"{'':<{width}}  ! failing: {d['reason']}", fg="red"))
        if d["robots_ignored"]:
            click.echo(f"{'':<{width}}  robots.txt ignored: {d['robots_ignored']}")
    if holder:
        click.echo(f"worker: running ({holder})")
    elif last_worker:
        how = last_worker["stop_reason"] or "killed or crashed (no clean stop recorded)"
        click.echo(f"worker: not running; last one pid {last_worker['pid']}, started {last_worker['started_at']}, "
                   f"last seen {last_worker['heartbeat_at']}, {how}, {last_worker['checks'] or 0} checks")
    else:
        click.echo("worker: never run on this database")
    for d in digests:
        click.echo(f"digest {d['subscriber']} ({d['cadence']}): last sent {d['last_sent'] or 'never'}"
                   + (f", last slot {d['last_digest_slot']}" if d["last_digest_slot"] else ""))


def _digest_status(store, wl) -> list[dict]:
    """Last digest per subscriber, from the digest ledger (``subscribers`` table) when it exists."""
    states = getattr(store, "subscriber_states", None)
    rows = {r["name"]: r for r in states()} if states is not None else {}
    out = []
    for sub in wl.subscribers:
        name = getattr(sub, "name", None) or (sub.get("name") if isinstance(sub, dict) else str(sub))
        row = rows.get(name, {})
        out.append({"subscriber": name, "cadence": getattr(sub, "cadence", None),
                    "last_digest_slot": row.get("last_digest_at"), "last_sent": row.get("last_sent_at")})
    return out
