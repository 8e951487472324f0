"""The change engine on real version pairs, one test (at least) per class.

Pairs come from ../shared/corpus (Open Terms Archive contributors, ODC-BY 1.0) and are replayed the
way ``clausewatch eval changes`` replays them: the stored history up to the old version, then the
new one.  The small inline excerpts are quoted from the same corpus (Open Terms Archive contributors).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from clausewatch.changes_eval import Corpus, load_gold, replay
from clausewatch.compare import ChangeClass, DeltaKind, Severity, compare
from clausewatch.models import Clause, Evidence, Version
from clausewatch.normalize import decision_hash

C = ChangeClass


_GOLD: dict[str, dict] = {}


def _decide(corpus, gold_id: str):
    """compare() on the pair a gold record names (../shared/gold/changes-dev.jsonl)."""
    if not _GOLD:
        path = corpus.parent / "gold" / "changes-dev.jsonl"
        if not path.exists():
            pytest.skip(f"gold file missing: {path}")
        _GOLD.update({r["id"]: r for r in load_gold(path)})
    rec = _GOLD.get(gold_id)
    if rec is None:
        pytest.skip(f"gold record missing: {gold_id}")
    previous, version = Corpus(corpus).versions_for(rec["old"], rec["new"])
    change = compare(previous, version, name=f"{rec['service']} {rec['doc_type']}")
    assert change is not None
    return change


def test_ai_clause_added_linkedin_training(corpus):
    ch = _decide(corpus, "LinkedIn/Privacy Policy/2024-09-19T06-10-13Z")
    assert ch.cls is C.AI_CLAUSE_ADDED and ch.alert and ch.severity is Severity.HIGH
    assert ch.summary.startswith("LinkedIn Privacy Policy now says it may use your data to develop and train AI models")
    # The reworded sentence is one aligned pair, not a delete plus an add.
    training = [d for d in ch.deltas if "TRAINS_ON_USER_DATA" in d.labels]
    assert len(training) == 1 and training[0].kind is DeltaKind.REWORDED
    assert "develop and train artificial intelligence (AI) models" in training[0].new_text
    assert "We use the data that we have about you" in training[0].old_text
    assert training[0].similarity > 0.5


def test_ai_clause_changed_google_language_models_to_ai_models(corpus):
    ch = _decide(corpus, "Google/Privacy Policy/2023-06-29T18-34-22Z")
    assert ch.cls is C.AI_CLAUSE_CHANGED and ch.alert
    d = next(d for d in ch.deltas if d.kind is DeltaKind.REWORDED)
    assert "train Google’s language models" in d.old_text and "train Google’s AI models" in d.new_text


def test_ai_clause_removed_discord_data_mining_ban(corpus):
    ch = _decide(corpus, "Discord/Terms of Service/2022-12-01T09-32-51Z")
    assert ch.cls is C.AI_CLAUSE_REMOVED and ch.alert
    assert any(d.kind is DeltaKind.REMOVED and "SCRAPING_AI_RESTRICTION" in d.labels for d in ch.deltas)
    assert ch.summary.startswith("Discord Terms of Service no longer says")


def test_substantive_other_contact_address(corpus):
    ch = _decide(corpus, "Discord/Terms of Service/2025-09-27T06-06-35Z")
    assert ch.cls is C.SUBSTANTIVE_OTHER and not ch.alert and ch.digest
    assert ch.deltas == () and ch.severity is Severity.LOW


def test_noise_formatting_doubled_word(corpus):
    ch = _decide(corpus, "Reddit/Terms of Service/2025-01-14T18-12-04Z")
    assert ch.cls is C.NOISE_FORMATTING and not ch.alert and not ch.digest
    assert "typo" in ch.reason


def test_noise_repeat_names_the_earlier_date(corpus):
    ch = _decide(corpus, "Facebook/Terms of Service/2022-08-09T12-30-14Z")
    assert ch.cls is C.NOISE_REPEAT and not ch.alert
    assert ch.repeat_of is not None and ch.reason == f"back to the text of {ch.repeat_of[:10]}"
    assert "back to the text of" in ch.summary


def test_noise_extraction_truncated_sentence_endings(corpus):
    ch = _decide(corpus, "LinkedIn/Privacy Policy/2022-11-04T06-36-54Z")
    assert ch.cls is C.NOISE_EXTRACTION and "truncated" in ch.reason


def test_noise_extraction_email_placeholder(corpus):
    ch = _decide(corpus, "Twitter/Terms of Service/2025-03-10T18-18-16Z")
    assert ch.cls is C.NOISE_EXTRACTION and "placeholder" in ch.reason


def test_noise_extraction_reextracted_capture(corpus):
    # The manifest marks this version a technical upgrade: the replay gives it the capture id of the
    # version before it, and compare re-baselines.
    ch = _decide(corpus, "LinkedIn/Privacy Policy/2022-09-20T15-22-00Z")
    assert ch.cls is C.NOISE_EXTRACTION and "re-extracted" in ch.reason


def test_popups_not_captured_are_not_an_ai_removal(corpus):
    # Same policy (effective Jan 1, 2023), the "learn more" pop-ups with the AI examples not captured.
    ch = _decide(corpus, "Facebook/Privacy Policy/2023-01-01T00-30-18Z")
    assert ch.cls is C.NOISE_EXTRACTION and not ch.alert


def test_announcement_end_is_substantive_not_noise(corpus):
    # X showed the upcoming and the current policy on one page; now only the new one.
    ch = _decide(corpus, "X/Privacy Policy/2024-11-16T00-38-49Z")
    assert ch.cls is C.SUBSTANTIVE_OTHER and not ch.alert



def test_damaged_reextraction_with_new_date_is_noise_not_a_tdm_removal(corpus):
    # A technical upgrade that also carries the 1 Jan 2025 terms, but strips link texts ("the Terms,
    # the , or") and drops the prohibitions list with the data-mining ban: a damaged capture.
    ch = _decide(corpus, "Facebook/Terms of Service/2025-02-24T12-30-59Z")
    assert ch.cls is C.NOISE_EXTRACTION and "damaged" in ch.reason and not ch.alert


def test_consent_qualifier_moved_into_the_list_heading_is_not_an_ai_change(corpus):
    ch = _decide(corpus, "Adobe/Privacy Policy/2020-12-15T12-52-54Z")
    assert ch.cls is C.SUBSTANTIVE_OTHER and not ch.alert

def test_item_dropped_from_one_of_two_identical_ai_lists_is_an_ai_change(corpus):
    # Meta lists "Public content you or others create or share" under "Developing and improving AI
    # at Meta" for adults and again for minors; the minors' list loses it, the adults' keeps it.
    ch = _decide(corpus, "Instagram/Privacy Policy/2026-04-14T00-39-25Z")
    assert ch.cls is C.AI_CLAUSE_CHANGED and ch.alert
    gone = [d for d in ch.deltas if d.kind is DeltaKind.REMOVED]
    assert len(gone) == 1 and "Public content" in gone[0].old_text
    assert "TRAINS_ON_USER_DATA" in gone[0].labels


def test_removed_model_trained_on_employee_feedback_is_an_ai_removal(corpus):
    # The clause gold labels Glint's NLP "trained specifically on employee feedback" AUTOMATED_DECISIONS;
    # its removal is still AI text leaving (CHANGES-NOTES.md rule 1: training AI with people's data).
    ch = _decide(corpus, "LinkedIn/Terms of Service/2026-02-02T00-42-17Z")
    assert ch.cls is C.AI_CLAUSE_REMOVED and ch.alert
    assert any(d.kind is DeltaKind.REMOVED and "trained specifically on employee feedback" in d.old_text
               for d in ch.deltas)


def test_detecting_ai_generated_likeness_abuse_is_not_an_ai_clause(corpus):
    ch = _decide(corpus, "Google/Privacy Policy/2026-04-02T12-40-21Z")
    assert ch.cls is C.SUBSTANTIVE_OTHER and not ch.alert and ch.deltas == ()


# --- without the corpus: small excerpts (Open Terms Archive contributors) -------------------------

_OLD = """# Privacy Policy

Effective July 31, 2024

How we use your personal data will depend on which Services you use. We use the data that we have about you to provide and personalize our Services.

We use your data to authorize access to our Services and honor your settings.

It is your choice whether to invite someone to our Services, send a connection request, or allow another Member to become your connection. When you invite someone to connect with you, your invitation will include your network and basic profile information (e.g., name, profile photo, job title, region). We will send invitation reminders to the person you invited.

Visitors have choices about how we use their data.
"""
_NEW = _OLD.replace("July 31, 2024", "September 18, 2024").replace(
    "We use the data that we have about you to provide",
    "We may use your personal data to develop and train artificial intelligence (AI) models, and to provide")


def _v(i: int, text: str, day: int) -> Version:
    return Version(id=i, document_id="doc", captured_at=datetime(2024, 9, day, tzinfo=UTC), text=text,
                   decision_hash=decision_hash(text))


def _stub_extract(text: str) -> list[Clause]:
    """A stand-in extractor: one label for passages that say 'train … models'."""
    out = []
    pos = 0
    for i, para in enumerate(text.split("\n\n")):
        m = re.search(r"train\w*[^.]*models", para)
        if m:
            out.append(Clause(i, pos, pos + len(para), para, ("TRAINS_ON_USER_DATA",),
                              (Evidence("TRAINS_ON_USER_DATA", pos + m.start(), pos + m.end(), m.group(0)),)))
        pos += len(para) + 2
    return out


def test_first_version_has_nothing_to_compare():
    assert compare([], _v(1, _OLD, 1)) is None


def test_added_clause_with_injected_extractor_and_ids():
    ch = compare([_v(1, _OLD, 1)], _v(2, _NEW, 2), extract=_stub_extract, name="LinkedIn Privacy Policy")
    assert ch.cls is C.AI_CLAUSE_ADDED
    assert (ch.old_version_id, ch.new_version_id) == (1, 2)
    assert ch.summary.startswith("LinkedIn Privacy Policy now says it may use your data to develop and train AI models")
    assert ch.diff and any(op == 1 and "train" in t for op, t in ch.diff)


def test_same_decision_text_is_formatting_and_back_is_repeat():
    linked = _OLD.replace("honor your settings", "honor your [settings](https://example.com/s?utm=1)")
    ch = compare([_v(1, _OLD, 1)], _v(2, linked, 2), extract=_stub_extract)
    assert ch.cls is C.NOISE_FORMATTING
    flip = compare([_v(1, _OLD, 1), _v(2, _NEW, 2)], _v(3, _OLD, 3), extract=_stub_extract)
    assert flip.cls is C.NOISE_REPEAT and flip.reason == "back to the text of 2024-09-01" and not flip.alert


def test_ai_sentence_reappearing_from_an_earlier_version_is_not_an_ai_event():
    # v1 has the training sentence, v2 lost it in a broken capture of that paragraph, v3 has it again.
    broken = _NEW.replace("We may use your personal data to develop and train artificial intelligence (AI) models, "
                          "and to provide and personalize our Services.", "We may use your personal data.")
    ch = compare([_v(1, _NEW, 1), _v(2, broken, 2)], _v(3, _NEW.replace("honor", "respect"), 3),
                 extract=_stub_extract)
    assert ch.cls is C.SUBSTANTIVE_OTHER and not ch.alert


_LIST = """# Privacy Policy

Effective July 31, 2024

We process your information on these legal bases.

* Where you give us your consent:
    * Sending you marketing e-mails;
    * Using automated systems to analyze your content using techniques such as machine learning to train our models (where your consent is required);

Visitors have choices about how we use their data. We describe those choices in the sections below, with links to the settings that apply to each of our Services and the help pages that explain them.
"""


def test_qualifier_moved_into_the_lead_in_is_not_material_but_dropped_is():
    moved = _LIST.replace("* Where you give us your consent:", "* Where required, when you give us your consent:").replace(
        "Using automated systems to analyze your content", "Analyzing your content").replace(
        " (where your consent is required);", ";")
    ch = compare([_v(1, _LIST, 1)], _v(2, moved, 2), extract=_stub_extract)
    assert ch.cls is C.SUBSTANTIVE_OTHER and not ch.alert
    dropped = _LIST.replace(" (where your consent is required);", ";")
    ch = compare([_v(1, _LIST, 1)], _v(2, dropped, 2), extract=_stub_extract)
    assert ch.cls is C.AI_CLAUSE_CHANGED and ch.alert


_TWO_LISTS = """# Privacy Policy

Developing AI for adults

We use the following information to develop and train our AI models:

* Public content you create or share, like posts or comments
* Your messages with our AI assistant

Developing AI for teenagers

We use the following information to develop and train our AI models:

* Public content you create or share, like posts or comments.
* Your messages with our AI assistant.

Visitors have choices about how we use their data. We describe those choices in the sections below.
"""


def _lead_in_extract(text: str) -> list[Clause]:
    """A stand-in extractor that, like the real one, labels list items by the lead-in above them."""
    out, pos, under_ai = [], 0, False
    for i, para in enumerate(text.split("\n\n")):
        if not para.startswith("* "):
            under_ai = "train our AI models" in para
        elif under_ai:
            out.append(Clause(i, pos, pos + len(para), para, ("TRAINS_ON_USER_DATA",),
                              (Evidence("TRAINS_ON_USER_DATA", pos, pos + len(para), para),)))
        pos += len(para) + 2
    return out


def test_an_item_gone_from_one_list_counts_though_its_words_stay_in_another():
    dropped = _TWO_LISTS.replace("* Public content you create or share, like posts or comments.\n", "")
    ch = compare([_v(1, _TWO_LISTS, 1)], _v(2, dropped, 2), extract=_lead_in_extract)
    assert ch.cls is C.AI_CLAUSE_CHANGED and ch.alert
    assert [d.kind for d in ch.deltas] == [DeltaKind.REMOVED]
    # Punctuation alone (the final periods) is still not a clause change.
    ch = compare([_v(1, _TWO_LISTS, 1)], _v(2, _TWO_LISTS.replace("comments.", "comments"), 2),
                 extract=_lead_in_extract)
    assert not ch.alert


def test_much_shorter_capture_is_suspect_not_a_removal():
    short = "# Privacy Policy\n\nLoading…\n"
    ch = compare([_v(1, _NEW, 1)], _v(2, short, 2), extract=_stub_extract)
    assert ch.cls is C.NOISE_EXTRACTION and "broken" in ch.reason and not ch.alert


# --- the replay on a fixed subset: floors pinned so regressions fail --------------------------------

SUBSET = ("LinkedIn/Privacy Policy", "Reddit/", "Discord/", "Google/Terms of Service", "X/")


def test_replay_floors_on_fixed_subset(corpus):
    gold_path = corpus.parent / "gold" / "changes-dev.jsonl"
    if not gold_path.exists():
        pytest.skip(f"gold file missing: {gold_path}")
    gold = [r for r in load_gold(gold_path) if r["id"].startswith(SUBSET)]
    score = replay(gold, corpus).as_json()
    assert score["pairs"] == len(gold) > 60
    assert score["alert_recall"] == 1.0
    assert score["noise_alerts"] == 0
    assert score["alert_precision"] >= 0.9
    assert score["class_accuracy"] >= 0.85


def test_automated_decisions_count_for_alerts_only_when_a_model_is_trained_on_data():
    from clausewatch.compare import change_labels

    def clause(text: str, labels: tuple[str, ...]) -> Clause:
        return Clause(0, 0, len(text), text, labels, ())

    trained_on = clause("Comment analytics using NLP that is trained specifically on employee feedback.",
                        ("AUTOMATED_DECISIONS",))
    spam = clause("We use machine learning models trained to detect spam and abuse.", ("AUTOMATED_DECISIONS",))
    assert change_labels(trained_on) == {"AUTOMATED_DECISIONS"}
    assert change_labels(spam) == frozenset()
    assert change_labels(clause("We use your posts to train our AI models.", ("TRAINS_ON_USER_DATA",))) == {
        "TRAINS_ON_USER_DATA"}


def test_another_edition_with_the_same_stated_date_is_extraction_noise_not_an_ai_removal():
    # Meta served the tracker two editions of the Instagram policy, both "Effective June 16, 2025":
    # one with the AI-at-Meta legal-basis table (13,685 words), one without (6,373).
    topics = ["account", "ads", "safety", "research", "payments", "messages", "location", "cookies", "partners", "law"]
    filler = [f"We use information about {t} to run the {t} features, to keep them secure and to explain how the "
              f"{t} settings work for people in each region where we offer them today." for t in topics]
    ai = ["We may use your posts and comments to develop and train our AI models.",
          "Develop and improve AI for our products and for third parties, using public content you share."]
    full = "# Privacy Policy\n\nEffective June 16, 2025\n\n" + "\n\n".join(filler + ai + filler[::-1]) + "\n"
    edition = "# Privacy Policy\n\nEffective June 16, 2025\n\n" + "\n\n".join(filler[:9]) + "\n"
    ch = compare([_v(1, full, 1)], _v(2, edition, 2), extract=_stub_extract)
    assert ch.cls is C.NOISE_EXTRACTION and "another edition" in ch.reason and not ch.alert
    # A new stated date makes the same cut a change to judge on its content.
    dated = edition.replace("June 16, 2025", "September 1, 2025")
    assert not compare([_v(1, full, 1)], _v(2, dated, 2), extract=_stub_extract).cls.is_noise


def test_possessive_restyled_is_punctuation():
    text = _OLD.replace("honor your settings", "honor your business's settings")
    ch = compare([_v(1, text, 1)], _v(2, text.replace("business's", "business'"), 2), extract=_stub_extract)
    assert ch.cls is C.NOISE_FORMATTING and "punctuation" in ch.reason


def test_a_link_label_dropped_all_over_the_page_is_not_wording():
    # Facebook 2025-02-26: the "Facebook Help Center" source label after each related link went.
    links = ["How to manage your feed", "How to remove a tag", "How to make an account private",
             "How to manage apps and websites"]
    old = _OLD + "\n" + "\n\n".join(f"{t} Facebook Help Center" for t in links) + "\n"
    new = _OLD + "\n" + "\n\n".join(links) + "\n"
    ch = compare([_v(1, old, 1)], _v(2, new, 2), extract=_stub_extract)
    assert ch.cls.is_noise and "link labels" in ch.reason and not ch.digest
    # Dropped once, the same words are not a repeated label (read on their own merits instead).
    once = old.replace("How to remove a tag Facebook Help Center", "How to remove a tag")
    assert "link labels" not in compare([_v(1, old, 1)], _v(2, once, 2), extract=_stub_extract).reason
