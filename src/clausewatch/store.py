"""The only module that touches SQLite (sqlite-utils, one file, WAL).

Tables (readable with Datasette as they are):

    migrations   name, applied_at                       which named migrations have run
    documents    id, service, type, url, …, current_version_id, last_capture_sha256, etag, last_modified
    captures     sha256 (key), size, data (zlib), content_type, status, final_url, headers, fetcher, fetched_at
    checks       every attempt: document_id, started_at, duration_s, outcome, reason, status, final_url,
                 fetcher, capture_sha256, version_id, consecutive_failures
    versions     one row per distinct decision text of a document: display text, decision hash, dates,
                 extractor + version, normalisation version, capture_sha256 (None for imports)
    clauses      the AI clauses of each version (labels and evidence spans as JSON)

Every record of one check is written in one transaction, so a process killed at any instant
leaves either the whole check or none of it.  Schema changes are new entries at the end of
``MIGRATIONS``; never edit one that has shipped.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from ._imports import import_without
from .errors import StoreError
from .models import Capture, CheckResult, Clause, DocumentSpec, Evidence, Outcome, Version

sqlite_utils = import_without("sqlite_utils", "numpy", "pandas")


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


# --- migrations --------------------------------------------------------------------------------


def _m001_core(db: sqlite_utils.Database) -> None:
    db["documents"].create(
        {
            "id": str, "service": str, "type": str, "url": str, "fetcher": str, "tags": str,
            "created_at": str, "current_version_id": int, "last_capture_sha256": str,
            "etag": str, "last_modified": str, "last_good_words": int, "last_fetcher": str,
        },
        pk="id",
    )
    db["captures"].create(
        {
            "sha256": str, "size": int, "data": bytes, "content_type": str, "status": int, "final_url": str,
            "headers": str, "fetcher": str, "fetched_at": str,
        },
        pk="sha256",
    )
    db["versions"].create(
        {
            "id": int, "document_id": str, "captured_at": str, "recorded_at": str, "text": str,
            "decision_hash": str, "word_count": int, "title": str, "effective_date": str, "language": str,
            "extractor": str, "extractor_version": str, "normalisation_version": str,
            "capture_sha256": str, "source": str, "source_path": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["versions"].create_index(["document_id", "captured_at"])
    db["versions"].create_index(["document_id", "decision_hash"])
    db["checks"].create(
        {
            "id": int, "document_id": str, "started_at": str, "duration_s": float, "outcome": str,
            "reason": str, "status": int, "final_url": str, "fetcher": str, "capture_sha256": str,
            "version_id": int, "consecutive_failures": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["checks"].create_index(["document_id", "started_at"])
    db["clauses"].create(
        {
            "id": int, "version_id": int, "passage_index": int, "start": int, "end": int, "text": str,
            "labels": str, "evidence": str, "analysed": int, "note": str,
        },
        pk="id",
        foreign_keys=[("version_id", "versions", "id")],
    )
    db["clauses"].create_index(["version_id"])


def _m008_worker(db: sqlite_utils.Database) -> None:
    """The worker's schedule ledger (issue 8) and its process history.

    ``check_slots``: one row per check the worker made, written in the check's own transaction:
    the nominal (un-jittered) slot it served, so a restarted worker knows exactly which slot comes
    next; times are ISO with milliseconds (``checks.started_at`` has whole seconds only).
    ``workers``: one row per worker process (pid, host, start, heartbeat, how it stopped).
    """
    db["check_slots"].create(
        {"check_id": int, "document_id": str, "due_at": str, "fired_at": str, "attempt": int, "retry_at": str},
        pk="check_id",
        foreign_keys=[("check_id", "checks", "id"), ("document_id", "documents", "id")],
    )
    db["check_slots"].create_index(["document_id", "check_id"])
    db["workers"].create(
        {"id": int, "pid": int, "host": str, "started_at": str, "heartbeat_at": str, "stopped_at": str,
         "stop_reason": str, "checks": int},
        pk="id",
    )


def _m007_digest(db: sqlite_utils.Database) -> None:
    """Digest subscribers and the delivery ledger (issue 7).

    ``subscribers``: one row per subscriber name seen in the watchlist: when it was first seen
    (its digests start there, so a new subscriber is not sent the whole history), the cadence slot
    of its last digest, and when something was last sent.
    ``deliveries``: the ledger, one row per (item, subscriber, channel), item being a change
    (``change:<id>``) or a failure streak (``failing:<document>:<check id>``).  ``status`` is
    ``pending`` from the moment a send is attempted until the channel confirmed it (then ``sent``);
    a pending row is retried by the next send and a sent one never again.
    """
    db["subscribers"].create(
        {"name": str, "first_seen_at": str, "last_digest_at": str, "last_sent_at": str},
        pk="name",
    )
    db["deliveries"].create(
        {"id": int, "item_key": str, "change_id": int, "subscriber": str, "channel": str, "status": str,
         "attempts": int, "digest_id": str, "first_attempt_at": str, "last_attempt_at": str, "sent_at": str,
         "last_error": str},
        pk="id",
    )
    db["deliveries"].create_index(["item_key", "subscriber", "channel"], unique=True)
    db["deliveries"].create_index(["subscriber", "channel", "status"])


def _m006_changes(db: sqlite_utils.Database) -> None:
    """The change engine's decisions (issue 6) and legal teams' review marks.

    ``changes``: one row per new version compared with the ones before it (``compare.Change``):
    class, severity, reason, one-line summary, clause deltas and stats as JSON; noise rows are kept
    (shown on request, never alerted).  ``reviews``: "we looked at the document up to this version".
    """
    db["changes"].create(
        {"id": int, "document_id": str, "old_version_id": int, "new_version_id": int, "class": str,
         "severity": str, "summary": str, "reason": str, "deltas": str, "stats": str, "repeat_of": str,
         "created_at": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["changes"].create_index(["document_id", "new_version_id"])
    db["changes"].create_index(["created_at"])
    db["reviews"].create(
        {"id": int, "document_id": str, "version_id": int, "reviewed_at": str, "reviewer": str, "note": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db["reviews"].create_index(["document_id", "id"])


def _m009_clause_rules_version(db: sqlite_utils.Database) -> None:
    # which clausewatch.clauses.RULES_VERSION computed a version's clauses; NULL = before this column
    # existed (older rules), so ``clausewatch reclassify`` recomputes those too
    db["versions"].add_column("clauses_rules_version", int)


def _m010_normalisation_index(db: sqlite_utils.Database) -> None:
    # every run asks "any version hashed under an older normalisation?" (pipeline.rehash_stale_versions)
    db["versions"].create_index(["normalisation_version"], if_not_exists=True)


# (name, function): applied in order, each once, each in its own transaction.
MIGRATIONS: list[tuple[str, Callable[[sqlite_utils.Database], None]]] = [
    ("001_core", _m001_core),
    ("008_worker", _m008_worker),
    ("007_digest", _m007_digest),
    ("006_changes", _m006_changes),
    ("009_clause_rules_version", _m009_clause_rules_version),
    ("010_normalisation_index", _m010_normalisation_index),
]


class Store:
    """A clausewatch database.  Not shared between threads: open one per thread/process."""

    def __init__(self, path: str | Path, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.path = Path(path)
        self.now = now
        try:
            if self.path.parent and not self.path.parent.exists():
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at each checkpoint, fast
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable clausewatch database ({exc})") from None
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open ({exc.strerror})") from None

    # -- plumbing --

    def _migrate(self) -> None:
        if "migrations" not in self.db.table_names():
            self.db["migrations"].create({"name": str, "applied_at": str}, pk="name")
        done = {row["name"] for row in self.db["migrations"].rows}
        for name, apply in MIGRATIONS:
            if name in done:
                continue
            with self.transaction():
                apply(self.db)
                self.db["migrations"].insert({"name": name, "applied_at": _iso(self.now())})

    def transaction(self):
        """``with store.transaction():`` — all or nothing; nested blocks become savepoints."""
        return self.db.atomic()

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- documents --

    def upsert_document(self, spec: DocumentSpec, existing: dict | None = None) -> None:
        """Insert or update a watched document; ``existing`` is its row when the caller has it."""
        existing = existing or self.document(spec.id)
        row = {
            "id": spec.id, "service": spec.service, "type": spec.type, "url": spec.url,
            "fetcher": str(spec.fetcher), "tags": json.dumps(list(spec.tags)),
        }
        if existing is None:
            row["created_at"] = _iso(self.now())
            self.db["documents"].insert(row)
        elif any(existing.get(k) != v for k, v in row.items()):
            self.db["documents"].update(spec.id, row)

    def document(self, document_id: str) -> dict | None:
        rows = list(self.db.query("select * from documents where id = ?", [document_id]))
        return rows[0] if rows else None

    def document_rows(self, document_ids: list[str]) -> dict[str, dict]:
        """Rows of these documents by id, in one query ({} for an id not stored)."""
        if not document_ids:
            return {}
        if len(document_ids) <= 900:  # SQLite's default limit on bound parameters is 999
            marks = ", ".join("?" * len(document_ids))
            query = self.db.query(f"select * from documents where id in ({marks})", document_ids)
        else:
            query = self.db.query("select * from documents")
        rows = {r["id"]: r for r in query}
        return {doc_id: rows.get(doc_id, {}) for doc_id in document_ids}

    def documents(self) -> list[dict]:
        return list(self.db.query("select * from documents order by service, type"))

    def documents_of_service(self, service: str) -> list[dict]:
        return list(self.db.query(
            "select * from documents where service = ? collate nocase or id = ? order by type", [service, service]))

    # -- captures --

    def add_capture(self, capture: Capture, sha256: str) -> None:
        """Keep a raw capture, content-addressed and compressed; a second copy is a no-op."""
        if self.db.execute("select 1 from captures where sha256 = ?", [sha256]).fetchone():
            return
        self.db["captures"].insert({
            "sha256": sha256, "size": len(capture.body), "data": zlib.compress(capture.body, 6),
            "content_type": capture.content_type, "status": capture.status, "final_url": capture.final_url,
            "headers": json.dumps(capture.headers, sort_keys=True), "fetcher": capture.fetcher,
            "fetched_at": _iso(capture.fetched_at),
        })

    def capture(self, sha256: str) -> dict | None:
        """A capture's metadata and raw bytes (``body``), or None."""
        rows = list(self.db.query("select * from captures where sha256 = ?", [sha256]))
        if not rows:
            return None
        row = rows[0]
        row["body"] = zlib.decompress(row.pop("data"))
        row["headers"] = json.loads(row["headers"] or "{}")
        return row

    # -- versions --

    def _version(self, row: dict) -> Version:
        return Version(
            id=row["id"], document_id=row["document_id"], captured_at=parse_time(row["captured_at"]),
            text=row["text"], decision_hash=row["decision_hash"], extractor_version=row["extractor_version"] or "",
            normalisation_version=row["normalisation_version"] or "", capture_sha256=row["capture_sha256"],
            language=row.get("language"),
        )

    def version(self, version_id: int) -> Version | None:
        rows = list(self.db.query("select * from versions where id = ?", [version_id]))
        return self._version(rows[0]) if rows else None

    def version_row(self, version_id: int) -> dict | None:
        rows = list(self.db.query("select * from versions where id = ?", [version_id]))
        return rows[0] if rows else None

    def versions(self, document_id: str) -> list[Version]:
        """All distinct texts of a document, oldest first."""
        return [self._version(r) for r in self.db.query(
            "select * from versions where document_id = ? order by captured_at, id", [document_id])]

    def version_rows(self, document_id: str) -> list[dict]:
        """Version metadata without the text, oldest first."""
        return list(self.db.query(
            "select id, document_id, captured_at, recorded_at, decision_hash, word_count, title, effective_date,"
            " language, extractor, extractor_version, capture_sha256, source, source_path"
            " from versions where document_id = ? order by captured_at, id", [document_id]))

    def current_version(self, document_id: str) -> Version | None:
        doc = self.document(document_id)
        if doc is None or doc["current_version_id"] is None:
            return None
        return self.version(doc["current_version_id"])

    def version_hashes(self, document_id: str) -> frozenset[str]:
        """The decision hashes of every stored version of a document."""
        return frozenset(r[0] for r in self.db.execute(
            "select decision_hash from versions where document_id = ?", [document_id]).fetchall())

    def version_with_hash(self, document_id: str, decision_hash: str) -> Version | None:
        rows = list(self.db.query(
            "select * from versions where document_id = ? and decision_hash = ? order by captured_at limit 1",
            [document_id, decision_hash]))
        return self._version(rows[0]) if rows else None

    def add_version(self, version: Version, *, word_count: int, title: str | None = None,
                    effective_date: str | None = None, language: str | None = None, extractor: str = "",
                    source: str = "capture", source_path: str | None = None,
                    clauses: Iterable[Clause] = (), make_current: bool = True) -> int:
        """Insert a version and its clauses; by default it becomes the document's current one.

        Call it inside ``transaction()`` together with the check that found it.
        """
        table = self.db["versions"]
        table.insert({
            "document_id": version.document_id, "captured_at": _iso(version.captured_at),
            "recorded_at": _iso(self.now()), "text": version.text, "decision_hash": version.decision_hash,
            "word_count": word_count, "title": title, "effective_date": effective_date, "language": language,
            "extractor": extractor, "extractor_version": version.extractor_version,
            "normalisation_version": version.normalisation_version, "capture_sha256": version.capture_sha256,
            "source": source, "source_path": source_path,
        })
        version_id = table.last_pk
        self.save_clauses(version_id, clauses)
        if make_current:
            self.set_current_version(version.document_id, version_id, word_count)
        return version_id

    def set_current_version(self, document_id: str, version_id: int, word_count: int | None = None) -> None:
        update = {"current_version_id": version_id}
        if word_count is not None:
            update["last_good_words"] = word_count
        self.db["documents"].update(document_id, update)

    # -- clauses --

    def save_clauses(self, version_id: int, clauses: Iterable[Clause], rules_version: int | None = None) -> None:
        """Replace a version's clauses; ``rules_version`` (default: the current
        ``clauses.RULES_VERSION``) is recorded on the version so stale clauses can be found."""
        if rules_version is None:
            from .clauses import RULES_VERSION as rules_version
        self.db.execute("delete from clauses where version_id = ?", [version_id])
        self.db.execute("update versions set clauses_rules_version = ? where id = ?", [rules_version, version_id])
        rows = [{
            "version_id": version_id, "passage_index": c.passage_index, "start": c.start, "end": c.end,
            "text": c.text, "labels": json.dumps(list(c.labels)),
            "evidence": json.dumps([{"label": e.label, "start": e.start, "end": e.end, "quote": e.quote}
                                    for e in c.evidence]),
            "analysed": int(c.analysed), "note": c.note,
        } for c in clauses]
        if rows:
            self.db["clauses"].insert_all(rows)

    def clauses_for(self, version_id: int) -> list[Clause]:
        return [
            Clause(
                passage_index=r["passage_index"], start=r["start"], end=r["end"], text=r["text"],
                labels=tuple(json.loads(r["labels"])),
                evidence=tuple(Evidence(**e) for e in json.loads(r["evidence"])),
                analysed=bool(r["analysed"]), note=r["note"],
            )
            for r in self.db.query("select * from clauses where version_id = ? order by passage_index", [version_id])
        ]

    def clauses_rules_version(self, version_id: int) -> int | None:
        """The rules version that computed the stored clauses of a version (None: older than versioning)."""
        rows = list(self.db.query("select clauses_rules_version from versions where id = ?", [version_id]))
        return rows[0]["clauses_rules_version"] if rows else None

    def stale_clause_versions(self, rules_version: int) -> list[int]:
        """Ids of versions whose clauses were computed by rules older than ``rules_version``."""
        return [r["id"] for r in self.db.query(
            "select id from versions where clauses_rules_version is null or clauses_rules_version < ? order by id",
            [rules_version])]

    def stale_hash_versions(self, normalisation_version: str) -> list[int]:
        """Ids of versions whose decision hash was computed under another normalisation."""
        return [r["id"] for r in self.db.query(
            "select id from versions where normalisation_version is not ? order by id", [normalisation_version])]

    def set_decision_hash(self, version_id: int, decision_hash: str, normalisation_version: str) -> None:
        self.db.execute("update versions set decision_hash = ?, normalisation_version = ? where id = ?",
                        [decision_hash, normalisation_version, version_id])

    # -- checks --

    def last_check(self, document_id: str) -> dict | None:
        rows = list(self.db.query(
            "select * from checks where document_id = ? order by started_at desc, id desc limit 1", [document_id]))
        return rows[0] if rows else None

    def last_checks(self) -> dict[str, dict]:
        """The latest check of every document, by document id."""
        rows = self.db.query(
            "select c.* from checks c join (select document_id, max(id) as id from checks group by document_id) l"
            " on c.id = l.id")
        return {r["document_id"]: r for r in rows}

    def checks(self, document_id: str, limit: int = 50) -> list[dict]:
        return list(self.db.query(
            "select * from checks where document_id = ? order by started_at desc, id desc limit ?",
            [document_id, limit]))

    def failure_streak(self, document_id: str) -> int:
        last = self.last_check(document_id)
        if last is None or last["outcome"] not in (Outcome.ERROR, Outcome.SUSPECT):
            return 0
        return last["consecutive_failures"] or 0

    def add_check(self, result: CheckResult, *, started_at: datetime, status: int | None = None,
                  final_url: str | None = None) -> int:
        # Plain SQL: this runs for every check, and sqlite-utils' insert() re-reads the table's
        # columns each time (3x the cost of the insert itself).
        cursor = self.db.execute(
            "insert into checks (document_id, started_at, duration_s, outcome, reason, status, final_url, fetcher,"
            " capture_sha256, version_id, consecutive_failures) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [result.document_id, _iso(started_at), result.duration_s, str(result.outcome), result.reason, status,
             final_url, result.fetcher, result.capture_sha256, result.version_id, result.consecutive_failures],
        )
        return cursor.lastrowid

    def note_capture_seen(self, document_id: str, seen: dict, row: dict | None = None) -> None:
        """Remember the last good capture's hash and HTTP validators (skipped when nothing changed)."""
        if row is not None and all(row.get(k) == v for k, v in seen.items()):
            return
        self.db["documents"].update(document_id, seen)

    # -- worker schedule and process history (issue 8) --

    def add_check_slot(self, check_id: int, document_id: str, *, due_at: str, fired_at: str, attempt: int,
                       retry_at: str | None) -> None:
        """Which slot a worker check served; call it inside the check's transaction."""
        self.db["check_slots"].insert({"check_id": check_id, "document_id": document_id, "due_at": due_at,
                                       "fired_at": fired_at, "attempt": attempt, "retry_at": retry_at})

    def last_check_id(self, document_id: str) -> int | None:
        row = self.db.execute("select max(id) from checks where document_id = ?", [document_id]).fetchone()
        return row[0] if row else None

    def last_check_slots(self) -> dict[str, dict]:
        """The latest worker slot of every document, by document id."""
        rows = self.db.query(
            "select s.* from check_slots s join (select document_id, max(check_id) as id from check_slots"
            " group by document_id) l on s.check_id = l.id")
        return {r["document_id"]: r for r in rows}

    def last_check_slot(self, document_id: str) -> dict | None:
        rows = list(self.db.query(
            "select * from check_slots where document_id = ? order by check_id desc limit 1", [document_id]))
        return rows[0] if rows else None

    def check_slots(self, document_id: str) -> list[dict]:
        """Every worker slot of a document, oldest first, with its check's outcome."""
        return list(self.db.query(
            "select s.*, c.outcome, c.started_at from check_slots s join checks c on c.id = s.check_id"
            " where s.document_id = ? order by s.check_id", [document_id]))

    def worker_started(self, pid: int, host: str) -> int:
        now = _iso(self.now())
        table = self.db["workers"]
        table.insert({"pid": pid, "host": host, "started_at": now, "heartbeat_at": now, "checks": 0})
        return table.last_pk

    def worker_heartbeat(self, worker_id: int, checks: int) -> None:
        self.db["workers"].update(worker_id, {"heartbeat_at": _iso(self.now()), "checks": checks})

    def worker_stopped(self, worker_id: int, reason: str, checks: int) -> None:
        now = _iso(self.now())
        self.db["workers"].update(worker_id, {"stopped_at": now, "heartbeat_at": now, "stop_reason": reason,
                                              "checks": checks})

    def last_worker(self) -> dict | None:
        rows = list(self.db.query("select * from workers order by id desc limit 1"))
        return rows[0] if rows else None

    # -- digest subscribers and the delivery ledger (issue 7) --

    def subscriber_state(self, name: str) -> dict:
        """A subscriber's row, created the first time the name is seen (its digests start then)."""
        rows = list(self.db.query("select * from subscribers where name = ?", [name]))
        if rows:
            return rows[0]
        row = {"name": name, "first_seen_at": _iso(self.now()), "last_digest_at": None, "last_sent_at": None}
        self.db["subscribers"].insert(row)
        return row

    def subscriber_states(self) -> list[dict]:
        return list(self.db.query("select * from subscribers order by name"))

    def set_last_digest(self, name: str, slot: datetime, *, sent: bool) -> None:
        self.subscriber_state(name)
        update = {"last_digest_at": _iso(slot)}
        if sent:
            update["last_sent_at"] = _iso(self.now())
        self.db["subscribers"].update(name, update)

    def delivered_keys(self, subscriber: str, channel: str) -> set[str]:
        """Ledger keys already delivered to one subscriber's channel."""
        return {r["item_key"] for r in self.db.query(
            "select item_key from deliveries where subscriber = ? and channel = ? and status = 'sent'",
            [subscriber, channel])}

    def _ledger(self, keys: Iterable[str], subscriber: str, channel: str, update: dict) -> None:
        now = _iso(self.now())
        with self.transaction():
            for key in keys:
                existing = list(self.db.query(
                    "select id, attempts, status from deliveries where item_key = ? and subscriber = ? and channel = ?",
                    [key, subscriber, channel]))
                if existing and existing[0]["status"] == "sent":
                    continue  # a sent row is final
                row = dict(update)
                if "attempts" in row:
                    row["attempts"] = (existing[0]["attempts"] or 0) + 1 if existing else 1
                    row["last_attempt_at"] = now
                if row.get("status") == "sent":
                    row["sent_at"] = now
                if existing:
                    self.db["deliveries"].update(existing[0]["id"], row)
                else:
                    change_id = int(key.split(":", 1)[1]) if key.startswith("change:") else None
                    self.db["deliveries"].insert({
                        "item_key": key, "change_id": change_id, "subscriber": subscriber, "channel": channel,
                        "status": "pending", "attempts": 0, "first_attempt_at": now, **row})

    def delivery_attempt(self, keys: Iterable[str], subscriber: str, channel: str, digest_id: str) -> None:
        """Before sending: the items are pending (a crash from here on leaves them to be retried)."""
        self._ledger(keys, subscriber, channel, {"status": "pending", "attempts": 1, "digest_id": digest_id})

    def delivery_sent(self, keys: Iterable[str], subscriber: str, channel: str, digest_id: str) -> None:
        """After the channel accepted the digest: never send these items to this channel again."""
        self._ledger(keys, subscriber, channel, {"status": "sent", "digest_id": digest_id, "last_error": None})

    def delivery_failed(self, keys: Iterable[str], subscriber: str, channel: str, error: str) -> None:
        """The channel refused or did not answer: the items stay pending for the next send."""
        self._ledger(keys, subscriber, channel, {"status": "pending", "last_error": error[:500]})

    def deliveries(self, subscriber: str | None = None) -> list[dict]:
        where, args = ("where subscriber = ?", [subscriber]) if subscriber else ("", [])
        return list(self.db.query(f"select * from deliveries {where} order by id", args))

    def has_changes_table(self) -> bool:
        return "changes" in self.db.table_names()

    def digest_change_rows(self, since: datetime | None = None) -> list[dict]:
        """Stored changes with their document and new version (for digests), oldest first.

        ``since`` bounds the time the change was recorded; [] while the changes table does not exist.
        """
        if "changes" not in self.db.table_names():
            return []
        cols = set(self.db["changes"].columns_dict)
        new_id = next((c for c in ("new_version_id", "version_id") if c in cols), None)
        when = next((c for c in ("detected_at", "recorded_at", "created_at") if c in cols), None)
        join = f"left join versions v on v.id = c.{new_id}" if new_id else "left join versions v on 0"
        sql = (f"select c.*, d.service as doc_service, d.type as doc_type, d.url as doc_url, d.tags as doc_tags,"
               f" v.captured_at as v_captured_at, v.recorded_at as v_recorded_at, v.capture_sha256 as v_capture_sha256,"
               f" v.effective_date as v_effective_date, v.source as v_source"
               f" from changes c join documents d on d.id = c.document_id {join}")
        args: list = []
        order = f"c.{when}" if when else "v.recorded_at"
        if since is not None:
            sql += f" where {order} >= ?"
            args.append(_iso(since))
        return list(self.db.query(sql + f" order by {order}, c.id", args))

    def failing_documents(self, threshold: int) -> list[dict]:
        """Documents whose latest ``threshold`` or more checks all failed, with the streak's first check."""
        out = []
        for doc_id, last in self.last_checks().items():
            if last["outcome"] not in (Outcome.ERROR, Outcome.SUSPECT) or (last["consecutive_failures"] or 0) < threshold:
                continue
            first = self.db.execute(
                "select min(id), min(started_at) from checks where document_id = ? and id > coalesce("
                "(select max(id) from checks where document_id = ? and outcome not in ('error', 'suspect')), 0)",
                [doc_id, doc_id]).fetchone()
            doc = self.document(doc_id) or {}
            out.append({**last, "streak_check_id": first[0], "streak_started_at": first[1],
                        "service": doc.get("service"), "type": doc.get("type"), "url": doc.get("url"),
                        "tags": doc.get("tags")})
        return out

    # -- changes and reviews (issue 6) --

    def add_change(self, document_id: str, change) -> int:
        """Store one ``compare.Change`` (call inside the check's transaction)."""
        data = change.as_json()
        table = self.db["changes"]
        table.insert({
            "document_id": document_id, "old_version_id": change.old_version_id,
            "new_version_id": change.new_version_id, "class": data["class"], "severity": data["severity"],
            "summary": change.summary, "reason": change.reason, "deltas": json.dumps(data["deltas"], ensure_ascii=False),
            "stats": json.dumps(change.stats, ensure_ascii=False), "repeat_of": change.repeat_of,
            "created_at": _iso(self.now()),
        })
        return table.last_pk

    def record_change_for(self, doc: DocumentSpec, version: Version) -> int | None:
        """Compare a just-stored version with the document's earlier ones and store the decision
        (called by the pipeline and the importer for each new version).  None for a first version."""
        from .compare import compare

        earlier = [v for v in self.versions(doc.id) if v.id != version.id and v.captured_at <= version.captured_at]
        change = compare(earlier, version, name=f"{doc.service} {doc.type}", with_diff=False)
        return self.add_change(doc.id, change) if change is not None else None

    def changes(self, document_id: str) -> list[dict]:
        """Stored decisions for a document, oldest first (deltas and stats decoded)."""
        rows = list(self.db.query("select * from changes where document_id = ? order by created_at, id", [document_id]))
        for row in rows:
            row["deltas"] = json.loads(row["deltas"] or "[]")
            row["stats"] = json.loads(row["stats"] or "{}")
        return rows

    def add_review(self, document_id: str, version_id: int, reviewer: str | None = None, note: str | None = None) -> int:
        table = self.db["reviews"]
        table.insert({"document_id": document_id, "version_id": version_id, "reviewed_at": _iso(self.now()),
                      "reviewer": reviewer, "note": note})
        return table.last_pk

    def last_review(self, document_id: str) -> dict | None:
        rows = list(self.db.query("select * from reviews where document_id = ? order by id desc limit 1", [document_id]))
        return rows[0] if rows else None
