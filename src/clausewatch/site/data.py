"""Read the store into plain, JSON-serialisable values for the site's pages.

Everything here is a dict / list / str / int so a page's inputs can be hashed (the incremental
build compares those hashes) and handed to jinja2 as they are.

Changes come from the store's ``changes`` table (``Store.record_change_for`` writes one row per
new version when it is recorded; the word diff is not stored and is recomputed when a change page
is rendered).  Columns are read tolerantly (``class`` or ``cls``, a JSON blob or columns) so the
site does not break when the engine adds a field.  Versions recorded before that table existed
(an older database) have no row: their changes are computed here with
:func:`clausewatch.compare.compare`, cached by version pair in the output folder, so they cost
something once.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from ..store import Store

LABEL_NAMES = {
    "TRAINS_ON_USER_DATA": "Trains AI on user data",
    "NO_TRAINING_PROMISE": "Promises not to train AI",
    "OPT_OUT_OFFERED": "AI opt-out offered",
    "THIRD_PARTY_AI": "Third-party AI",
    "SCRAPING_AI_RESTRICTION": "Restricts scraping / text and data mining",
    "AI_FEATURE_TERMS": "AI feature terms",
    "AUTOMATED_DECISIONS": "Automated decisions",
}
LABEL_ORDER = tuple(LABEL_NAMES)
# The four questions the index answers for every service at a glance.
STANCE_LABELS = ("TRAINS_ON_USER_DATA", "OPT_OUT_OFFERED", "NO_TRAINING_PROMISE", "THIRD_PARTY_AI")
CLASS_NAMES = {
    "AI_CLAUSE_ADDED": "AI clause added",
    "AI_CLAUSE_REMOVED": "AI clause removed",
    "AI_CLAUSE_CHANGED": "AI clause changed",
    "SUBSTANTIVE_OTHER": "Other substantive change",
    "NOISE_FORMATTING": "Formatting only",
    "NOISE_REPEAT": "Repeat of an earlier text",
    "NOISE_EXTRACTION": "Capture / extraction artefact",
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "x"


def stamp(iso: str | None) -> str:
    """A file-name-safe form of an ISO instant: 2024-09-19T06:10:13Z → 2024-09-19T06-10-13Z."""
    return (iso or "undated").replace(":", "-").replace("+00-00", "Z")


def _json(value, default):
    if value is None or value == "":
        return default
    if isinstance(value, str | bytes):
        try:
            return json.loads(value)
        except ValueError:
            return default
    return value


# --- versions and clauses --------------------------------------------------------------------------


def version_meta(store: Store, document_id: str) -> list[dict]:
    """Every version of a document, oldest first, with its AI labels (no text)."""
    rows = store.version_rows(document_id)
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    labels: dict[int, set[str]] = {i: set() for i in ids}
    marks = ",".join("?" * len(ids))
    for r in store.db.query(f"select version_id, labels from clauses where version_id in ({marks})", ids):
        labels[r["version_id"]].update(_json(r["labels"], []))
    out = []
    for r in rows:
        out.append({
            "id": r["id"], "document_id": document_id, "captured_at": r["captured_at"],
            "recorded_at": r["recorded_at"], "decision_hash": r["decision_hash"], "words": r["word_count"],
            "title": r["title"], "effective_date": r["effective_date"], "language": r["language"],
            "extractor": r["extractor"], "extractor_version": r["extractor_version"],
            "capture_sha256": r["capture_sha256"], "source": r["source"], "source_path": r["source_path"],
            "labels": [lb for lb in LABEL_ORDER if lb in labels[r["id"]]],
        })
    return out


def version_text(store: Store, version_id: int) -> str:
    row = store.db.execute("select text from versions where id = ?", [version_id]).fetchone()
    return row[0] if row else ""


def clause_rows(store: Store, version_id: int) -> list[dict]:
    """A version's clauses as dicts: passage span, labels, evidence spans."""
    return [
        {"start": c.start, "end": c.end, "labels": [lb for lb in LABEL_ORDER if lb in c.labels],
         "evidence": [{"label": e.label, "start": e.start, "end": e.end} for e in c.evidence],
         "analysed": c.analysed, "note": c.note}
        for c in store.clauses_for(version_id)
    ]


def capture_meta(store: Store, sha256: str) -> dict | None:
    rows = list(store.db.query(
        "select sha256, size, content_type, status, final_url, fetcher, fetched_at from captures where sha256 = ?",
        [sha256]))
    return rows[0] if rows else None


# --- changes ---------------------------------------------------------------------------------------


def _normal_change(row: dict, blob: dict) -> dict:
    def get(*names, default=None):
        for n in names:
            if row.get(n) is not None:
                return row[n]
        for n in names:
            if blob.get(n) is not None:
                return blob[n]
        return default

    deltas = _json(get("deltas"), [])
    return {
        "cls": str(get("class", "cls", "change_class", default="")),
        "severity": str(get("severity", default="")),
        "reason": str(get("reason", default="")),
        "summary": str(get("summary", default="")),
        "old_version_id": get("old_version_id"),
        "new_version_id": get("new_version_id", "version_id"),
        "repeat_of": get("repeat_of"),
        "deltas": [
            {"kind": str(d.get("kind", "")), "labels": list(d.get("labels") or []),
             "old_text": d.get("old_text"), "new_text": d.get("new_text"), "quote": d.get("quote"),
             "diff": [list(x) for x in d.get("diff") or []]}
            for d in deltas if isinstance(d, dict)
        ],
        "diff": [list(x) for x in _json(get("diff"), [])],  # [] = not stored: recomputed when rendered
    }


def document_changes(store: Store, doc: dict, versions: list[dict], cache: ChangeCache) -> list[dict]:
    """The change into every non-first version: stored rows first, computed ones for the rest."""
    stored = stored_changes(store, doc["id"]) or []
    have = {c["new_version_id"] for c in stored}
    missing = {v["id"] for v in versions[1:]} - have
    if missing:
        stored += computed_changes(store, doc, versions, cache, only=missing)
        cache.save()  # per document: an interrupted first build keeps what it computed
    return stored


def stored_changes(store: Store, document_id: str) -> list[dict] | None:
    """The document's rows of the ``changes`` table, or None when the store has no such table."""
    if "changes" not in store.db.table_names():
        return None
    cols = set(store.db["changes"].columns_dict)
    if "document_id" not in cols:
        return None
    out = []
    for row in store.db.query("select * from changes where document_id = ? order by id", [document_id]):
        blob = _json(row.get("change_json") or row.get("data") or row.get("json"), {})
        change = _normal_change(row, blob if isinstance(blob, dict) else {})
        change["id"] = row.get("id")
        if change["new_version_id"] is not None:
            out.append(change)
    return out


class ChangeCache:
    """Changes computed by the site itself (store without a ``changes`` table), kept between builds."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.data = {}
        self.dirty = False

    def get(self, key: str, compute: Callable[[], dict]) -> dict:
        if key not in self.data:
            self.data[key] = compute()
            self.dirty = True
        return self.data[key]

    def prune(self, keep: set[str]) -> None:
        for key in set(self.data) - keep:
            del self.data[key]
            self.dirty = True

    def save(self) -> None:
        if self.dirty:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data), encoding="utf-8")
            tmp.replace(self.path)
            self.dirty = False


def computed_changes(store: Store, doc: dict, versions: list[dict], cache: ChangeCache,
                     only: set[int] | None = None) -> list[dict]:
    """One change per non-first version (or per version id in ``only``), computed with the change
    engine as ``Store.record_change_for`` would (cached by version pair)."""
    from ..compare import compare

    out = []
    full = None
    for i in range(1, len(versions)):
        old, new = versions[i - 1], versions[i]
        if only is not None and new["id"] not in only:
            continue
        key = f"{old['id']}:{old['decision_hash']}>{new['id']}:{new['decision_hash']}"

        def compute(i=i):
            nonlocal full
            if full is None:
                full = store.versions(doc["id"])
            change = compare(full[:i], full[i], name=f"{doc['service']} {doc['type']}", with_diff=False)
            blob = change.as_json() if change is not None else {"class": "", "summary": ""}
            blob["old_version_id"], blob["new_version_id"] = full[i - 1].id, full[i].id
            return blob

        change = _normal_change({}, cache.get(key, compute))
        change["id"] = None
        out.append(change)
    return out


def fingerprint(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
