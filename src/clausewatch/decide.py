"""The decision cascade behind ``compare.compare`` (pure).  See compare.py for the rules in order;
the severity and summary text of a decided change are in :mod:`clausewatch.describe`.

Tuned numbers (ratios, word counts) were set by replaying ../shared/gold/changes-dev.jsonl with
``clausewatch eval changes`` and reading the misses; re-run it after touching any of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from . import noise
from .clausediff import AI_HINT, ai_class, ai_reason, clause_deltas, is_blip
from .compare import Change, ChangeClass, ClauseDelta, ClauseExtractor
from .describe import day as _day
from .describe import severity, summary
from .language import guess_language
from .models import Version
from .walls import wall_reason
from .worddiff import EQUAL, iter_word_diff, word_diff

C = ChangeClass

# A capture with fewer words than this is not a policy (empty page, heading only, a nav menu).
MIN_WORDS = 60
# Much shorter / longer than the version before it (and no new stated date): a broken capture.
SHRUNK, BLOATED = 0.4, 3.0
# Pop-ups / dropdowns dropped or captured again: a smaller swing, with the stated date unchanged.
LOST, GAINED = 0.85, 1.15
# A short phrase added or dropped in at least this many places is a repeated link label.
REPEATED_LABEL = 3
# More than this share of the words replaced with the stated date unchanged: another edition of the page.
REPLACED = 0.5
# A text with this many British/American spelling pairs is another locale edition of the page;
# short rewordings beside them ("like" → "such as") are that edition's house style.
LOCALE_VARIANTS = 10
# A re-extraction that leaves this many more stripped-link holes ("our Terms, the , or") than the
# text before it is a damaged capture: re-baselined silently even when it carries a new stated date
# (CHANGES-NOTES rule 6; a clean re-extraction after a tracking gap is still judged on content).
DAMAGE_HOLES = 3
# The word diff a change carries (for display) word-diffs a changed run of lines only up to this
# many tokens a side; a longer one (a rewritten policy captured as one paragraph: ~20 s) is shown
# as removed + added text, as the site does (site/text.py RUN_TOKENS).
DIFF_RUN_TOKENS = 1500


@lru_cache(maxsize=2048)
def _nwords(dec: str) -> int:
    return len(noise.words(dec))


@lru_cache(maxsize=512)
def _paragraphs(dec: str) -> frozenset[str]:
    return frozenset(p for p in dec.split("\n") if p)


def _words_lost(old_dec: str, new_dec: str) -> int:
    """How many of the old text's words (counted with repeats) the new text no longer has."""
    return sum((Counter(noise.words(old_dec)) - Counter(noise.words(new_dec))).values())


def _iso(v: Version) -> str:
    return v.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ") if v.captured_at else "?"


@lru_cache(maxsize=1024)
def _language(dec: str) -> str | None:
    return guess_language(dec)


def _reextracted(prev: Version, new: Version) -> bool:
    """The same capture run through a newer extractor / normalisation (a technical re-baseline)."""
    return bool(new.capture_sha256 and new.capture_sha256 == prev.capture_sha256)


def _reconfigured(prev: Version, new: Version) -> bool:
    """Extracted with another extractor revision or source configuration (URL, selectors)."""
    return bool(new.extractor_version and prev.extractor_version and new.extractor_version != prev.extractor_version)


def _last_good(previous: Sequence[Version]) -> int:
    """Index of the version to judge against: the last one, unless it is a broken capture (much
    shorter or longer than the versions around it, with no new stated date); CHANGES-NOTES rule 8.
    Lengths are compared with the median of the five versions before, so one bloated capture does
    not make the normal one after it look short."""
    i = len(previous) - 1
    for _ in range(2):
        if i == 0:
            break
        cur = previous[i]
        w_cur = _nwords(noise.decision(cur.text))
        window = [_nwords(noise.decision(v.text)) for v in previous[max(0, i - 5):i]]
        typical = sorted(window)[len(window) // 2]
        ratio = w_cur / max(typical, 1)
        same_date = noise.stated_dates(cur.text) <= noise.stated_dates(previous[i - 1].text)
        if w_cur < MIN_WORDS or ((ratio < SHRUNK or ratio > BLOATED) and same_date):
            i -= 1
            continue
        break
    return i


def decide(previous: list[Version], new: Version, *, extract: ClauseExtractor, name: str, with_diff: bool) -> Change:
    prev = previous[-1]
    base_i = _last_good(previous)
    base = previous[base_i]
    earlier = [v for j, v in enumerate(previous) if j != base_i]
    old_dec, new_dec = noise.decision(base.text), noise.decision(new.text)
    old_f, new_f = noise.folded(base.text), noise.folded(new.text)
    w_old, w_new = _nwords(old_dec), _nwords(new_dec)
    ratio = w_new / max(w_old, 1)
    old_dates, new_dates = noise.stated_dates(base.text), noise.stated_dates(new.text)
    new_date = bool(new_dates - old_dates)
    added = Counter(p for p in new_dec.split("\n") if p) - Counter(p for p in old_dec.split("\n") if p)
    removed = Counter(p for p in old_dec.split("\n") if p) - Counter(p for p in new_dec.split("\n") if p)
    seen: set[str] = set()
    for v in earlier:
        seen |= _paragraphs(noise.decision(v.text))
    added_new = [p for p in added if p not in seen]
    w_added = sum(len(noise.words(p)) for p in added_new)
    w_added_all = sum(len(noise.words(p)) for p in added)
    w_removed = sum(len(noise.words(p)) for p in removed)
    stats = {
        "words_old": w_old, "words_new": w_new, "length_ratio": round(ratio, 3),
        "paragraphs_added": len(added), "paragraphs_removed": len(removed),
        "words_added": w_added_all, "words_removed": w_removed, "words_added_unseen": w_added,
        "stated_dates_old": sorted("{:04d}-{:02d}-{:02d}".format(*d) for d in old_dates),
        "stated_dates_new": sorted("{:04d}-{:02d}-{:02d}".format(*d) for d in new_dates),
        "judged_against": _iso(base),
    }

    def make(cls: ChangeClass, reason: str, *, deltas: tuple[ClauseDelta, ...] = (), repeat_of: Version | None = None,
             text: str | None = None) -> Change:
        diff = word_diff(prev.text, new.text, max_run_tokens=DIFF_RUN_TOKENS) if with_diff and not repeat_of else ()
        return Change(
            cls=cls, severity=severity(cls, deltas), reason=reason,
            summary=text or summary(cls, name, reason, deltas, repeat_of, added_new or list(added), removed,
                                    new.text, base.text),
            deltas=deltas, diff=diff, old_version_id=prev.id, new_version_id=new.id,
            old_captured_at=_iso(prev), new_captured_at=_iso(new),
            repeat_of=_iso(repeat_of) if repeat_of else None, stats=stats,
        )

    # 1. Technical re-extraction of the same capture: silent re-baseline unless the source changed.
    if _reextracted(prev, new):
        if new_f == noise.folded(prev.text):
            return make(C.NOISE_EXTRACTION, "re-extracted with a newer extractor; same decision text (re-baselined)")
        if not new_date:
            return make(C.NOISE_EXTRACTION, "re-extracted with a newer extractor and no new stated date: "
                        f"differences come from extraction (re-baselined; +{w_added_all}/−{w_removed} words)")
        gaps = noise.holes(new.text) - noise.holes(prev.text)
        if gaps >= DAMAGE_HOLES:
            return make(C.NOISE_EXTRACTION, f"re-extracted with a newer extractor into a damaged text ({gaps} more "
                        "places where link text was stripped, e.g. “the , or”): re-baselined, not compared")

    # 2. A repeat of an earlier text (flip-flop, A/B test, geo variant seen before).
    if base is not prev and new_f == old_f:
        return make(C.NOISE_REPEAT, f"back to the text of {_day(base)} after a broken capture", repeat_of=base)
    for v in reversed(earlier):
        if noise.folded(v.text) == new_f:
            return make(C.NOISE_REPEAT, f"back to the text of {_day(v)}", repeat_of=v)
    dl = noise.dateless(new_f)
    for v in reversed(earlier):
        if noise.dateless(noise.folded(v.text)) == dl and new_f != old_f:
            return make(C.NOISE_REPEAT, f"back to the text of {_day(v)} (only a date differs)", repeat_of=v)

    # 3. Broken captures.
    wall = wall_reason(new_dec)
    if w_new < MIN_WORDS or wall:
        return make(C.NOISE_EXTRACTION, f"capture looks broken: {wall or f'only {w_new} words'}")
    lang_old, lang_new = _language(old_dec), _language(new_dec)
    if lang_old and lang_new and lang_old != lang_new:
        return make(C.NOISE_EXTRACTION, f"capture is in another language ({lang_new}, was {lang_old})")
    if ratio < SHRUNK and not new_date:
        return make(C.NOISE_EXTRACTION, f"capture much shorter than the last good one ({w_new} vs {w_old} words)")
    if ratio > BLOATED and not new_date:
        return make(C.NOISE_EXTRACTION, f"capture much longer than the last good one ({w_new} vs {w_old} words)")

    # 4. Formatting only.
    if new_f == old_f:
        return make(C.NOISE_FORMATTING, "only links, markup, typography or whitespace changed")
    if re.sub(r"\W+", "", new_f) == re.sub(r"\W+", "", old_f):
        return make(C.NOISE_FORMATTING, "only punctuation or spacing changed")
    if not added and not removed:
        return make(C.NOISE_FORMATTING, "same paragraphs, reordered or repeated")
    if noise.dateless(new_f) == noise.dateless(old_f):
        return make(C.NOISE_FORMATTING, "only a date changed")

    # 5. Small edits, read hunk by hunk: typos, numbering, chrome, truncation, placeholders, locale.
    if w_added_all + w_removed < 12000:
        verdict = _hunk_verdict(old_dec, new_dec)
        if verdict is not None:
            return make(verdict[0], verdict[1])

    # 5b. Extraction artefacts on a larger scale: pop-ups / sections captured or not.
    if not new_date and ratio < 0.75 and w_added_all < 0.1 * w_removed and _gram_overlap(list(removed), new_f) >= 0.8:
        # A page that showed two versions (an announcement) now shows one: a real change.
        return make(C.SUBSTANTIVE_OTHER, "the page no longer shows the outgoing version next to the new one "
                        f"({w_removed} words removed, all still present in the new text's twin)")
    if not new_date and ratio < LOST and w_added_all < 0.1 * w_removed and _gram_overlap(list(removed), new_f) < 0.5:
        return make(C.NOISE_EXTRACTION, f"capture lost {round((1 - ratio) * 100)}% of its text with the stated "
                    "date unchanged (pop-ups / sections not captured)")
    if not new_date and ratio > GAINED and w_removed < 0.2 * w_added_all and _seen_share(list(added), earlier) >= 0.8:
        return make(C.NOISE_EXTRACTION, "text captured again that earlier captures had (pop-ups / dropdowns), "
                    "stated date unchanged")

    if new_dates and new_dates == old_dates and w_removed > REPLACED * w_old:
        # A policy that keeps its stated date while most of its words go is another edition of the
        # page served to the tracker (region, A/B test), not a silent rewrite: CHANGES-NOTES rule 5.
        # Counted on words, not paragraphs: re-wrapped paragraphs replace no words.
        lost = _words_lost(old_dec, new_dec)
        if lost > REPLACED * w_old:
            return make(C.NOISE_EXTRACTION, f"most of the words gone ({lost} of {w_old}) with the stated date "
                        "unchanged: another edition of the page (region, A/B test), not a new policy")

    # 5c. Another source configuration (URL, selectors, combined pages) or extractor revision:
    # what differs beyond formatting is the tracker's choice, not the service's (re-baselined).
    if _reconfigured(prev, new) and not (new_date and w_removed < 0.1 * w_added_all):
        # (A page that only grows and states a new date is an update shown on the new address.)
        return make(C.NOISE_EXTRACTION, f"extractor or source configuration changed ({prev.extractor_version} → "
                    f"{new.extractor_version}): re-baselined, not compared as a change")

    # 6. AI clause deltas.
    deltas, old_ai, new_ai = clause_deltas(base, new, earlier, extract, old_f, new_f, ratio)
    if deltas and base_i > 0 and is_blip(deltas, previous[base_i - 1]):
        return make(C.NOISE_EXTRACTION, f"the AI wording only the capture of {_day(base)} showed is gone again "
                    f"(back to that of {_day(previous[base_i - 1])}): a one-off capture, not a removal")
    if deltas:
        cls = ai_class(deltas, old_ai, new_ai)
        return make(cls, ai_reason(deltas), deltas=deltas)

    # 7. Anything else is a substantive change.
    return make(C.SUBSTANTIVE_OTHER, f"wording changed (+{w_added_all}/−{w_removed} words), no AI clause involved")


# --- helpers -------------------------------------------------------------------------------------


_SCREEN_READER = re.compile(r"\(?\s*opens? in a new (?:window|tab)\s*\)?", re.I)
_TOC = re.compile(r"(?:table of contents|contents|on this page|in this article|jump to)\b", re.I)
_FUNCTION_WORDS = frozenset(["that", "the", "a", "an", "which", "who", "to", "of"])
_SENTENCE_CUT = re.compile(r"([.!?;]) (?=\S)")
_SENTENCE_END = re.compile(r"[.!?;:)\]\"']\s*$")


def _hunk_verdict(old_dec: str, new_dec: str) -> tuple[ChangeClass, str] | None:
    """Read the word diff of the decision texts hunk by hunk; a verdict when every hunk is noise,
    None when some hunk changes wording."""
    # One sentence per line for the diff's first stage: decision paragraphs are long, and a word
    # diff inside a changed 1,000-word paragraph is what made this slow.
    edge = _edge_chrome(old_dec, new_dec)
    if edge:
        return C.NOISE_EXTRACTION, edge
    ops = iter_word_diff(_SENTENCE_CUT.sub("\\1\n", old_dec), _SENTENCE_CUT.sub("\\1\n", new_dec),
                         max_run_tokens=DIFF_RUN_TOKENS)
    kinds: Counter = Counter()
    hunks: list[tuple[str, tuple[str, ...] | None]] = []  # (kind, label key) per hunk
    before = dels = ins = ""
    for op, text in [*ops, (EQUAL, "")]:
        if op != EQUAL:
            if op < 0:
                dels += text
            else:
                ins += text
            continue
        if dels or ins:
            # ``text`` is only the start of what follows; enough for the end-of-paragraph tests.
            kind = _hunk_kind(before, dels, ins, text)
            key = _label_key(dels, ins)
            if kind is None:
                # A short rewording ("like" → "such as") can be a locale edition's house style; keep
                # reading only while every such hunk is short and says nothing about AI.
                size = len(key) if key else max(len(noise.words(dels)), len(noise.words(ins)))
                if size > 12 or AI_HINT.search(dels + " " + ins) or kinds["reworded"] >= 200 \
                        or (size > 3 and kinds["reworded long"] >= 3):
                    return None
                kind = "reworded" if size <= 3 else "reworded long"
            kinds[kind] += 1
            hunks.append((kind, key))
            before = text
        else:
            before = (before + text)[-2000:]
        dels = ins = ""
    if not kinds:
        return C.NOISE_FORMATTING, "only spacing changed"
    # The same few words added or dropped all over the page ("Facebook Help Center" after each
    # related link): link decoration, not wording, nor sentence endings cut off.
    labels = Counter(key for _, key in hunks if key and len(key) <= 3)
    for kind, key in hunks:
        if kind in ("reworded", "truncation") and labels[key] >= REPEATED_LABEL:
            kinds[kind] -= 1
            kinds["repeated link labels"] += 1
    kinds = +kinds
    if (kinds["reworded"] or kinds["reworded long"]) and kinds["variant"] < LOCALE_VARIANTS:
        return None
    if kinds["minor"] and kinds["variant"] < 3:
        return None  # a word like "that" or "not" added or dropped is wording unless the whole text is a locale variant
    if kinds["variant"] >= 3 and not kinds["chrome"]:
        return C.NOISE_EXTRACTION, f"another locale variant of the same text ({kinds['variant']} British/American spellings)"
    extraction = {k: n for k, n in kinds.items() if k in ("chrome", "truncation", "placeholder")}
    if extraction:
        what = {"chrome": "page chrome (buttons, navigation, sidebar entries)", "truncation": "truncated sentence endings",
                "placeholder": "an e-mail obfuscation placeholder"}
        parts = [what[k] for k in sorted(extraction)] + (["repeated link labels"] if kinds["repeated link labels"] else [])
        return C.NOISE_EXTRACTION, "only " + " and ".join(parts) + " changed"
    what = sorted(k for k in kinds if k != "space")
    return C.NOISE_FORMATTING, "only " + (", ".join(what) or "spacing") + " changed"


def _label_key(dels: str, ins: str) -> tuple[str, ...] | None:
    """The words a short hunk adds or drops, order-free, when it only adds or only drops (after
    taking off what both sides share, so "settings facebook help centerhow" → "settingshow" is
    "facebook help center" dropped); None for a replacement."""
    n = 0
    while n < min(len(dels), len(ins)) and dels[n] == ins[n]:
        n += 1
    dels, ins = dels[n:], ins[n:]
    m = 0
    while m < min(len(dels), len(ins)) and dels[-1 - m] == ins[-1 - m]:
        m += 1
    dels, ins = dels[:len(dels) - m], ins[:len(ins) - m]
    if noise.words(dels) and noise.words(ins):
        return None
    return tuple(sorted(noise.words(dels or ins))) or None


def _edge_chrome(old_dec: str, new_dec: str) -> str | None:
    """Short link-like lines changed only at the top or bottom of the page (page title, sidebar of
    related articles, footer): page chrome, however the word diff pairs them up."""
    old_lines, new_lines = old_dec.split("\n"), new_dec.split("\n")
    old_set, new_set = set(old_lines), set(new_lines)
    changed = [(i, len(old_lines), ln) for i, ln in enumerate(old_lines) if ln not in new_set]
    changed += [(i, len(new_lines), ln) for i, ln in enumerate(new_lines) if ln not in old_set]
    if not changed or len(changed) > 40:
        return None
    at_edge = all(i < max(3, 0.05 * n) or i >= 0.8 * n for i, n, _ in changed)
    if at_edge and all(noise.is_chrome(ln) for _, _, ln in changed):
        return "only page chrome at the top or bottom of the page changed (title, related articles, footer)"
    return None


def _hunk_kind(before: str, dels: str, ins: str, after: str) -> str | None:
    dw, iw = noise.words(dels), noise.words(ins)
    if not dw and not iw:
        return "space" if not (dels + ins).strip() else "punctuation"
    if re.sub(r"\W+", "", dels) == re.sub(r"\W+", "", ins):
        return "punctuation"
    if noise.placeholder_only(before + dels + after[:40], before + ins + after[:40]):
        return "placeholder"
    if before.endswith(("'", "’")) and {dels, ins} <= {"s", ""}:
        return "punctuation"  # a possessive restyled: "business's" ↔ "business'"
    if all(w.isdigit() for w in dw + iw):
        return "numbering"
    if len(dw) == len(iw) == 1:
        x, y = dw[0], iw[0]
        if noise.spelling_variant(x, y):
            return "variant"
        if len(x) >= 4 and noise.edit_distance_at_most(x, y, 2):
            return "typo"
    if not iw and len(dw) == 1 and (noise.words(before[-40:])[-1:] == dw or noise.words(after[:40])[:1] == dw):
        return "typo"  # a doubled word removed ("our our")
    line_before = before.rsplit("\n", 1)[-1]
    line_after = after.split("\n", 1)[0]
    if _SCREEN_READER.fullmatch((dels or ins).strip()) and not (dels and ins):
        return "link text"
    if (not dw or not iw) and _TOC.match((ins or dels).lstrip("\n")):
        return "table of contents"
    if (not dw and len(iw) == 1 and iw[0] in _FUNCTION_WORDS) or (
            not iw and len(dw) == 1 and dw[0] in _FUNCTION_WORDS):
        return "minor"

    # Whole lines added or removed that are page furniture.
    whole = (not line_before.strip() or (dels + ins).startswith("\n")) and (not line_after.strip() or (dels + ins).endswith("\n"))
    changed = [ln for ln in (dels if dw else ins).split("\n") if ln.strip()]
    if (not dw or not iw) and whole and changed and all(noise.is_chrome(ln) for ln in changed):
        return "chrome"
    # A sentence ending cut off (or restored): text missing at the end of a paragraph whose rest
    # does not end like a sentence.
    if (not dw or not iw) and (after.startswith("\n") or not after) and line_before.strip() \
            and not _SENTENCE_END.search(line_before):
        return "truncation"
    return None


def _grams(ws: list[str], n: int = 5) -> set[tuple[str, ...]]:
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


@lru_cache(maxsize=256)
def _text_grams(folded_text: str) -> frozenset[int]:
    ws = noise.words(folded_text)
    return frozenset(hash(tuple(ws[i:i + 5])) for i in range(len(ws) - 4))


def _gram_overlap(paragraphs: list[str], folded_text: str) -> float:
    """Share of the paragraphs' word 5-grams found in a text."""
    grams = {hash(g) for g in _grams(noise.words(" ".join(paragraphs)))}
    if not grams:
        return 0.0
    return len(grams & _text_grams(folded_text)) / len(grams)


def _seen_share(paragraphs: list[str], earlier: list[Version]) -> float:
    """Share of the paragraphs' 5-grams that some earlier version already had."""
    grams = {hash(g) for g in _grams(noise.words(" ".join(paragraphs)))}
    if not grams:
        return 0.0
    seen = set()
    for v in earlier:
        seen |= grams & _text_grams(noise.folded(v.text))
        if len(seen) == len(grams):
            break
    return len(seen) / len(grams)
