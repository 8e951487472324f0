"""Severity and one-line summary of a decided change (pure): what an alert or digest says about it.

Used by :mod:`clausewatch.decide`, which decides the class; nothing here changes a decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .clausediff import loose, passage_key, segments
from .compare import HIGH_LABELS, LABEL_ORDER, ChangeClass, ClauseDelta, DeltaKind, Severity
from .models import Version
from .normalize import strip_markup

C = ChangeClass


def day(v: Version) -> str:
    return v.captured_at.strftime("%Y-%m-%d") if v.captured_at else "?"


def severity(cls: ChangeClass, deltas: tuple[ClauseDelta, ...]) -> Severity:
    if cls.is_noise:
        return Severity.NONE
    if cls is C.SUBSTANTIVE_OTHER:
        return Severity.LOW
    if cls is C.AI_CLAUSE_CHANGED and not any(set(d.labels) & HIGH_LABELS for d in deltas):
        return Severity.MEDIUM
    # A model "trained on employee feedback" that leaves with its product is an event, but a minor one.
    if all(set(d.labels) <= {"AUTOMATED_DECISIONS"} for d in deltas):
        return Severity.MEDIUM
    return Severity.HIGH


# One phrase per label, for "<document> now says …" / "no longer says …".
_SAYS = {
    "TRAINS_ON_USER_DATA": "it may use your data to develop and train AI models",
    "NO_TRAINING_PROMISE": "it does not use your data to train AI models",
    "OPT_OUT_OFFERED": "you can opt out of your data being used for AI training",
    "THIRD_PARTY_AI": "your data may go to third-party AI providers",
    "SCRAPING_AI_RESTRICTION": "others may not use its content for AI training or data mining",
    "AI_FEATURE_TERMS": "how its AI features, prompts and outputs are handled",
    # Only automated decisions whose model is trained on people's data reach here (compare.change_labels).
    "AUTOMATED_DECISIONS": "its AI is trained on people's data",
}


def _main_label(deltas: Sequence[ClauseDelta]) -> str | None:
    labels = {lb for d in deltas for lb in d.labels}
    for lb in LABEL_ORDER:
        if lb in labels:
            return lb
    return None


def _short(text: str, n: int = 160) -> str:
    text = " ".join(strip_markup(text).split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _display(paragraph: str, text: str) -> str:
    """The display passage of ``text`` whose decision text is (in) ``paragraph``; the paragraph itself if none."""
    target = loose(paragraph)
    for s_, e_ in segments(text):
        k = loose(passage_key(text[s_:e_]))
        if k and len(k) > 20 and k in target:
            return text[s_:e_]
    return paragraph


def summary(cls: ChangeClass, name: str, reason: str, deltas: tuple[ClauseDelta, ...], repeat_of: Version | None,
             added: list[str], removed: Counter, new_text: str = "", old_text: str = "") -> str:
    if cls is C.NOISE_REPEAT and repeat_of is not None:
        return f"{name}: back to the text of {day(repeat_of)} (no alert)"
    if cls.is_noise:
        return f"{name}: {reason} (no alert)"
    if cls is C.SUBSTANTIVE_OTHER:
        if added:
            sample = _display(max(added, key=len), new_text)
        elif removed:
            sample = "removed: " + _display(max(removed, key=len), old_text)
        else:
            sample = ""
        return f"{name} changed, nothing about AI" + (f": “{_short(sample, 120)}”" if sample else "")
    lb = _main_label(deltas)
    phrase = _SAYS.get(lb or "", "its AI clauses")
    focus = [d for d in deltas if lb in d.labels] or list(deltas)
    quote = _short(focus[0].quote or focus[0].new_text or focus[0].old_text or "")
    more = f" (+{len(deltas) - 1} more)" if len(deltas) > 1 else ""
    kinds = {d.kind for d in deltas}
    verb = ":"  # what joins the head to the quote
    if cls is C.AI_CLAUSE_REMOVED:
        head = f"{name} no longer says {phrase}" if lb != "AI_FEATURE_TERMS" else f"{name} drops terms on {phrase}"
    elif cls is C.AI_CLAUSE_ADDED:
        head = f"{name} now says {phrase}" if lb != "AI_FEATURE_TERMS" else f"{name} adds terms on {phrase}"
    elif lb == "AI_FEATURE_TERMS":
        head = f"{name} changes its terms on {phrase}"
    elif kinds == {DeltaKind.REMOVED}:
        # Wording dropped while the clause stays elsewhere (an item gone from one of two lists).
        head, verb = f"{name} says less on how {phrase}", "; it drops"
    elif kinds == {DeltaKind.ADDED}:
        head, verb = f"{name} says more on how {phrase}", "; it adds"
    else:
        head = f"{name} rewords what it says on how {phrase}"
    return f"{head}{verb} “{quote}”{more}"
