"""End to end: LinkedIn's privacy policy of 2024-08 and then of 2024-09 (the AI-training change) served
on 127.0.0.1, `clausewatch run` twice, `clausewatch digest --send` to a real SMTP server (aiosmtpd).

Policy text: Open Terms Archive contributors (ODC-BY 1.0), read from ../shared/corpus.
"""

from __future__ import annotations

import json

import pytest
import sqlite_utils
from click.testing import CliRunner

from clausewatch import deliver
from clausewatch.cli import main
from clausewatch.config import load_watchlist
from clausewatch.store import Store
from linkedin_pair import ADDED, AFTER, BEFORE
from mail_servers import SmtpSink
from policy_pages import Response, policy_page

OLD_SENTENCE = "We use the data that we have about you to provide and personalize our Services"
SUBJECT = "[clausewatch] LinkedIn Privacy Policy now says it may use your data to develop and train AI models"


@pytest.fixture
def setup(server, corpus, tmp_path):
    sink = SmtpSink().start()
    wl = tmp_path / "watchlist.yaml"
    wl.write_text(f"""
settings: {{per_host_delay: 0, timeout: 5}}
documents:
  - {{service: LinkedIn, type: Privacy Policy, url: '{server.url('/legal/privacy-policy')}', tags: [social]}}
delivery:
  site_url: https://cw.example.org
  feeds_dir: '{tmp_path / 'feeds'}'
  smtp: {{host: 127.0.0.1, port: {sink.port}, security: none, sender: "clausewatch <alerts@example.org>"}}
subscribers:
  - name: ai-desk
    channels: {{email: desk@example.org, atom: '{tmp_path / 'feeds' / 'ai-desk.xml'}'}}
    filter: {{tags: [social]}}  # everything about these documents that is not noise
""", encoding="utf-8")
    ctx = {"server": server, "corpus": corpus, "sink": sink, "watchlist": wl, "db": tmp_path / "cw.sqlite",
           "tmp": tmp_path}
    yield ctx
    sink.stop()


def serve(ctx, relative, **page):
    md = (ctx["corpus"] / relative).read_text(encoding="utf-8")
    ctx["server"].pages["/legal/privacy-policy"] = Response(body=policy_page(md, **page))
    return md


def cli(ctx, *args, code=0):
    result = CliRunner().invoke(main, ["--watchlist", str(ctx["watchlist"]), "--db", str(ctx["db"]), *args],
                                env={"CLAUSEWATCH_SMTP_USER": "", "CLAUSEWATCH_SMTP_PASSWORD": ""})
    assert result.exit_code == code, result.output
    return result.output


def outcomes(ctx):
    return [r["outcome"] for r in json.loads(cli(ctx, "run", "--json"))]


def test_linkedin_ai_training_change_is_mailed_once_with_the_exact_sentence(setup):
    ctx = setup
    serve(ctx, BEFORE)
    assert outcomes(ctx) == ["new"]
    text = sqlite_utils.Database(ctx["db"]).execute("select text from versions").fetchone()[0]
    assert OLD_SENTENCE in text and "Privacy Policy" in text  # the wrapped Markdown was extracted
    assert cli(ctx, "digest", "--send").strip() == "ai-desk email:desk@example.org: nothing\nai-desk atom: nothing"

    serve(ctx, AFTER)
    assert outcomes(ctx) == ["changed"]
    out = cli(ctx, "digest", "--send")
    assert "ai-desk email:desk@example.org: sent (1 item)" in out
    (msg,) = ctx["sink"].messages
    assert msg["Subject"].startswith(SUBJECT)
    assert msg["To"] == "desk@example.org"
    assert {p.get_content_type() for p in msg.walk()} >= {"multipart/alternative", "text/plain", "text/html"}
    plain, html = msg.get_body(("plain",)).get_content(), msg.get_body(("html",)).get_content()
    assert ADDED in plain and ADDED in html
    assert "LinkedIn Privacy Policy: AI clause added" in plain
    sha = sqlite_utils.Database(ctx["db"]).execute(
        "select capture_sha256 from versions order by id desc").fetchone()[0]
    assert sha and sha in plain and sha in html  # the evidence
    change_id = sqlite_utils.Database(ctx["db"]).execute(
        "select id from changes where class = 'AI_CLAUSE_ADDED' order by id desc").fetchone()[0]
    assert f"https://cw.example.org/changes/{change_id}.html" in plain  # the change's page on the site

    # The feed got it too, and the LinkedIn service feed exists.
    feed = (ctx["tmp"] / "feeds" / "ai-desk.xml").read_text(encoding="utf-8")
    assert "LinkedIn Privacy Policy: AI clause added" in feed
    assert (ctx["tmp"] / "feeds" / "linkedin.xml").is_file()

    # A second send delivers nothing.
    assert "nothing" in cli(ctx, "digest", "--send") and len(ctx["sink"].messages) == 1

    # Noise: a new footer and tracking parameters (no new version) ...
    serve(ctx, AFTER, footer="Page generated 2024-09-20 11:12:13 · build 9e8d7c6", tracking="trk=public_footer")
    assert outcomes(ctx) == ["unchanged"]
    # ... and a punctuation-only edit (a new version, classified as formatting noise).
    md = (ctx["corpus"] / AFTER).read_text(encoding="utf-8")
    ctx["server"].pages["/legal/privacy-policy"] = Response(
        body=policy_page(md.replace("(including ads)", "(including ads),", 1).replace(
            "Your Privacy Matters", "Your Privacy Matters!", 1)))
    assert outcomes(ctx) == ["changed"]
    assert cli(ctx, "digest", "--send").count("nothing") == 2
    assert len(ctx["sink"].messages) == 1

    # The ledger: one row per (change, subscriber, channel), sent.
    rows = list(sqlite_utils.Database(ctx["db"]).query("select item_key, channel, status from deliveries"))
    assert sorted((r["channel"], r["status"]) for r in rows) == [("atom", "sent"), ("email:desk@example.org", "sent")]


def test_smtp_refusing_the_first_two_attempts_ends_with_one_message(setup):
    ctx = setup
    serve(ctx, BEFORE)
    outcomes(ctx)
    serve(ctx, AFTER)
    outcomes(ctx)
    ctx["sink"].refuse = ["451 4.3.0 greylisted, try again", "421 4.3.2 service not available"]
    wl = load_watchlist(ctx["watchlist"])
    with Store(ctx["db"]) as store:
        results = deliver.send_digests(store, wl, world=deliver.World(sleep=lambda s: None, env={}),
                                       subscribers=["ai-desk"])
    assert [r.status for r in results if r.channel.startswith("email")] == ["sent"]
    assert ctx["sink"].attempts == 3 and len(ctx["sink"].messages) == 1
    assert ADDED in ctx["sink"].messages[0].get_body(("plain",)).get_content()
    cli(ctx, "digest", "--send")
    assert len(ctx["sink"].messages) == 1


def test_preview_and_dry_run_send_nothing(setup):
    ctx = setup
    serve(ctx, BEFORE)
    outcomes(ctx)
    serve(ctx, AFTER)
    outcomes(ctx)
    md = cli(ctx, "digest", "--format", "markdown", "--since", "1d")
    assert md.startswith("# \\[clausewatch\\] LinkedIn Privacy Policy now says")
    dry = cli(ctx, "digest", "--send", "--dry-run")
    assert "ai-desk email:desk@example.org: dry-run (1 item)" in dry and ADDED in dry
    assert ctx["sink"].attempts == 0
    assert sqlite_utils.Database(ctx["db"])["deliveries"].count == 0
    assert "--since: 'yesterday' is not a date" in CliRunner().invoke(
        main, ["--watchlist", str(ctx["watchlist"]), "--db", str(ctx["db"]), "digest", "--since", "yesterday"]).output
