"""Sending digests: SMTP mail, Atom feeds and signed webhooks, with a ledger so each
(change, subscriber, channel) is delivered exactly once.  This is an edge: the outside world
(clock, environment, SMTP connection, HTTP client, sleep) comes in through :class:`World`.

The ledger protocol, per subscriber and channel (``email:<address>``, ``webhook``, ``atom``)::

    undelivered = stored changes (+ failure streaks) the filter lets through, not yet 'sent' here
    digest      = digest.build(subscriber, undelivered)          nothing to say → nothing sent
    rendered    = digest.render(...)                             a crash here: nothing recorded, retried
    ledger      ← 'pending', attempts + 1                        committed before anything leaves
    send        → SMTP 250 / HTTP 2xx / feed file renamed into place
    ledger      ← 'sent'                                         committed right after

So a crash between render and send, an SMTP 4xx/5xx, a timeout or a webhook 500 leaves the items
'pending' and the next send retries them; a 'sent' item is never offered again.  The one window
left is between the server's acceptance and the ledger commit (a few milliseconds): a crash exactly
there resends, and for that case every message carries a stable id (mail ``Message-ID``, webhook
``X-Clausewatch-Delivery``) derived from the digest's content, so a receiver can drop the repeat.
Two senders at once (the worker and a cron ``clausewatch digest --send``) are kept apart by an
exclusive lock file next to the database.

Webhook signature: ``X-Clausewatch-Signature: t=<unix time>,sha256=<hex>`` where the hex is
HMAC-SHA256, keyed with the subscriber's secret (from the environment variable ``secret_env``
names), over ``"<t>." + body``.  Check it with :func:`verify_signature`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from . import digest as D
from .config import Watchlist, slugify
from .errors import ClausewatchError
from .store import Store, parse_time
from .subscribers import Smtp, Subscriber, Webhook

# Retries inside one send, for transient failures (SMTP 4xx, timeouts, refused connections, HTTP
# 5xx / 429): three tries over ~10 s rides out a server restart or greylisting's first refusal
# without holding a worker for long; whatever still fails stays pending for the next send.
TRIES = 3
BACKOFF_S = (2.0, 8.0)
# Between scheduled sends (send_due_digests) a channel that keeps failing waits 2^attempts minutes,
# at most six hours, so a dead webhook is not hammered every few minutes for days.
MAX_BACKOFF = timedelta(hours=6)
FEED_ENTRIES = 50  # entries per Atom feed: readers keep their own history
# A new subscriber's first digest looks back one cadence period, so subscribing today does not
# miss this morning's change, nor bring the whole history.
LOOKBACK = {"after_run": timedelta(days=1), "daily": timedelta(days=1), "weekly": timedelta(days=7)}
USER_AGENT = "clausewatch-digest/1"


class DeliveryError(ClausewatchError):
    """A channel refused a digest or did not answer; ``transient`` says whether retrying soon may help."""

    def __init__(self, reason: str, *, transient: bool = True):
        super().__init__(reason)
        self.transient = transient


@dataclass
class World:
    """What a send talks to; the defaults are the real thing."""

    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Callable[[float], None] = time.sleep
    smtp_connect: Callable[[Smtp, ssl.SSLContext], smtplib.SMTP] | None = None  # None = smtplib
    ssl_context: ssl.SSLContext | None = None  # None = the system's trust store
    http: object = None  # an httpx.Client; None = make one per send
    tries: int = TRIES
    backoff_s: Sequence[float] = BACKOFF_S


@dataclass(frozen=True)
class Result:
    """What happened to one subscriber's channel in one send."""

    subscriber: str
    channel: str
    status: str  # sent | failed | nothing | dry-run | skipped
    items: int = 0  # changes and failure streaks in the digest
    subject: str | None = None
    digest_id: str | None = None
    error: str | None = None
    rendered: str | None = None  # dry runs: what would have been sent

    def as_json(self) -> dict:
        out = {"subscriber": self.subscriber, "channel": self.channel, "status": self.status, "items": self.items,
               "subject": self.subject, "digest_id": self.digest_id, "error": self.error}
        return {k: v for k, v in out.items() if v is not None}


# --- reading the store -------------------------------------------------------------------------------


def _time(value) -> datetime | None:
    if not value:
        return None
    dt = parse_time(value) if isinstance(value, str) else value
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _json(value, default):
    if value is None or value == "":
        return default
    return json.loads(value) if isinstance(value, str | bytes) else value


def stored_change(row: dict, store: Store | None = None) -> D.StoredChange:
    """A ``Store.digest_change_rows`` row → the digest's record (the word diff is recomputed from the
    two versions when the row does not carry one and the change is one a digest shows in full)."""
    blob = _json(row.get("change_json") or row.get("data"), {})
    get = lambda *names: next((row[n] for n in names if row.get(n) is not None),  # noqa: E731
                              next((blob[n] for n in names if blob.get(n) is not None), None))
    cls = str(get("class", "cls", "change_class") or "")
    deltas = _json(get("deltas"), [])
    diff = tuple(tuple(d) for d in _json(get("diff"), []))
    old_id, new_id = get("old_version_id"), get("new_version_id", "version_id")
    if not diff and store is not None and cls == "SUBSTANTIVE_OTHER" and old_id and new_id:
        from .worddiff import word_diff

        old, new = store.version(old_id), store.version(new_id)
        if old and new:
            diff = word_diff(old.text, new.text)
    detected = _time(get("detected_at", "recorded_at", "created_at") or row.get("v_recorded_at"))
    return D.StoredChange(
        id=row["id"], document_id=row["document_id"], service=row.get("doc_service") or "",
        doc_type=row.get("doc_type") or "", doc_url=row.get("doc_url") or "", cls=cls,
        summary=str(get("summary") or ""), severity=str(get("severity") or ""),
        detected_at=detected or datetime.now(UTC),
        captured_at=_time(row.get("v_captured_at") or get("new_captured_at")),
        tags=tuple(_json(row.get("doc_tags"), [])), capture_sha256=row.get("v_capture_sha256"),
        effective_date=row.get("v_effective_date"), source=row.get("v_source") or "capture",
        deltas=D.clause_changes(deltas), diff=diff, new_version_id=new_id,
    )


def load_changes(store: Store, since: datetime | None = None) -> list[D.StoredChange]:
    """Stored changes recorded since ``since`` that a digest may show (noise is left in the store)."""
    if not store.has_changes_table():
        return computed_changes(store, since)
    out = []
    for row in store.digest_change_rows(since):
        cls = str(row.get("class") or row.get("cls") or row.get("change_class") or "")
        if cls and cls not in D.DIGEST_CLASSES:
            continue  # noise: never delivered, so not worth a word diff
        change = stored_change(row, store)
        if change.cls in D.DIGEST_CLASSES:
            out.append(change)
    return out


def computed_changes(store: Store, since: datetime | None = None) -> list[D.StoredChange]:
    """Changes computed with ``compare`` from the stored versions recorded since ``since``: the bridge
    for a database without a ``changes`` table (the change engine's store half not there yet).
    Ledger keys are the new versions' ids either way, so nothing is sent again once the table exists."""
    from .compare import compare

    out = []
    for doc in store.documents():
        rows = store.version_rows(doc["id"])
        fresh = [i for i, r in enumerate(rows) if i > 0 and r.get("source") != "rebaseline"
                 and (since is None or _time(r["recorded_at"]) >= since)]
        if not fresh:
            continue
        versions = store.versions(doc["id"])
        for i in fresh:
            change = compare(versions[:i], versions[i], name=f"{doc['service']} {doc['type']}")
            if change is None or str(change.cls) not in D.DIGEST_CLASSES:
                continue
            row = rows[i]
            out.append(D.StoredChange(
                id=row["id"], document_id=doc["id"], service=doc["service"], doc_type=doc["type"], doc_url=doc["url"],
                cls=str(change.cls), summary=change.summary, severity=str(change.severity),
                detected_at=_time(row["recorded_at"]), captured_at=_time(row["captured_at"]),
                tags=tuple(_json(doc.get("tags"), [])), capture_sha256=row.get("capture_sha256"),
                effective_date=row.get("effective_date"), source=row.get("source") or "capture",
                deltas=D.clause_changes(change.deltas), diff=change.diff, new_version_id=row["id"], stored=False))
    out.sort(key=lambda c: (c.detected_at, c.id))
    return out


def load_failing(store: Store, threshold: int) -> list[D.FailingDocument]:
    return [D.FailingDocument(
        document_id=r["document_id"], service=r.get("service") or r["document_id"], doc_type=r.get("type") or "",
        url=r.get("url") or "", failures=r["consecutive_failures"] or 0, reason=r.get("reason") or "",
        since=_time(r.get("streak_started_at")), last_checked=_time(r.get("started_at")),
        streak_id=r.get("streak_check_id") or r["id"], tags=tuple(_json(r.get("tags"), [])),
    ) for r in store.failing_documents(threshold)]


# --- channels ------------------------------------------------------------------------------------------


def _retrying(world: World, attempt: Callable[[], None]) -> None:
    """Run ``attempt`` up to ``world.tries`` times while it fails transiently."""
    for i in range(max(world.tries, 1)):
        try:
            attempt()
            return
        except DeliveryError as exc:
            if not exc.transient or i == world.tries - 1:
                raise
            world.sleep(world.backoff_s[min(i, len(world.backoff_s) - 1)] if world.backoff_s else 0)


def _connect(smtp: Smtp, context: ssl.SSLContext) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.effective_port, timeout=smtp.timeout_s, context=context)
    return smtplib.SMTP(smtp.host, smtp.effective_port, timeout=smtp.timeout_s)


def email_message(rendered_text: str, rendered_html: str, digest: D.Digest, *, sender: str, to: str,
                  now: datetime) -> EmailMessage:
    """A multipart/alternative mail: the plain text first, the HTML last (what clients prefer)."""
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = formatdate(now.timestamp(), localtime=False)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "clausewatch.invalid"
    who = hashlib.sha256(to.casefold().encode()).hexdigest()[:8]
    msg["Message-ID"] = f"<{digest.id}.{who}@{domain}>"  # the same digest to the same reader: the same id
    msg["X-Clausewatch-Digest"] = digest.id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered_text)
    msg.add_alternative(rendered_html, subtype="html")
    return msg


def send_email(msg: EmailMessage, smtp: Smtp, world: World) -> None:
    """Send one message; SMTP 4xx, timeouts and refused connections are retried, 5xx is not."""
    user = world.env.get(smtp.username_env) if smtp.username_env else None
    password = world.env.get(smtp.password_env) if smtp.password_env else None
    if user and not password:
        raise DeliveryError(f"SMTP user is set in ${smtp.username_env} but ${smtp.password_env} is empty",
                            transient=False)
    context = world.ssl_context or ssl.create_default_context()
    connect = world.smtp_connect or _connect

    def attempt() -> None:
        try:
            with connect(smtp, context) as conn:
                conn.ehlo()
                if smtp.security == "starttls":
                    conn.starttls(context=context)
                    conn.ehlo()
                if user:
                    conn.login(user, password)
                refused = conn.send_message(msg)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise DeliveryError(f"SMTP {code} for {msg['To']}: {_decode(text)}", transient=400 <= code < 500) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"SMTP {exc.smtp_code}: {_decode(exc.smtp_error)}",
                                transient=400 <= exc.smtp_code < 500) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise DeliveryError(f"SMTP server: {exc}", transient=False) from None
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {smtp.host}:{smtp.effective_port}: {exc.__class__.__name__}: {exc}") from None
        if refused:
            raise DeliveryError(f"SMTP refused {', '.join(refused)}")

    _retrying(world, attempt)


def _decode(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},sha256={mac}"


def verify_signature(secret: str, body: bytes, header: str, *, now: float | None = None,
                     tolerance_s: float = 300) -> bool:
    """Whether a webhook's ``X-Clausewatch-Signature`` is ours and fresh (for receivers and tests)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if now is not None and abs(now - timestamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, body, timestamp), header)


def post_webhook(hook: Webhook, body: bytes, digest_id: str, world: World) -> None:
    """POST a digest's JSON; 5xx, 429, 408 and network errors are retried with backoff."""
    import httpx

    secret = None
    if hook.secret_env:
        secret = world.env.get(hook.secret_env)
        if not secret:
            raise DeliveryError(f"webhook secret: environment variable ${hook.secret_env} is not set", transient=False)
    client = world.http or httpx.Client(timeout=15.0)

    def attempt() -> None:
        headers = {"content-type": "application/json; charset=utf-8", "user-agent": USER_AGENT,
                   "x-clausewatch-delivery": digest_id, "x-clausewatch-event": "digest"}
        if secret:
            headers["x-clausewatch-signature"] = sign(secret, body, int(world.now().timestamp()))
        try:
            response = client.post(hook.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {hook.url}: {exc.__class__.__name__}: {exc}") from None
        if response.status_code >= 300:
            code = response.status_code
            raise DeliveryError(f"webhook {hook.url}: HTTP {code}", transient=code >= 500 or code in (408, 429))

    try:
        _retrying(world, attempt)
    finally:
        if world.http is None:
            client.close()


def atom_feed(entries: Sequence[D.Entry], *, feed_id: str, title: str, now: datetime, link: str | None = None,
              templates: str | None = None, subtitle: str | None = None) -> bytes:
    """An Atom feed (feedgen) with one entry per change, newest first."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.author({"name": "clausewatch"})
    fg.updated(now)
    fg.generator("clausewatch")
    fg.subtitle(subtitle or "Changes to what terms of service and privacy policies say about AI")
    fg.link(href=link or "https://github.com/clausewatch/clausewatch", rel="alternate")
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(entry_id(e))
        fe.title(e.headline)
        fe.updated(e.detected_at)
        fe.published(e.detected_at)
        fe.link(href=e.site_url or e.doc_url, rel="alternate")
        fe.summary(e.summary)
        fe.content(D.render_entry(e, templates=templates), type="html")
        fe.category(term=e.cls, label=e.class_words)
    return fg.atom_str(pretty=True)


def entry_id(e: D.Entry) -> str:
    """Stable across databases: the document and the capture instant of the new version."""
    return f"urn:clausewatch:{e.document_id}:{e.captured_key}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file so readers see the old or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


# --- sending ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def sender_lock(store: Store):
    """One digest sender per database at a time (released by the OS if the process dies)."""
    path = Path(f"{store.path}.digest.lock")
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DeliveryError(f"another digest sender holds {path}; try again when it is done") from None
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _start(store: Store, sub: Subscriber, since: datetime | None, *, now: datetime, record: bool) -> datetime:
    """Where a subscriber's digest starts: ``since``, else one cadence period before it was first seen."""
    if since is not None:
        return since
    if record:
        first = parse_time(store.subscriber_state(sub.name)["first_seen_at"])
    else:  # a dry run writes nothing, not even "first seen"
        row = next((r for r in store.subscriber_states() if r["name"] == sub.name), None)
        first = parse_time(row["first_seen_at"]) if row else now
    return first - LOOKBACK.get(sub.cadence, timedelta(days=1))


def send_digests(store: Store, watchlist: Watchlist, *, subscribers: Iterable[str] | None = None,
                 since: datetime | None = None, dry_run: bool = False, fmt: str | None = None,
                 include_imports: bool = False, world: World | None = None,
                 changes: Sequence[D.StoredChange] | None = None) -> list[Result]:
    """Send every selected subscriber what it has not had yet, on each of its channels.

    ``since`` bounds when a change was recorded (default: the subscriber's first digest, looking
    back one cadence period).  Imported history is not news and is left out unless
    ``include_imports``.  ``dry_run`` renders (in ``fmt``, default the channel's own) and records
    nothing.  ``changes`` replaces reading the store (tests).
    """
    world = world or World()
    subs = _select(watchlist, subscribers)
    now = world.now()
    lock = contextlib.nullcontext() if dry_run else sender_lock(store)
    with lock:
        starts = {s.name: _start(store, s, since, now=now, record=not dry_run) for s in subs}
        if changes is None:
            changes = load_changes(store, min(starts.values(), default=None))
        changes = [c for c in changes if include_imports or c.source != "import"]
        failing = load_failing(store, watchlist.settings.failure_threshold)
        results: list[Result] = []
        for sub in subs:
            start = starts[sub.name]
            mine = [c for c in changes if c.detected_at >= start]
            for channel in _channels(sub):
                results.append(_send_channel(store, watchlist, sub, channel, mine, failing, start=start, now=now,
                                             world=world, dry_run=dry_run, fmt=fmt, everything=changes))
        if not dry_run and changes:
            write_service_feeds(store, watchlist, now=now, changes=changes)
    return results


def _select(watchlist: Watchlist, names: Iterable[str] | None) -> list[Subscriber]:
    if names is None:
        return list(watchlist.subscribers)
    wanted = list(names)
    by_name = {s.name.casefold(): s for s in watchlist.subscribers}
    missing = [n for n in wanted if n.casefold() not in by_name]
    if missing:
        from .errors import InputError

        known = ", ".join(s.name for s in watchlist.subscribers) or "none in the watchlist"
        raise InputError(f"no subscriber '{missing[0]}' (known: {known})")
    return [by_name[n.casefold()] for n in wanted]


def _channels(sub: Subscriber) -> list[str]:
    out = [f"email:{address}" for address in sub.email]
    if sub.webhook:
        out.append("webhook")
    if sub.atom:
        out.append("atom")
    return out


def _send_channel(store: Store, watchlist: Watchlist, sub: Subscriber, channel: str,
                  changes: Sequence[D.StoredChange], failing: Sequence[D.FailingDocument], *, start: datetime,
                  now: datetime, world: World, dry_run: bool, fmt: str | None,
                  everything: Sequence[D.StoredChange] = ()) -> Result:
    delivery = watchlist.delivery
    done = set() if dry_run else store.delivered_keys(sub.name, channel)
    todo = [c for c in changes if c.key not in done]
    # Feeds carry changes; a failing document is news for a reader of mail or a webhook only.
    down = [] if channel == "atom" else [f for f in failing if f.key not in done]
    digest = D.build(sub, todo, down, period_start=start, period_end=now, site_url=delivery.site_url)
    if digest.empty:
        return Result(sub.name, channel, "nothing")
    kind = channel.split(":", 1)[0]
    if dry_run:
        out_fmt = fmt or {"email": "text", "webhook": "json", "atom": "text"}[kind]
        return Result(sub.name, channel, "dry-run", len(digest.keys), digest.subject, digest.id,
                      rendered=D.render(digest, out_fmt, templates=delivery.templates))
    # Render before the ledger: a template error records nothing and sends nothing.
    if kind == "email":
        text = D.render(digest, "text", templates=delivery.templates)
        html = D.render(digest, "html", templates=delivery.templates)
        payload = email_message(text, html, digest, sender=delivery.smtp.sender, to=channel.split(":", 1)[1], now=now)
        send = lambda: send_email(payload, delivery.smtp, world)  # noqa: E731
    elif kind == "webhook":
        body = D.render(digest, "json").encode()
        send = lambda: post_webhook(sub.webhook, body, digest.id, world)  # noqa: E731
    else:
        feed = subscriber_feed(store, sub, watchlist, now=now, changes=everything or changes)
        path = Path(sub.atom)
        send = lambda: write_atomic(path, feed)  # noqa: E731
    keys = digest.keys
    store.delivery_attempt(keys, sub.name, channel, digest.id)
    try:
        send()
    except DeliveryError as exc:
        store.delivery_failed(keys, sub.name, channel, str(exc))
        return Result(sub.name, channel, "failed", len(keys), digest.subject, digest.id, error=str(exc))
    except OSError as exc:  # the feed file could not be written
        store.delivery_failed(keys, sub.name, channel, f"{exc.__class__.__name__}: {exc}")
        return Result(sub.name, channel, "failed", len(keys), digest.subject, digest.id, error=str(exc))
    store.delivery_sent(keys, sub.name, channel, digest.id)
    return Result(sub.name, channel, "sent", len(keys), digest.subject, digest.id)


def preview(store: Store, watchlist: Watchlist, *, names: Iterable[str] | None = None, since: datetime | None = None,
            fmt: str = "text", include_imports: bool = False, now: datetime | None = None) -> list[tuple[str, str]]:
    """Each subscriber's digest of the changes recorded since ``since`` (default: one cadence
    period back), rendered; ignores the ledger and writes nothing.  Without subscribers in the
    watchlist, one digest of everything that is not noise."""
    now = now or datetime.now(UTC)
    subs = _select(watchlist, names) if watchlist.subscribers or names else [Subscriber(name="everything", atom="-")]
    starts = {s.name: since or now - LOOKBACK.get(s.cadence, timedelta(days=1)) for s in subs}
    changes = [c for c in load_changes(store, min(starts.values())) if include_imports or c.source != "import"]
    failing = load_failing(store, watchlist.settings.failure_threshold)
    out = []
    for sub in subs:
        mine = [c for c in changes if c.detected_at >= starts[sub.name]]
        d = D.build(sub, mine, failing, period_start=starts[sub.name], period_end=now,
                    site_url=watchlist.delivery.site_url)
        out.append((sub.name, D.render(d, fmt, templates=watchlist.delivery.templates)))
    return out


def subscriber_feed(store: Store, sub: Subscriber, watchlist: Watchlist, *, now: datetime,
                    changes: Sequence[D.StoredChange] | None = None) -> bytes:
    """The subscriber's feed: its latest matching changes, whether or not they were delivered before
    (a feed is a window that readers poll; entry ids keep each change one entry)."""
    changes = load_changes(store) if changes is None else changes
    chosen = D.select(sub, changes)[-FEED_ENTRIES:]
    entries = [D.entry_for(c, site_url=watchlist.delivery.site_url) for c in reversed(chosen)]
    return atom_feed(entries, feed_id=f"urn:clausewatch:subscriber:{slugify(sub.name)}",
                     title=f"clausewatch: {sub.name}", now=now, link=watchlist.delivery.site_url,
                     templates=watchlist.delivery.templates)


def write_service_feeds(store: Store, watchlist: Watchlist, *, now: datetime | None = None,
                        out_dir: str | Path | None = None,
                        changes: Sequence[D.StoredChange] | None = None) -> list[Path]:
    """One Atom feed per service with changes (``<feeds_dir>/<service>.xml``), AI and other
    substantive changes, newest first; rewritten whole each time (idempotent)."""
    now = now or datetime.now(UTC)
    out = Path(out_dir or watchlist.delivery.feeds_dir)
    changes = load_changes(store) if changes is None else changes
    by_service: dict[str, list[D.StoredChange]] = {}
    for c in changes:
        by_service.setdefault(c.service, []).append(c)
    written = []
    for service, items in sorted(by_service.items()):
        items = sorted(items, key=lambda c: (c.detected_at, c.id))[-FEED_ENTRIES:]
        entries = [D.entry_for(c, site_url=watchlist.delivery.site_url) for c in reversed(items)]
        path = out / f"{slugify(service)}.xml"
        write_atomic(path, atom_feed(entries, feed_id=f"urn:clausewatch:service:{slugify(service)}",
                                     title=f"clausewatch: {service}", now=now, link=watchlist.delivery.site_url,
                                     templates=watchlist.delivery.templates,
                                     subtitle=f"Changes to {service}'s terms and policies"))
        written.append(path)
    return written


# --- cadence -----------------------------------------------------------------------------------------


def due_slot(sub: Subscriber, *, last: datetime | None, first_seen: datetime, now: datetime) -> datetime | None:
    """The cadence slot a digest is due for, or None.

    ``after_run``: always due (now).  ``daily`` / ``weekly``: the latest ``at`` (on ``weekday``) in
    the subscriber's time zone that is not after ``now``, if no digest has been made for it yet.
    Computed from the local calendar date, so a slot stays at 07:00 local across DST changes.
    """
    if sub.cadence == "after_run":
        return now
    tz = sub.tz
    local = now.astimezone(tz)
    day = local.date()
    for _ in range(8):
        candidate = datetime.combine(day, sub.at, tzinfo=tz)
        if candidate <= local and (sub.cadence == "daily" or day.weekday() == sub.weekday):
            break
        day -= timedelta(days=1)
    slot = candidate.astimezone(UTC)
    reference = last or first_seen
    return slot if reference < slot else None


def _backing_off(store: Store, sub: Subscriber, now: datetime) -> bool:
    """Whether every failed channel of this subscriber is still inside its retry wait."""
    rows = [r for r in store.deliveries(sub.name) if r["status"] == "pending" and r["last_error"]]
    if not rows:
        return False
    for r in rows:
        wait = min(timedelta(minutes=2 ** min(r["attempts"] or 1, 12)), MAX_BACKOFF)
        if parse_time(r["last_attempt_at"]) + wait <= now:
            return False
    return True


def send_due_digests(store: Store, watchlist: Watchlist, *, now: datetime | None = None, world: World | None = None,
                     only: str | None = None) -> list[Result]:
    """Send the digests whose cadence slot has come, and retry failed ones; for the worker and cron.

    Cheap and idempotent: call it as often as you like (the worker every few minutes).  A
    subscriber is sent to when its slot (``after_run``: every call; ``daily`` / ``weekly``: its
    local ``at`` time) has passed since its last digest, or when an earlier send failed and its
    backoff has run out.  Every send goes through the ledger, so nothing is sent twice.
    """
    world = world or World()
    if now is not None:
        world = replace(world, now=lambda: now)
    now = world.now()
    results: list[Result] = []
    for sub in watchlist.subscribers:
        if only is not None and sub.name.casefold() != only.casefold():
            continue
        state = store.subscriber_state(sub.name)
        slot = due_slot(sub, last=_time(state["last_digest_at"]), first_seen=parse_time(state["first_seen_at"]),
                        now=now)
        retry = slot is None and any(r["status"] == "pending" for r in store.deliveries(sub.name))
        if slot is None and not (retry and not _backing_off(store, sub, now)):
            continue
        sent = send_digests(store, watchlist, subscribers=[sub.name], world=world)
        results.extend(sent)
        if slot is not None:
            store.set_last_digest(sub.name, slot, sent=any(r.status == "sent" for r in sent))
    return results


def worker_triggers(watchlist: Watchlist, every_minutes: int = 5):
    """(subscriber name, APScheduler trigger) pairs for the worker: a check every few minutes;
    ``send_due_digests`` decides from the store whether a digest is due, so restarts and missed
    slots need no scheduler state."""
    from apscheduler.triggers.interval import IntervalTrigger

    return [(s.name, IntervalTrigger(minutes=every_minutes)) for s in watchlist.subscribers]


def worker_send(store: Store, watchlist: Watchlist, name: str) -> list[Result]:
    """The worker's digest hook: whatever is due for one subscriber."""
    return send_due_digests(store, watchlist, only=name)
