"""Version text → labelled AI clauses with exact evidence spans.

Pure: no I/O, no clock, deterministic.  The rules are data in ``clausewatch.clause_rules``; this
module only splits, masks and applies them, so every label can be explained by the rule name and
the quote that fired.

    text ─► split_passages ─► passage (+ lead-in context) ─► classify ─► Clause(labels, evidence)

Passages follow the gold splitting rule of ../shared/gold/GUIDELINES.md ("Splitting and
indexing"), so ``Clause.passage_index`` is the gold ``passage_index``.  A version text without any
blank line (a plain-text dump) is cut into sentences instead, since one passage would then be the
whole document; ``split_passages`` itself always follows the gold rule.

``extract_clauses`` returns one Clause per passage that has at least one label **or** was not
analysed (not English); analysed passages without labels are omitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import clause_rules as R
from .models import Clause, Evidence

# Version of the rules (clause_rules + the polarity/evidence logic here).  Bump it whenever a change
# can alter any label or evidence span: the store records it per version, and
# ``clausewatch reclassify`` recomputes clauses saved under an older one.
# 1 = rules of issue 5 as first committed; 2 = meaning families for LOSO misses (deferral as negation,
# ML analysis of content, data reaching other companies' AI, AI-feature input/output terms), evidence
# sentence choice (overlapping hits count once, examples and headings yield to the statement).
# 3 = 'help train our products/tools', 'improve our AI technologies' past the research veto.
# 4 = evidence: a TRAINS quote prefers the sentence stating the use of users' data, an AUTOMATED quote
# avoids training sentences; linked "[object](…)"; AI-feature and lead-in wording families (issue 5).
# 6 = held-out round 4 families: machine-learned, AI R&D as a use, permission-required reservations, AI vendors
# as recipients, anaphoric promises, 'prevent this', models that automatically decide, inferred interests,
# prompt ownership; an AI described inside a training statement is not an automated decision.
RULES_VERSION = 6

LABELS = (
    "TRAINS_ON_USER_DATA",
    "NO_TRAINING_PROMISE",
    "OPT_OUT_OFFERED",
    "THIRD_PARTY_AI",
    "SCRAPING_AI_RESTRICTION",
    "AI_FEATURE_TERMS",
    "AUTOMATED_DECISIONS",
)

# ---------------------------------------------------------------------------------------------
# Passage splitting (GUIDELINES.md "Splitting and indexing" 1–6)
# ---------------------------------------------------------------------------------------------

_BLANK = re.compile(r"[ \t]*\Z")  # a blank line holds only spaces/tabs (a no-break space is text)
_LIST_START = re.compile(r"[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+")
_ATX = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)?#{1,6}(?:[ \t]|\Z)")
_SETEXT = re.compile(r"[ \t]*(?:=+|-+)[ \t]*\Z")
_ALNUM = re.compile(r"[^\W_]")


def split_passages(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the passages of ``text``, as GUIDELINES.md "Splitting and indexing" defines them."""
    units: list[tuple[int, int]] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if not block:
            return
        if block[0][1].lstrip().startswith("|"):  # table: one unit per row line
            units.extend((o, o + len(line)) for o, line in block)
        else:  # cut before every list-item line; text before the first item is a unit too
            start = block[0][0]
            prev_end = start
            for o, line in block:
                if o != start and _LIST_START.match(line):
                    units.append((start, prev_end))
                    start = o
                prev_end = o + len(line)
            units.append((start, prev_end))
        block.clear()

    pos = 0
    for line in text.split("\n"):
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


def _has_blank_line(text: str) -> bool:
    return any(_BLANK.match(line) for line in text.strip().split("\n"))


# ---------------------------------------------------------------------------------------------
# Masking and sentences
# ---------------------------------------------------------------------------------------------

# Link targets, bare URLs, HTML line breaks and data: URIs are blanked with spaces of the same
# length, so regex offsets on the masked text are offsets into the real text (§18: "AI" in URLs).
_MASK = re.compile(
    r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)"  # ](target "title")
    r"|\bhttps?://[^\s)\]>]+"  # bare URL
    r"|\bdata:[\w/+.-]+;base64,[A-Za-z0-9+/=]+"
    r"|<br\s*/?>|&nbsp;"
    r"|\bwww\.[^\s)\]>]+"
    r"|\b[\w.+-]+@[\w-]+\.[\w.]+\b"
)


# _MASK can only match where one of these occurs (a cheap test first: most passages have no link)
_MASK_HINTS = ("](", "http", "data:", "<br", "&nbsp;", "www.", "@")


def _mask(text: str) -> str:
    if not any(map(text.__contains__, _MASK_HINTS)):
        return text

    def blank(m: re.Match) -> str:
        s = m.group(0)
        if s.startswith("]("):
            return "]" + " " * (len(s) - 1)
        if s.startswith("<br"):
            return "\n" + " " * (len(s) - 1)  # a line break: sentence boundary
        return " " * len(s)

    return _MASK.sub(blank, text)


# A sentence ends at . ! ? followed by space and something that starts a sentence, at a line
# break, at a table cell bar, or before an inline list marker / enumerator "(ii)".
_SENT_END = re.compile(
    r"(?<=[.!?])[\"”’')\]*_]*\s+(?=[\"“‘(\[*_]*[A-Z0-9•·])"
    r"|\s*\n\s*"
    r"|\s+\|\s+|^\|\s*|\s*\|$"
    r"|(?<=[;:])\s+(?=\((?:[ivx]{1,4}|[a-hA-H]|\d{1,2})\)\s)"
)


def _sentences(masked: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in _SENT_END.finditer(masked):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = max(pos, m.end())
    if pos < len(masked):
        out.append((pos, len(masked)))
    return [(s, e) for s, e in out if _ALNUM.search(masked[s:e])]


# ---------------------------------------------------------------------------------------------
# Rules compiled from clause_rules
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _weights() -> dict[str, float]:
    return {r.name: r.weight for r in R.ALL_RULES}


def _expand(pattern: str) -> str:
    for _ in range(6):  # vocabulary entries may reference each other
        new = re.sub(r"\{([A-Z_0-9]+)\}", lambda m: R.V[m.group(1)], pattern)
        if new == pattern:
            return new
        pattern = new
    return pattern


@dataclass(frozen=True)
class _Compiled:
    rule: R.Rule
    rx: re.Pattern
    unless: tuple[re.Pattern, ...]
    anchors: tuple[tuple[str, ...], tuple[str, ...]] | None  # (lower-case, case-sensitive); None = always try


def _anchors(words) -> frozenset[str] | None:
    if not words or not USE_ANCHORS:
        return None
    return frozenset(words)


def _anchored(anchors, low: str, raw: str) -> bool:
    if anchors is None:
        return True
    lw, cw = _split_anchors(anchors)
    return any(map(low.__contains__, lw)) or any(map(raw.__contains__, cw))


@lru_cache(maxsize=128)
def _split_anchors(anchors: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(lower-case words, case-sensitive words without their "=")."""
    return tuple(sorted(w for w in anchors if w[0] != "=")), tuple(sorted(w[1:] for w in anchors if w[0] == "="))


def _present(low: str, raw: str) -> frozenset[str]:
    """Which of all anchor words occur in a sentence (one pass; rules then test set overlap)."""
    lw, cw = _all_anchor_words()
    return frozenset([*filter(low.__contains__, lw), *("=" + w for w in filter(raw.__contains__, cw))])


@lru_cache(maxsize=1)
def _all_anchor_words() -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = {w for ws in R.ANCHORS.values() for w in ws}
    return tuple(sorted(w for w in words if w[0] != "=")), tuple(sorted(w[1:] for w in words if w[0] == "="))


# Switch the anchor/trigger pre-filters off (tests do, to prove they only save time).
USE_ANCHORS = True


def _compile(pattern: str, case: bool = False) -> re.Pattern:
    return re.compile(_expand(pattern), 0 if case else re.IGNORECASE)


@lru_cache(maxsize=1)
def _compiled():
    def comp(rules):
        return tuple(
            _Compiled(r, _compile(r.pattern, r.case), tuple(_compile(u) for u in r.unless), _anchors(R.ANCHORS.get(r.name)))
            for r in rules
        )

    return {
        "training": comp(R.TRAINING),
        "other": comp(R.PROMISE + R.OPT_OUT + R.THIRD_PARTY + R.SCRAPING + R.FEATURE + R.AUTOMATED),
        "flags": {k: (_compile(v), _anchors(R.FLAG_ANCHORS.get(k))) for k, v in R.FLAGS.items()},
        "neg": _compile(R.V["NEG"]),
        "cond": _compile(R.CONDITIONAL_NEG),
        "third_agent": _compile(R.THIRD_AGENT),
        "third_owned": _compile(R.THIRD_OWNED),
        "affiliate": _compile(R.V["AFFILIATE"]),
        "shared": _compile(R.SHARED_TO_OTHERS),
        "not_user_data": _compile(R.LEADIN_NOT_USER_DATA),
        "categories": _compile(R.LEADIN_DATA_CATEGORIES),
        "item_data": _compile(R.ITEM_USER_DATA),
        "ai_term": _compile(R.FLAGS["ai"]),
        "trigger": _anchors(R.TRIGGER),
        # a third party is the one training: "partners may use it to train", "AI partners, who use them to train"
        "agent": _compile(r"{THIRD}(?:[\s\-]+(?:[\w’']+[\s\-]+){0,3}?(?:may|can|could|will|would|might|so[\s\-]+that[\s\-]+it[\s\-]+can)|,?[\s\-]+(?:who|which)(?:[\s\-]+(?:also|then|may|can|will))?)\b[^.;]{0,120}$"),
        "agent_with": _compile(r"\bwith[\s\-]+{THIRD}[\s\-]+so[\s\-]+that[\s\-]+(?:it|they)[\s\-]+(?:can|may)\b"),
    }


# Clause breakers: a negation before one of these does not reach a mention after it.
_BREAK = re.compile(r"[;—–]|\b(?:but|however|instead|whereas|although|while)\b|\bnot\s+only\b", re.I)
# A negation "attaches" to using/training when one of these verbs follows within a few words.
_NEG_VERB = re.compile(
    r"^(?:\W+\w+){0,6}?\W+(?:use|used|uses|using|train|trained|training|develop|build|share|shared|improve|improved"
    r"|fine-tune|sell|appear|be)\b",
    re.I,
)
# The negation belongs to the user: a ban ("You may not use … to develop models"), not a promise.
_USER_BAN = re.compile(r"\b(?:you|users?|customers?|developers?)\b(?:[\s,]+\w+){0,2}[\s,]+(?:may|must|shall|will|agree|should|can)?\s*(?:not|n[’']t)\b|\bagree\s+not\b", re.I)
# A negation close before a label phrase: "We do not engage in profiling".
_NEAR_NEG = re.compile(r"\b(?:not|never|n[’']t|no)\b(?:\W+\w+){0,4}\W*$", re.I)
# A training mention followed by "is off / disabled (by default)" is negated (§11 defaults).
_OFF_AFTER = re.compile(r"\s*(?:is|are)\s+(?:turned\s+|switched\s+|kept\s+)?(?:off|disabled)\b", re.I)
# Weak AI_FEATURE_TERMS cues that say nothing new in a sentence about training (§16: "training (use
# the labels above)"): "will not use your Prompts to train", "Generative AI models used to create content".
# An AI that ai-used-to reads as deciding is, inside a training statement, often only the model being
# trained, described by what it powers (§17 "with no training claim"): "train machine learning models that
# power … answer ranking", "improve the machine learning technologies behind our recommendations".  Such a
# description (_DESCRIBED in the match) yields to the training statement; "train our algorithms to review
# content" states the automated review itself and stays.
_NOT_IN_TRAINING_SENTENCE = frozenset({"output-defined-term", "ai-generates-from-input", "ai-input-processing",
                                       "inputs-sent-to-ai-provider"})
_DESCRIBED_IN_TRAINING = frozenset({"ai-used-to"})
_DESCRIBED = re.compile(r"\b(?:that|which|behind|power(?:s|ing)?|enhanc\w*|such\s+as)\b", re.I)
_LIST_MARK = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)])\s+")
_WORD = re.compile(r"[^\W\d_]{2,}")


# ---------------------------------------------------------------------------------------------
# Language check: non-English passages are reported as not analysed, never silently skipped.
# ---------------------------------------------------------------------------------------------

_EN = frozenset(
    ["the", "and", "of", "to", "in", "we", "you", "your", "our", "is", "are", "for", "with", "that", "this", "or", "by", "on", "as", "be", "may", "use", "not", "it", "from", "will", "can", "any", "information", "data", "have", "at", "which", "an", "if", "such"]
)
_FOREIGN = {
    "fr": frozenset(["le", "la", "les", "des", "du", "et", "est", "vous", "nous", "pour", "dans", "une", "sur", "que", "qui", "avec", "votre", "vos", "ne", "pas"]),
    "de": frozenset(["der", "die", "das", "und", "ist", "sie", "wir", "für", "mit", "von", "zu", "den", "dem", "nicht", "ein", "eine", "auf", "ihre", "ihr", "oder"]),
    "es": frozenset(["el", "la", "los", "las", "de", "y", "que", "en", "para", "con", "por", "su", "sus", "una", "usted", "nuestros", "datos", "del", "se"]),
    "it": frozenset(["il", "di", "che", "e", "per", "con", "una", "della", "dei", "delle", "sono", "non", "gli", "dati", "nostro", "suoi"]),
    "pt": frozenset(["os", "as", "de", "e", "que", "em", "para", "com", "por", "sua", "seus", "uma", "você", "nossos", "dados", "do", "da", "não"]),
    "nl": frozenset(["de", "het", "een", "en", "van", "je", "uw", "wij", "we", "voor", "met", "zijn", "niet", "op", "dat", "deze", "gegevens"]),
}


_NON_LATIN = re.compile(r"[^\W\d_\u0000-\u024f]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def language_guess(passage: str) -> str | None:
    """'en', another two-letter code ('xx' = a non-Latin script), or None when too short to tell."""
    sample = passage[:1500]  # the start of a passage is enough to tell its language
    if not sample.isascii():
        other = len(_NON_LATIN.findall(sample))
        if other and other > len(_LATIN_LETTER.findall(sample)):  # Cyrillic, Greek, CJK, Arabic, Hebrew, Thai, …
            return "xx"
    if any(map(sample.__contains__, _MASK_HINTS)):
        sample = _MASK.sub(" ", sample)  # URL tokens ("do", "e", "de") are no language
    words = _WORD.findall(sample.lower())[:80]
    if len(words) < 4:
        return None
    other_words = [w for w in words if w not in _EN]
    en = len(words) - len(other_words)
    if len(other_words) <= en or len(other_words) < 3:
        return "en"  # no other language can score more than English (nor the 3 words it needs)
    best, score = None, 0
    for code, vocab in _FOREIGN.items():
        n = sum(map(vocab.__contains__, other_words))
        if n > score:
            best, score = code, n
    if score >= 3 and score > en:
        return best
    return "en"


# ---------------------------------------------------------------------------------------------
# Classification of one passage
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassageResult:
    """What the classifier says about one passage; spans are relative to the passage."""

    labels: tuple[str, ...]
    spans: tuple[tuple[str, int, int, str], ...]  # (label, start, end, rule name)
    analysed: bool = True
    note: str | None = None
    trains_mention: bool = False  # some training mention (any polarity): lets lead-ins inform items
    hits: tuple[tuple[str, int, int, str], ...] = ()  # every rule that fired, before one-per-label


def _is_title(masked: str, has_lead_in: bool = False) -> bool:
    body = _LIST_MARK.sub("", masked).strip()
    if has_lead_in and _LIST_MARK.match(masked) and not (body.startswith(("**", "__")) and body.endswith(("**", "__"))):
        return False  # a short item completes its lead-in ("* Evaluate individuals based on …")
    body = body.strip("*_").strip()
    if re.search(r"[.;:!?]\W*$", body):
        return False
    return len(_WORD.findall(body)) <= R.TITLE_MAX_WORDS


def _negated(sentence_prefix: str, c) -> tuple[bool, bool, int]:
    """(negated, conditional, offset of the negation in the prefix) for a mention after the prefix."""
    cut = 0
    for m in _BREAK.finditer(sentence_prefix):
        cut = m.end()
    clause = sentence_prefix[cut:]
    negs = [m for m in c["neg"].finditer(clause) if _NEG_VERB.match(clause[m.end():]) or m.end() >= len(clause) - 1]
    if not negs:
        return False, False, -1
    first = negs[0]
    if c["cond"].search(clause[: first.start()]):
        return False, True, cut + first.start()
    return True, False, cut + first.start()


def analyse_passage(passage: str, context: str = "") -> PassageResult:
    """Classify one passage; ``context`` is its lead-in text (previous paragraphs, heading), or ""."""
    lang = language_guess(passage)
    if lang not in (None, "en"):
        return PassageResult((), (), analysed=False, note=f"not analysed: language looks like '{lang}', not English")
    c = _compiled()
    low = passage.lower()
    if not _anchored(c["trigger"], low, passage) and not (context and _context_triggered(context)):
        return PassageResult((), ())  # no rule can fire (clause_rules.TRIGGER)
    masked = _mask(passage)
    if _is_title(masked, bool(context.strip())):
        return PassageResult((), ())
    mlow = masked.lower()
    flags = {k: _anchored(an, mlow, masked) and bool(rx.search(masked)) for k, (rx, an) in c["flags"].items()}
    sents = _sentences(masked)
    sent_low = [(masked[s:e], mlow[s:e]) for s, e in sents]
    present = [_present(lw, raw) for raw, lw in sent_low]
    spans: list[tuple[str, int, int, str]] = []

    # 1. training mentions, with polarity
    mentions = []
    # two passes: rules that need an AI word run once a model-training mention proves there is one
    # ("train our models" makes "turn off training" in the same passage about AI too).
    for pass_no in (0, 1):
        for si, (ss, _se) in enumerate(sents):
            sent = sent_low[si][0]
            here = present[si]
            for comp in c["training"]:
                if bool(comp.rule.needs) != bool(pass_no) or (comp.anchors is not None and here.isdisjoint(comp.anchors)):
                    continue
                if any(not flags.get(f, False) for f in comp.rule.needs):
                    continue
                if any(u.search(sent) for u in comp.unless):
                    continue
                for m in comp.rx.finditer(sent):
                    mentions.append((si, ss + m.start(), ss + m.end(), comp.rule.name))
        if mentions:
            flags["ai"] = True
    trains_mention = bool(mentions)
    training_sents = {m[0] for m in mentions}
    training_spans: list[tuple[int, int]] = []  # filled below: where training/promise/third-party spans lie
    for si, ms, me, name in mentions:
        ss, se = sents[si]
        prefix = masked[ss:ms]
        inner = masked[ms:me]
        neg, cond, neg_at = _negated(prefix, c)
        if neg and _USER_BAN.search(prefix[max(0, neg_at - 40) : neg_at + 12]):
            continue  # "you may not use … to develop models" is a ban on users (SCRAPING), not a promise
        if not neg and not cond:
            # negation inside a passive mention: "models are not trained on …"
            m_in = re.search(r"\b(?:is|are|was|were|be)(?:\s+not|n[’']t)\b|\bnever\b", inner, re.I)
            if m_in:
                neg, neg_at = True, ms - ss
        after = masked[me : min(se, me + 60)]
        if not neg and not cond and _OFF_AFTER.match(after):
            neg, neg_at = True, ms - ss  # "AI content training is off by default"
        owned = c["third_owned"].search(inner[-60:] + after) or re.search(
            r"\b(?:their|third[\s\-]+part(?:y|ies)[’']?|Microsoft[’']s)[\s\-]+(?:own[\s\-]+)?(?:[\w\-]+[\s\-]+){0,3}models?\b", inner
        )
        agent = c["agent"].search(prefix) or c["agent_with"].search(prefix + inner)
        if neg:
            spans.append(("NO_TRAINING_PROMISE", ss + neg_at, me, name))
            continue
        if owned or agent:
            spans.append(("THIRD_PARTY_AI", ms, me, name))
            who = (owned.group(0) if owned else "") + " " + (agent.group(0) if agent else "")
            if c["affiliate"].search(who):
                spans.append(("TRAINS_ON_USER_DATA", ms, me, name))
            continue
        spans.append(("TRAINS_ON_USER_DATA", ms, me, name))
        # content made available to other companies, with an example of training (Reddit 2024, §14)
        window = masked[sents[si - 1][0] if si else ss : me]
        if c["shared"].search(window):
            spans.append(("THIRD_PARTY_AI", ms, me, name + "+shared"))

    training_spans.extend((a, b) for _lb, a, b, _n in spans)
    ctx_result = None
    if context.strip():
        ctx_result = _analyse_cached(context)
    flags["training"] = trains_mention or bool(ctx_result and ctx_result.trains_mention)

    # 2. all other rules
    for si, (ss, _se) in enumerate(sents):
        sent = sent_low[si][0]
        here = present[si]
        for comp in c["other"]:
            r = comp.rule
            if (comp.anchors is not None and here.isdisjoint(comp.anchors)) or any(not flags.get(f, False) for f in r.needs):
                continue
            if any(u.search(sent) for u in comp.unless):
                continue
            m = comp.rx.search(sent)
            if not m:
                continue
            if r.label in ("AUTOMATED_DECISIONS", "THIRD_PARTY_AI") and _NEAR_NEG.search(sent[: m.start()]):
                continue  # a denial ("we do not engage in profiling") gets no label (§17)
            if (r.name in _NOT_IN_TRAINING_SENTENCE or (r.name in _DESCRIBED_IN_TRAINING and _DESCRIBED.search(m.group(0)))) and (
                si in training_sents and any(a < ss + m.end() and ss + m.start() < b for a, b in training_spans)
            ):
                continue  # "will not use your Prompts to train AI models" is about training (§16, §17: not this label)
            spans.append((r.label, ss + m.start(), ss + m.end(), r.name))

    # a ban on using the service/output to build models is SCRAPING only: the same words are then
    # neither a training statement nor an AI-output term (§15)
    bans = [(s, e) for lb, s, e, _ in spans if lb == "SCRAPING_AI_RESTRICTION"]
    if bans:
        spans = [
            sp
            for sp in spans
            if not (
                sp[0] in ("TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE", "AI_FEATURE_TERMS")
                and any(sp[1] < e and s < sp[2] for s, e in bans)
            )
        ]
    # a deferral ("we're delaying our change to the use of your information to develop AI") is the
    # promise; the training words inside it are what is *not* happening (§11)
    delays = [(s, e) for lb, s, e, name in spans if name == "delay-ai-use"]
    if delays:
        spans = [sp for sp in spans if not (sp[0] == "TRAINS_ON_USER_DATA" and any(sp[1] < e and s < sp[2] for s, e in delays))]
    labels = {s[0] for s in spans}

    # 3. lead-ins (§13): a list item completes the sentence or purpose that introduces it
    if ctx_result is not None and _LIST_MARK.match(passage) and c["not_user_data"].search(context):
        # "We get datasets from … research institutions. We use these datasets to: * Improve our AI
        # technologies" - outside datasets, not users' data
        spans = [sp for sp in spans if sp[0] != "TRAINS_ON_USER_DATA"]
        labels = {sp[0] for sp in spans}
    if ctx_result is not None and _LIST_MARK.match(passage):
        body_start = _LIST_MARK.match(passage).end()
        body = (body_start, len(passage.rstrip()))
        immediate = context.strip().split("\n\n")[-1]
        imm_colon = immediate.rstrip().rstrip("*_ ").endswith(":")
        imm = _analyse_cached(immediate) if imm_colon else None
        if (
            "TRAINS_ON_USER_DATA" in ctx_result.labels
            and "TRAINS_ON_USER_DATA" not in labels
            and "NO_TRAINING_PROMISE" not in labels
            and not c["not_user_data"].search(context)
        ):
            m = c["ai_term"].search(masked)
            if m:
                s0 = next((s for s in sents if s[0] <= m.start() < s[1]), body)
                spans.append(("TRAINS_ON_USER_DATA", max(s0[0], body[0]), s0[1], "lead-in:trains"))
            elif (imm is not None and "TRAINS_ON_USER_DATA" in imm.labels) or (
                c["categories"].search(context) and c["item_data"].search(masked)
            ):
                # "… to develop AI: * your posts", or a data category listed for a training purpose
                spans.append(("TRAINS_ON_USER_DATA", body[0], body[1], "lead-in:trains"))
        if imm is not None:
            # (AUTOMATED_DECISIONS is not inherited: the items of "we apply automated processing to:"
            # are ordinary purposes, and gold labels them by their own words.)
            for label in ("AI_FEATURE_TERMS", "NO_TRAINING_PROMISE", "SCRAPING_AI_RESTRICTION"):
                if label in imm.labels and label not in labels:
                    spans.append((label, body[0], body[1], "lead-in:" + label.lower()))
        labels = {s[0] for s in spans}

    # sentences holding a training statement: AUTOMATED_DECISIONS means "with no training claim" (§17),
    # so its quote prefers a sentence that says what the automation does over one about training it
    train_at = tuple(sp[1] for sp in spans if sp[0] in ("TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE"))
    out = [
        _evidence(passage, masked, sents, label, [sp for sp in spans if sp[0] == label], train_at)
        for label in sorted(labels)
    ]
    return PassageResult(tuple(sorted(labels)), tuple(out), trains_mention=trains_mention, hits=tuple(spans))


@lru_cache(maxsize=64)
def _context_triggered(context: str) -> bool:
    """Whether a lead-in holds a TRIGGER word; shared by every item of its list, so tested once."""
    return _anchored(_compiled()["trigger"], context.lower(), context)


@lru_cache(maxsize=256)
def _analyse_cached(text: str) -> PassageResult:
    """Lead-ins are shared by every item of their list: analyse each once."""
    return analyse_passage(text)


_EXAMPLE = re.compile(r"\W*(?:for\s+example|for\s+instance|e\.g\.|such\s+as)\b", re.I)
# "we (will / may) use / process / analyse <users' data>": the statement of the use, not a pointer to it
# ("for more information on the information used to …") nor an opt-out from it ("opt out of our use of …")
_DATA_USE = re.compile(
    r"\bwe(?:[’']ll|[\s\-]+(?:also|will|may|can|might|could|would))?[\s\-]+(?:use|process|analy[sz]e)\b{W3}[\s\-]+{DATA}"
    .replace("{W3}", R.V["W3"]).replace("{DATA}", R.V["DATA"]),
    re.I,
)
_MAX_QUOTE = 360  # a longer sentence is quoted as the matched clause only (tables run cells together)


def _evidence(passage, masked, sents, label, hits, train_at=()):
    """The quote for one label: the sentence that carries most evidence for it (issue 5: "the exact
    sentence that proves it"); the match itself when that sentence is very long.  ``train_at``:
    start offsets of training statements (an AUTOMATED_DECISIONS quote avoids their sentences)."""

    def sentence_of(h):
        return next(((s, e) for s, e in sents if s <= h[1] < e), (h[1], h[2]))

    scored = {}
    for h in hits:
        sent = sentence_of(h)
        rules, first = scored.get(sent, (set(), h))
        rules.add(h[3])
        scored[sent] = (rules, first)

    def key(item):
        (s, e), (rules, _first) = item
        words = len(_WORD.findall(masked[s:e]))
        # several rules matching the same words are one piece of evidence, not several: capped at 2
        weight = min(2.0, sum(_weights().get(r.split("+")[0], 1.0) for r in rules))
        # an example ("For example, using … to train …") illustrates; the general statement proves
        example = bool(_EXAMPLE.match(masked[s:e]))
        # TRAINS is about users' data: a sentence naming the data used ("use this information to
        # develop … AI models") proves it on its own; a lead-in ("We're always improving AI") does not
        if label == "TRAINS_ON_USER_DATA" and _DATA_USE.search(masked[s:e]):
            weight += 0.5
        # automated decisions carry no training claim (§17): a training sentence is the last choice
        training = label == "AUTOMATED_DECISIONS" and any(s <= t < e for t in train_at)
        return (example, training, -(weight + (0.5 if words >= 6 else 0)), s)

    (s, e), (_rules, first) = min(scored.items(), key=key)
    if first[3].startswith("lead-in:"):
        s, e = first[1], first[2]
    elif e - s > _MAX_QUOTE or not (s <= first[1] and first[2] <= e):
        hs = [h for h in hits if s <= h[1] < e] or [first]
        s, e = min(h[1] for h in hs), max(h[2] for h in hs)
        if e - s > _MAX_QUOTE:
            s, e = first[1], first[2]
    s, e = _trim(passage, s, e)
    return (label, s, e, first[3])


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t\n,;:":
        s += 1
    while e > s and text[e - 1] in " \t\n,;:":
        e -= 1
    return s, e


def classify_passage(passage: str, context: str = "") -> tuple[tuple[str, ...], tuple[tuple[str, int, int], ...]]:
    """Labels of one passage and, per label, an evidence span (label, start, end) relative to the passage."""
    r = analyse_passage(passage, context)
    return r.labels, tuple((lb, s, e) for lb, s, e, _ in r.spans)


# ---------------------------------------------------------------------------------------------
# Lead-in context and whole versions
# ---------------------------------------------------------------------------------------------

_LEADIN_PARAGRAPHS = 3  # non-item paragraphs read above a list item (Meta: purpose, label, title)
_LABEL_WORDS = 8  # a paragraph this short is a label/title, so the lead-in reading goes on above it


def lead_in_context(text: str, spans: list[tuple[int, int]], i: int) -> str:
    """The lead-in of passage ``i`` if it is a list item: up to 3 preceding non-item passages
    (nearest last), each separated by a blank line; "" for a passage that is not a list item."""
    return "\n\n".join(text[spans[j][0]:spans[j][1]] for j in reversed(lead_in_indices(text, spans, i)))


def lead_in_indices(text: str, spans: list[tuple[int, int]], i: int) -> list[int]:
    """The passages :func:`lead_in_context` reads for passage ``i``, nearest first ([] for a
    passage that is not a list item).  The change engine runs the extractor on windows of a text
    and needs each window to reach back this far."""
    s, e = spans[i]
    if not _LIST_MARK.match(text[s:e]):
        return []
    found: list[int] = []
    j = i - 1
    while j >= 0 and len(found) < _LEADIN_PARAGRAPHS and i - j <= 40:
        ps, pe = spans[j]
        p = text[ps:pe]
        if not _LIST_MARK.match(p):
            found.append(j)
            # read further up only past short labels ("**Legitimate interests relied on:**"); a
            # real sentence is the lead-in and paragraphs above it are other topics
            if len(_WORD.findall(_mask(p))) > _LABEL_WORDS:
                break
        j -= 1
    # "Information categories we use …:" names no purpose of its own: the purpose is the first real
    # sentence above it, past the list and short labels between ("Legitimate interests relied on:")
    if found and _categories_rx().search(text[spans[found[-1]][0]:spans[found[-1]][1]]):
        j -= 1
        while j >= 0 and i - j <= 40:
            p = text[spans[j][0] : spans[j][1]]
            if not _LIST_MARK.match(p) and len(_WORD.findall(_mask(p))) > _LABEL_WORDS:
                found.append(j)
                break
            j -= 1
    return found


@lru_cache(maxsize=1)
def _categories_rx() -> re.Pattern:
    return _compiled()["categories"]


def segments(text: str) -> list[tuple[int, int]]:
    """The passages ``extract_clauses`` reads: gold passages, or sentences when the text has no blank line."""
    spans = split_passages(text)
    if len(spans) <= 1 and not _has_blank_line(text) and len(text) > 2000:
        masked = _mask(text)
        out = []
        for s, e in _sentences(masked):
            s, e = _trim(text, s, e)
            if s < e:
                out.append((s, e))
        return out
    return spans


def extract_clauses(text: str) -> list[Clause]:
    """One Clause per passage that has labels or is not analysed; unlabelled analysed passages are omitted."""
    spans = segments(text)
    out = []
    for i, (s, e) in enumerate(spans):
        passage = text[s:e]
        r = analyse_passage(passage, lead_in_context(text, spans, i))
        if not r.analysed:
            out.append(Clause(i, s, e, passage, (), (), analysed=False, note=r.note))
        elif r.labels:
            evidence = tuple(Evidence(lb, s + a, s + b, text[s + a : s + b]) for lb, a, b, _ in r.spans)
            out.append(Clause(i, s, e, passage, r.labels, evidence))
    return out


def explain(passage: str, context: str = "") -> list[dict]:
    """Which rule gave each label, with its quote: for ``clausewatch clauses --format json`` and debugging."""
    r = analyse_passage(passage, context)
    return [{"label": lb, "rule": name, "quote": passage[s:e]} for lb, s, e, name in r.spans]
