"""Score the change engine against a gold file of version pairs (``clausewatch eval changes``).

A gold file is JSON Lines in the format of ../shared/gold/changes-dev.jsonl: each record names
an ``old`` and a ``new`` version file (paths relative to the corpus root), its expected ``class``
and ``alert_expected``.  Each pair is replayed as the pipeline sees it: the document's stored
history up to ``old`` becomes the previous versions (oldest first), ``new`` the new version, and
``compare`` decides.  Versions that the corpus manifest marks ``technical_upgrade`` are modelled
as what they are, a re-extraction of the capture before them (same capture id).

This module reads files (it is an edge); ``compare`` itself stays pure.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .compare import Change, ChangeClass, compare
from .errors import InputError
from .models import Version
from .noise import decision, fold
from .normalize import NORMALISATION_VERSION


@dataclass(frozen=True)
class PairResult:
    id: str
    expected: str
    got: str
    alert_expected: bool
    alert: bool
    reason: str
    summary: str
    decision_changed: bool = True  # the decision text differs from the old version's (a normalising differ alerts)


@dataclass
class Score:
    """Accuracy of one replay; ``as_json`` is the shape ``eval changes --json`` prints."""

    results: list[PairResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pairs(self) -> int:
        return len(self.results)

    def _alerts(self, alert_of) -> tuple[int, int, int]:
        tp = sum(1 for r in self.results if alert_of(r) and r.alert_expected)
        fp = sum(1 for r in self.results if alert_of(r) and not r.alert_expected)
        fn = sum(1 for r in self.results if not alert_of(r) and r.alert_expected)
        return tp, fp, fn

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 1.0

    def metrics(self, alert_of=lambda r: r.alert) -> dict:
        tp, fp, fn = self._alerts(alert_of)
        noise_alerts = sum(1 for r in self.results if alert_of(r) and r.expected.startswith("NOISE_"))
        return {
            "alert_precision": self._ratio(tp, tp + fp),
            "alert_recall": self._ratio(tp, tp + fn),
            "noise_alerts": noise_alerts,
        }

    def as_json(self) -> dict:
        correct = sum(1 for r in self.results if r.expected == r.got)
        return {
            "pairs": self.pairs,
            "class_accuracy": self._ratio(correct, self.pairs),
            **self.metrics(),
            "misses": [{"id": r.id, "expected": r.expected, "got": r.got, "reason": r.reason}
                       for r in self.results if r.expected != r.got],
            # Baselines: a plain differ alerts on any text change (every gold pair is one); a
            # normalising differ alerts when the decision text (links, markup, whitespace and
            # "last updated" lines neutralised) differs from the old version's.
            "plain_differ": {"class_accuracy": None, **self.metrics(alert_of=lambda r: True)},
            "normalising_differ": {"class_accuracy": None, **self.metrics(alert_of=lambda r: r.decision_changed)},
            "confusion": {f"{k[0]} -> {k[1]}": v for k, v in sorted(Counter(
                (r.expected, r.got) for r in self.results if r.expected != r.got).items())},
            "seconds": round(self.seconds, 2),
        }


def load_gold(path: Path) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    records = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: not JSON ({exc.msg})") from None
        missing = [k for k in ("id", "old", "new", "class") if k not in rec]
        if missing:
            raise InputError(f"{path}:{n}: missing {', '.join(missing)}")
        if rec["class"] not in ChangeClass.__members__:
            raise InputError(f"{path}:{n}: unknown class {rec['class']!r} (known: {', '.join(ChangeClass)})")
        records.append(rec)
    return records


def _hash(text: str) -> str:
    """``normalize.decision_hash`` through the cached decision text (a replay reads each file often)."""
    return hashlib.sha256(fold(decision(text)).encode("utf-8")).hexdigest()


def _config_id(cfg) -> str:
    """Identity of what a declaration fetches: its URL, or the URLs of the pages it combines.
    Selector tweaks are left out: they are the extractor's business and show up as re-extractions."""
    if not isinstance(cfg, dict):
        return "?"
    urls = [cfg.get("fetch")] if cfg.get("fetch") else [c.get("fetch") for c in cfg.get("combine", []) if isinstance(c, dict)]
    return hashlib.sha1(json.dumps(urls).encode("utf-8")).hexdigest()[:8]


def _stamp(name: str) -> datetime:
    """``2024-09-19T06-10-13Z`` (corpus file stem, maybe with a ``_2`` suffix) → a UTC datetime."""
    stem = name.removesuffix(".md").split("_")[0]
    try:
        return datetime.strptime(stem, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)


class Corpus:
    """Stored histories under a corpus root, read once per document and cached."""

    def __init__(self, root: Path):
        self.root = Path(root)
        if not self.root.is_dir():
            raise InputError(f"{root}: corpus directory not found")
        self._history: dict[Path, list[tuple[str, str]]] = {}  # dir → [(file name, kind)] in fetch order
        self._text: dict[Path, str] = {}
        self._hash: dict[Path, str] = {}
        self._decl: dict[Path, list[tuple[str, str]]] = {}

    def history(self, folder: Path) -> list[tuple[str, str]]:
        if folder not in self._history:
            manifest = folder / "manifest.json"
            entries: list[tuple[str, str, str]] = []
            if manifest.exists():
                data = json.loads(manifest.read_text(encoding="utf-8"))
                for v in data.get("versions", []):
                    fname = v.get("file") or f"{v.get('fname')}.md"
                    if v.get("included", True) and (folder / fname).exists():
                        entries.append((v.get("fetch_date", ""), fname, v.get("kind", "change")))
            if not entries:
                entries = [("", p.name, "change") for p in folder.glob("*.md")]
                entries.sort(key=lambda e: _stamp(e[1]))
            else:
                entries.sort(key=lambda e: (e[0], e[1]))
            self._history[folder] = [(f, k) for _, f, k in entries]
        return self._history[folder]

    def text(self, path: Path) -> str:
        if path not in self._text:
            try:
                self._text[path] = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        return self._text[path]

    def declarations(self, folder: Path) -> list[tuple[str, str]]:
        """[(valid until ISO or "", config id)] for a document, from ``ota-declarations/`` if present.

        The tracker's declaration (URL, selectors, combined pages) is what our watchlist entry and
        extractor revision are: when it changes, differences can come from extraction, so the replay
        gives each period its own ``extractor_version``."""
        if folder in self._decl:
            return self._decl[folder]
        out: list[tuple[str, str]] = []
        try:
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            repo = manifest.get("source_repo", "").split("/")[-1].replace("-versions", "-declarations")
            base = self.root / "ota-declarations" / repo
            service, terms = manifest.get("service", folder.parent.name), manifest.get("terms_type", folder.name)
            hist_p, cur_p = base / f"{service}.history.json", base / f"{service}.json"
            history = json.loads(hist_p.read_text(encoding="utf-8")).get(terms, []) if hist_p.exists() else []
            current = json.loads(cur_p.read_text(encoding="utf-8")).get("terms", {}).get(terms) \
                if cur_p.exists() else None
            for entry in history:
                cfg = {k: v for k, v in entry.items() if k != "validUntil"}
                out.append((entry.get("validUntil", ""), _config_id(cfg)))
            if current is not None and out:
                out.append(("", _config_id(current)))
        except (OSError, ValueError, AttributeError):
            out = []
        self._decl[folder] = out
        return out

    def extractor_version(self, folder: Path, name: str) -> str:
        decl = self.declarations(folder)
        stamp = _stamp(name).strftime("%Y-%m-%dT%H:%M:%SZ")
        for valid_until, cfg in decl:
            if not valid_until or stamp <= valid_until:
                return f"ota+{cfg}"
        return "ota"

    def decision_hash(self, path: Path) -> str:
        if path not in self._hash:
            self._hash[path] = _hash(self.text(path))
        return self._hash[path]

    def versions_for(self, old_rel: str, new_rel: str) -> tuple[list[Version], Version]:
        """The previous versions (history up to and including ``old``) and the new version."""
        old_p, new_p = self.root / old_rel, self.root / new_rel
        folder = new_p.parent
        hist = self.history(folder)
        names = [f for f, _ in hist]
        kinds = dict(hist)
        if old_p.name not in names or new_p.name not in names or old_p.parent != folder:
            # Not in the manifest: just the pair.
            hist_names = [old_p.name]
            folder_old = old_p.parent
        else:
            hist_names = [n for n in names[: names.index(new_p.name)] if n != old_p.name]
            hist_names = [n for n in hist_names if _stamp(n) <= _stamp(old_p.name)] + [old_p.name]
            folder_old = folder
        doc_id = f"{folder.parent.name}/{folder.name}"
        previous = []
        for n in hist_names:
            text = self.text(folder_old / n)
            previous.append(Version(
                id=None, document_id=doc_id, captured_at=_stamp(n), text=text,
                decision_hash=self.decision_hash(folder_old / n),
                extractor_version=self.extractor_version(folder_old, n),
                normalisation_version=NORMALISATION_VERSION, capture_sha256=f"{doc_id}/{n}",
            ))
        text = self.text(new_p)
        reextracted = kinds.get(new_p.name) == "technical_upgrade"
        new = Version(
            id=None, document_id=doc_id, captured_at=_stamp(new_p.name), text=text,
            decision_hash=self.decision_hash(new_p), extractor_version=self.extractor_version(folder, new_p.name),
            normalisation_version=NORMALISATION_VERSION,
            # A technical upgrade re-extracts the capture of the version before it.
            capture_sha256=previous[-1].capture_sha256 if reextracted else f"{doc_id}/{new_p.name}",
        )
        return previous, new


def replay(gold: list[dict], corpus_root: Path) -> Score:
    """Run every gold pair through ``compare`` and score it."""
    corpus = Corpus(corpus_root)
    score = Score()
    started = time.perf_counter()
    for rec in gold:
        previous, new = corpus.versions_for(rec["old"], rec["new"])
        name = " ".join(x for x in (rec.get("service"), rec.get("doc_type")) if x) or None
        try:
            change: Change | None = compare(previous, new, name=name, with_diff=False)
        except Exception as exc:  # a bug on one pair is scored as a miss, not a crash of the whole replay
            score.results.append(PairResult(
                id=rec["id"], expected=rec["class"], got="ERROR",
                alert_expected=bool(rec.get("alert_expected", rec["class"].startswith("AI_"))), alert=False,
                reason=f"compare failed: {type(exc).__name__}: {exc}", summary=""))
            continue
        got = change.cls if change else ChangeClass.NOISE_FORMATTING
        score.results.append(PairResult(
            id=rec["id"], expected=rec["class"], got=str(got),
            alert_expected=bool(rec.get("alert_expected", rec["class"].startswith("AI_"))),
            alert=bool(change and change.alert), reason=change.reason if change else "no previous version",
            summary=change.summary if change else "",
            decision_changed=previous[-1].decision_hash != new.decision_hash,
        ))
    score.seconds = time.perf_counter() - started
    return score
