"""Decision text: the normalised text whose change, and only whose change, is a change.

Three texts are kept apart (DESIGN.md): the raw capture, the display text (what diffs show) and
this decision text.  Everything a reader would not call a change of the policy is neutralised:
link targets and tracking parameters, Markdown markup, list-marker style, typography (curly
quotes, dashes, no-break spaces), whitespace and line wrapping, "Last updated …" lines and
dynamic footers (clock times, build ids).  Pure functions, no I/O.

``NORMALISATION_VERSION`` is stored with each version; bump it whenever the output of
``decision_text`` changes for some input, so stored versions can be re-baselined silently.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

NORMALISATION_VERSION = "2"  # 2: image alt text dropped

# [text](target "title"): keep the visible text only.  ![alt](src): nothing; alt text describes
# an illustration ("Hands holding a phone …") and changes with it, it is not the policy's wording.
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_MD_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s+\S+.*$", re.M)
_AUTOLINK = re.compile(r"<(https?://[^>\s]+|mailto:[^>\s]+)>")
_BARE_URL = re.compile(r"\bhttps?://[^\s)\]>\"']+")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")

# Markdown structure that carries no wording: heading hashes, emphasis, list markers, table pipes.
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]*", re.M)
_SETEXT = re.compile(r"^[ \t]*(?:=+|-+)[ \t]*$", re.M)
_LIST_MARKER = re.compile(r"^[ \t]*(?:[-*+•·]|\d{1,3}[.)]|[a-z][.)]|\([a-z0-9]{1,4}\))[ \t]+", re.M)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$", re.M)
_PIPES = re.compile(r"\s*\|\s*")
_HR = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)

# The per-fetch noise below lives on short lines (a "Last updated …" line, a footer such as
# "Page generated 2024-05-06 07:08:09 · build 4be1f9c2"), so it is only looked for on lines of at
# most SHORT_LINE characters: a sentence of the policy that mentions a date or time stays as it is,
# and the expensive patterns never scan the long paragraphs.
SHORT_LINE = 160

_DATE_WORDS = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+\d{4}"
)
_DATE_ANY = rf"(?:{_DATE_WORDS}|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}})"
# A line that only states when the document was updated / takes effect.
_UPDATED_LINE = re.compile(
    r"[^\n]{0,40}?\b(?:last\s+)?(?:updated|modified|revised|effective|published|posted|"
    r"effective\s+date|date\s+of\s+last\s+revision|version\s+date)\b[^\n]{0,30}?"
    rf"{_DATE_ANY}[^\n]{{0,40}}",
    re.I,
)
# Dynamic footers: clock times, ISO timestamps and build/commit ids change on every fetch.
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?\b", re.I)
_HEX_ID = re.compile(r"\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,64}\b", re.I)


def _neutralise_short_line(line: str) -> str:
    if _UPDATED_LINE.fullmatch(line.strip()):
        return ""
    if ":" in line:
        line = _CLOCK.sub("<time>", _TIMESTAMP.sub("<time>", line))
    return _HEX_ID.sub("<id>", line)


_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
        "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
        "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\u00ad": None,
        "\u2026": "...",
    }
)
_TYPOGRAPHY_CHARS = re.compile("[" + "".join(map(chr, _TYPOGRAPHY)) + "]")
_DIGIT = re.compile(r"\d")
_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_PUNCT_SPACE = re.compile(r"\s+([,.;:!?)])")


def strip_markup(text: str) -> str:
    """Display text without link targets, Markdown markup or typography variants (case kept)."""
    if not text.isascii():
        # A regex over the few mapped characters: str.translate with a dict costs ~40 ms on a long policy.
        text = _TYPOGRAPHY_CHARS.sub(lambda m: _TYPOGRAPHY[ord(m[0])] or "", unicodedata.normalize("NFKC", text))
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_REF_DEF.sub("", text)
    text = _AUTOLINK.sub(" ", text)
    text = _BARE_URL.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _TABLE_RULE.sub("", text)
    text = _HR.sub("", text)
    text = _SETEXT.sub("", text)
    text = _HEADING.sub("", text)
    text = _ESCAPE.sub(r"\1", text)
    text = _LIST_MARKER.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _PIPES.sub(" ", text)
    return text


def decision_text(display_text: str) -> str:
    """The normalised text compared between versions: one paragraph per line, lower case."""
    text = strip_markup(display_text)
    text = "\n".join(
        _neutralise_short_line(line) if len(line) <= SHORT_LINE and _DIGIT.search(line) else line
        for line in text.split("\n")
    )
    # Paragraphs are what matters, not how they are wrapped: join wrapped lines, keep blank-line cuts.
    paragraphs = []
    for block in _BLANK_LINES.split(text):
        words = _PUNCT_SPACE.sub(r"\1", " ".join(block.split()))
        if any(ch.isalnum() for ch in words):
            paragraphs.append(words.casefold())
    return "\n".join(paragraphs)


def decision_hash(display_text: str) -> str:
    """sha256 of the decision text: equal hashes mean "not a change".

    Paragraph cuts are folded into spaces too, so a paragraph split or merged by a markup change
    (``<br>`` versus a new ``<p>``) with the same words is not a change either.
    """
    folded = " ".join(decision_text(display_text).split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
