"""digest.build / digest.render (pure): the content journalists get, in four formats.

The LinkedIn privacy policy versions are real (Open Terms Archive contributors, ODC-BY 1.0),
read from ../shared/corpus.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from clausewatch import digest as D
from clausewatch.compare import compare
from clausewatch.models import Version
from clausewatch.normalize import decision_hash
from clausewatch.subscribers import Filter, Subscriber
from linkedin_pair import ADDED, AFTER, BEFORE

REMOVED = ("We use the data that we have about you to provide and personalize our Services, including with the help "
           "of automated systems and inferences we make, so that our Services (including ads) can be more relevant "
           "and useful to you and others.")
NOW = datetime(2024, 9, 19, 8, 0, tzinfo=UTC)
DESK = Subscriber(name="ai-desk", email=("desk@example.org",))


@pytest.fixture(scope="module")
def linkedin_change(corpus):
    texts = [(corpus / p).read_text(encoding="utf-8") for p in (BEFORE, AFTER)]
    old = Version(1, "linkedin-privacy-policy", datetime(2024, 8, 1, 18, 10, tzinfo=UTC), texts[0],
                  decision_hash(texts[0]))
    new = Version(2, "linkedin-privacy-policy", datetime(2024, 9, 19, 6, 10, tzinfo=UTC), texts[1],
                  decision_hash(texts[1]))
    change = compare([old], new, name="LinkedIn Privacy Policy")
    assert change.cls.is_ai
    return D.StoredChange(
        id=7, document_id="linkedin-privacy-policy", service="LinkedIn", doc_type="Privacy Policy",
        doc_url="https://www.linkedin.com/legal/privacy-policy", cls=str(change.cls), summary=change.summary,
        severity=str(change.severity), detected_at=datetime(2024, 9, 19, 7, 0, tzinfo=UTC),
        captured_at=new.captured_at, tags=("social",), capture_sha256="c0ffee" * 10 + "abcd",
        deltas=D.clause_changes(change.deltas), diff=change.diff)


def other_change(**kw) -> D.StoredChange:
    base = dict(id=8, document_id="slack-terms", service="Slack", doc_type="User Terms", doc_url="https://slack.example/t",
                cls="SUBSTANTIVE_OTHER", summary="Slack User Terms changed, nothing about AI",
                detected_at=datetime(2024, 9, 18, 9, 0, tzinfo=UTC),
                diff=((0, "Disputes are settled in "), (-1, "California"), (1, "Delaware"), (0, " courts.")))
    return D.StoredChange(**{**base, **kw})


FAILING = D.FailingDocument("x-privacy", "X", "Privacy Policy", "https://x.example/privacy", 4,
                            "HTTP 503 Service Unavailable", datetime(2024, 9, 16, tzinfo=UTC), NOW, streak_id=41)


def test_ai_entry_has_headline_exact_sentences_redline_link_and_hash(linkedin_change):
    d = D.build(DESK, [linkedin_change], period_end=NOW, site_url="https://cw.example.org")
    (entry,) = d.ai
    assert entry.headline == "LinkedIn Privacy Policy: AI clause added (2024-09-19)"
    clause = entry.clauses[0]
    assert "TRAINS_ON_USER_DATA" in clause.labels
    assert clause.added[0] == ADDED  # the sentence carrying the evidence comes first
    assert REMOVED in clause.removed
    kinds = {op for op, _ in clause.redline}
    assert kinds == {-1, 0, 1}
    deleted = " ".join(t for op, t in clause.redline if op == -1)
    assert "use the data that we have about you to" in deleted
    assert entry.site_url == "https://cw.example.org/changes/7.html"
    assert entry.capture_sha256 == linkedin_change.capture_sha256
    assert d.subject == ("[clausewatch] LinkedIn Privacy Policy now says it may use your data to develop and train "
                         "AI models (2024-09-19)")


def test_noise_never_gets_in_and_filters_apply(linkedin_change):
    noise = other_change(id=9, cls="NOISE_FORMATTING")
    d = D.build(DESK, [linkedin_change, noise, other_change()], period_end=NOW)
    assert [e.change_id for e in d.ai] == [7] and [e.change_id for e in d.other] == [8]
    assert D.build(DESK, [noise], period_end=NOW).empty
    only_ai = Subscriber(name="a", email=("a@b.org",), filter=Filter(classes=D.DIGEST_CLASSES[:3]))
    assert not D.build(only_ai, [other_change()], period_end=NOW).other
    slack_only = Subscriber(name="s", atom="s.xml", filter=Filter(services=("slack",)))
    d = D.build(slack_only, [linkedin_change, other_change()], [FAILING], period_end=NOW)
    assert not d.ai and len(d.other) == 1 and not d.failing  # the failing document is X's, not Slack's
    by_label = Subscriber(name="l", atom="l.xml", filter=Filter(labels=("THIRD_PARTY_AI",)))
    assert D.build(by_label, [linkedin_change], period_end=NOW).empty


def test_other_change_shows_a_compact_redline_and_failing_documents_their_reason():
    d = D.build(DESK, [other_change()], [FAILING], period_end=NOW)
    assert d.other[0].redline == ((0, "Disputes are settled in "), (-1, "California"), (1, "Delaware"),
                                  (0, " courts."))
    assert d.subject == "[clausewatch] Slack User Terms changed (2024-09-18), nothing about AI"
    text = D.render(d, "text")
    assert "Disputes are settled in [-California-]{+Delaware+} courts." in text
    assert "X Privacy Policy: 4 failed checks in a row since 2024-09-16" in text
    assert "HTTP 503 Service Unavailable" in text
    only_failing = D.build(DESK, [], [FAILING], period_end=NOW)
    assert only_failing.subject == "[clausewatch] 1 document failing checks: X Privacy Policy"


def test_compact_cuts_long_unchanged_text_to_context():
    kept = " ".join(f"w{i}" for i in range(100))
    diff = ((0, kept + " "), (-1, "old"), (1, "new"), (0, " " + kept))
    segments, left_out = D.compact(diff)
    text = "".join(t for _, t in segments)
    assert left_out == 0
    assert text.startswith("… w92") and text.endswith("w7…")
    assert len(D.compact(((0, "a "), (1, "b"), (0, " " + kept + " "), (-1, "c"), (0, " d")), max_hunks=1)[0]) < 5
    # a change of spacing only is not a hunk
    assert D.compact(((0, "a"), (1, " "), (0, "b"))) == ((), 0)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_with_inline_styles(linkedin_change):
    d = D.build(DESK, [linkedin_change, other_change()], [FAILING], period_end=NOW, site_url="https://cw.example.org")
    html = D.render(d, "html")
    parser = _Tags()
    parser.feed(html)
    names = {t for t, _ in parser.tags}
    assert not names & {"style", "link", "script", "img", "iframe"}  # nothing Gmail strips, nothing remote
    assert all("class" not in attrs for _, attrs in parser.tags)
    assert any(t == "del" and "line-through" in a.get("style", "") for t, a in parser.tags)
    assert any(t == "ins" for t, _ in parser.tags)
    assert ADDED in html and "Other substantive changes" in html and "keep failing" in html
    assert 'href="https://cw.example.org/changes/7.html"' in html
    assert linkedin_change.capture_sha256 in html


def test_policy_text_is_escaped_in_html_and_markdown():
    evil = other_change(diff=((0, "See "), (1, "<script>alert(1)</script> [x](javascript:alert(1)) *now*"),
                              (0, " here.")))
    d = D.build(DESK, [evil], period_end=NOW)
    html = D.render(d, "html")
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    md = D.render(d, "markdown")
    assert "<script>" not in md and "javascript:" not in md.replace("\\", "")  # link target dropped by plain()


def test_markdown_and_json(linkedin_change):
    d = D.build(DESK, [linkedin_change, other_change()], [FAILING], period_end=NOW)
    md = D.render(d, "markdown")
    assert md.startswith("# \\[clausewatch\\] LinkedIn Privacy Policy now says")
    assert "## LinkedIn — Privacy Policy: AI clause added (2024-09-19)" in md
    assert "~~use the data that we have about you to~~" in md
    data = json.loads(D.render(d, "json"))
    assert data["subscriber"] == "ai-desk" and data["id"] == d.id
    assert data["ai_changes"][0]["clauses"][0]["added"][0] == ADDED
    assert data["other_changes"][0]["class"] == "SUBSTANTIVE_OTHER"
    assert data["failing"][0]["failures"] == 4
    assert data["period"]["end"] == "2024-09-19T08:00:00Z"


def test_digest_id_is_stable_for_the_same_content(linkedin_change):
    a = D.build(DESK, [linkedin_change, other_change()], period_end=NOW)
    b = D.build(DESK, [other_change(), linkedin_change], period_end=datetime(2024, 9, 20, tzinfo=UTC))
    assert a.id == b.id
    assert a.id != D.build(DESK, [linkedin_change], period_end=NOW).id


def test_imported_texts_are_credited(linkedin_change):
    from dataclasses import replace

    d = D.build(DESK, [replace(linkedin_change, source="import")], period_end=NOW)
    assert "Open Terms Archive contributors" in D.render(d, "html")
    assert "Open Terms Archive" not in D.render(D.build(DESK, [linkedin_change], period_end=NOW), "text")


def test_user_templates_override_the_defaults(tmp_path, linkedin_change):
    (tmp_path / "digest_email.txt.j2").write_text("{{ d.subject }} / {{ d.ai | length }} AI\n", encoding="utf-8")
    d = D.build(DESK, [linkedin_change], period_end=NOW)
    assert D.render(d, "text", templates=tmp_path) == f"{d.subject} / 1 AI\n"
    assert "<table" in D.render(d, "html", templates=tmp_path)  # not overridden: the default


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        D.render(D.build(DESK, [], period_end=NOW), "pdf")


def test_sentences_keep_typography_and_drop_link_targets():
    text = "LinkedIn’s [settings](https://x.example/s) let you **opt out**. We “may” train models! Next"
    assert D.sentences(D.plain(text)) == ["LinkedIn’s settings let you opt out.", "We “may” train models!", "Next"]
    assert re.search(r"\(", D.plain("[a](https://x.example/p_(1)) b")) is None


def test_default_templates_are_found_inside_the_package():
    # An installed clausewatch has no checkout: src/clausewatch/templates (a link to the top-level
    # templates/, copied into wheels) must hold every template render() needs.
    for name in (*D.TEMPLATE_FILES.values(), D.ENTRY_TEMPLATE, "_macros.j2"):
        assert (D.PACKAGE_TEMPLATES / name).is_file(), name
        assert (D.PACKAGE_TEMPLATES / name).read_bytes() == (D.REPO_TEMPLATES / name).read_bytes()


def test_markdown_escapes_are_undone_not_mangled():
    assert D.plain(r"3\. Use \*this\* and a\_b, **not** _that_") == "3. Use *this* and a_b, not that"
