"""Delivery through a real SMTP server (aiosmtpd), a local webhook receiver and Atom files, and the
ledger that makes each (change, subscriber, channel) go out exactly once."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from clausewatch import deliver
from clausewatch import digest as D
from clausewatch.config import parse_watchlist
from clausewatch.models import CheckResult, DocumentSpec, Outcome
from clausewatch.store import Store
from mail_servers import SmtpSink, WebhookReceiver, self_signed

NOW = datetime(2024, 9, 19, 8, 0, tzinfo=UTC)
ATOM = "{http://www.w3.org/2005/Atom}"
SENTENCE = "We may use your personal data to develop and train artificial intelligence (AI) models."


def ai_change(id_=1, **kw) -> D.StoredChange:
    base = dict(
        id=id_, document_id="linkedin-privacy-policy", service="LinkedIn", doc_type="Privacy Policy",
        doc_url="https://www.linkedin.com/legal/privacy-policy", cls="AI_CLAUSE_ADDED", severity="high",
        summary="LinkedIn Privacy Policy now says it may use your data to develop and train AI models: “…”",
        detected_at=NOW - timedelta(minutes=30), captured_at=NOW - timedelta(minutes=31), capture_sha256="ab" * 32,
        deltas=(D.ClauseChange("added", ("TRAINS_ON_USER_DATA",), None, SENTENCE, "train artificial intelligence"),))
    return D.StoredChange(**{**base, **kw})


def noise_change(id_=2) -> D.StoredChange:
    return ai_change(id_, cls="NOISE_FORMATTING", deltas=(), summary="LinkedIn Privacy Policy: link moved (no alert)")


def watchlist(tmp_path, *, smtp_port=None, security="none", hook=None, atom=False, extra=""):
    channels = []
    if smtp_port:
        channels.append("email: [desk@example.org]")
    if hook:
        channels.append(f"webhook: {{url: '{hook}', secret_env: CW_TEST_HOOK_SECRET}}")
    if atom:
        channels.append(f"atom: '{tmp_path / 'feeds' / 'desk.xml'}'")
    text = f"""
documents:
  - {{service: LinkedIn, type: Privacy Policy, url: 'https://www.linkedin.com/legal/privacy-policy'}}
delivery:
  site_url: https://cw.example.org
  feeds_dir: '{tmp_path / 'feeds'}'
  smtp: {{host: 127.0.0.1, port: {smtp_port or 25}, security: {security}, sender: "clausewatch <cw@example.org>"}}
subscribers:
  - name: desk
    channels: {{{', '.join(channels)}}}
{extra}"""
    return parse_watchlist(text)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "cw.sqlite", now=lambda: NOW)
    yield s
    s.close()


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def world(**kw) -> deliver.World:
    sleeps: list[float] = []
    w = deliver.World(now=lambda: NOW, env={"CW_TEST_HOOK_SECRET": "s3cret"}, sleep=sleeps.append, **kw)
    w.sleeps = sleeps  # type: ignore[attr-defined]
    return w


def send(store, wl, changes, w=None, **kw):
    return deliver.send_digests(store, wl, changes=changes, world=w or world(), **kw)


# --- mail ------------------------------------------------------------------------------------------


def test_mail_has_subject_text_and_html_and_goes_out_once(tmp_path, store, smtp):
    wl = watchlist(tmp_path, smtp_port=smtp.port)
    results = send(store, wl, [ai_change()])
    assert [(r.channel, r.status, r.items) for r in results] == [("email:desk@example.org", "sent", 1)]
    (msg,) = smtp.messages
    assert msg["Subject"] == "[clausewatch] LinkedIn Privacy Policy now says it may use your data to develop " \
                             "and train AI models (2024-09-19)"
    assert msg["To"] == "desk@example.org" and msg["From"] == "clausewatch <cw@example.org>"
    assert msg["Message-ID"].endswith("@example.org>")
    assert SENTENCE in msg.get_body(("plain",)).get_content()
    assert SENTENCE in msg.get_body(("html",)).get_content()
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    # The second send has nothing new for this channel.
    assert [r.status for r in send(store, wl, [ai_change()])] == ["nothing"]
    assert len(smtp.messages) == 1
    (row,) = store.deliveries("desk")
    assert (row["item_key"], row["status"], row["attempts"]) == ("change:1", "sent", 1)
    # A new change later is one new mail, without the old one.
    slack = ai_change(3, document_id="slack-privacy", service="Slack", summary="Slack Privacy Policy now says …")
    send(store, wl, [ai_change(), slack])
    assert len(smtp.messages) == 2 and smtp.messages[1]["Subject"].startswith("[clausewatch] Slack Privacy Policy")
    assert "LinkedIn" not in smtp.messages[1].get_body(("plain",)).get_content()


def test_noise_only_delivers_nothing_and_records_nothing(tmp_path, store, smtp):
    wl = watchlist(tmp_path, smtp_port=smtp.port, hook="http://127.0.0.1:9/never", atom=True)
    results = send(store, wl, [noise_change()])
    assert {r.status for r in results} == {"nothing"} and len(results) == 3
    assert smtp.attempts == 0 and store.deliveries() == []
    assert not (tmp_path / "feeds" / "desk.xml").exists()


def test_smtp_refusing_twice_still_delivers_exactly_one_message(tmp_path, store):
    sink = SmtpSink(refuse=["451 4.3.0 try again later", "421 4.7.0 too busy"]).start()
    try:
        w = world()
        results = send(store, watchlist(tmp_path, smtp_port=sink.port), [ai_change()], w)
        assert [r.status for r in results] == ["sent"]
        assert sink.attempts == 3 and len(sink.messages) == 1
        assert w.sleeps == [2.0, 8.0]  # backed off between the tries
        assert send(store, watchlist(tmp_path, smtp_port=sink.port), [ai_change()], w)[0].status == "nothing"
        assert len(sink.messages) == 1
    finally:
        sink.stop()


def test_smtp_5xx_is_retried_on_the_next_send_not_dropped(tmp_path, store):
    sink = SmtpSink(refuse=["554 5.7.1 rejected by policy"]).start()
    try:
        wl = watchlist(tmp_path, smtp_port=sink.port)
        (r,) = send(store, wl, [ai_change()])
        assert r.status == "failed" and "554" in r.error and sink.attempts == 1  # 5xx: no retry in the same send
        (row,) = store.deliveries("desk")
        assert row["status"] == "pending" and "554" in row["last_error"]
        (r,) = send(store, wl, [ai_change()])
        assert r.status == "sent" and len(sink.messages) == 1
        assert store.deliveries("desk")[0]["attempts"] == 2
    finally:
        sink.stop()


def test_smtp_down_then_up(tmp_path, store):
    from policy_pages import free_port

    port = free_port()
    wl = watchlist(tmp_path, smtp_port=port)
    (r,) = send(store, wl, [ai_change()])
    assert r.status == "failed" and "ConnectionRefusedError" in r.error
    sink = SmtpSink()
    sink.port = port
    sink.controller.port = port
    sink.start()
    try:
        assert send(store, wl, [ai_change()])[0].status == "sent"
        assert len(sink.messages) == 1
    finally:
        sink.stop()


class Crash(BaseException):
    """A process dying mid-send (not an Exception: nothing catches it)."""


def test_crash_between_render_and_send_is_retried_and_sent_once(tmp_path, store, smtp, monkeypatch):
    wl = watchlist(tmp_path, smtp_port=smtp.port)
    real = deliver.send_email

    def dying(*args, **kw):
        raise Crash()

    monkeypatch.setattr(deliver, "send_email", dying)
    with pytest.raises(Crash):
        send(store, wl, [ai_change()])
    (row,) = store.deliveries("desk")
    assert row["status"] == "pending" and row["attempts"] == 1  # recorded before anything left
    monkeypatch.setattr(deliver, "send_email", real)
    assert send(store, wl, [ai_change()])[0].status == "sent"
    assert send(store, wl, [ai_change()])[0].status == "nothing"
    assert len(smtp.messages) == 1


def test_starttls_with_login_from_the_environment(tmp_path, store):
    server_ctx, client_ctx = self_signed(tmp_path)
    sink = SmtpSink(tls=server_ctx, users={"cw-user": "pa55"}).start()
    try:
        wl = watchlist(tmp_path, smtp_port=sink.port, security="starttls")
        env = {"CLAUSEWATCH_SMTP_USER": "cw-user", "CLAUSEWATCH_SMTP_PASSWORD": "pa55"}
        w = replace(world(), env=env, ssl_context=client_ctx)
        assert send(store, wl, [ai_change()], w)[0].status == "sent"
        assert sink.logins == ["cw-user"] and len(sink.messages) == 1
        bad = replace(w, env={**env, "CLAUSEWATCH_SMTP_PASSWORD": "wrong"})
        (r,) = send(store, wl, [ai_change(5)], bad)
        assert r.status == "failed" and "535" in r.error
    finally:
        sink.stop()


def test_implicit_tls(tmp_path, store):
    server_ctx, client_ctx = self_signed(tmp_path)
    sink = SmtpSink(tls=server_ctx, implicit_tls=True).start()
    try:
        wl = watchlist(tmp_path, smtp_port=sink.port, security="ssl")
        assert send(store, wl, [ai_change()], replace(world(), ssl_context=client_ctx))[0].status == "sent"
        assert len(sink.messages) == 1
    finally:
        sink.stop()


def test_user_without_password_is_a_clear_failure(tmp_path, store, smtp):
    wl = watchlist(tmp_path, smtp_port=smtp.port)
    (r,) = send(store, wl, [ai_change()], replace(world(), env={"CLAUSEWATCH_SMTP_USER": "u"}))
    assert r.status == "failed" and "$CLAUSEWATCH_SMTP_PASSWORD is empty" in r.error
    assert smtp.attempts == 0


# --- webhooks --------------------------------------------------------------------------------------


def test_webhook_is_signed_retried_with_backoff_and_delivered_once(tmp_path, store):
    hook = WebhookReceiver(statuses=[500, 503]).start()
    try:
        wl = watchlist(tmp_path, hook=hook.url)
        w = world()
        (r,) = send(store, wl, [ai_change()], w)
        assert r.status == "sent" and len(hook.requests) == 3 and w.sleeps == [2.0, 8.0]
        ((headers, body),) = hook.accepted()
        assert deliver.verify_signature("s3cret", body, headers["x-clausewatch-signature"], now=NOW.timestamp())
        assert not deliver.verify_signature("other", body, headers["x-clausewatch-signature"])
        assert not deliver.verify_signature("s3cret", body + b" ", headers["x-clausewatch-signature"])
        assert {h["x-clausewatch-delivery"] for h, _, _ in hook.requests} == {r.digest_id}
        data = json.loads(body)
        assert data["ai_changes"][0]["clauses"][0]["added"] == [SENTENCE]
        assert send(store, wl, [ai_change()], w)[0].status == "nothing" and len(hook.requests) == 3
    finally:
        hook.stop()


def test_webhook_500_every_time_stays_pending_until_it_works(tmp_path, store):
    hook = WebhookReceiver(statuses=[500, 500, 500]).start()
    try:
        wl = watchlist(tmp_path, hook=hook.url)
        (r,) = send(store, wl, [ai_change()])
        assert r.status == "failed" and "HTTP 500" in r.error and len(hook.requests) == 3
        (r,) = send(store, wl, [ai_change()])
        assert r.status == "sent" and len(hook.accepted()) == 1
    finally:
        hook.stop()


def test_webhook_without_its_secret_is_not_sent_unsigned(tmp_path, store):
    hook = WebhookReceiver().start()
    try:
        (r,) = send(store, watchlist(tmp_path, hook=hook.url), [ai_change()], replace(world(), env={}))
        assert r.status == "failed" and "$CW_TEST_HOOK_SECRET is not set" in r.error and hook.requests == []
    finally:
        hook.stop()


# --- Atom -------------------------------------------------------------------------------------------


def parse_atom(path):
    root = ET.parse(path).getroot()
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    entries = root.findall(f"{ATOM}entry")
    for e in entries:
        for tag in ("id", "title", "updated", "link", "content"):
            assert e.find(f"{ATOM}{tag}") is not None, tag
        datetime.fromisoformat(e.find(f"{ATOM}updated").text)  # RFC 3339
        assert e.find(f"{ATOM}content").get("type") == "html"
    return root, entries


def test_atom_feeds_per_subscriber_and_per_service(tmp_path, store):
    wl = watchlist(tmp_path, atom=True)
    changes = [ai_change(), ai_change(3, document_id="slack-terms", service="Slack", doc_type="Terms",
                                      cls="SUBSTANTIVE_OTHER", deltas=(),
                                      diff=((0, "Courts of "), (-1, "California"), (1, "Delaware"), (0, ".")))]
    (r,) = send(store, wl, changes)
    assert r.status == "sent" and r.items == 2
    _, entries = parse_atom(tmp_path / "feeds" / "desk.xml")
    assert [e.find(f"{ATOM}title").text for e in entries] == [
        "Slack Terms: Other change (2024-09-19)", "LinkedIn Privacy Policy: AI clause added (2024-09-19)"]
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert ids[1] == "urn:clausewatch:linkedin-privacy-policy:20240919T072900Z"
    assert SENTENCE in entries[1].find(f"{ATOM}content").text
    assert entries[1].find(f"{ATOM}link").get("href") == "https://cw.example.org/changes/1.html"
    for service in ("linkedin", "slack"):
        root, service_entries = parse_atom(tmp_path / "feeds" / f"{service}.xml")
        assert len(service_entries) == 1
    assert send(store, wl, changes)[0].status == "nothing"
    # A later change rewrites the feed with the old entries kept under the same ids.
    send(store, wl, [*changes, ai_change(4, detected_at=NOW, captured_at=NOW)])
    _, entries = parse_atom(tmp_path / "feeds" / "desk.xml")
    assert len(entries) == 3 and [e.find(f"{ATOM}id").text for e in entries][1:] == ids


# --- failing documents --------------------------------------------------------------------------------


def test_a_failure_streak_is_reported_once(tmp_path, store, smtp):
    doc = DocumentSpec(id="x-privacy", service="X", type="Privacy Policy", url="https://x.example/privacy")
    store.upsert_document(doc)
    wl = watchlist(tmp_path, smtp_port=smtp.port)
    for n in range(1, 4):
        result = CheckResult(document_id=doc.id, service="X", type="Privacy Policy", url=doc.url,
                             outcome=Outcome.ERROR, reason="HTTP 503 Service Unavailable", consecutive_failures=n)
        store.add_check(result, started_at=NOW - timedelta(hours=4 - n))
        if n == 2:
            assert send(store, wl, [])[0].status == "nothing"  # under the threshold (3): not news yet
    (r,) = send(store, wl, [])
    assert r.status == "sent" and r.subject == "[clausewatch] 1 document failing checks: X Privacy Policy"
    assert "HTTP 503 Service Unavailable" in smtp.messages[0].get_body(("plain",)).get_content()
    result = CheckResult(document_id=doc.id, service="X", type="Privacy Policy", url=doc.url,
                         outcome=Outcome.ERROR, reason="HTTP 503", consecutive_failures=4)
    store.add_check(result, started_at=NOW)
    assert send(store, wl, [])[0].status == "nothing"  # the same streak
    assert len(smtp.messages) == 1


# --- cadence and the worker's entry point -----------------------------------------------------------------


def sub(cadence, **kw):
    from clausewatch.subscribers import Subscriber

    return Subscriber(name="s", atom="s.xml", cadence=cadence, **kw)


def test_due_slots_follow_local_time_across_dst():
    from datetime import time

    berlin = sub("daily", at=time(7, 0), timezone="Europe/Berlin")
    first = datetime(2024, 10, 20, tzinfo=UTC)
    # 05:30 UTC is 07:30 in Berlin in October (CEST): today's 07:00 slot (05:00 UTC) has come.
    assert deliver.due_slot(berlin, last=None, first_seen=first, now=datetime(2024, 10, 25, 5, 30, tzinfo=UTC)) == \
        datetime(2024, 10, 25, 5, 0, tzinfo=UTC)
    # After the switch to CET on 27 October 07:00 Berlin is 06:00 UTC.
    last = datetime(2024, 10, 27, 6, 0, tzinfo=UTC)
    assert deliver.due_slot(berlin, last=last, first_seen=first, now=datetime(2024, 10, 28, 5, 59, tzinfo=UTC)) is None
    assert deliver.due_slot(berlin, last=last, first_seen=first, now=datetime(2024, 10, 28, 6, 0, tzinfo=UTC)) == \
        datetime(2024, 10, 28, 6, 0, tzinfo=UTC)
    weekly = sub("weekly", at=time(9, 0), weekday=0)  # Mondays 09:00 UTC
    now = datetime(2024, 9, 19, 8, 0, tzinfo=UTC)  # a Thursday
    assert deliver.due_slot(weekly, last=None, first_seen=first.replace(month=9, day=1), now=now) == \
        datetime(2024, 9, 16, 9, 0, tzinfo=UTC)
    assert deliver.due_slot(weekly, last=datetime(2024, 9, 16, 9, 0, tzinfo=UTC), first_seen=first, now=now) is None
    assert deliver.due_slot(sub("after_run"), last=now, first_seen=first, now=now) == now


def test_send_due_digests_sends_on_the_slot_only(tmp_path, smtp):
    clock = {"now": datetime(2024, 9, 19, 6, 0, tzinfo=UTC)}
    store = Store(tmp_path / "due.sqlite", now=lambda: clock["now"])
    wl = watchlist(tmp_path, smtp_port=smtp.port, extra="    cadence: daily\n    at: '07:00'\n")
    store.subscriber_state("desk")  # subscribed at 06:00
    rows = [ai_change(detected_at=datetime(2024, 9, 19, 6, 30, tzinfo=UTC))]
    monkey = deliver.load_changes
    try:
        deliver.load_changes = lambda s, since=None: rows
        clock["now"] = datetime(2024, 9, 19, 6, 45, tzinfo=UTC)
        assert deliver.send_due_digests(store, wl, world=replace(world(), now=lambda: clock["now"])) == []
        clock["now"] = datetime(2024, 9, 19, 7, 1, tzinfo=UTC)
        results = deliver.send_due_digests(store, wl, world=replace(world(), now=lambda: clock["now"]))
        assert [r.status for r in results] == ["sent"] and len(smtp.messages) == 1
        assert store.subscriber_state("desk")["last_digest_at"] == "2024-09-19T07:00:00Z"
        clock["now"] = datetime(2024, 9, 19, 9, 0, tzinfo=UTC)
        assert deliver.send_due_digests(store, wl, world=replace(world(), now=lambda: clock["now"])) == []
    finally:
        deliver.load_changes = monkey
        store.close()


def test_two_senders_at_once_are_kept_apart(tmp_path, store, smtp):
    wl = watchlist(tmp_path, smtp_port=smtp.port)
    with deliver.sender_lock(store), pytest.raises(deliver.DeliveryError, match="another digest sender"):
        send(store, wl, [ai_change()])
    assert smtp.attempts == 0


def test_dry_run_records_nothing(tmp_path, store, smtp):
    wl = watchlist(tmp_path, smtp_port=smtp.port)
    (r,) = send(store, wl, [ai_change()], dry_run=True)
    assert r.status == "dry-run" and SENTENCE in r.rendered
    assert store.deliveries() == [] and store.subscriber_states() == [] and smtp.attempts == 0


def test_changes_are_read_from_the_changes_table_when_it_exists(store):
    from clausewatch.models import Version

    store.upsert_document(DocumentSpec(id="slack-terms", service="Slack", type="Terms", url="https://slack.example/t",
                                       tags=("workplace",)))
    ids = []
    for i, text in enumerate(["Disputes go to courts in California.", "Disputes go to courts in Delaware."]):
        v = Version(None, "slack-terms", NOW - timedelta(days=2 - i), text, f"h{i}", capture_sha256=f"{i}" * 64)
        ids.append(store.add_version(v, word_count=6))
    store.db["changes"].insert_all([
        {"id": 11, "document_id": "slack-terms", "old_version_id": ids[0], "new_version_id": ids[1],
         "class": "SUBSTANTIVE_OTHER", "severity": "low", "summary": "Slack Terms changed, nothing about AI",
         "deltas": "[]", "created_at": "2024-09-19T07:00:00Z"},
        {"id": 12, "document_id": "slack-terms", "old_version_id": ids[0], "new_version_id": ids[1],
         "class": "NOISE_REPEAT", "severity": "none", "summary": "noise", "deltas": "[]",
         "created_at": "2024-09-19T07:30:00Z"},
    ])
    (c,) = deliver.load_changes(store)
    assert (c.id, c.cls, c.key, c.tags, c.capture_sha256) == (11, "SUBSTANTIVE_OTHER", f"version:{ids[1]}",
                                                              ("workplace",), "1" * 64)
    assert (-1, "California") in c.diff and (1, "Delaware") in c.diff  # recomputed from the two versions
    assert D.site_change_url("https://cw.example.org", c) == "https://cw.example.org/changes/11.html"
    assert deliver.load_changes(store, since=NOW) == []  # recorded before NOW
