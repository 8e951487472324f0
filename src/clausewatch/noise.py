"""Text features the change engine uses to tell noise from change (pure helpers).

Everything works on *decision text* (``normalize.decision_text``: one paragraph per line, lower
case, links and markup gone) unless it says otherwise.  The thresholds were tuned on
../shared/gold/changes-dev.jsonl with ``clausewatch eval changes`` (see benchmarks/README.md,
"Change engine (issue 6)"); re-run it after changing any of them.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from .normalize import decision_text

_WORD = re.compile(r"\w+")


@lru_cache(maxsize=2048)
def decision(display_text: str) -> str:
    """``decision_text``, cached: a replay compares each version with many others."""
    return decision_text(display_text)


def fold(dec: str) -> str:
    """Decision text with paragraph cuts folded into spaces (what ``decision_hash`` hashes)."""
    return " ".join(dec.split())


@lru_cache(maxsize=2048)
def folded(display_text: str) -> str:
    """``fold(decision(display_text))``, cached."""
    return fold(decision(display_text))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


# --- stated dates ("Effective 1 July 2023", "Last updated: June 26, 2024") -----------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+(\d{{4}})\b", re.I)
_DATE_MDY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I)
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DATE_NUM = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_STATED = re.compile(
    r"\b(?:effective|updated|revised|modified|last\s+change[sd]?|in\s+effect|take\s+effect|apply\s+from)\b", re.I
)


def _dates_in(text: str) -> list[tuple[int, tuple[int, int, int]]]:
    out = []
    for m in _DATE_DMY.finditer(text):
        out.append((m.start(), (int(m.group(3)), _MONTHS[m.group(2).lower()[:3]], int(m.group(1)))))
    for m in _DATE_MDY.finditer(text):
        out.append((m.start(), (int(m.group(3)), _MONTHS[m.group(1).lower()[:3]], int(m.group(2)))))
    for m in _DATE_ISO.finditer(text):
        out.append((m.start(), (int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    for m in _DATE_NUM.finditer(text):
        # Day/month order cannot be told; keep the digits as they stand (only equality matters).
        out.append((m.start(), (int(m.group(3)), int(m.group(2)), int(m.group(1)))))
    return out


@lru_cache(maxsize=2048)
def stated_dates(display_text: str) -> frozenset[tuple[int, int, int]]:
    """Dates the text states as its effective / last-updated date (y, m, d), from lines that say so.

    Locale variants write the same date differently ("June 26, 2024" / "26 June 2024"): both parse
    to the same tuple, so a locale switch is not a new date.
    """
    found = set()
    for line in display_text.splitlines():
        if len(line) > 400 or not _STATED.search(line):
            continue
        for _, d in _dates_in(line):
            if 1990 <= d[0] <= 2100:
                found.add(d)
    return frozenset(found)


_ANY_DATE = re.compile(
    rf"{_DATE_DMY.pattern}|{_DATE_MDY.pattern}|{_DATE_ISO.pattern}|{_DATE_NUM.pattern}", re.I
)


@lru_cache(maxsize=2048)
def dateless(dec: str) -> str:
    """Decision text with every date neutralised (near-repeats differ only in a stated date)."""
    return _ANY_DATE.sub("<date>", dec)


# --- language and walls: see language.guess_language and walls.wall_reason (shared with fetch) ----


# --- page chrome -------------------------------------------------------------------------------------

_CHROME = re.compile(
    r"^(?:close|play video|pause video|return to top|back to top|skip to (?:main )?content|learn more|"
    r"see more|show more|read more|menu|print|download pdf|share|copy link|was this (?:page )?helpful\??|"
    r"yes|no|related articles|other ways to get help|more resources|table of contents|contents|"
    r"cookie settings|manage cookies|accept|decline|false|true|null|undefined|\[\d+\]|\d{1,3}|"
    r"english(?: \(\w+\))?|français|deutsch|español|italiano|português|close tooltip|page reference.*)$",
    re.I,
)
_EMAIL_PLACEHOLDER = re.compile(r"\[*\s*email(?:\s|&#160;|\xa0)*protected\s*\]*(?:\([^)]*\))?", re.I)


def is_chrome(paragraph: str) -> bool:
    """A paragraph that is page furniture, not policy: a button label, a nav/sidebar entry, a counter."""
    p = paragraph.strip()
    if not p:
        return True
    if _CHROME.match(p):
        return True
    ws = words(p)
    # Short link-list entries (sidebars, "related articles", help-centre questions) have no sentence end.
    return len(ws) <= 12 and not re.search(r"[.;:]$", p) and not re.search(r"\b(?:we|you|your|our)\b.*\b(?:will|may|must|can|use|share|collect)\b", p)


def placeholder_only(old_p: str, new_p: str) -> bool:
    """The two texts differ only by an e-mail obfuscation placeholder ("[email protected]") standing
    for an address on the other side."""
    if not (_EMAIL_PLACEHOLDER.search(old_p) or _EMAIL_PLACEHOLDER.search(new_p)):
        return False
    a = _EMAIL_PLACEHOLDER.sub("<email>", old_p)
    b = _EMAIL_PLACEHOLDER.sub("<email>", new_p)
    a = re.sub(r"\S+@\S+", "<email>", a)
    b = re.sub(r"\S+@\S+", "<email>", b)
    return fold(a) == fold(b)


# --- spelling ----------------------------------------------------------------------------------------

_VARIANT_RULES = [
    (r"ise", r"ize"), (r"isation", r"ization"), (r"ised", r"ized"), (r"ising", r"izing"), (r"yse", r"yze"),
    (r"our", r"or"), (r"tre", r"ter"), (r"ence", r"ense"), (r"ogue", r"og"), (r"lled", r"led"),
    (r"lling", r"ling"), (r"ller", r"ler"), (r"mme", r"m"), (r"ement", r"ment"),
]


def spelling_variant(a: str, b: str) -> bool:
    """British / American spellings of one word (licence/license, organised/organized, centre/center)."""
    if a == b:
        return True
    for x, y in _VARIANT_RULES:
        for p, q in ((a, b), (b, a)):
            i = p.find(x)
            while i >= 0:
                if p[:i] + y + p[i + len(x):] == q:
                    return True
                i = p.find(x, i + 1)
    return {a, b} in ({"licence", "license"}, {"defence", "defense"}, {"practise", "practice"},
                      {"enquiry", "inquiry"}, {"programme", "program"}, {"cheque", "check"})


def edit_distance_at_most(a: str, b: str, k: int) -> bool:
    """Levenshtein distance of two words is ≤ k (small k, short words: a typo fix)."""
    if abs(len(a) - len(b)) > k:
        return False
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > k:
            return False
        prev = cur
    return prev[-1] <= k


def paragraph_counter(dec: str) -> Counter:
    return Counter(p for p in dec.split("\n") if p)


# --- damaged extraction ---------------------------------------------------------------------------

# A function word followed straight by punctuation: a link whose text the extractor stripped
# ("violations of our Terms, the , or other terms", "in our , including").
_HOLE = re.compile(r"\b(?:the|our|your|a|an|of|to|in|and|or|with|see|by|at|on)\s+[,.;:)](?!\w)", re.I)


def holes(display_text: str) -> int:
    """How many stripped-link holes a display text has (a damaged extraction has several)."""
    return len(_HOLE.findall(display_text))
