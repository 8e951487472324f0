"""Frozen records passed between the pipeline's stages.

Every stage takes and returns these values; none of them does I/O.  Where a field may be
``None`` the docstring says what that means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Fetcher(StrEnum):
    """How a document is fetched."""

    AUTO = "auto"  # HTTP first; the browser when the page needs JavaScript or HTTP is bot-blocked
    BROWSER = "browser"  # always Playwright + Chromium
    HTTP = "http"  # never a browser


class Outcome(StrEnum):
    """What one check of one document ended in (the `checks.outcome` column)."""

    NEW = "new"  # first version of a document stored
    CHANGED = "changed"  # a new version stored: the decision text changed
    UNCHANGED = "unchanged"  # fetched fine, same decision text as the current version
    REPEAT = "repeat"  # fetched fine, text equal to an *earlier* version (flip-flop): recorded, not a version
    SUSPECT = "suspect"  # fetched, but it looks wrong (much shorter, other language, a wall): kept, not a version
    ERROR = "error"  # could not fetch or extract


@dataclass(frozen=True)
class DocumentSpec:
    """One watched document, as listed in watchlist.yaml."""

    id: str  # stable slug, e.g. "linkedin-privacy-policy"; given in YAML or derived from service + type
    service: str
    type: str  # document type, e.g. "Privacy Policy"
    url: str
    fetcher: Fetcher = Fetcher.AUTO
    select: tuple[str, ...] = ()  # CSS selectors of the main content; () = let trafilatura find it
    remove: tuple[str, ...] = ()  # CSS selectors removed before extraction
    interval_hours: float | None = None  # None = the watchlist's default interval
    tags: tuple[str, ...] = ()
    ignore_robots: str | None = None  # None = obey robots.txt; otherwise the reason it is overridden


@dataclass(frozen=True)
class Capture:
    """What one fetch brought back: the evidence a legal team cites."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int  # HTTP status (304 = not modified, body is then empty)
    headers: dict[str, str]  # only the headers that matter (content-type, etag, last-modified, date, …)
    body: bytes
    fetcher: str  # "http" or "browser"
    fetched_at: datetime  # UTC
    duration_s: float = 0.0

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True)
class Extracted:
    """Text taken out of a capture."""

    text: str  # display text: Markdown-ish, headings, paragraphs, list items and tables kept, no hard wraps
    extractor: str  # e.g. "trafilatura"
    extractor_version: str  # e.g. "2.3.1+cw1": library version plus our own pre/post-processing revision
    title: str | None = None  # None = the page had no title
    effective_date: str | None = None  # ISO date the page states ("Last updated …"); None = not found
    language: str | None = None  # two-letter guess; None = too little text to tell


@dataclass(frozen=True)
class Version:
    """One distinct text of a document (one row of the `versions` table)."""

    id: int | None  # None = not stored yet
    document_id: str
    captured_at: datetime  # UTC instant of the capture the text came from (real date for imports)
    text: str  # display text
    decision_hash: str  # sha256 of normalize.decision_text(text)
    extractor_version: str = ""  # "" = imported text, not extracted by us
    normalisation_version: str = ""
    capture_sha256: str | None = None  # None = imported, no raw capture kept
    language: str | None = None  # two-letter guess of the text's language; None = unknown


@dataclass(frozen=True)
class Evidence:
    """The exact quote that supports one label: ``version_text[start:end] == quote``."""

    label: str
    start: int  # character offset into the version text
    end: int
    quote: str


@dataclass(frozen=True)
class Clause:
    """One passage of a version with its AI labels."""

    passage_index: int  # position among the version's passages (as ../shared/gold/passages.py counts them)
    start: int  # character offsets of the passage in the version text
    end: int
    text: str
    labels: tuple[str, ...]  # sorted; () = analysed, nothing about AI
    evidence: tuple[Evidence, ...] = ()
    analysed: bool = True  # False = not analysed (e.g. not English); labels are then ()
    note: str | None = None  # why it was not analysed, or None


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one document once; failures are results, never exceptions."""

    document_id: str
    service: str
    type: str
    url: str
    outcome: Outcome
    reason: str = ""  # human-readable why (always set for suspect / error / repeat)
    version_id: int | None = None  # the version stored or matched; None = no version involved
    capture_sha256: str | None = None  # None = nothing was captured (network error, 304)
    duration_s: float = 0.0
    consecutive_failures: int = 0
    fetcher: str | None = None
    extra: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "id": self.document_id,
            "service": self.service,
            "type": self.type,
            "url": self.url,
            "outcome": str(self.outcome),
            "reason": self.reason,
            "version_id": self.version_id,
            "capture_sha256": self.capture_sha256,
            "duration_s": round(self.duration_s, 3),
            "consecutive_failures": self.consecutive_failures,
            "fetcher": self.fetcher,
            **self.extra,
        }
