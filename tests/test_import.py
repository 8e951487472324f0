"""`clausewatch import`: years of real history, with real dates, through the same store."""

from __future__ import annotations

import json

from click.testing import CliRunner

from clausewatch.cli import main


def _run(db, *args):
    result = CliRunner().invoke(main, ["--watchlist", "/nonexistent/watchlist.yaml", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result


def test_import_linkedin_history_with_real_dates(corpus, tmp_path):
    db = tmp_path / "cw.sqlite"
    report = json.loads(_run(db, "import", str(corpus / "ota/LinkedIn"), "--json").output)
    files = len(list((corpus / "ota/LinkedIn").rglob("*.md")))
    assert report["files"] == files and report["documents"] == 2
    # Formatting-only OTA "changes" and flip-flops are not new versions.
    assert report["versions_added"] + report["unchanged"] + report["repeats"] == files
    assert 0 < report["versions_added"] < files
    history = json.loads(_run(db, "history", "LinkedIn", "--json").output)
    pp = next(d for d in history if d["type"] == "Privacy Policy")
    dates = [v["captured_at"] for v in pp["versions"]]
    assert dates == sorted(dates) and dates[0] == "2021-10-07T17:30:12Z"
    assert "2024-09-19T06:10:13Z" in dates
    assert all(v["source"] == "import" for v in pp["versions"])
    # Importing again adds nothing.
    again = json.loads(_run(db, "import", str(corpus / "ota/LinkedIn"), "--json").output)
    assert again["versions_added"] == 0


def test_import_one_document_folder_and_show_it(corpus, tmp_path):
    db = tmp_path / "cw.sqlite"
    _run(db, "import", str(corpus / "ota/Meta AI"))
    [doc] = json.loads(_run(db, "history", "Meta AI", "--json").output)
    first = doc["versions"][0]["version"]
    shown = json.loads(_run(db, "show", str(first), "--json").output)
    assert shown["source_path"].endswith(".md") and shown["text"].strip()


def test_import_errors_are_one_line(tmp_path):
    db = tmp_path / "cw.sqlite"
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(tmp_path / "missing")])
    assert result.exit_code == 2 and result.output == f"clausewatch: {tmp_path / 'missing'}: no such file or folder\n"
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["--db", str(db), "import", str(tmp_path / "empty")])
    assert result.exit_code == 2 and "no dated versions found" in result.output


def test_history_of_unknown_service_lists_known_ones(corpus, tmp_path):
    db = tmp_path / "cw.sqlite"
    _run(db, "import", str(corpus / "ota/Meta AI"))
    result = CliRunner().invoke(main, ["--db", str(db), "history", "Nobody"])
    assert result.exit_code == 2
    assert result.output == "clausewatch: no documents recorded for service 'Nobody' (known: Meta AI)\n"


def test_commands_needing_a_database_say_so(tmp_path):
    result = CliRunner().invoke(main, ["--db", str(tmp_path / "none.sqlite"), "history", "LinkedIn"])
    assert result.exit_code == 1
    assert "no database yet" in result.output and "Traceback" not in result.output


def test_db_path_from_environment(corpus, tmp_path, monkeypatch):
    db = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("CLAUSEWATCH_DB", str(db))
    result = CliRunner().invoke(main, ["import", str(corpus / "ota/Meta AI")])
    assert result.exit_code == 0, result.output
    assert db.exists()
    assert "CLAUSEWATCH_DB" in CliRunner().invoke(main, ["--help"]).output


def test_versions_hashed_under_an_older_normalisation_are_rehashed_not_reimported(corpus, tmp_path):
    from clausewatch.normalize import NORMALISATION_VERSION, decision_hash
    from clausewatch.store import Store

    db = tmp_path / "cw.sqlite"
    first = json.loads(_run(db, "import", str(corpus / "ota/Meta AI"), "--json").output)
    store = Store(db)
    ids = [r["id"] for r in store.db.query("select id from versions")]
    # As an older clausewatch would have left them: another normalisation, another hash.
    store.db.execute("update versions set normalisation_version = '0', decision_hash = 'old-' || id")
    store.db.conn.close()
    again = json.loads(_run(db, "import", str(corpus / "ota/Meta AI"), "--json").output)
    assert again["versions_added"] == 0 and again["unchanged"] + again["repeats"] == first["files"]
    store = Store(db)
    rows = {r["id"]: r for r in store.db.query("select id, text, decision_hash, normalisation_version from versions")}
    assert sorted(rows) == ids
    assert all(r["normalisation_version"] == NORMALISATION_VERSION and r["decision_hash"] == decision_hash(r["text"])
               for r in rows.values())


def test_import_in_a_process_pool_stores_what_one_process_stores(corpus, tmp_path, monkeypatch):
    from clausewatch.analysis import PROCESSES_ENV
    from clausewatch.store import Store

    def stored(db):
        s = Store(db)
        versions = list(s.db.query("select document_id, captured_at, decision_hash, clauses_rules_version from versions"))
        clauses = list(s.db.query("select version_id, passage_index, labels, evidence from clauses"))
        changes = list(s.db.query("select document_id, old_version_id, new_version_id, class, reason, summary, deltas "
                                  "from changes order by id"))
        return versions, clauses, changes

    monkeypatch.setenv(PROCESSES_ENV, "2")  # 28 files: enough for the pool (analysis.POOL_MIN_CAPTURES)
    _run(tmp_path / "pool.sqlite", "import", str(corpus / "ota/WhatsApp"))
    monkeypatch.setenv(PROCESSES_ENV, "1")
    _run(tmp_path / "one.sqlite", "import", str(corpus / "ota/WhatsApp"))
    pooled, single = stored(tmp_path / "pool.sqlite"), stored(tmp_path / "one.sqlite")
    assert pooled == single and pooled[2]  # some changes were compared
