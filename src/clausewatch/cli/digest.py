"""``clausewatch digest``: preview or send subscribers' digests."""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime, timedelta

import click

from ..errors import InputError
from .app import Settings, echo_json, main, pass_settings


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """'2024-09-01', '2024-09-01T06:00', '2024-09-01T06:00Z' or a span back from now: '7d', '12h', '30m'."""
    if value is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*", value)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[match[2]]
        return now - timedelta(**{unit: float(match[1])})
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--since: '{value}' is not a date, a date and time, or a span such as 7d or 12h") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@main.command()
@click.option("--subscriber", "-s", "names", multiple=True, help="Only this subscriber (repeatable).")
@click.option("--since", help="Changes recorded since: a date / ISO time, or a span back from now (7d, 12h).")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "markdown", "json"]),
              help="Rendering to print (preview default: text).")
@click.option("--send", is_flag=True, help="Deliver what each subscriber has not had yet (mail, webhook, feed).")
@click.option("--dry-run", is_flag=True, help="With --send: show what would be sent, record nothing.")
@click.option("--due", is_flag=True, help="With --send: only subscribers whose cadence slot has come (as the worker).")
@click.option("--include-imports", is_flag=True, help="Also list changes from imported history.")
@click.option("--json", "as_json", is_flag=True, help="With --send: print one result per channel as JSON.")
@pass_settings
def digest(settings: Settings, names: tuple[str, ...], since: str | None, fmt: str | None, send: bool,
           dry_run: bool, due: bool, include_imports: bool, as_json: bool) -> None:
    """Preview or send the digests of the watchlist's subscribers.

    Without --send, prints each subscriber's digest of the changes recorded since --since
    (default: one cadence period) and records nothing.  With --send, each channel gets what it
    has not had yet, exactly once (the ledger is the `deliveries` table); SMTP credentials come
    from the environment variables the watchlist names (default CLAUSEWATCH_SMTP_USER and
    CLAUSEWATCH_SMTP_PASSWORD).  Exit status 1 when a channel failed (it is retried next time).

    \b
    Example:
      clausewatch digest --since 7d --format markdown
      clausewatch digest --send --dry-run
      clausewatch run && clausewatch digest --send
    """
    from .. import deliver

    watchlist = settings.load_watchlist()
    store = settings.open_store(must_exist=True)
    now = datetime.now(UTC)
    start = parse_since(since, now)
    with store:
        if not send:
            if dry_run or due or as_json:
                raise InputError("--dry-run, --due and --json go with --send")
            for name, rendered in deliver.preview(store, watchlist, names=names or None, since=start,
                                                  fmt=fmt or "text", include_imports=include_imports, now=now):
                if len(names) != 1 and len(watchlist.subscribers) > 1 and fmt in (None, "text", "markdown"):
                    click.echo(f"# {name}\n")
                click.echo(rendered, nl=False)
            return
        if not watchlist.subscribers:
            raise InputError(f"{settings.watchlist_path}: no subscribers to send to (add a 'subscribers:' list)")
        if due:
            if names or start:
                raise InputError("--due decides by itself whom to send to and from when (drop --subscriber/--since)")
            results = [] if dry_run else deliver.send_due_digests(store, watchlist)
        else:
            results = deliver.send_digests(store, watchlist, subscribers=names or None, since=start, dry_run=dry_run,
                                           fmt=fmt, include_imports=include_imports)
    if as_json:
        echo_json([r.as_json() for r in results])
    else:
        for r in results:
            line = f"{r.subscriber} {r.channel}: {r.status}"
            if r.items:
                line += f" ({r.items} item{'s' if r.items != 1 else ''}) {r.subject}"
            if r.error:
                line += f" — {r.error}"
            click.echo(line)
            if r.rendered is not None:
                click.echo(r.rendered)
    if any(r.status == "failed" for r in results):
        sys.exit(1)
