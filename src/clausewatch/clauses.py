"""Version text → labelled AI clauses with exact evidence spans (pure: no I/O, no clock).

First cut: passage splitting per ../shared/gold/GUIDELINES.md and a crude keyword classifier.
The real rules replace ``_crude_rules`` in the next commits.
"""

from __future__ import annotations

import re

from .models import Clause, Evidence

_BLANK = re.compile(r"[ \t]*\Z")
_LIST_START = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_ATX = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)?#{1,6}(?:[ \t]|\Z)")
_SETEXT = re.compile(r"[ \t]*(?:=+|-+)[ \t]*\Z")
_ALNUM = re.compile(r"[^\W_]")


def split_passages(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the passages of ``text``, as GUIDELINES.md "Splitting and indexing" defines them."""
    units: list[tuple[int, int]] = []
    pos = 0
    block: list[tuple[int, str]] = []
    lines = text.split("\n")

    def flush() -> None:
        if not block:
            return
        if block[0][1].lstrip().startswith("|"):
            units.extend((o, o + len(line)) for o, line in block)
        else:
            start = block[0][0]
            prev_end = start
            for o, line in block:
                if o != start and _LIST_START.match(line):
                    units.append((start, prev_end))
                    start = o
                prev_end = o + len(line)
            units.append((start, prev_end))
        block.clear()

    for line in lines:
        if _BLANK.match(line):
            flush()
        else:
            block.append((pos, line))
        pos += len(line) + 1
    flush()

    out = []
    for s, e in units:
        raw = text[s:e]
        s2 = s + (len(raw) - len(raw.lstrip()))
        e2 = e - (len(raw) - len(raw.rstrip()))
        if s2 >= e2:
            continue
        unit = text[s2:e2]
        if not _ALNUM.search(unit) or _is_heading(unit):
            continue
        out.append((s2, e2))
    return out


def _is_heading(unit: str) -> bool:
    lines = unit.split("\n")
    if all(_ATX.match(line) for line in lines):
        return True
    return len(lines) == 2 and bool(lines[0].strip()) and bool(_SETEXT.match(lines[1]))


_crude_rules = [
    ("TRAINS_ON_USER_DATA", re.compile(r"\btrain\w*\b[^.]{0,80}\b(?:AI|models?|machine learning)\b", re.I)),
]


def classify_passage(passage: str, context: str = "") -> tuple[tuple[str, ...], tuple[tuple[str, int, int], ...]]:
    """Labels of one passage and, per label, an evidence span (label, start, end) relative to the passage."""
    ev = []
    for label, rx in _crude_rules:
        m = rx.search(passage)
        if m:
            ev.append((label, m.start(), m.end()))
    return tuple(sorted({e[0] for e in ev})), tuple(ev)


def extract_clauses(text: str) -> list[Clause]:
    """One Clause per passage that has labels (passages without labels are omitted)."""
    out = []
    for i, (s, e) in enumerate(split_passages(text)):
        passage = text[s:e]
        labels, spans = classify_passage(passage)
        if labels:
            evidence = tuple(Evidence(lb, s + a, s + b, text[s + a : s + b]) for lb, a, b in spans)
            out.append(Clause(i, s, e, passage, labels, evidence))
    return out
