"""Clause extraction (issue 5): unit behaviour of the rules and the engine.

Sentences quoted here are short excerpts of real policies from the Open Terms Archive corpus
(credit: Open Terms Archive contributors, ODC-BY 1.0) or of the journalism in
../shared/seeds/000_2d247e9a7906eb4f.txt; the rest are made up to isolate one behaviour.
"""

from __future__ import annotations

import pytest

from clausewatch import clauses as C
from clausewatch.clauses import classify_passage, extract_clauses, split_passages

SHARED = __import__("pathlib").Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "gold" / "clauses-dev.jsonl"


@pytest.fixture(scope="module")
def gold_items():
    if not GOLD.is_file():
        pytest.skip(f"the gold file is not at {GOLD} (it lives in ../shared beside the repository)")
    from clausewatch.clause_eval import load_gold

    corpus = SHARED / "corpus"
    return load_gold(GOLD, corpus if corpus.is_dir() else None)


def labels(passage: str, context: str = "") -> set[str]:
    return set(classify_passage(passage, context)[0])


def quote(passage: str, label: str, context: str = "") -> str:
    _labels, spans = classify_passage(passage, context)
    for lb, s, e in spans:
        if lb == label:
            return passage[s:e]
    raise AssertionError(f"no {label} in {passage!r}")


# --- splitting --------------------------------------------------------------------------------


def test_split_follows_gold_rule_blocks_items_tables_headings():
    text = (
        "\n\n# Title\n\nFirst paragraph\nstill first.\n\nLead-in:\n* item one\n  continued\n* item two\n\n"
        "| a | b |\n|---|---|\n| c | d |\n\n* * *\n\nSection\n-------\n\n2. 1\\. Data We Collect\n    -----\n\n"
        "**Key Terms**\n\u00a0\nlast\n"
    )
    got = [text[s:e] for s, e in split_passages(text)]
    assert got == [
        "First paragraph\nstill first.",
        "Lead-in:",
        "* item one\n  continued",
        "* item two",
        "| a | b |",
        "| c | d |",
        "**Key Terms**\n\u00a0\nlast",  # a no-break-space line is not blank
    ]


def test_split_matches_reference_splitter_on_corpus_files(corpus):
    import importlib.util

    ref_path = corpus.parent / "gold" / "passages.py"
    spec = importlib.util.spec_from_file_location("gold_passages", ref_path)
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    files = sorted((corpus / "ota").rglob("*.md"))[::25]
    assert len(files) > 20
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert split_passages(text) == ref.split_passages(text), f


def test_text_without_blank_lines_is_cut_into_sentences():
    text = " ".join(["We may use your content to train our machine learning models."] + ["Cookies are small files."] * 90)
    assert "\n" not in text and len(text) > 2000
    found = extract_clauses(text)
    assert len(found) == 1
    assert found[0].labels == ("TRAINS_ON_USER_DATA",)
    assert found[0].text == "We may use your content to train our machine learning models."


# --- the labels -------------------------------------------------------------------------------


def test_trains_evidence_is_an_exact_slice_of_the_version_text():
    text = "Intro.\n\nWe may use your personal data to develop and train artificial intelligence (AI) models.\n"
    (clause,) = extract_clauses(text)
    assert clause.passage_index == 1 and clause.labels == ("TRAINS_ON_USER_DATA",)
    (ev,) = clause.evidence
    assert text[ev.start : ev.end] == ev.quote
    assert "train artificial intelligence (AI) models" in ev.quote


@pytest.mark.parametrize(
    "passage",
    [
        "We do not use Customer Data to train generative AI models.",
        "Temporary chats are not used to train Google’s AI models.",
        "Your future chats won’t be used to train our AI models, unless you choose to send Google feedback.",
        "We will never train generative AI on customer content.",
        "By default, we do not train on any inputs or outputs from our products for business users.",
    ],
)
def test_negated_training_is_a_promise_not_training(passage):
    assert labels(passage) == {"NO_TRAINING_PROMISE"}


def test_conditional_negation_is_an_opt_out_that_presupposes_training():
    p = ("If you do not want us to use your Content to train our models, you can opt out by following "
         "the instructions in [this Help Center article](https://help.openai.com/en/articles/5722486).")
    assert labels(p) == {"TRAINS_ON_USER_DATA", "OPT_OUT_OFFERED"}
    assert "opt out" in quote(p, "OPT_OUT_OFFERED")


def test_effect_of_an_opt_out_is_a_promise_beside_the_training():
    p = ("We’ll use this information on the basis of legitimate interests to develop and improve generative AI "
         "models for AI at Meta. You have the right to object to the use of your information for these purposes. "
         "If your objection is honoured, we won't use your public information for future development and "
         "improvement of generative AI models for AI at Meta.")
    assert labels(p) == {"TRAINS_ON_USER_DATA", "NO_TRAINING_PROMISE", "OPT_OUT_OFFERED"}


def test_delaying_ai_use_is_a_promise_and_an_objection_right_not_training():
    p = ("Based on feedback from regulators, we’re delaying our change to the use of your information to develop "
         "and improve [AI at Meta](https://privacycenter.instagram.com/privacy/genai/). We’ll let you know before "
         "we start using your information, and how you can exercise your right to object.")
    assert labels(p) == {"NO_TRAINING_PROMISE", "OPT_OUT_OFFERED"}


def test_generic_rights_and_improve_our_services_are_not_ai_clauses():
    assert labels("We may use Content to provide, maintain, develop, and improve our Services.") == set()
    assert labels("You have the right to object to the processing of your information and to withdraw consent.") == set()
    assert labels("If you do not wish to receive personalized ads, you can opt out through the NAI.") == set()


@pytest.mark.parametrize(
    "passage",
    [
        "We provide security training to our employees and staff.",  # staff training
        "Our offices are a short train ride from the airport.",  # train as transport
        "We validate our pricing models and business models with partners.",  # business sense
        "Device information such as hardware model and operating system.",
        "Standard contractual clauses (model clauses) may be requested by email.",
        "Get training and be more productive with LinkedIn Learning courses.",
        "Threat intelligence helps us protect accounts.",
        "THE MANDATORY ARBITRATION PROVISION AND CLAIMS WAIVER APPLY TO YOU.",  # AI inside words
        "Contact us via [this form](https://docs.google.com/forms/d/e/1FAIpQLSe6iKNzSYs6m/viewform).",  # AI in URL
        "Software may update automatically, and cookies are accepted automatically by most browsers.",
        "You may not access our Services using robots, spiders or scrapers without permission.",  # generic no-scraping
        "Developing and improving AI at Meta",  # a section title alone
        "We do not engage in profiling of consumers in furtherance of automated decisions.",  # a denial
    ],
)
def test_hard_negatives(passage):
    assert labels(passage) == set()


def test_machine_learning_used_in_processing_is_automated_not_training():
    p = ("This processing can include use of automated technologies such as machine learning systems that help "
         "us detect spam and power our services.")
    assert labels(p) == {"AUTOMATED_DECISIONS"}


def test_ml_analysis_of_content_to_improve_services_is_training():
    p = ("Our automated systems may analyze your Content using techniques such as machine learning in order to "
         "improve our Services and Software and the user experience.")
    assert labels(p) == {"TRAINS_ON_USER_DATA"}


def test_third_parties_training_their_own_models():
    p = ("If you do not opt out, in some instances the recipients of the information may use it for their own "
         "independent purposes, including, for example, to train their artificial intelligence models.")
    assert labels(p) == {"THIRD_PARTY_AI", "OPT_OUT_OFFERED"}
    affiliate = ("LinkedIn shares data with our parent company Microsoft so that Microsoft can train and improve "
                 "its AI models.")
    assert labels(affiliate) == {"TRAINS_ON_USER_DATA", "THIRD_PARTY_AI"}


def test_scraping_restrictions_only_with_ai_or_data_mining():
    assert labels("You may not use the Services to develop machine-learning models or related technology.") == {
        "SCRAPING_AI_RESTRICTION"
    }
    assert labels("We also reserve all of our rights against text and data mining.") == {"SCRAPING_AI_RESTRICTION"}
    assert labels("* Use Output to develop models that compete with OpenAI.") == {"SCRAPING_AI_RESTRICTION"}
    assert labels("* access the Services in order to build a similar or competitive website, product, or service.") == set()


def test_ai_feature_terms():
    assert labels("Given the probabilistic nature of machine learning, use of our Services may result in Output "
                  "that does not accurately reflect real people, places, or facts.") == {"AI_FEATURE_TERMS"}
    assert labels("If you use our AI products and features, the Meta AI Terms also apply.") == {"AI_FEATURE_TERMS"}
    assert labels("* misleading others into thinking that generative AI content was created by a human") == {
        "AI_FEATURE_TERMS"
    }


def test_ai_feature_terms_v4_families():
    # acceptable use of an AI generation feature defined as the models' Inputs (§16)
    p = ("Our models can accept images and videos as part of Inputs to the Services (“Visual Capabilities”). You "
         "may not use Visual Capabilities to reproduce the likeness of any person without express consent.")
    assert labels(p) == {"AI_FEATURE_TERMS"}
    # privacy-policy statement on processing to provide a generative-AI feature (§16)
    item = ("*   Provide our features that are part of [AI at Meta](https://www.facebook.com/privacy/genai) that do "
            "things like create and understand content (like text, audio, images and videos)")
    assert labels(item) == {"AI_FEATURE_TERMS"}
    # without a model owning the Inputs, a capitalised "Inputs" is no AI term
    assert labels("Our pricing models depend on the number of seats. Inputs are invoiced monthly.") == set()


def test_nlp_comment_analytics_is_automated_in_a_long_feature_list():
    p = ("(v) comment analytics using Natural Language Processing (NLP) that is trained specifically on employee "
         "feedback and automatically extracts the most-discussed topics/themes, employee sentiment and representative "
         "comments, (vi) action planning steps and a pre-built library of resources, (vii) a taxonomy, which has "
         "over 100 research driven questions")
    # a product description: the NLP analyses comments (§17); it does not say customers' data trains it
    assert labels(p) == {"AUTOMATED_DECISIONS"}
    assert labels("Our researchers use machine learning to detect patterns in survey results.") == set()


def test_evidence_sentence_choice_v4():
    # TRAINS: the sentence stating the use of users' data, not the lead-in "We're always improving AI"
    p = ("We’re always improving AI at Meta. To do this, we want you to know about public posts. We’ll use this "
         "information on the basis of legitimate interests to develop and improve generative AI models for AI at Meta.")
    assert quote(p, "TRAINS_ON_USER_DATA").startswith("We’ll use this information")
    # AUTOMATED: the sentence about what the automation does, not the one about training it (§17)
    row = ("To train, fine-tune and improve AI systems that support content classification. <br><br>To enhance the "
           "accuracy and reliability of our AI-driven moderation and classification tools.")
    assert "AI-driven moderation" in quote(row, "AUTOMATED_DECISIONS")
    # a linked objection verb is the right to object (§12)
    obj = ("We use public posts to develop and improve generative AI models. You have the right to "
           "[object](https://example.com/form) to the use of your information for these purposes.")
    assert quote(obj, "OPT_OUT_OFFERED").startswith("You have the right to")


# --- lead-ins (§13) ---------------------------------------------------------------------------


def test_list_item_reads_its_lead_in():
    item = ("*   In our interests, and in the interests of third parties and the public at large to offer artificial "
            "intelligence technology to third parties, including developers and researchers.")
    assert labels(item) == set()  # alone: offering AI is not training
    lead = ("Develop and improve AI at Meta for Meta Products and for third parties.\n\n"
            "**Legitimate interests relied on:**")
    assert labels(item, lead) == {"TRAINS_ON_USER_DATA"}
    # the quote still comes from the item itself
    assert "offer artificial intelligence technology" in quote(item, "TRAINS_ON_USER_DATA", lead)


def test_data_category_items_read_the_purpose_above_their_lead_in():
    text = ("Why and how we process your information:\n\n"
            "Develop and improve [AI at Meta](https://www.facebook.com/privacy/genai) for Meta Products and for third parties.\n\n"
            "Legitimate interests relied on:\n\n"
            "*   In our interest to offer artificial intelligence technology to third parties.\n\n"
            "Information categories we use (see 'What Information do we collect?'). The actual information we use "
            "could include any of the following:\n\n"
            "Your activity and information you provide:\n\n"
            "*   Public content you or others create or share, like posts, comments or audio on Meta Products\n")
    found = {c.passage_index: c.labels for c in extract_clauses(text)}
    assert found[6] == ("TRAINS_ON_USER_DATA",)
    # the same category list under an ordinary purpose stays unlabelled
    plain = text.replace("Develop and improve [AI at Meta](https://www.facebook.com/privacy/genai)", "Provide and improve our Products")
    plain = plain.replace("offer artificial intelligence technology", "offer products")
    assert 6 not in {c.passage_index for c in extract_clauses(plain)}


def test_lead_in_about_outside_datasets_does_not_make_items_training():
    lead = ("We get datasets from publicly available sources, research institutions and other partners. "
            "We use these datasets to:")
    assert labels("* Improve our AI technologies, such as translations", lead) == set()


def test_acceptable_use_lead_in_colours_its_items():
    lead = "You may not access, use, or allow others to access or use AIs in any manner that would:"
    item = "*   Engage in the untargeted scraping of facial images from the internet to build recognition databases"
    assert labels(item, lead) == {"AI_FEATURE_TERMS"}
    assert labels(item) == set()


def test_lead_in_is_found_in_a_version_text():
    text = ("Intro paragraph that is long enough to be a sentence of its own about something else entirely.\n\n"
            "You may not access, use, or allow others to access or use AIs in any manner that would:\n"
            "* Engage in the untargeted scraping of facial images from the internet\n"
            "* Evaluate individuals based on social behaviour\n")
    found = {c.passage_index: c.labels for c in extract_clauses(text)}
    assert found == {1: ("AI_FEATURE_TERMS",), 2: ("AI_FEATURE_TERMS",), 3: ("AI_FEATURE_TERMS",)}


# --- not English ------------------------------------------------------------------------------


def test_non_english_passages_are_reported_not_analysed():
    text = ("We may use your content to train our models.\n\n"
            "Nous pouvons utiliser vos informations pour entraîner nos modèles d’intelligence artificielle et "
            "pour améliorer nos produits.\n\n"
            "Wir verwenden Ihre Daten, um unsere Modelle für künstliche Intelligenz zu trainieren und die Dienste "
            "zu verbessern.\n\n"
            "私たちはお客様のデータを使用してモデルを訓練します。\n")
    found = extract_clauses(text)
    assert [c.passage_index for c in found] == [0, 1, 2, 3]
    assert found[0].analysed and found[0].labels == ("TRAINS_ON_USER_DATA",)
    for c in found[1:]:
        assert not c.analysed and c.labels == () and c.evidence == ()
        assert c.note and "not analysed" in c.note
    assert "'fr'" in found[1].note and "'de'" in found[2].note


def test_urls_do_not_make_a_passage_foreign():
    p = ("[Learn more](https://www.facebook.com/help/contact/1994830130782319?do=e&da=os&de=la) about how we "
         "use your information to train our AI models.")
    assert C.language_guess(p) == "en"


# --- the engine's speed-ups change nothing ------------------------------------------------------


def test_anchor_prefilter_only_saves_time(gold_items):
    from clausewatch.clause_eval import predict

    fast = [sorted(p[0]) for p in predict(gold_items)]
    try:
        C.USE_ANCHORS = False
        C._compiled.cache_clear()
        C._analyse_cached.cache_clear()
        C._context_triggered.cache_clear()
        slow = [sorted(p[0]) for p in predict(gold_items)]
    finally:
        C.USE_ANCHORS = True
        C._compiled.cache_clear()
        C._analyse_cached.cache_clear()
        C._context_triggered.cache_clear()
    assert fast == slow


def test_deterministic_and_pure():
    text = "We may use your content to train our models.\n\n* We use algorithms to detect spam.\n"
    assert extract_clauses(text) == extract_clauses(text)


def test_every_rule_explains_itself():
    from clausewatch import clause_rules as R

    names = [r.name for r in R.ALL_RULES]
    assert len(names) == len(set(names))
    for r in R.ALL_RULES:
        assert len(r.why) > 20, r.name
        assert r.name in R.ANCHORS, f"{r.name} has no anchors (it would be tried on every sentence)"


# --- stored clauses know which rules computed them ------------------------------------------------


def test_reclassify_recomputes_only_clauses_of_older_rules(tmp_path):
    import json as _json
    from datetime import UTC, datetime

    from click.testing import CliRunner

    from clausewatch.cli import main
    from clausewatch.models import DocumentSpec, Version
    from clausewatch.store import Store

    db = tmp_path / "cw.sqlite"
    text = "We may use your content to train our models.\n\nWe use cookies to remember your preferences.\n"
    store = Store(db)
    store.upsert_document(DocumentSpec("d", "Svc", "Privacy Policy", "https://example.test/p"))
    ids = []
    for n, t in enumerate([text, text + "\nWe share your prompts with our AI model providers.\n"]):
        v = Version(None, "d", datetime(2025, 1, 1 + n, tzinfo=UTC), t, f"h{n}")
        with store.transaction():
            ids.append(store.add_version(v, word_count=10, clauses=extract_clauses(t)))
    assert store.clauses_rules_version(ids[0]) == C.RULES_VERSION
    assert store.stale_clause_versions(C.RULES_VERSION) == []
    # a version stored by older rules: no clauses kept, rules version 1
    store.save_clauses(ids[0], [], rules_version=1)
    store.close()

    run = CliRunner()
    shown = _json.loads(run.invoke(main, ["--db", str(db), "clauses", str(ids[0]), "--format", "json"]).output)
    assert shown["stale"] and shown["rules_version"] == 1 and shown["clauses"] == []
    out = run.invoke(main, ["--db", str(db), "reclassify", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert _json.loads(out.output) == {"rules_version": C.RULES_VERSION, "reclassified": 1, "labels_changed": 1}
    shown = _json.loads(run.invoke(main, ["--db", str(db), "clauses", str(ids[0]), "--format", "json"]).output)
    assert not shown["stale"] and [c["labels"] for c in shown["clauses"]] == [["TRAINS_ON_USER_DATA"]]
    again = _json.loads(run.invoke(main, ["--db", str(db), "reclassify", "--format", "json"]).output)
    assert again["reclassified"] == 0
    every = _json.loads(run.invoke(main, ["--db", str(db), "reclassify", "--all", "--format", "json"]).output)
    assert every == {"rules_version": C.RULES_VERSION, "reclassified": 2, "labels_changed": 0}


def test_rules_version_is_bumped_when_rules_change():
    """A fingerprint of every rule (pattern, vetoes, flags, vocabulary): if this fails, the rules
    changed - bump clauses.RULES_VERSION and put the new fingerprint here, so stored clauses of the
    old rules are found by 'clausewatch reclassify'."""
    import hashlib

    from clausewatch import clause_rules as R

    parts = [repr((r.name, r.label, r.pattern, r.unless, r.needs, r.case, r.weight)) for r in R.ALL_RULES]
    parts += [repr(sorted(R.V.items())), repr(sorted(R.FLAGS.items())), R.CONDITIONAL_NEG, R.THIRD_AGENT,
              R.THIRD_OWNED, R.SHARED_TO_OTHERS, R.LEADIN_NOT_USER_DATA, R.LEADIN_DATA_CATEGORIES, R.ITEM_USER_DATA]
    fingerprint = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    assert (C.RULES_VERSION, fingerprint) == (6, "52a9ab3e3be3f7cd")
