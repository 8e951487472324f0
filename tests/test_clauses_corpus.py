"""Clause extraction on real policy histories, on the seeds' quotes, floors on gold data, and the CLI.

The corpus (../shared/corpus, Open Terms Archive contributors, ODC-BY 1.0) and the gold file are
read in place beside the repository; tests skip with a reason when they are missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausewatch.clauses import classify_passage, extract_clauses
from clausewatch.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold" / "clauses-dev.jsonl"


def version(rel: str) -> str:
    path = CORPUS / "ota" / rel
    if not path.is_file():
        pytest.skip(f"corpus file missing: {path} (the corpus lives in ../shared beside the repository)")
    return path.read_text(encoding="utf-8")


def labels_of(text: str) -> set[str]:
    return {label for c in extract_clauses(text) for label in c.labels}


def quotes(text: str, label: str) -> list[str]:
    return [e.quote for c in extract_clauses(text) for e in c.evidence if e.label == label]


# --- real events --------------------------------------------------------------------------------


def test_linkedin_2024_09_gains_training_where_2024_08_has_none():
    before = version("LinkedIn/Privacy Policy/2024-08-01T18-10-11Z.md")
    after = version("LinkedIn/Privacy Policy/2024-09-19T06-10-13Z.md")
    assert "TRAINS_ON_USER_DATA" not in labels_of(before)
    got = quotes(after, "TRAINS_ON_USER_DATA")
    assert any("develop and train artificial intelligence (AI) models" in q for q in got)
    for c in extract_clauses(after):  # evidence offsets point into the version text
        for e in c.evidence:
            assert after[e.start : e.end] == e.quote


def test_twitter_2023_08_privacy_policy_starts_training_on_collected_information():
    before = version("Twitter/Privacy Policy/2023-05-18T18-43-58Z.md")
    after = version("Twitter/Privacy Policy/2023-08-23T03-41-34Z.md")
    assert "TRAINS_ON_USER_DATA" not in labels_of(before)
    assert any("machine learning or artificial intelligence models" in q for q in quotes(after, "TRAINS_ON_USER_DATA"))


def test_x_2024_10_privacy_policy_lets_third_party_collaborators_train_unless_you_opt_out():
    before = version("X/Privacy Policy/2024-07-25T00-35-45Z.md")
    after = version("X/Privacy Policy/2024-10-17T00-36-53Z.md")
    assert "THIRD_PARTY_AI" not in labels_of(before)
    hits = [c for c in extract_clauses(after) if "THIRD_PARTY_AI" in c.labels]
    assert any("OPT_OUT_OFFERED" in c.labels and "train their artificial intelligence models" in c.text for c in hits)


def test_reddit_2024_08_licence_covers_ai_training_by_partners():
    before = version("Reddit/Terms of Service/2024-02-15T18-39-45Z.md")
    after = version("Reddit/Terms of Service/2024-08-16T18-13-33Z.md")
    assert not {"TRAINS_ON_USER_DATA", "THIRD_PARTY_AI"} & labels_of(before)
    found = [c for c in extract_clauses(after) if "THIRD_PARTY_AI" in c.labels]
    assert found  # the licence appears twice in this capture (two regional copies)
    for clause in found:
        assert "TRAINS_ON_USER_DATA" in clause.labels
        assert any("train AI and machine learning models" in e.quote for e in clause.evidence)


def test_google_2023_07_privacy_policy_names_ai_models_and_bard():
    before = version("Google/Privacy Policy/2023-01-19T06-43-23Z.md")
    after = version("Google/Privacy Policy/2023-06-29T18-34-22Z.md")
    assert any("language models" in q for q in quotes(before, "TRAINS_ON_USER_DATA"))
    assert not any("Google’s AI models" in q for q in quotes(before, "TRAINS_ON_USER_DATA"))
    assert any("Google’s AI models" in q for q in quotes(after, "TRAINS_ON_USER_DATA"))


def test_meta_instagram_2024_08_delays_ai_training_then_2025_04_starts_with_objection_right():
    delayed = version("Instagram/Privacy Policy/2024-08-16T12-31-14Z.md")
    started = version("Instagram/Privacy Policy/2025-04-15T00-31-37Z.md")
    (notice,) = [c for c in extract_clauses(delayed) if c.passage_index == 0]
    assert set(notice.labels) == {"NO_TRAINING_PROMISE", "OPT_OUT_OFFERED"}
    (notice,) = [c for c in extract_clauses(started) if c.passage_index == 0]
    assert set(notice.labels) == {"TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE", "OPT_OUT_OFFERED"}


def test_facebook_2022_07_26_terms_add_a_text_and_data_mining_reservation():
    before = version("Facebook/Terms of Service/2022-07-25T18-30-14Z.md")
    after = version("Facebook/Terms of Service/2022-07-26T18-30-14Z.md")
    assert "SCRAPING_AI_RESTRICTION" not in labels_of(before)
    assert "We also reserve all of our rights against text and data mining." in quotes(after, "SCRAPING_AI_RESTRICTION")


# --- Slack and Adobe, as quoted in the seeds file -------------------------------------------------

SLACK_2023 = ("Machine Learning (ML) and Artificial Intelligence (AI) are useful tools that we use in limited ways to "
              "enhance our product mission. To develop AI/ML models, our systems analyze Customer Data (e.g. messages, "
              "content, and files) submitted to Slack as well as other information (including usage information) as "
              "defined in our privacy policy and in your customer agreement.")
SLACK_2024 = "We do not develop LLMs or other generative models using customer data."
ADOBE_PROMISE = "We’ve never trained generative AI on customer content."
ADOBE_LICENCE = ("Solely for the purpose of operating or improving the Services and Software, you grant us a "
                 "non-exclusive, worldwide, royalty-free sublicensable, license, to use, reproduce, publicly display, "
                 "distribute, modify, create derivative works based on, publicly perform, and translate the Content.")


def _seed_has(sentence_start: str) -> None:
    seed = SHARED / "seeds" / "000_2d247e9a7906eb4f.txt"
    if seed.is_file():  # the sentences above are copied from it; check they still are
        assert sentence_start in seed.read_text(encoding="utf-8")


def test_slack_privacy_principles_train_on_customer_data():
    _seed_has("To develop AI/ML models, our systems analyze Customer Data")
    got, spans = classify_passage(SLACK_2023)
    assert "TRAINS_ON_USER_DATA" in got
    (span,) = [s for s in spans if s[0] == "TRAINS_ON_USER_DATA"]
    assert "develop AI/ML models" in SLACK_2023[span[1] : span[2]]


def test_slack_may_2024_promise():
    _seed_has("develop LLMs or other generative models using customer data")
    assert classify_passage(SLACK_2024)[0] == ("NO_TRAINING_PROMISE",)


def test_adobe_promise_and_licence_without_ai_words():
    _seed_has("never trained generative AI on customer content")
    assert classify_passage(ADOBE_PROMISE)[0] == ("NO_TRAINING_PROMISE",)
    assert classify_passage(ADOBE_LICENCE)[0] == ()


# --- floors on a fixed slice of the gold data ----------------------------------------------------

# Every other record of clauses-dev.jsonl (even line numbers): a fixed slice, so a regression of
# the rules fails here.  The rules were corrected against these records, so this slice is a training
# set (all labels score 1.000): its floors only catch regressions.  What counts for services the rules
# have not seen is the leave-one-service-out score and the held-out files below.  Floors sit a little
# under the measured values (benchmarks/README.md); re-run benchmarks/clauses_eval.py when changing them.
FLOORS = {
    "TRAINS_ON_USER_DATA": {"precision": 0.98, "recall": 0.98},
    "NO_TRAINING_PROMISE": {"f1": 0.95},
    "OPT_OUT_OFFERED": {"f1": 0.95},
    "THIRD_PARTY_AI": {"f1": 0.95},
    "SCRAPING_AI_RESTRICTION": {"f1": 0.95},
    "AI_FEATURE_TERMS": {"f1": 0.95},
    "AUTOMATED_DECISIONS": {"f1": 0.95},
}

# Leave-one-service-out over the whole gold file (clause_eval.leave_one_service_out), measured
# TRAINS P 1.000 / R 0.968, NO_TRAINING_PROMISE 0.976, OPT_OUT 1.000, THIRD_PARTY_AI 1.000 (6
# examples), SCRAPING 1.000, AI_FEATURE_TERMS 0.907, AUTOMATED 0.935, evidence 93.9 %.
LOSO_FLOORS = {
    "TRAINS_ON_USER_DATA": {"precision": 0.97, "recall": 0.95},
    "NO_TRAINING_PROMISE": {"f1": 0.93},
    "OPT_OUT_OFFERED": {"f1": 0.95},
    "THIRD_PARTY_AI": {"f1": 0.85},
    "SCRAPING_AI_RESTRICTION": {"f1": 0.95},
    "AI_FEATURE_TERMS": {"f1": 0.88},
    "AUTOMATED_DECISIONS": {"f1": 0.90},
}


def test_floors_on_fixed_gold_slice():
    if not GOLD.is_file():
        pytest.skip(f"the gold file is not at {GOLD}")
    from clausewatch.clause_eval import load_gold, predict, score

    items = load_gold(GOLD, CORPUS if CORPUS.is_dir() else None)[::2]
    assert len(items) == 229
    result = score(items, predict(items))
    for label, floors in FLOORS.items():
        for metric, floor in floors.items():
            assert result["labels"][label][metric] >= floor, (label, metric, result["labels"][label])
    assert result["evidence_overlap"] >= 0.94


def test_leave_one_service_out_floors():
    if not GOLD.is_file() or not CORPUS.is_dir():
        pytest.skip(f"the gold file ({GOLD}) or the corpus ({CORPUS}) is missing")
    from clausewatch.clause_eval import leave_one_service_out, load_gold, predict

    items = load_gold(GOLD, CORPUS)
    result = leave_one_service_out(items, predict(items))
    for label, floors in LOSO_FLOORS.items():
        for metric, floor in floors.items():
            assert result["labels"][label][metric] >= floor, (label, metric, result["labels"][label])
    assert result["evidence_overlap"] >= 0.92


# Own paraphrases of other services' policies (tests/data, labelled by GUIDELINES.md; no corpus
# needed).  Each file was written before a round of rule changes and scored once; its misses then
# guided general fixes, so after that round it is no longer held out (benchmarks/README.md has the
# first scores, which are the honest ones).  Floors = measured now minus a margin; per-label F1 on a
# handful of examples is coarse.
HELDOUT = Path(__file__).resolve().parent / "data"
HELDOUT_FLOORS = {
    "clauses_heldout.jsonl": {"TRAINS_ON_USER_DATA": 0.90, "NO_TRAINING_PROMISE": 0.90, "OPT_OUT_OFFERED": 0.85,
                              "THIRD_PARTY_AI": 0.90, "SCRAPING_AI_RESTRICTION": 0.90, "AI_FEATURE_TERMS": 0.90},
    "clauses_heldout2.jsonl": {"TRAINS_ON_USER_DATA": 0.90, "NO_TRAINING_PROMISE": 0.90, "OPT_OUT_OFFERED": 0.85,
                               "SCRAPING_AI_RESTRICTION": 0.90, "AI_FEATURE_TERMS": 0.80},
    "clauses_heldout3.jsonl": {"TRAINS_ON_USER_DATA": 0.90, "NO_TRAINING_PROMISE": 0.90, "OPT_OUT_OFFERED": 0.90,
                               "SCRAPING_AI_RESTRICTION": 0.90, "AI_FEATURE_TERMS": 0.90, "AUTOMATED_DECISIONS": 0.85},
    # round 4 (rules v6 score 1.000 on every label; one miss in a 5-passage label is F1 0.889)
    "clauses_heldout4.jsonl": {"TRAINS_ON_USER_DATA": 0.90, "NO_TRAINING_PROMISE": 0.85, "OPT_OUT_OFFERED": 0.85,
                               "THIRD_PARTY_AI": 0.85, "SCRAPING_AI_RESTRICTION": 0.85, "AI_FEATURE_TERMS": 0.85,
                               "AUTOMATED_DECISIONS": 0.85},
}


@pytest.mark.parametrize("name", sorted(HELDOUT_FLOORS))
def test_heldout_paraphrases(name):
    from clausewatch.clause_eval import load_gold, predict, score

    items = load_gold(HELDOUT / name)
    result = score(items, predict(items))
    for label, floor in HELDOUT_FLOORS[name].items():
        assert result["labels"][label]["f1"] >= floor, (name, label, result["labels"][label])
    assert result["labels"]["TRAINS_ON_USER_DATA"]["precision"] >= 0.95
    assert result["evidence_overlap"] >= 0.95
    for it in items:  # the files are valid gold: quotes are exact substrings
        assert all(q in it.text for qs in it.quotes.values() for q in qs), it.id


# --- CLI -------------------------------------------------------------------------------------------


def test_cli_clauses_file_json(tmp_path):
    f = tmp_path / "policy.md"
    f.write_text("# Privacy\n\nWe use cookies.\n\nWe may use your content to train our machine learning models.\n\n"
                 "Nous utilisons vos données pour améliorer nos produits et nos services.\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["clauses", str(f), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    (trains, foreign) = data["clauses"]
    assert trains["passage_index"] == 1 and trains["labels"] == ["TRAINS_ON_USER_DATA"]
    ev = trains["evidence"][0]
    assert f.read_text(encoding="utf-8")[ev["start"] : ev["end"]] == ev["quote"]
    assert ev["rule"]  # explainable: which rule fired
    assert foreign["analysed"] is False and "not analysed" in foreign["note"]


def test_cli_clauses_text_and_errors(tmp_path):
    f = tmp_path / "p.md"
    f.write_text("We do not use Customer Data to train generative AI models.\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["clauses", str(f)])
    assert res.exit_code == 0
    assert "NO_TRAINING_PROMISE" in res.output and "We do not use Customer Data" in res.output
    res = CliRunner().invoke(main, ["clauses", str(tmp_path / "missing.md")])
    assert res.exit_code == 2
    assert "missing.md" in res.output and "Traceback" not in res.output


def test_cli_eval_clauses_json_on_any_gold_file(tmp_path):
    gold = tmp_path / "g.jsonl"
    records = [
        {"id": "a#p0", "service": "A", "text": "We may use your content to train our AI models.",
         "labels": ["TRAINS_ON_USER_DATA"], "evidence": [{"label": "TRAINS_ON_USER_DATA", "quote": "train our AI models"}]},
        {"id": "b#p0", "service": "B", "text": "We use cookies.", "labels": [], "evidence": []},
        {"id": "b#p1", "service": "B", "text": "You can opt out of training in settings.", "labels": ["OPT_OUT_OFFERED"],
         "evidence": []},
    ]
    gold.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", "clauses", str(gold), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["passages"] == 3
    assert data["labels"]["TRAINS_ON_USER_DATA"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert data["labels"]["OPT_OUT_OFFERED"]["recall"] == 1.0
    assert data["evidence_overlap"] == 1.0
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", "clauses", str(bad)])
    assert res.exit_code == 2 and "bad.jsonl:1" in res.output
    # An evidence entry without its quote is a bad record too: one line, no traceback.
    bad.write_text('{"text": "x", "labels": ["OPT_OUT_OFFERED"], "evidence": [{"label": "OPT_OUT_OFFERED"}]}\n',
                   encoding="utf-8")
    res = CliRunner().invoke(main, ["eval", "clauses", str(bad)])
    assert res.exit_code == 2 and res.output.startswith("clausewatch: ") and "bad.jsonl:1" in res.output
    assert "Traceback" not in res.output and len(res.output.strip().splitlines()) == 1
