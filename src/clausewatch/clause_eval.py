"""Score the clause extractor against a gold file (format of ../shared/gold/clauses-dev.jsonl).

Reading the gold and corpus files is the only I/O here; scoring itself is pure.  Used by
``clausewatch eval clauses`` and ``benchmarks/clauses_eval.py``.

* Per-label precision / recall / F1 over passages (a passage may carry several labels).
* Evidence overlap: share of true positives whose evidence span overlaps the gold quote.
* Confusion: for each gold label (or NONE), how often each label (or NONE) was predicted.
* Leave-one-service-out: for each service, every rule that has *no correct firing on the other
  14 services* (it exists only because of the held-out service), or whose precision there is below
  ``min_precision``, is switched off; then the held-out service is scored and the folds are pooled.
  This is what a rule set written without that service could at best have done.  It cannot undo
  that one person read all dev services while writing the rules; hidden services are the real check.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .clauses import LABELS, analyse_passage, lead_in_context, split_passages
from .errors import InputError


@dataclass
class GoldItem:
    id: str
    service: str
    text: str
    labels: frozenset[str]
    quotes: dict[str, list[str]]
    context: str


def load_gold(path: str | Path, corpus: str | Path | None = None) -> list[GoldItem]:
    """Read a gold JSONL file; with ``corpus``, lead-in context is read from each record's ``file``."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"{p}: cannot read gold file ({exc.strerror or exc})") from exc
    cache: dict[str, tuple[str, list[tuple[int, int]]] | None] = {}
    items = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
            text = r["text"]
            labels = frozenset(r.get("labels") or ())
            quotes: dict[str, list[str]] = defaultdict(list)
            for ev in r.get("evidence") or ():
                quotes[ev["label"]].append(ev["quote"])
            index = int(r["passage_index"]) if r.get("passage_index") is not None else None
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{p}:{n}: not a gold clause record ({exc!r})") from exc
        context = ""
        if corpus is not None and r.get("file") is not None and index is not None:
            f = r["file"]
            if f not in cache:
                fp = Path(corpus) / f
                try:
                    t = fp.read_text(encoding="utf-8")
                    cache[f] = (t, split_passages(t))
                except OSError:
                    cache[f] = None
            got = cache[f]
            if got is not None and index < len(got[1]):
                t, spans = got
                s, e = spans[index]
                if t[s:e] == text:  # only trust the corpus when the passage is the same text
                    context = lead_in_context(t, spans, index)
        items.append(GoldItem(r.get("id", f"line{n}"), r.get("service", "?"), text, labels, dict(quotes), context))
    return items


def predict(items: list[GoldItem]) -> list[tuple]:
    """Per item: (evidence spans, every rule hit), both as (label, start, end, rule) tuples."""
    out = []
    for it in items:
        r = analyse_passage(it.text, it.context)
        out.append((r.spans, r.hits))
    return out


def _labels(pred, disabled=frozenset()) -> dict[str, tuple[int, int]]:
    """label → evidence span, after switching off ``disabled`` rules (LOSO folds)."""
    spans, hits = pred
    alive: dict[str, tuple[int, int]] = {}
    for label, s, e, rule in hits:
        if rule not in disabled and (label not in alive or s < alive[label][0]):
            alive[label] = (s, e)
    out = {}
    for label, s, e, rule in spans:
        if label in alive:
            out[label] = (s, e) if rule not in disabled else alive[label]
    return out


def _overlaps(text: str, span: tuple[int, int], quotes: list[str]) -> bool:
    s, e = span
    for q in quotes:
        start = text.find(q)
        while start >= 0:
            if start < e and s < start + len(q):
                return True
            start = text.find(q, start + 1)
    return False


def score(items: list[GoldItem], hits: list[tuple], disabled_by_item=None) -> dict:
    """Per-label P/R/F1, evidence overlap and confusion for predictions ``hits`` (parallel to items)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    ov_ok = ov_all = 0
    confusion: dict[str, Counter] = defaultdict(Counter)
    errors = []
    for k, (it, h) in enumerate(zip(items, hits, strict=True)):
        disabled = disabled_by_item[k] if disabled_by_item else frozenset()
        pred = _labels(h, disabled)
        for label in LABELS:
            g, p = label in it.labels, label in pred
            if g and p:
                tp[label] += 1
                if it.quotes.get(label):
                    ov_all += 1
                    ov_ok += _overlaps(it.text, pred[label], it.quotes[label])
            elif p:
                fp[label] += 1
            elif g:
                fn[label] += 1
        for g in sorted(it.labels) or ["NONE"]:
            for p in sorted(pred) or ["NONE"]:
                confusion[g][p] += 1
        if set(pred) != set(it.labels):
            errors.append({"id": it.id, "gold": sorted(it.labels), "pred": sorted(pred)})
    labels = {}
    for label in LABELS:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 1.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        labels[label] = {
            "precision": round(p, 4),
            "recall": round(r, 4),
            "f1": round(f, 4),
            "support": tp[label] + fn[label],
            "tp": tp[label],
            "fp": fp[label],
            "fn": fn[label],
        }
    return {
        "labels": labels,
        "evidence_overlap": round(ov_ok / ov_all, 4) if ov_all else 1.0,
        "passages": len(items),
        "confusion": {g: dict(c) for g, c in sorted(confusion.items())},
        "errors": errors,
    }


def rule_precision(items: list[GoldItem], hits: list[tuple]) -> dict[str, tuple[int, int]]:
    """rule name → (correct firings, all firings) on these items."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for it, (_spans, h) in zip(items, hits, strict=True):
        seen = set()
        for label, _s, _e, rule in h:
            if (rule, label) in seen:
                continue
            seen.add((rule, label))
            out[rule][1] += 1
            out[rule][0] += label in it.labels
    return {k: (v[0], v[1]) for k, v in out.items()}


def leave_one_service_out(items: list[GoldItem], hits: list[tuple], *, min_precision: float = 0.5, min_fires: int = 2) -> dict:
    """Pooled score over folds; in each fold rules are selected on the other services only."""
    services = sorted({it.service for it in items})
    disabled_by_item: list[frozenset[str]] = [frozenset()] * len(items)
    per_fold = {}
    all_rules = {rule for _spans, h in hits for _l, _s, _e, rule in h}
    for svc in services:
        train = [k for k, it in enumerate(items) if it.service != svc]
        prec = rule_precision([items[k] for k in train], [hits[k] for k in train])
        off = frozenset(
            r for r in all_rules
            if prec.get(r, (0, 0))[0] == 0
            or (prec[r][1] >= min_fires and prec[r][0] / prec[r][1] < min_precision)
        )
        per_fold[svc] = sorted(off)
        for k, it in enumerate(items):
            if it.service == svc:
                disabled_by_item[k] = off
    result = score(items, hits, disabled_by_item)
    result["disabled_rules_per_fold"] = per_fold
    per_service = {}
    for svc in services:
        idx = [k for k, it in enumerate(items) if it.service == svc]
        s = score([items[k] for k in idx], [hits[k] for k in idx], [disabled_by_item[k] for k in idx])
        per_service[svc] = {"passages": len(idx), "errors": len(s["errors"])}
    result["per_service"] = per_service
    return result
