"""Turn version texts and word diffs into render-ready pieces (pure).

Nothing here produces HTML: it cuts text into blocks and segments that the templates print
through jinja2's autoescape, so captured markup can never become markup on the site.
"""

from __future__ import annotations

import re

from .. import worddiff as W
from ..worddiff import DELETE, EQUAL, INSERT

# Word-level detail inside one changed run of lines, up to this many tokens a side (~700 words).
# Beyond it diff-match-patch's bisection costs seconds per run (Facebook's 2023–2025 privacy
# policy rewrites: 3 s a pair, 150 s CPU for the whole corpus against 25 s with the cap), and a
# word redline of a rewritten section is unreadable anyway: it shows as removed + added text.
# Tuned with benchmarks/site_build.py on the dev corpus.
RUN_TOKENS = 1500

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$", re.S)
_SETEXT = re.compile(r"^[ \t]*(?:=+|-+)[ \t]*$")
_WORDS = re.compile(r"\S+\s*")
SKIP = 2  # pseudo-op of a collapsed run of unchanged words


def _text_blocks(text: str, base: int) -> list[dict]:
    """Plain paragraphs (blank-line separated) of a stretch of text outside any clause."""
    out = []
    pos = 0
    for part in re.split(r"(\n[ \t]*\n)", text):
        if part.strip() and not re.fullmatch(r"\n[ \t]*\n", part):
            body = part.strip("\n")
            m = _HEADING.match(body.strip())
            lines = body.strip().split("\n")
            if m and len(lines) == 1:
                out.append({"type": "heading", "level": min(6, len(m.group(1)) + 2), "text": m.group(2),
                            "start": base + pos})
            elif len(lines) == 2 and _SETEXT.match(lines[1]) and lines[0].strip():
                out.append({"type": "heading", "level": 3 if "=" in lines[1] else 4, "text": lines[0].strip(),
                            "start": base + pos})
            else:
                out.append({"type": "text", "text": body, "start": base + pos})
        pos += len(part)
    return out


def blocks(text: str, clauses: list[dict]) -> list[dict]:
    """The version text as blocks: plain paragraphs, headings, and labelled clauses.

    A clause block carries ``segments``: ``(text, labels)`` pieces where ``labels`` lists the
    evidence quotes covering that piece (the exact words that support a label), or ``[]``.
    """
    out: list[dict] = []
    pos = 0
    n = 0
    for c in sorted(clauses, key=lambda c: (c["start"], c["end"])):
        start, end = max(c["start"], pos), min(c["end"], len(text))
        if start >= end:
            continue
        out.extend(_text_blocks(text[pos:start], pos))
        cuts = {start, end}
        for e in c["evidence"]:
            cuts.update(x for x in (e["start"], e["end"]) if start < x < end)
        points = sorted(cuts)
        segments = []
        for a, b in zip(points, points[1:], strict=False):
            covering = sorted({e["label"] for e in c["evidence"] if e["start"] <= a and b <= e["end"]})
            segments.append((text[a:b], covering))
        n += 1
        out.append({"type": "clause", "n": n, "labels": c["labels"], "segments": segments,
                    "analysed": c.get("analysed", True), "note": c.get("note")})
        pos = end
    out.extend(_text_blocks(text[pos:], pos))
    return out


def page_diff(old: str, new: str, *, run_tokens: int = RUN_TOKENS):
    """``worddiff.word_diff`` with the word stage capped at RUN_TOKENS per changed run of lines."""
    return W.word_diff(old, new, max_run_tokens=run_tokens)


def collapse(diff, context: int = 30) -> list[tuple[int, str]]:
    """A word diff with long unchanged runs cut to ``context`` words on each side of a change.

    Cut runs become ``(SKIP, "<n> unchanged words")``; the first and last runs keep only the
    side that touches a change.
    """
    ops = [(int(op), t) for op, t in diff]
    if not any(op != EQUAL for op, _ in ops):
        return [(SKIP, f"{len(_WORDS.findall(''.join(t for _, t in ops)))} words, no change")] if ops else []
    return W.elide(ops, context, lambda skipped, beside: (SKIP, f"{skipped:,} unchanged words"), slack=5)


def diff_stats(diff) -> dict:
    added = sum(len(_WORDS.findall(t)) for op, t in diff if op == INSERT)
    removed = sum(len(_WORDS.findall(t)) for op, t in diff if op == DELETE)
    return {"added": added, "removed": removed}


def short(text: str | None, limit: int = 240) -> str:
    """A quote cut to ``limit`` characters at a word boundary."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
