"""Digests: what changed for one subscriber in one period, built and rendered (pure: no I/O, no clock).

``build(subscriber, changes, failing, …)`` turns stored changes into a :class:`Digest`: one
:class:`Entry` per AI clause change (headline, the exact sentences added and removed, a compact
word-level redline of each changed clause, the site link and the capture hash), a short list of
other substantive changes, and the documents whose checks keep failing.  Noise never gets in,
whatever the filter says.  ``render(digest, fmt)`` turns it into ``html`` (mail: inline styles,
no external assets, table layout, so Gmail and Outlook, which strip ``<style>``, show it as
meant), ``text`` (the mail's plain alternative), ``markdown`` or ``json``.

Templates are jinja2 files named ``digest_*.j2``, looked up first in a folder the user names
(watchlist ``delivery.templates``), then in the repository's top-level ``templates/`` (a source
checkout), then in the copies shipped inside the package (``clausewatch/templates``, kept identical
to the top-level ones by a test), so an installed clausewatch renders without a checkout.
JSON is not templated: it is the digest's own ``as_json()`` so it is always valid and its shape
stable for webhook receivers.

Who does what: :mod:`clausewatch.store` reads the rows, :mod:`clausewatch.deliver` decides what
is due and undelivered and sends it; this module only computes and formats.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from .subscribers import DIGEST_CLASSES, Subscriber
from .worddiff import DELETE, EQUAL, INSERT, Diff, word_diff

FORMATS = ("html", "text", "markdown", "json")
TEMPLATE_FILES = {"html": "digest_email.html.j2", "text": "digest_email.txt.j2", "markdown": "digest.md.j2"}
ENTRY_TEMPLATE = "digest_entry.html.j2"  # one change, for Atom entries
OTA_CREDIT = "Policy texts from Open Terms Archive contributors (ODC-BY 1.0)."

CLASS_WORDS = {
    "AI_CLAUSE_ADDED": "AI clause added",
    "AI_CLAUSE_REMOVED": "AI clause removed",
    "AI_CLAUSE_CHANGED": "AI clause changed",
    "SUBSTANTIVE_OTHER": "Other change",
}
LABEL_WORDS = {
    "TRAINS_ON_USER_DATA": "trains AI on user data",
    "NO_TRAINING_PROMISE": "promise not to train",
    "OPT_OUT_OFFERED": "opt-out",
    "THIRD_PARTY_AI": "third-party AI",
    "SCRAPING_AI_RESTRICTION": "scraping / TDM",
    "AI_FEATURE_TERMS": "AI feature terms",
    "AUTOMATED_DECISIONS": "automated decisions",
}

# How much of a long change a digest shows.  A digest is read on a phone between two stories:
# a handful of hunks with a few words of context is what fits; the site has the full redline.
CONTEXT_WORDS = 8  # kept words either side of a change
MERGE_GAP_WORDS = 10  # two changes closer than this are one hunk
MAX_CLAUSE_HUNKS = 4  # per AI clause
MAX_OTHER_HUNKS = 2  # per other substantive change
MAX_SENTENCES = 4  # exact sentences quoted per side of one clause


# --- inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClauseChange:
    """One AI clause delta, as stored with a change (``compare.ClauseDelta``'s fields we need)."""

    kind: str  # added | removed | reworded
    labels: tuple[str, ...]
    old_text: str | None  # None = the clause is new
    new_text: str | None  # None = the clause is gone
    quote: str | None = None  # the evidence quote carrying the label, None = none given


@dataclass(frozen=True)
class StoredChange:
    """One non-first version's change, as the digest reads it (``Store.digest_changes``)."""

    id: int
    document_id: str
    service: str
    doc_type: str  # "Privacy Policy"
    doc_url: str
    cls: str  # a ChangeClass value
    summary: str
    detected_at: datetime  # when clausewatch recorded the change (UTC)
    captured_at: datetime | None = None  # capture instant of the new version; None = unknown
    severity: str = ""
    tags: tuple[str, ...] = ()
    capture_sha256: str | None = None  # raw capture of the new version; None = imported text, no capture
    effective_date: str | None = None  # the date the policy states, None = not found
    source: str = "capture"  # "capture" or "import" (imported histories: credit their source)
    deltas: tuple[ClauseChange, ...] = ()
    diff: Diff = ()  # word diff of the display texts, old → new; () = not available
    new_version_id: int | None = None  # the version this change introduced; None = not known
    stored: bool = True  # a row of the changes table; False = computed from the versions (``id`` = new version id)

    @property
    def key(self) -> str:
        """The ledger key: the new version (one change per version), so it survives a re-classification."""
        return f"version:{self.new_version_id}" if self.new_version_id is not None else f"change:{self.id}"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(sorted({lb for d in self.deltas for lb in d.labels}))


@dataclass(frozen=True)
class FailingDocument:
    """A document whose last checks all failed (``consecutive_failures`` ≥ the watchlist threshold)."""

    document_id: str
    service: str
    doc_type: str
    url: str
    failures: int
    reason: str
    since: datetime | None  # start of the failure streak; None = unknown
    last_checked: datetime | None
    streak_id: int = 0  # id of the check that started the streak: with the document, the ledger key
    tags: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"failing:{self.document_id}:{self.streak_id}"


# --- outputs ---------------------------------------------------------------------------------------

Segment = tuple[int, str]  # (op, text) with op -1 deleted, 0 kept, 1 inserted; "…" marks a cut


@dataclass(frozen=True)
class ClauseView:
    kind: str
    labels: tuple[str, ...]
    label_words: tuple[str, ...]
    added: tuple[str, ...]  # exact sentences the new version has and the old one had not
    removed: tuple[str, ...]  # exact sentences the old version had and the new one has not
    redline: tuple[Segment, ...]  # compact word-level redline of the clause


@dataclass(frozen=True)
class Entry:
    """One change in a digest."""

    key: str  # ledger key ("version:42")
    change_id: int
    service: str
    document: str
    document_id: str
    cls: str
    class_words: str
    severity: str
    date: str  # YYYY-MM-DD the new version was captured (else detected)
    summary: str
    doc_url: str
    site_url: str | None  # the change's page on the static site; None = no site configured
    capture_sha256: str | None
    effective_date: str | None
    clauses: tuple[ClauseView, ...] = ()  # AI changes only
    redline: tuple[Segment, ...] = ()  # other changes: the first hunks of the document diff
    more_hunks: int = 0  # hunks of the document diff not shown
    source: str = "capture"
    detected_at: datetime | None = None
    captured_at: datetime | None = None

    @property
    def headline(self) -> str:
        return f"{self.service} {self.document}: {self.class_words} ({self.date})"

    @property
    def lede(self) -> str:
        """The summary without its quote (the quote is shown in full below it)."""
        return _head_of(self.summary)

    @property
    def captured_key(self) -> str:
        when = self.captured_at or self.detected_at
        return when.strftime("%Y%m%dT%H%M%SZ") if when else f"change-{self.change_id}"

    def as_json(self) -> dict:
        return {
            "key": self.key, "change_id": self.change_id, "service": self.service, "document": self.document,
            "document_id": self.document_id, "class": self.cls, "severity": self.severity, "date": self.date,
            "headline": self.headline, "summary": self.summary, "url": self.doc_url, "site_url": self.site_url,
            "capture_sha256": self.capture_sha256, "effective_date": self.effective_date,
            "clauses": [{"kind": c.kind, "labels": list(c.labels), "added": list(c.added),
                         "removed": list(c.removed), "redline": [list(s) for s in c.redline]} for c in self.clauses],
            "redline": [list(s) for s in self.redline], "more_hunks": self.more_hunks,
        }


@dataclass(frozen=True)
class Digest:
    subscriber: str
    period_start: datetime | None  # None = since the subscriber's first digest
    period_end: datetime
    ai: tuple[Entry, ...] = ()
    other: tuple[Entry, ...] = ()
    failing: tuple[FailingDocument, ...] = ()
    site_url: str | None = None
    credit: str | None = None  # shown in the footer (imported texts' source), None = nothing to credit

    @property
    def empty(self) -> bool:
        return not (self.ai or self.other or self.failing)

    @property
    def keys(self) -> tuple[str, ...]:
        """The ledger keys of everything this digest delivers."""
        return tuple([e.key for e in (*self.ai, *self.other)] + [f.key for f in self.failing])

    @property
    def id(self) -> str:
        """Stable for the same subscriber and content: a retry of the same digest has the same id."""
        raw = "\n".join([self.subscriber, *sorted(self.keys)])
        return hashlib.sha256(raw.encode()).hexdigest()[:24]

    @property
    def subject(self) -> str:
        return subject(self)

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "subscriber": self.subscriber,
            "subject": self.subject,
            "period": {"start": _iso(self.period_start), "end": _iso(self.period_end)},
            "ai_changes": [e.as_json() for e in self.ai],
            "other_changes": [e.as_json() for e in self.other],
            "failing": [{"document_id": f.document_id, "service": f.service, "document": f.doc_type, "url": f.url,
                         "failures": f.failures, "reason": f.reason, "since": _iso(f.since),
                         "last_checked": _iso(f.last_checked)} for f in self.failing],
            "credit": self.credit,
        }


# --- text helpers ------------------------------------------------------------------------------------

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+|^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s+", re.M)
_TAG = re.compile(r"<br\s*/?>|</?u>", re.I)
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘(\[]*[A-Z0-9])|\s*\n\s*")
_WORD = re.compile(r"\w+")
_BREAKS = re.compile(r"\s*\n\s*")
_RULE_LINE = re.compile(r"^\s*(?:=+|-{3,}|\*{3,})\s*$", re.M)
_AI_WORDS = re.compile(
    r"\b(?:AI|artificial intelligence|machine[- ]learning|generative|models?|train(?:s|ed|ing)?|"
    r"LLMs?|neural|algorithm\w*|automated|opt(?:-| )?out|object)\b", re.I)


def plain(text: str) -> str:
    """Display text as a reader quotes it: link targets, emphasis and list markers gone, wording and
    typography (curly quotes, dashes) exactly as published, runs of spaces made one."""
    # Markdown escapes (3\. or \*) become private-use stand-ins until the markup is gone.
    text = _MD_ESCAPE.sub(lambda m: chr(0xE000 + ord(m[1])), text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _TAG.sub(" ", text)
    text = _RULE_LINE.sub("", text)
    text = _HEADING.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = "".join(chr(ord(ch) - 0xE000) if 0xE000 <= ord(ch) < 0xE080 else ch for ch in text)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return text.strip()


def sentences(text: str) -> list[str]:
    """The sentences of a passage (plain text), in order."""
    out, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[pos:m.start()].strip()
        if _WORD.search(piece):
            out.append(piece)
        pos = m.end()
    tail = text[pos:].strip()
    if _WORD.search(tail):
        out.append(tail)
    return out


def _key(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.casefold()))


def changed_sentences(old: str | None, new: str | None) -> tuple[list[str], list[str]]:
    """(sentences only in ``new``, sentences only in ``old``), compared by their words."""
    old_s = sentences(plain(old)) if old else []
    new_s = sentences(plain(new)) if new else []
    old_keys = {_key(s) for s in old_s}
    new_keys = {_key(s) for s in new_s}
    return [s for s in new_s if _key(s) not in old_keys], [s for s in old_s if _key(s) not in new_keys]


def _about_ai(found: list[str], quote: str | None) -> list[str]:
    """The sentences that carry the AI wording: the one holding the evidence quote first, then any
    that name AI; all of them when none does (the label came from wording we cannot see here)."""
    q = _key(plain(quote)) if quote else ""
    with_quote = [s for s in found if q and q in _key(s)]
    rest = [s for s in found if s not in with_quote and _AI_WORDS.search(s)]
    return (with_quote + rest or found)[:MAX_SENTENCES]


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def hunks(diff: Diff, *, context: int = CONTEXT_WORDS, gap: int = MERGE_GAP_WORDS,
          breaks: bool = True) -> list[tuple[Segment, ...]]:
    """A word diff cut into hunks: each change with ``context`` words either side (cuts marked "…").

    Two changes less than ``gap`` words apart are one hunk; hunks whose words do not change (only
    spacing or punctuation moved) are dropped; with ``breaks`` line breaks become " ¶ ".
    """
    out: list[list[Segment]] = []
    current: list[Segment] = []
    lead = ""
    for op, text in diff:
        if op == EQUAL:
            if current and _words(text) <= gap:
                current.append((EQUAL, text))
                continue
            if current:
                current.append((EQUAL, _head(text, context)))
                out.append(current)
                current = []
            lead = text
            continue
        if not current:
            current = [(EQUAL, _tail(lead, context))] if lead else []
        current.append((op, text))
    if current:
        out.append(current)
    fix = (lambda t: _BREAKS.sub(" ¶ ", t)) if breaks else (lambda t: t)
    return [tuple((op, fix(t)) for op, t in h if t) for h in out
            if any(op != EQUAL and _WORD.search(t) for op, t in h)]


def join_hunks(parts: Sequence[Sequence[Segment]]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for h in parts:
        h = list(h)
        if out and h:
            if out[-1][1].endswith("…") and h[0][1].startswith("…"):
                h[0] = (h[0][0], h[0][1][1:].lstrip())
            cut = out[-1][1].endswith("…") or h[0][1].startswith("…")
            out.append((EQUAL, " " if cut else " … "))
        out.extend(h)
    return tuple(out)


def compact(diff: Diff, *, max_hunks: int | None = None) -> tuple[tuple[Segment, ...], int]:
    """``(the first max_hunks hunks joined with " … ", how many were left out)``."""
    found = hunks(diff)
    shown = found if max_hunks is None else found[:max_hunks]
    return join_hunks(shown), len(found) - len(shown)


def _tail(text: str, n: int) -> str:
    parts = re.split(r"(\s+)", text)
    words = [i for i, p in enumerate(parts) if _WORD.search(p)]
    if len(words) <= n:
        return text
    return "…" + "".join(parts[words[-n] - 1:]) if words[-n] > 0 else text


def _head(text: str, n: int) -> str:
    parts = re.split(r"(\s+)", text)
    words = [i for i, p in enumerate(parts) if _WORD.search(p)]
    if len(words) <= n:
        return text
    return "".join(parts[:words[n - 1] + 1]) + "…"


def _passage_redline(old: str | None, new: str | None) -> tuple[Segment, ...]:
    if old and new:
        return compact(word_diff(plain(old), plain(new)), max_hunks=MAX_CLAUSE_HUNKS)[0]
    if new:
        return ((INSERT, plain(new)),)
    return ((DELETE, plain(old or "")),)


def _iso(dt: datetime | None) -> str | None:
    return dt.isoformat(timespec="seconds").replace("+00:00", "Z") if dt else None


# --- build ---------------------------------------------------------------------------------------


def site_change_url(site_url: str | None, change: StoredChange) -> str | None:
    """The change's page on the static site: ``changes/<change id>.html``, or ``changes/v<version id>.html``
    for a change the site computed itself (a store without a changes table), as ``site/pages.py`` names them."""
    if not site_url:
        return None
    name = change.id if change.stored or change.new_version_id is None else f"v{change.new_version_id}"
    return f"{site_url.rstrip('/')}/changes/{name}.html"


def entry_for(change: StoredChange, *, site_url: str | None = None) -> Entry:
    """One change as a digest shows it."""
    when = change.captured_at or change.detected_at
    base = dict(
        key=change.key, change_id=change.id, service=change.service, document=change.doc_type,
        document_id=change.document_id, cls=change.cls, class_words=CLASS_WORDS.get(change.cls, change.cls),
        severity=change.severity, date=when.date().isoformat(), summary=change.summary, doc_url=change.doc_url,
        site_url=site_change_url(site_url, change), capture_sha256=change.capture_sha256,
        effective_date=change.effective_date, source=change.source, detected_at=change.detected_at,
        captured_at=change.captured_at,
    )
    if change.cls.startswith("AI_"):
        views = []
        for d in change.deltas:
            added, removed = changed_sentences(d.old_text, d.new_text)
            views.append(ClauseView(
                kind=d.kind, labels=d.labels, label_words=tuple(LABEL_WORDS.get(lb, lb) for lb in d.labels),
                added=tuple(_about_ai(added, d.quote if d.new_text else None)),
                removed=tuple(_about_ai(removed, d.quote if not d.new_text else None)),
                redline=_passage_redline(d.old_text, d.new_text),
            ))
        return Entry(**base, clauses=tuple(views))
    segments, left_out = _other_redline(change.diff)
    return Entry(**base, redline=segments, more_hunks=left_out)


def _other_redline(diff: Diff) -> tuple[tuple[Segment, ...], int]:
    """The largest hunks of a document diff (in document order), re-diffed on plain text, so a
    moved link target or a Markdown marker is not shown as a change."""
    found: list[tuple[Segment, ...]] = []
    for h in hunks(diff, breaks=False):
        old = plain("".join(t for op, t in h if op <= EQUAL))
        new = plain("".join(t for op, t in h if op >= EQUAL))
        if _key(old) != _key(new):
            found.extend(hunks(word_diff(old, new)))
    biggest = sorted(range(len(found)), key=lambda i: -sum(_words(t) for op, t in found[i] if op != EQUAL))
    keep = sorted(biggest[:MAX_OTHER_HUNKS])
    return join_hunks([_clip(found[i]) for i in keep]), len(found) - len(keep)


def _clip(hunk: tuple[Segment, ...], limit: int = 60) -> tuple[Segment, ...]:
    """A hunk longer than ``limit`` words is cut there (the site shows it whole)."""
    out: list[Segment] = []
    left = limit
    for op, text in hunk:
        n = _words(text)
        if n > left:
            out.append((op, _head(text, max(left, 1))))
            break
        out.append((op, text))
        left -= n
    return tuple(out)


def select(subscriber: Subscriber, changes: Iterable[StoredChange]) -> list[StoredChange]:
    """The changes this subscriber's filter lets through (noise never does)."""
    return [c for c in changes if c.cls in DIGEST_CLASSES and subscriber.filter.matches(
        service=c.service, tags=c.tags, cls=c.cls, labels=c.labels)]


def select_failing(subscriber: Subscriber, failing: Iterable[FailingDocument]) -> list[FailingDocument]:
    if not subscriber.failing:
        return []
    f = subscriber.filter
    return [d for d in failing if (not f.services or d.service.casefold() in {s.casefold() for s in f.services})
            and (not f.tags or set(f.tags) & set(d.tags))]


def build(subscriber: Subscriber, changes: Sequence[StoredChange], failing: Sequence[FailingDocument] = (), *,
          period_end: datetime, period_start: datetime | None = None, site_url: str | None = None,
          credit: str | None = None) -> Digest:
    """The digest of ``changes`` (and failing documents) for a subscriber: filtered, AI changes first.

    ``changes`` are the candidates (the caller has already left out what was delivered); the filter
    and the no-noise rule are applied here.  ``credit`` defaults to the Open Terms Archive credit when
    an entry's text was imported from its histories.
    """
    chosen = select(subscriber, changes)
    chosen.sort(key=lambda c: (c.captured_at or c.detected_at, c.service.casefold(), c.doc_type, c.id))
    entries = [entry_for(c, site_url=site_url) for c in chosen]
    ai = tuple(e for e in entries if e.cls.startswith("AI_"))
    other = tuple(e for e in entries if not e.cls.startswith("AI_"))
    docs = sorted(select_failing(subscriber, failing), key=lambda d: (d.service.casefold(), d.doc_type))
    if credit is None and any(e.source == "import" for e in entries):
        credit = OTA_CREDIT
    return Digest(subscriber=subscriber.name, period_start=period_start, period_end=period_end, ai=ai,
                  other=other, failing=tuple(docs), site_url=site_url, credit=credit)


def _head_of(summary: str) -> str:
    """A summary without its quote: 'X now says it may train AI: “…”' → 'X now says it may train AI'."""
    return summary.split(": “", 1)[0].strip()


def subject(digest: Digest) -> str:
    """The mail subject: the one change's summary, or counts and the services involved."""
    def names(entries: Sequence[Entry]) -> str:
        seen = list(dict.fromkeys(f"{e.service} {e.document}" for e in entries))
        return ", ".join(seen[:2]) + (f" +{len(seen) - 2} more" if len(seen) > 2 else "")

    ai, other, failing = digest.ai, digest.other, digest.failing
    if len(ai) == 1:
        text = f"{_head_of(ai[0].summary)} ({ai[0].date})"
        if other:
            text += f" + {len(other)} other change{'s' if len(other) > 1 else ''}"
    elif ai:
        text = f"{len(ai)} AI clause changes: {names(ai)}"
        if other:
            text += f" + {len(other)} other change{'s' if len(other) > 1 else ''}"
    elif len(other) == 1:
        text = f"{other[0].service} {other[0].document} changed ({other[0].date}), nothing about AI"
    elif other:
        text = f"{len(other)} policy changes, nothing about AI: {names(other)}"
    elif failing:
        text = f"{len(failing)} document{'s' if len(failing) > 1 else ''} failing checks: " + ", ".join(
            f"{d.service} {d.doc_type}" for d in failing[:2]) + (f" +{len(failing) - 2} more" if len(failing) > 2
                                                                 else "")
    else:
        text = "nothing new"
    text = " ".join(text.split())
    if len(text) > 150:
        text = text[:149].rsplit(" ", 1)[0] + "…"
    return f"[clausewatch] {text}"


# --- render --------------------------------------------------------------------------------------

REPO_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"  # a source checkout's top-level folder
PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"  # copies shipped in the package


def template_dirs(user_dir: str | Path | None = None) -> list[Path]:
    """Where templates are looked up, first match wins."""
    dirs = [Path(user_dir)] if user_dir else []
    dirs += [d for d in (REPO_TEMPLATES, PACKAGE_TEMPLATES) if d.is_dir()]
    return dirs


@lru_cache(maxsize=8)
def _environments(dirs: tuple[str, ...]):
    import jinja2

    loader = jinja2.FileSystemLoader(list(dirs))
    common = dict(loader=loader, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                  undefined=jinja2.StrictUndefined)
    html = jinja2.Environment(autoescape=True, **common)
    text = jinja2.Environment(autoescape=False, **common)
    for env in (html, text):
        env.filters["md"] = _md_escape
        env.filters["short_hash"] = lambda h: (h or "")[:12]
        env.filters["day"] = lambda dt: dt.strftime("%Y-%m-%d") if dt else "—"
        env.globals.update(DELETE=DELETE, EQUAL=EQUAL, INSERT=INSERT)
    return html, text


def _md_escape(text: str) -> str:
    """Policy text inside Markdown: no raw HTML, no accidental emphasis or links."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([\\`*_\[\]])", r"\\\1", text)


def render(digest: Digest, fmt: str = "html", *, templates: str | Path | None = None) -> str:
    """The digest as ``html``, ``text``, ``markdown`` or ``json``."""
    if fmt == "json":
        return json.dumps(digest.as_json(), ensure_ascii=False, indent=2) + "\n"
    if fmt not in TEMPLATE_FILES:
        raise ValueError(f"unknown format '{fmt}' (known: {', '.join(FORMATS)})")
    html_env, text_env = _environments(tuple(str(d) for d in template_dirs(templates)))
    env = html_env if fmt == "html" else text_env
    return env.get_template(TEMPLATE_FILES[fmt]).render(d=digest, site_url=digest.site_url)


def render_entry(entry: Entry, *, templates: str | Path | None = None) -> str:
    """One change as an HTML fragment (an Atom entry's content)."""
    html_env, _ = _environments(tuple(str(d) for d in template_dirs(templates)))
    return html_env.get_template(ENTRY_TEMPLATE).render(e=entry)


# The worker (issue 8) looks its digest hooks up here; the sending itself is deliver.py's.


def worker_triggers(watchlist):
    from .deliver import worker_triggers as triggers

    return triggers(watchlist)


def worker_send(store, watchlist, name: str):
    from .deliver import worker_send as send

    return send(store, watchlist, name)


def clause_changes(deltas: Iterable) -> tuple[ClauseChange, ...]:
    """``compare.ClauseDelta`` objects or their ``as_json()`` dicts → the digest's clause records."""
    out = []
    for d in deltas:
        get = d.get if isinstance(d, dict) else lambda k, _d=d: getattr(_d, k, None)
        out.append(ClauseChange(kind=str(get("kind")), labels=tuple(get("labels") or ()), old_text=get("old_text"),
                                new_text=get("new_text"), quote=get("quote")))
    return tuple(out)
