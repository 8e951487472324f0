"""``clausewatch import PATH``: load dated versions recorded elsewhere, with their real dates.

The layout is Open Terms Archive's versions layout, as in ../shared/corpus/ota::

    <Service>/<Terms type>/<YYYY-MM-DDTHH-MM-SSZ>[_2].md

PATH may be that root, one service folder or one document folder.  Versions go through the
same store and the same decision (unchanged / repeat / new text) as captured ones, so an
installation starts with years of history; importing twice adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .analysis import make_pool
from .clauses import extract_clauses
from .config import Watchlist, slugify
from .errors import InputError
from .language import guess_language
from .models import DocumentSpec, Fetcher, Version
from .normalize import NORMALISATION_VERSION, decision_hash, word_count
from .pipeline import rehash_stale_versions
from .store import Store

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})Z(?:_\d+)?\.md$")


@dataclass
class ImportReport:
    documents: int = 0
    files: int = 0
    versions_added: int = 0
    unchanged: int = 0  # same decision text as the version before it (formatting-only changes)
    repeats: int = 0  # equal to an earlier version (flip-flops)
    skipped: list[str] = field(default_factory=list)  # files not read, with why

    def as_json(self) -> dict:
        return {"documents": self.documents, "files": self.files, "versions_added": self.versions_added,
                "unchanged": self.unchanged, "repeats": self.repeats, "skipped": self.skipped}


def _dated_files(root: Path) -> dict[tuple[str, str], list[tuple[datetime, Path]]]:
    found: dict[tuple[str, str], list[tuple[datetime, Path]]] = {}
    for path in sorted(root.rglob("*.md")):
        m = _DATED.match(path.name)
        if not m:
            continue
        when = datetime.fromisoformat(f"{m[1]}T{m[2]}:{m[3]}:{m[4]}+00:00")
        service, doc_type = path.parent.parent.name, path.parent.name
        found.setdefault((service, doc_type), []).append((when, path))
    for versions in found.values():
        versions.sort()
    return found


def import_history(path: str | Path, store: Store, *, watchlist: Watchlist | None = None,
                   on_document: Callable[[str, int], None] = lambda doc_id, n: None,
                   now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> ImportReport:
    """Import every dated Markdown version below ``path`` (see the module docstring)."""
    root = Path(path)
    if not root.exists():
        raise InputError(f"{root}: no such file or folder")
    if not root.is_dir():
        raise InputError(f"{root}: expected a folder laid out as <Service>/<Terms type>/<ISO date>.md")
    found = _dated_files(root)
    if not found:
        raise InputError(f"{root}: no dated versions found (expected <Service>/<Terms type>/<YYYY-MM-DDTHH-MM-SSZ>.md)")

    rehash_stale_versions(store)  # so a history imported again matches what is stored
    report = ImportReport()
    # Hashing and clause finding are CPU-bound and independent per text: a process pool does them
    # (one worker per core) while this process stores versions and compares them, in order.
    pool = make_pool(sum(len(files) for files in found.values()))
    try:
        for (service, doc_type), files in sorted(found.items()):
            spec = _spec_for(service, doc_type, watchlist)
            store.upsert_document(spec)
            report.documents += 1
            added = _import_document(store, spec, files, root, report, pool)
            on_document(spec.id, added)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return report


def _import_document(store: Store, spec: DocumentSpec, files: list[tuple[datetime, Path]], root: Path,
                     report: ImportReport, pool: Executor | None) -> int:
    """Import one document's dated files, oldest first; returns how many versions were added."""
    texts: list[tuple[datetime, Path, str]] = []
    for when, file in files:
        report.files += 1
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.skipped.append(f"{file}: {exc}")
            continue
        if not text.strip():
            report.skipped.append(f"{file}: empty")
            continue
        texts.append((when, file, text))
    run = pool.map if pool is not None else map
    digests = list(run(decision_hash, [text for _, _, text in texts]))
    # The texts that will be new versions (first time their hash is seen) get their clauses found
    # ahead, in the pool, while the versions before them are compared.
    clauses: dict[int, Future | None] = {}  # None: found inline (no pool)
    seen: set[str] = set()
    for n, ((_, _, text), digest) in enumerate(zip(texts, digests, strict=True)):
        if digest not in seen and store.version_with_hash(spec.id, digest) is None:
            clauses[n] = pool.submit(extract_clauses, text) if pool is not None else None
        seen.add(digest)
    added = 0
    for n, ((when, file, text), digest) in enumerate(zip(texts, digests, strict=True)):
        with store.transaction():
            current = store.current_version(spec.id)
            if current is not None and current.decision_hash == digest:
                report.unchanged += 1
                continue
            earlier = store.version_with_hash(spec.id, digest)
            if earlier is not None:
                report.repeats += 1
                if current is None or when >= current.captured_at:
                    store.set_current_version(spec.id, earlier.id)
                continue
            found = clauses.get(n)
            version = Version(id=None, document_id=spec.id, captured_at=when, text=text, decision_hash=digest,
                              normalisation_version=NORMALISATION_VERSION)
            version_id = store.add_version(
                version, word_count=word_count(text), source="import", language=guess_language(text),
                source_path=file.relative_to(root).as_posix() if file != root else file.name,
                clauses=found.result() if found is not None else extract_clauses(text),
                make_current=current is None or when >= current.captured_at,
            )
            store.record_change_for(spec, replace(version, id=version_id))
            report.versions_added += 1
            added += 1
    return added


def _spec_for(service: str, doc_type: str, watchlist: Watchlist | None) -> DocumentSpec:
    """The watched document this history belongs to, or a new unwatched one."""
    if watchlist is not None:
        for doc in watchlist.documents:
            if doc.service.casefold() == service.casefold() and doc.type.casefold() == doc_type.casefold():
                return doc
    return DocumentSpec(id=slugify(service, doc_type), service=service, type=doc_type,
                        url=f"urn:imported:{slugify(service, doc_type)}", fetcher=Fetcher.AUTO, tags=("imported",))
