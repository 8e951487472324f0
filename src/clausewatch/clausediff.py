"""AI clause deltas between two versions (pure): which labelled clauses were added, removed or
materially reworded, with old and new passage aligned by word similarity.

Used by :mod:`clausewatch.decide`.  The clause extractor runs on windows of the text (each changed
passage with the lead-in above it) rather than on whole versions, and its results are cached per
window: a replay compares each version with many others.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from . import noise
from .clauses import lead_in_indices
from .clauses import segments as clause_segments
from .compare import LABEL_ORDER, ChangeClass, ClauseDelta, ClauseExtractor, DeltaKind, change_labels
from .models import Clause, Version
from .normalize import decision_text
from .worddiff import EQUAL, word_diff
from .worddiff import similarity as word_similarity

C = ChangeClass

# A clause pair is one reworded clause above this word similarity.
PAIR_SIMILARITY = 0.5
# Words whose change makes a rewording of an AI clause material (CHANGES-NOTES.md rule 2).
_MATERIAL = re.compile(
    r"^(?:may|might|will|not|never|no|only|unless|without|except|consent\w*|opt\w*|object\w*|choos\w*|"
    r"train\w*|develop\w*|improv\w*|model\w*|ai|artificial|intelligence|machine|learning|generative|"
    r"third|parties|partner\w*|provider\w*|share\w*|sell\w*|licen[cs]\w*|public\w*|content|data|information|"
    r"personal|messages?|prompts?|inputs?|outputs?|chats?|mining|scrap\w*|default|settings?|off|on)$"
)


def _ai(clauses: Sequence[Clause]) -> list[Clause]:
    return [c for c in clauses if change_labels(c)]


@lru_cache(maxsize=32768)
def passage_key(text: str) -> str:
    """A passage's decision text, folded (not through noise.decision: passages would evict versions)."""
    return noise.fold(decision_text(text))


@lru_cache(maxsize=1024)
def segments(text: str) -> tuple[tuple[int, int], ...]:
    """The passages the clause extractor reads (``clauses.segments``), cached per text."""
    return tuple(clause_segments(text))


@lru_cache(maxsize=1024)
def _keys(text: str) -> tuple[str, ...]:
    return tuple(passage_key(text[s:e]) for s, e in segments(text))


# Passages worth running the clause extractor on even when unchanged: anything that might be an AI
# clause.  Only used to know which AI labels a version has at all, so it errs on the wide side.
AI_HINT = re.compile(
    r"\b(?:AI|A\.I\.|artificial intelligence|machine[- ]learning|models?|algorithm\w*|generative|train\w*|"
    r"LLMs?|data[- ]mining|chat ?bots?|prompts?|outputs?|neural|GPT|Gemini|Bard|Grok|Copilot|Sora|"
    r"automated|crawl\w*|scrap\w*)\b",
    re.I,
)
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
_LEADIN_BACK = 40  # passages read back for a list item's lead-in (clauses.lead_in_context reads ≤ 40)


def _hinted(text: str, indices: frozenset[int]) -> frozenset[int]:
    """The passages among ``indices`` that could be AI clauses: AI-looking wording in the passage,
    or, for a list item, in the lead-in above it (a Meta bullet "Public content you or others
    create or share" is an AI clause because of its lead-in)."""
    spans = segments(text)
    hint = _hint_flags(text)
    out = set()
    for i in indices:
        if hint[i] or _LIST_ITEM.match(text, spans[i][0]) and any(hint[max(0, i - 8):i]):
            out.add(i)
    return frozenset(out)


@lru_cache(maxsize=1024)
def _hint_flags(text: str) -> tuple[bool, ...]:
    return tuple(bool(AI_HINT.search(text, s, e)) for s, e in segments(text))


@lru_cache(maxsize=4096)
def _extract_piece(extract: ClauseExtractor, piece: str) -> tuple[Clause, ...]:
    return tuple(extract(piece))


def _labelled(text: str, want: frozenset[int], extract: ClauseExtractor) -> list[Clause]:
    """Clauses of the passages ``want`` (indices into ``segments(text)``), found by running the
    extractor on windows of the text (each passage with the lead-in above it) instead of the whole
    version: a Facebook privacy policy has ~1,500 passages and a change touches a few dozen."""
    spans = segments(text)
    if not want:
        return []
    ranges: list[list[int]] = []
    for i in sorted(want):
        # Back to the farthest passage the extractor reads as the lead-in (a Meta "Information
        # categories we use" list takes its purpose from a heading many passages up).
        j = min(lead_in_indices(text, spans, i), default=i)
        if ranges and j <= ranges[-1][1] + 1:
            ranges[-1][1] = max(ranges[-1][1], i)
        else:
            ranges.append([j, i])
    out: list[Clause] = []
    for a, b in ranges:
        piece_spans = spans[a:b + 1]
        offsets, pos = [], 0
        for s, e in piece_spans:
            offsets.append(pos)
            pos += (e - s) + 2
        piece = "\n\n".join(text[s:e] for s, e in piece_spans)
        for c in _extract_piece(extract, piece):
            k = bisect_right(offsets, c.start) - 1
            idx = a + k
            if k < 0 or idx not in want:
                continue
            s, e = spans[idx]
            shift = s - offsets[k]
            if text[c.start + shift:c.end + shift] != c.text:
                continue  # the window read the passage differently: skip rather than misplace
            out.append(replace(
                c, passage_index=idx, start=c.start + shift, end=c.end + shift,
                evidence=tuple(replace(ev, start=ev.start + shift, end=ev.end + shift) for ev in c.evidence),
            ))
    return out


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(len(a | b), 1)


def _best_match(text: str, candidates: list[tuple[str, tuple[int, int]]]):
    """The most similar candidate passage (word similarity), pre-filtered by word-set overlap."""
    ws = set(noise.words(text.casefold()))
    scored = sorted(((_jaccard(ws, set(noise.words(c[0].casefold()))), n) for n, c in enumerate(candidates)),
                    reverse=True)[:3]
    best, best_sim = None, 0.0
    for jac, n in scored:
        if jac < 0.2:  # under a fifth of the words shared: cannot reach PAIR_SIMILARITY, skip the diff
            break
        cand = candidates[n]
        sim = word_similarity(text, cand[0])
        if sim > best_sim:
            best, best_sim = cand, sim
    return best, best_sim


@lru_cache(maxsize=4096)
def loose(text: str) -> str:
    """Words only, single-spaced: punctuation (Oxford commas, apostrophes) does not make wording new."""
    return " ".join(noise.words(text))


_SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")


def _sentences(key: str) -> list[str]:
    return [x for x in (loose(m.group(0)) for m in _SENTENCE.finditer(key)) if x]


def _indent(text: str, start: int) -> int:
    line = text[text.rfind("\n", 0, start) + 1:start + 40]
    return len(line) - len(line.lstrip(" \t"))


def lead_in(text: str, span: tuple[int, int]) -> str:
    """The passage that introduces a list item (the sentence above the list, or the parent item of
    a nested one); "" for a passage that is not a list item."""
    spans = segments(text)
    i = bisect_right([s for s, _ in spans], span[0]) - 1
    if i < 0 or not _LIST_ITEM.match(text, spans[i][0]):
        return ""
    own = _indent(text, spans[i][0])
    for j in range(i - 1, max(-1, i - 1 - _LEADIN_BACK), -1):
        s, e = spans[j]
        if not _LIST_ITEM.match(text, s) or _indent(text, s) < own:
            return text[s:e]
    return ""


def _runs(diff) -> tuple[list[str], list[str]]:
    """The deleted and the inserted runs of a word diff, loose."""
    dels, ins = [], []
    for op, t in diff:
        if op != EQUAL and loose(t):
            (dels if op < 0 else ins).append(loose(t))
    return dels, ins


def _moved(run: str, other_runs: list[str], lead_from: str, lead_to: str) -> bool:
    """A run of qualifier words that moved rather than went: reinserted elsewhere in the same
    sentence, or taken into (out of) the lead-in that introduces the clause, with every material
    word of it now found there and the lead-in gaining some of its words ("Using … (where your
    consent is required)" under "Where you give your consent:" → "… ;" under "Where required, when
    you give your consent:")."""
    if run in other_runs and len(run.split()) >= 3:  # a lone "not" moved can change what is said
        return True
    if not lead_to or lead_from == lead_to:
        return False
    to_w, from_w = set(lead_to.split()), set(lead_from.split())
    words = run.split()
    material = [w for w in words if _MATERIAL.match(w)]
    return bool(material) and all(w in to_w for w in material) and bool((to_w - from_w) & set(words))


def _material(old_text: str, new_text: str, quotes: Sequence[str], old_lead: str = "", new_lead: str = "") -> bool:
    """Whether a rewording changes what an AI clause says (CHANGES-NOTES.md rule 2): only the
    sentences that carry the label's evidence count, and only changes of words that bear on what
    data, which AI purpose, who, or the user's choice (a link text "See here" → "Read our" is not).
    A qualifier that only moved (within the sentence, or between the clause and the lead-in of its
    list, ``old_lead`` / ``new_lead``) is not a change of what the clause says."""
    old_s, new_s = _sentences(passage_key(old_text)), _sentences(passage_key(new_text))
    loose_quotes = [loose(passage_key(q)) for q in quotes if q]
    old_lead, new_lead = loose(passage_key(old_lead)), loose(passage_key(new_lead))
    # The evidence sentences, and any other sentence that talks about AI (a clause often carries
    # more AI wording than its one evidence quote).
    focus = [x for x in new_s if any(q and q in x for q in loose_quotes) or AI_HINT.search(x)] or new_s
    old_set = set(old_s)
    changed = [x for x in focus if x not in old_set]
    if not changed:
        return False
    for sent in changed:
        twin = max(old_s, key=lambda o: _jaccard(set(sent.split()), set(o.split())), default="")
        diff = word_diff(twin, sent, semantic=True)
        words = [w for op, t in diff if op != EQUAL for w in t.split()]
        if len(words) >= 12 and not (old_lead or new_lead):
            return True
        dels, ins = _runs(diff)
        kept = [r for r in dels if not _moved(r, ins, old_lead, new_lead)]
        kept += [r for r in ins if not _moved(r, dels, new_lead, old_lead)]
        if any(_MATERIAL.match(w) for r in kept for w in r.split()):
            return True
        if len(words) >= 12 and sum(len(r.split()) for r in kept) >= 12:
            return True
    return False


def _quote(clause: Clause | None) -> str | None:
    """The evidence of the clause's most newsworthy label (what a summary quotes)."""
    if clause is None:
        return None
    if not clause.evidence:
        return clause.text[:200]
    rank = {lb: n for n, lb in enumerate(LABEL_ORDER)}
    return min(clause.evidence, key=lambda ev: rank.get(ev.label, len(rank))).quote


def _fewer(words: str, text: str, than: str) -> bool:
    """Whether ``words`` occur fewer times in ``text`` than in ``than`` (all loose texts)."""
    if not words:
        return False
    n = text.count(words)
    return n == 0 or n < than.count(words)


def _labels(c: Clause) -> tuple[str, ...]:
    return tuple(sorted(change_labels(c)))


def clause_deltas(base: Version, new: Version, earlier: list[Version], extract: ClauseExtractor,
                   old_f: str, new_f: str, ratio: float) -> tuple[tuple[ClauseDelta, ...], list[Clause], list[Clause]]:
    """(deltas, AI clauses of the old version, of the new one) — the clause lists cover changed
    passages and AI-looking ones, enough to tell which AI labels each version has."""
    old_spans, new_spans = segments(base.text), segments(new.text)
    old_keys, new_keys = _keys(base.text), _keys(new.text)
    old_set, new_set = set(old_keys), set(new_keys)
    old_changed = frozenset(i for i, k in enumerate(old_keys) if k not in new_set)
    new_changed = frozenset(i for i, k in enumerate(new_keys) if k not in old_set)
    old_ai = _ai(_labelled(base.text, _hinted(base.text, old_changed), extract))
    new_ai = _ai(_labelled(new.text, _hinted(new.text, new_changed), extract))
    old_l, new_l = loose(old_f), loose(new_f)
    # A clause went when its wording occurs fewer times than before, not only when it is nowhere:
    # a policy that lists "Public content you or others create or share" under the AI purpose for
    # adults and again for minors, and drops it for minors, still has the words once.  Counting
    # on the loose (words-only) text keeps punctuation and re-paragraphing from counting.
    gone = [c for c in old_ai if _fewer(loose(passage_key(c.text)), new_l, old_l)]
    came = [c for c in new_ai if _fewer(loose(passage_key(c.text)), old_l, new_l)]
    # AI wording that merely reappears identical to an earlier version is not an event (rule 2).
    if came:
        earlier_l = [loose(noise.folded(v.text)) for v in earlier]
        came = [c for c in came if all(_fewer(loose(passage_key(c.text)), f, new_l) for f in earlier_l)]
    if not gone and not came:
        return (), old_ai, new_ai
    # Which AI labels each version has at all (for ADDED / REMOVED / CHANGED): every AI-looking passage.
    old_ai = _ai(_labelled(base.text, _hinted(base.text, frozenset(range(len(old_spans)))), extract))
    new_ai = _ai(_labelled(new.text, _hinted(new.text, frozenset(range(len(new_spans)))), extract))
    # Candidates for alignment: every passage that changed on the other side, labelled or not.
    old_cands = [(base.text[s:e], (s, e)) for i, (s, e) in enumerate(old_spans) if i in old_changed]
    new_cands = [(new.text[s:e], (s, e)) for i, (s, e) in enumerate(new_spans) if i in new_changed]
    old_labels_at = {(c.start, c.end): _labels(c) for c in old_ai}
    new_labels_at = {(c.start, c.end): _labels(c) for c in new_ai}
    out: list[ClauseDelta] = []
    paired_old: set[tuple[int, int]] = set()
    for c in came:
        match, sim = _best_match(c.text, [x for x in old_cands if x[1] not in paired_old])
        labels = _labels(c)
        if match and sim >= PAIR_SIMILARITY:
            paired_old.add(match[1])
            old_labels = old_labels_at.get(match[1], ())
            if old_labels == labels and not _material(match[0], c.text, [e.quote for e in c.evidence],
                                                      lead_in(base.text, match[1]), lead_in(new.text, (c.start, c.end))):
                continue
            out.append(ClauseDelta(DeltaKind.REWORDED, tuple(sorted(set(labels) | set(old_labels))), match[0], c.text,
                                   match[1], (c.start, c.end), sim, _quote(c), word_diff(match[0], c.text)))
        else:
            out.append(ClauseDelta(DeltaKind.ADDED, labels, None, c.text, None, (c.start, c.end), 0.0, _quote(c)))
    new_ai_all = [(c.text, (c.start, c.end)) for c in new_ai]
    for c in gone:
        if (c.start, c.end) in paired_old:
            continue
        labels = _labels(c)
        match, sim = _best_match(c.text, [x for x in new_cands if x[1] not in new_labels_at])
        if match and sim >= PAIR_SIMILARITY:
            # AI wording taken out of a sentence that stays.
            out.append(ClauseDelta(DeltaKind.REWORDED, labels, c.text, match[0], (c.start, c.end), match[1], sim,
                                   _quote(c), word_diff(c.text, match[0])))
            continue
        if ratio < 0.75:
            # A page that showed two versions (announcement) keeps only the new one: the old clause
            # is superseded when a similar clause, already there before, stays.
            twin, tsim = _best_match(c.text, new_ai_all)
            if twin and tsim >= 0.6 and passage_key(twin[0]) in old_f:
                continue
        out.append(ClauseDelta(DeltaKind.REMOVED, labels, c.text, None, (c.start, c.end), None, 0.0, _quote(c)))
    return tuple(out), old_ai, new_ai


def is_blip(deltas: tuple[ClauseDelta, ...], before: Version) -> bool:
    """Every delta undoes wording that appeared in the last version only: the version before it had
    none of the old sides and all of the new sides (a preview shown for one capture, then gone)."""
    if any(d.kind is DeltaKind.ADDED for d in deltas):
        return False
    before_l = loose(noise.folded(before.text))
    return all(loose(passage_key(d.old_text)) not in before_l for d in deltas if d.old_text) and all(
        loose(passage_key(d.new_text)) in before_l for d in deltas if d.new_text)


def ai_class(deltas: tuple[ClauseDelta, ...], old_ai: list[Clause], new_ai: list[Clause]) -> ChangeClass:
    kinds = {d.kind for d in deltas}
    old_labels = {lb for c in old_ai for lb in change_labels(c)}
    new_labels = {lb for c in new_ai for lb in change_labels(c)}
    if not old_ai:
        return C.AI_CLAUSE_ADDED
    if not new_ai:
        return C.AI_CLAUSE_REMOVED
    if kinds == {DeltaKind.ADDED}:
        return C.AI_CLAUSE_ADDED
    if kinds == {DeltaKind.REMOVED}:
        gone = {lb for d in deltas for lb in d.labels}
        return C.AI_CLAUSE_REMOVED if gone - new_labels else C.AI_CLAUSE_CHANGED
    fresh = {lb for d in deltas if d.kind is not DeltaKind.REMOVED for lb in d.labels} & (new_labels - old_labels)
    return C.AI_CLAUSE_ADDED if fresh else C.AI_CLAUSE_CHANGED


def ai_reason(deltas: tuple[ClauseDelta, ...]) -> str:
    n = Counter(d.kind for d in deltas)
    parts = [f"{n[k]} AI clause{'s' if n[k] > 1 else ''} {k}" for k in DeltaKind if n[k]]
    labels = sorted({lb for d in deltas for lb in d.labels})
    return f"{', '.join(parts)} ({', '.join(labels)}); wording not seen in earlier versions"
