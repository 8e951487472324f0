"""Word diff and redline output in the three formats; the diff / review / eval commands.

Excerpts are quoted from ../shared/corpus (Open Terms Archive contributors, ODC-BY 1.0).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from clausewatch.cli import main
from clausewatch.compare import Change, ChangeClass, ClauseDelta, DeltaKind, Severity
from clausewatch.models import DocumentSpec, Version
from clausewatch.normalize import decision_hash
from clausewatch.redline import html_redline, json_redline, render_change, text_redline
from clausewatch.worddiff import DELETE, EQUAL, INSERT, new_text, old_text, tokenize, word_diff

OLD = ("How we use your personal data will depend on which Services you use.\n\n"
       "We use the data that we have about you to provide and personalize our Services.\n\n"
       "It is your choice whether to invite someone to our Services, send a connection request, or allow another "
       "Member to become your connection. When you invite someone to connect with you, your invitation will include "
       "your network and basic profile information (e.g., name, profile photo, job title, region).\n\n"
       "Visitors have choices about how we use their data.\n")
NEW = OLD.replace("We use the data that we have about you to provide",
                  "We may use your personal data to develop and train artificial intelligence (AI) models, and to provide")


def test_tokenize_round_trips():
    text = "We may use <your> data… to train “AI” models.\n\n  * item"
    assert "".join(tokenize(text)) == text


def test_word_diff_reconstructs_both_sides_and_keeps_whole_words():
    diff = word_diff(OLD, NEW)
    assert old_text(diff) == OLD and new_text(diff) == NEW
    inserted = "".join(t for op, t in diff if op == INSERT)
    deleted = "".join(t for op, t in diff if op == DELETE)
    assert "develop and train artificial intelligence (AI) models" in inserted
    assert "the data that we have about you" in deleted
    # Semantic cleanup in token space: no piece of a word on its own ("relat-ed").
    diff2 = word_diff("our related services", "our branded services")
    assert (DELETE, "related") in diff2 and (INSERT, "branded") in diff2
    assert word_diff("same", "same") == ((EQUAL, "same"),)


def test_max_run_tokens_shows_a_long_rewritten_run_as_removed_and_added():
    old = "Intro line.\n" + " ".join(f"old{i} word" for i in range(400)) + "\nLast line.\n"
    new = "Intro line.\n" + " ".join(f"new{i} word" for i in range(400)) + "\nLast line.\n"
    capped = word_diff(old, new, max_run_tokens=100)
    assert [op for op, _ in capped] == [EQUAL, DELETE, INSERT, EQUAL]
    assert old_text(capped) == old and new_text(capped) == new
    # Under the cap (and by default) the run is word-diffed as before.
    assert word_diff(old, new, max_run_tokens=10_000) == word_diff(old, new)
    assert len(word_diff(old, new)) > 4


def test_two_stage_word_diff_is_fast_on_a_real_policy(corpus):
    base = corpus / "ota" / "LinkedIn" / "Privacy Policy"
    a = (base / "2024-08-01T18-10-11Z.md").read_text(encoding="utf-8")
    b = (base / "2024-09-19T06-10-13Z.md").read_text(encoding="utf-8")
    t0 = time.perf_counter()
    diff = word_diff(a, b)
    elapsed = time.perf_counter() - t0
    assert old_text(diff) == a and new_text(diff) == b
    assert elapsed < 2.0  # ~40 ms here; a whole-text difflib word diff takes ~11 s (STACK-NOTES.md c)
    assert any(op == INSERT and "develop and train artificial intelligence (AI) models" in t for op, t in diff)


def test_text_redline_colour_and_plain_marks():
    diff = word_diff(OLD, NEW)
    coloured = text_redline(diff, color=True, context=None)
    assert "\x1b[31;9m" in coloured and "\x1b[32;4m" in coloured
    plain = text_redline(diff, color=False, context=None)
    assert "\x1b[" not in plain
    assert "{+may+}" in plain or "{+may use your personal data" in plain
    assert "[-" in plain and "-]" in plain


def test_text_redline_context_elides_unchanged_text():
    long_old = " ".join(f"w{i}" for i in range(200)) + " end"
    long_new = long_old.replace("w100", "CHANGED")
    out = text_redline(word_diff(long_old, long_new), color=False, context=3)
    assert "[-w100-]{+CHANGED+}" in out and "…" in out
    assert "w50 " not in out and "w98 w99 " in out


def test_html_redline_inline_styles_and_escaping():
    out = html_redline(word_diff("use <b>data</b> & more", "use <i>content</i> & more"))
    assert out.startswith('<div class="redline" style="')
    assert "<style" not in out and "class=\"redline\"" in out
    assert '<del style="background:#fde2e2;' in out and '<ins style="background:#dcf5dc;' in out
    assert "&lt;" in out and "&gt;" in out and "&amp;" in out
    assert "<b>" not in out and "<i>" not in out


def test_json_redline_ops():
    ops = json_redline(word_diff("a b c", "a x c"))
    assert {"op": "delete", "text": "b"} in ops and {"op": "insert", "text": "x"} in ops
    assert "".join(o["text"] for o in ops if o["op"] != "insert") == "a b c"


def _change() -> Change:
    delta = ClauseDelta(DeltaKind.REWORDED, ("TRAINS_ON_USER_DATA",), OLD.split("\n\n")[1], NEW.split("\n\n")[1],
                        similarity=0.6, quote="develop and train artificial intelligence (AI) models",
                        diff=word_diff(OLD.split("\n\n")[1], NEW.split("\n\n")[1]))
    return Change(ChangeClass.AI_CLAUSE_ADDED, Severity.HIGH, "1 AI clause reworded",
                  "Doc now says it may use your data to develop and train AI models", deltas=(delta,))


def test_render_change_in_three_formats():
    ch, diff = _change(), word_diff(OLD, NEW)
    text = render_change(ch, diff, "text", color=False)
    assert text.splitlines()[0] == ch.summary and "AI clause reworded: TRAINS_ON_USER_DATA" in text
    assert "Document redline" in text
    assert "Document redline" not in render_change(ch, diff, "text", color=False, ai_only=True)
    html = render_change(ch, diff, "html")
    assert "<h2" in html and "AI_CLAUSE_ADDED" in html and "<ins style=" in html
    data = render_change(ch, diff, "json")
    json.dumps(data)  # serialisable
    assert data["class"] == "AI_CLAUSE_ADDED" and data["alert"] is True
    assert data["deltas"][0]["kind"] == "reworded" and data["clause_redlines"][0]
    assert any(o["op"] == "insert" for o in data["redline"])


# --- commands -------------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path):
    from clausewatch.store import Store

    path = tmp_path / "cw.sqlite"
    store = Store(path)
    doc = DocumentSpec(id="linkedin-privacy-policy", service="LinkedIn", type="Privacy Policy", url="https://x.test/pp")
    store.upsert_document(doc)
    texts = [OLD, NEW, NEW.replace("Visitors have choices", "Visitors have clear choices")]
    for day, text in enumerate(texts, 1):
        v = Version(None, doc.id, datetime(2024, 9, day, tzinfo=UTC), text, decision_hash(text))
        with store.transaction():
            vid = store.add_version(v, word_count=len(text.split()))
            store.record_change_for(doc, store.version(vid))
    rows = store.changes(doc.id)
    store.close()
    assert [r["new_version_id"] for r in rows] == [2, 3]
    return path


def _run(db, *args):
    return CliRunner().invoke(main, ["--watchlist", str(db.parent / "none.yaml"), "--db", str(db), *args])


def test_changes_are_stored_with_their_decision(db):
    from clausewatch.store import Store

    store = Store(db)
    rows = store.changes("linkedin-privacy-policy")
    store.close()
    assert rows[1]["class"] == "SUBSTANTIVE_OTHER" and rows[1]["reason"]
    assert rows[0]["summary"] and isinstance(rows[0]["deltas"], list)


def test_diff_command_formats_and_dates(db):
    r = _run(db, "diff", "LinkedIn", "--from", "2024-09-01", "--to", "2", "--no-color")
    assert r.exit_code == 0, r.output
    assert "2024-09-01 (v1) → 2024-09-02 (v2)" in r.output and "[-" in r.output
    r = _run(db, "diff", "LinkedIn/Privacy Policy", "--format", "json")
    data = json.loads(r.output)
    assert data["old_version_id"] == 2 and data["new_version_id"] == 3
    assert any(o["op"] == "insert" and "clear" in o["text"] for o in data["redline"])
    r = _run(db, "diff", "linkedin-privacy-policy", "--format", "html", "--from", "1")
    assert r.exit_code == 0 and "<ins style=" in r.output


def test_review_then_since_reviewed(db):
    r = _run(db, "diff", "LinkedIn", "--since-reviewed")
    assert r.exit_code == 2 and "never reviewed" in r.output
    assert _run(db, "review", "LinkedIn", "--by", "legal").exit_code == 0
    r = _run(db, "diff", "LinkedIn", "--since-reviewed")
    assert r.exit_code == 0 and "nothing changed since version 3" in r.output


def test_diff_errors_are_one_line(db):
    r = _run(db, "diff", "nope")
    assert r.exit_code == 2 and r.output.strip().startswith("clausewatch: no document 'nope'")
    r = _run(db, "diff", "LinkedIn", "--from", "yesterday")
    assert r.exit_code == 2 and "give a version id or a date" in r.output


def test_eval_changes_json_shape(corpus, tmp_path):
    gold_src = corpus.parent / "gold" / "changes-dev.jsonl"
    if not gold_src.exists():
        pytest.skip(f"gold file missing: {gold_src}")
    wanted = {"LinkedIn/Privacy Policy/2024-09-19T06-10-13Z", "Reddit/Terms of Service/2025-01-14T18-12-04Z",
              "LinkedIn/Privacy Policy/2022-11-04T06-36-54Z"}
    lines = [ln for ln in gold_src.read_text(encoding="utf-8").splitlines() if json.loads(ln)["id"] in wanted]
    gold = tmp_path / "g.jsonl"
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", "changes", str(gold), "--corpus", str(corpus), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {"pairs", "class_accuracy", "alert_precision", "alert_recall", "noise_alerts", "misses"} <= set(data)
    assert data["pairs"] == 3 and data["alert_recall"] == 1.0 and data["noise_alerts"] == 0
    assert data["misses"] == [] and data["class_accuracy"] == 1.0
    text = CliRunner().invoke(main, ["eval", "changes", str(gold), "--corpus", str(corpus)])
    assert "class accuracy" in text.output and "plain differ" in text.output


def test_eval_changes_bad_gold_is_one_line(tmp_path, corpus):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "old": "a", "new": "b", "class": "NOISE_WHATEVER"}\n', encoding="utf-8")
    r = CliRunner().invoke(main, ["eval", "changes", str(bad), "--corpus", str(corpus)])
    assert r.exit_code == 2 and "unknown class 'NOISE_WHATEVER'" in r.output
