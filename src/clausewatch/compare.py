"""What a new version of a document means: the change engine (pure: no I/O, no clock).

``compare(previous_versions, new_version)`` returns a :class:`Change`: its class, a severity, the
reason for the decision, the AI clause deltas (old and new passage aligned by similarity, so a
reworded clause is one pair), a word diff of the display texts and a one-line summary.

The decision is a cascade; the first rule that fits wins and names itself in ``reason``:

1. the same capture re-extracted (newer extractor) with no new stated date,
   or giving the same decision text                                        → NOISE_EXTRACTION
2. the decision text equals an earlier version's (flip-flop, A/B, geo variant;
   also "near" repeats that differ only in a date)                         → NOISE_REPEAT
3. the capture looks broken: nearly empty, a bot / cookie wall, another
   language, much shorter or longer than recent versions with no new date  → NOISE_EXTRACTION
4. only links, markup, whitespace, punctuation, paragraph order or a date
   differ; then, hunk by hunk: typos, renumbering, doubled words, tables of
   contents, screen-reader link text                                       → NOISE_FORMATTING
   page chrome (titles, sidebars, footers), truncated sentence endings,
   e-mail obfuscation placeholders, another locale edition                 → NOISE_EXTRACTION
5. pop-ups / sections not captured, or captured again (stated date unchanged) → NOISE_EXTRACTION
   (a page that showed an announcement beside the old text and now shows only
   the new one is SUBSTANTIVE_OTHER)
6. the tracker's source configuration changed (another URL or combined pages) → NOISE_EXTRACTION
7. labelled AI clauses were added, removed or materially reworded, and the
   wording was not seen in an earlier version (nor only in a one-off capture) → AI_CLAUSE_*
8. anything else                                                           → SUBSTANTIVE_OTHER

The cascade is in :mod:`clausewatch.decide`, the clause deltas in :mod:`clausewatch.clausediff`,
text features in :mod:`clausewatch.noise`, the word diff in :mod:`clausewatch.worddiff` and the
renderers in :mod:`clausewatch.redline`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from .models import Clause, Version
from .worddiff import Diff, word_diff


class ChangeClass(StrEnum):
    """What a new version means (the classes of ../shared/gold/changes-dev.jsonl)."""

    AI_CLAUSE_ADDED = "AI_CLAUSE_ADDED"
    AI_CLAUSE_REMOVED = "AI_CLAUSE_REMOVED"
    AI_CLAUSE_CHANGED = "AI_CLAUSE_CHANGED"
    SUBSTANTIVE_OTHER = "SUBSTANTIVE_OTHER"
    NOISE_FORMATTING = "NOISE_FORMATTING"
    NOISE_REPEAT = "NOISE_REPEAT"
    NOISE_EXTRACTION = "NOISE_EXTRACTION"

    @property
    def is_ai(self) -> bool:
        return self.startswith("AI_")

    @property
    def is_noise(self) -> bool:
        return self.startswith("NOISE_")


class Severity(StrEnum):
    """How loudly to tell people: HIGH/MEDIUM alert, LOW goes in digests, NONE is only shown on request."""

    HIGH = "high"  # AI clause added or removed, or a training / third-party AI clause reworded
    MEDIUM = "medium"  # other AI clause reworded
    LOW = "low"  # substantive non-AI change
    NONE = "none"  # noise


class DeltaKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    REWORDED = "reworded"


@dataclass(frozen=True)
class ClauseDelta:
    """One labelled AI clause that was added, removed or reworded.

    For ``added`` the ``old_*`` fields are ``None``; for ``removed`` the ``new_*`` fields are.
    A reworded clause is one delta with both sides, aligned by word similarity; one side may be an
    unlabelled passage (AI wording put into, or taken out of, an existing sentence).
    """

    kind: DeltaKind
    labels: tuple[str, ...]  # union of both sides' AI labels, sorted
    old_text: str | None  # the old passage (display text), None = the clause is new
    new_text: str | None  # the new passage, None = the clause is gone
    old_span: tuple[int, int] | None = None  # offsets into the old version's text
    new_span: tuple[int, int] | None = None  # offsets into the new version's text
    similarity: float = 0.0  # word similarity of the two sides, 0–1 (0 for added / removed)
    quote: str | None = None  # the evidence quote that carries the label (new side first), None = none given
    diff: Diff = ()  # word diff old → new of this passage (reworded only)

    def as_json(self) -> dict:
        return {
            "kind": str(self.kind),
            "labels": list(self.labels),
            "old_text": self.old_text,
            "new_text": self.new_text,
            "old_span": list(self.old_span) if self.old_span else None,
            "new_span": list(self.new_span) if self.new_span else None,
            "similarity": round(self.similarity, 3),
            "quote": self.quote,
            "diff": [list(d) for d in self.diff],
        }


@dataclass(frozen=True)
class Change:
    """The decision about one new version of a document."""

    cls: ChangeClass
    severity: Severity
    reason: str  # why this class: the rule that fired, in words (always set)
    summary: str  # one line a journalist can read
    deltas: tuple[ClauseDelta, ...] = ()  # AI clause deltas; () for noise and non-AI changes
    diff: Diff = ()  # word diff of the display texts, old → new; () when not computed (repeat, identical)
    old_version_id: int | None = None  # None = the versions are not stored yet
    new_version_id: int | None = None
    old_captured_at: str | None = None  # ISO instant of the version compared against
    new_captured_at: str | None = None
    repeat_of: str | None = None  # ISO instant of the earlier version this one repeats, None = not a repeat
    stats: dict = field(default_factory=dict)  # words added/removed, length ratio, … (for the reason and tests)

    @property
    def alert(self) -> bool:
        """Alerts go out for AI clause changes only."""
        return self.cls.is_ai

    @property
    def digest(self) -> bool:
        """Digests list AI clause changes and other substantive changes; noise is never listed."""
        return not self.cls.is_noise

    def as_json(self) -> dict:
        return {
            "class": str(self.cls),
            "severity": str(self.severity),
            "reason": self.reason,
            "summary": self.summary,
            "alert": self.alert,
            "old_version_id": self.old_version_id,
            "new_version_id": self.new_version_id,
            "old_captured_at": self.old_captured_at,
            "new_captured_at": self.new_captured_at,
            "repeat_of": self.repeat_of,
            "deltas": [d.as_json() for d in self.deltas],
            "stats": self.stats,
        }


ClauseExtractor = Callable[[str], Sequence[Clause]]

# Labels that make a clause an *AI clause* for alerts (CHANGES-NOTES.md rule 1): ML used only for
# moderation, ranking or ads (AUTOMATED_DECISIONS) is a substantive change, not an AI alert.
AI_LABELS = frozenset({
    "TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE", "OPT_OUT_OFFERED", "THIRD_PARTY_AI",
    "SCRAPING_AI_RESTRICTION", "AI_FEATURE_TERMS",
})
HIGH_LABELS = frozenset({"TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE", "OPT_OUT_OFFERED", "THIRD_PARTY_AI"})
# Which label a change is told by when a clause has several (most newsworthy first).
LABEL_ORDER = ("TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE", "OPT_OUT_OFFERED", "THIRD_PARTY_AI",
               "SCRAPING_AI_RESTRICTION", "AI_FEATURE_TERMS", "AUTOMATED_DECISIONS")

# An automated-decision clause that says its model is *trained on* some data (Glint's "NLP that is
# trained specifically on employee feedback") is text on training AI with people's data, which
# CHANGES-NOTES.md rule 1 counts as an AI clause even where the clause gold, wanting the user's own
# data named, gives no TRAINS label.  Ranking, ads or spam models "trained to" do something are not.
_TRAINED_ON_DATA = re.compile(
    r"\b(?:trained|fine[\s\-]?tuned|train|training)[\s\-]+(?:(?:specifically|exclusively|only|primarily|largely)[\s\-]+)?"
    r"(?:on|with|using)[\s\-]+(?:(?:the|your|their|our|its|customer|user|employee|member)s?[’']?[\s\-]+)*"
    r"(?:data|feedback|content|comments|responses|information|conversations|inputs?|interactions)\b",
    re.I,
)


def change_labels(clause: Clause) -> frozenset[str]:
    """The labels that make ``clause`` an AI clause for change alerts (empty = not one)."""
    labels = frozenset(clause.labels)
    out = labels & AI_LABELS
    if "AUTOMATED_DECISIONS" in labels and _TRAINED_ON_DATA.search(clause.text):
        out |= {"AUTOMATED_DECISIONS"}
    return out


def _default_extractor() -> ClauseExtractor:
    from .clauses import extract_clauses  # imported on use: compare's types load without the rules

    return extract_clauses


def compare(
    previous_versions: Sequence[Version],
    new_version: Version,
    *,
    extract: ClauseExtractor | None = None,
    name: str | None = None,
    with_diff: bool = True,
) -> Change | None:
    """Decide what ``new_version`` means after ``previous_versions`` (oldest first; the last one is
    the version it replaces).  ``None`` when there is nothing to compare with (a first version).

    ``extract`` is the clause extractor (default ``clauses.extract_clauses``); ``name`` is how the
    summary names the document ("LinkedIn Privacy Policy"; default the document id);
    ``with_diff=False`` skips the display-text word diff (the eval does not need it).
    """
    if not previous_versions:
        return None
    from .decide import decide

    return decide(
        list(previous_versions),
        new_version,
        extract=extract or _default_extractor(),
        name=name or new_version.document_id,
        with_diff=with_diff,
    )


def display_diff(old: Version | str, new: Version | str) -> Diff:
    """Word diff of two versions' display texts."""
    a = old.text if isinstance(old, Version) else old
    b = new.text if isinstance(new, Version) else new
    return word_diff(a, b)
