"""Foundation commands: validate, check, run, history, show, import."""

from __future__ import annotations

import sys

import click

from ..errors import ConfigError, InputError
from .app import Settings, echo_json, main, pass_settings

_OUTCOME_COLOURS = {"new": "green", "changed": "yellow", "unchanged": None, "repeat": "cyan",
                    "suspect": "magenta", "error": "red"}


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the parsed watchlist as JSON.")
@pass_settings
def validate(settings: Settings, as_json: bool) -> None:
    """Check watchlist.yaml and say what it lists.

    \b
    Example:
      clausewatch --watchlist my-list.yaml validate
    """
    wl = settings.load_watchlist()
    if as_json:
        echo_json({
            "file": str(settings.watchlist_path),
            "documents": [{"id": d.id, "service": d.service, "type": d.type, "url": d.url, "fetcher": str(d.fetcher),
                           "interval_hours": wl.interval_for(d), "tags": list(d.tags)} for d in wl.documents],
            "subscribers": len(wl.subscribers),
        })
        return
    services = len({d.service for d in wl.documents})
    click.echo(f"{settings.watchlist_path}: OK — {len(wl.documents)} documents of {services} services, "
               f"{len(wl.subscribers)} subscribers")


def _document_for(settings: Settings, target: str):
    """A watchlist document by id / URL / 'Service/Type', or an ad-hoc one for a URL."""
    from ..config import slugify
    from ..models import DocumentSpec

    wl = None
    try:
        wl = settings.load_watchlist()
    except ConfigError:
        if not settings.watchlist_path.exists() and target.startswith(("http://", "https://")):
            wl = None  # a URL needs no watchlist
        else:
            raise
    doc = wl.find(target) if wl else None
    if doc is not None:
        return doc, wl
    if target.startswith(("http://", "https://")):
        from urllib.parse import urlsplit

        host = urlsplit(target).netloc
        return DocumentSpec(id=slugify(host, "adhoc"), service=host, type="Web page", url=target), wl
    raise InputError(f"'{target}' is neither a document in {settings.watchlist_path} (id, URL or Service/Type) "
                     "nor an http(s) URL")


def fetch_target(settings: Settings, target: str, fetcher: str | None = None):
    """Fetch and extract one watchlist document or URL, storing nothing: (doc, capture, extracted)."""
    from dataclasses import replace

    from ..config import Settings as RunSettings
    from ..errors import ExtractError, FetchError
    from ..models import Fetcher
    from ..pipeline import Fetchers, check_once

    doc, wl = _document_for(settings, target)
    if fetcher:
        doc = replace(doc, fetcher=Fetcher(fetcher))
    fetchers = Fetchers(wl.settings if wl else RunSettings())
    try:
        capture, extracted = check_once(doc, fetchers)
    except (FetchError, ExtractError) as exc:
        raise InputError(f"{doc.url}: {exc}") from None
    finally:
        fetchers.close()
    return doc, capture, extracted


@main.command()
@click.argument("target")
@click.option("--fetcher", type=click.Choice(["auto", "http", "browser"]), help="Override the document's fetcher.")
@click.option("--json", "as_json", is_flag=True, help="Print capture metadata and text as JSON.")
@pass_settings
def check(settings: Settings, target: str, fetcher: str | None, as_json: bool) -> None:
    """Fetch one document and print its extracted text; nothing is stored.

    TARGET is a document id, its URL or 'Service/Type' from the watchlist, or any URL.

    \b
    Example:
      clausewatch check linkedin-privacy-policy
      clausewatch check https://example.com/privacy --fetcher browser
    """
    from ..normalize import word_count
    from ..pipeline import sha256

    doc, capture, extracted = fetch_target(settings, target, fetcher)
    meta = {
        "url": doc.url, "final_url": capture.final_url, "status": capture.status, "fetcher": capture.fetcher,
        "sha256": sha256(capture.body), "bytes": len(capture.body), "title": extracted.title,
        "effective_date": extracted.effective_date, "language": extracted.language,
        "words": word_count(extracted.text), "extractor": extracted.extractor_version,
    }
    if as_json:
        echo_json({**meta, "text": extracted.text})
        return
    for key, value in meta.items():
        click.echo(click.style(f"{key}: ", dim=True) + str(value), err=True)
    click.echo(extracted.text)


def _select(wl, only: tuple[str, ...]):
    if not only:
        return list(wl.documents)
    wanted = {w.strip().casefold() for item in only for w in item.split(",") if w.strip()}
    chosen = [d for d in wl.documents
              if wanted & {d.id, d.service.casefold(), d.url.casefold(), *(t.casefold() for t in d.tags)}]
    if not chosen:
        raise InputError(f"--only {', '.join(sorted(wanted))}: matches no document id, service or tag in "
                         f"{wl.path or 'the watchlist'}")
    return chosen


@main.command()
@click.option("--only", multiple=True, metavar="ID|SERVICE|TAG",
              help="Check only these documents (repeatable, or comma-separated).")
@click.option("--json", "as_json", is_flag=True, help="Print one result per document as a JSON list.")
@pass_settings
def run(settings: Settings, only: tuple[str, ...], as_json: bool) -> None:
    """Check every watched document once and record what was found.

    Each document ends as new, changed, unchanged, repeat (back to an earlier text), suspect
    (looks wrong: much shorter, another language) or error (with the reason). Failures are
    recorded and never stop the run; the exit status is 0 unless the watchlist or database is
    unusable.

    \b
    Example:
      clausewatch run
      clausewatch run --only LinkedIn --only ai-terms --json
    """
    from ..pipeline import Fetchers, run_checks

    wl = settings.load_watchlist()
    docs = _select(wl, only)
    store = settings.open_store()
    fetchers = Fetchers(wl.settings)
    show_bar = sys.stderr.isatty() and not as_json
    results = []
    try:
        if show_bar:
            with click.progressbar(length=len(docs), label="checking", file=sys.stderr) as bar:
                results = run_checks(docs, store, fetchers, on_result=lambda r: bar.update(1))
        else:
            results = run_checks(docs, store, fetchers)
    finally:
        fetchers.close()
        store.close()
    order = {d.id: i for i, d in enumerate(docs)}
    results.sort(key=lambda r: order[r.document_id])
    if as_json:
        echo_json([r.as_json() for r in results])
        return
    for r in results:
        outcome = click.style(f"{r.outcome:<9}", fg=_OUTCOME_COLOURS.get(str(r.outcome)), bold=r.outcome != "unchanged")
        quiet = r.outcome == "unchanged" and "re-baselined" not in r.reason
        reason = "" if quiet else f"  ({r.reason})"
        click.echo(f"{outcome} {r.service} / {r.type}{reason}")
    counts: dict[str, int] = {}
    for r in results:
        counts[str(r.outcome)] = counts.get(str(r.outcome), 0) + 1
    click.echo(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no documents", err=True)


def _labels_of(store, version_id: int) -> list[str]:
    labels = set()
    for clause in store.clauses_for(version_id):
        labels.update(clause.labels)
    return sorted(labels)


@main.command()
@click.argument("service")
@click.option("--ai", "ai_only", is_flag=True, help="Show the AI-clause timeline: which labels each version has.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def history(settings: Settings, service: str, ai_only: bool, as_json: bool, fmt: str) -> None:
    """List the recorded versions of a service's documents, oldest first.

    \b
    Example:
      clausewatch history LinkedIn
      clausewatch history LinkedIn --ai --format json
    """
    store = settings.open_store(must_exist=True)
    docs = store.documents_of_service(service)
    if not docs:
        known = sorted({d["service"] for d in store.documents()})
        raise InputError(f"no documents recorded for service '{service}' (known: {', '.join(known) or 'none'})")
    out = []
    for doc in docs:
        versions = []
        previous: list[str] | None = None
        for row in store.version_rows(doc["id"]):
            entry = {"version": row["id"], "captured_at": row["captured_at"], "words": row["word_count"],
                     "source": row["source"], "current": row["id"] == doc["current_version_id"]}
            labels = _labels_of(store, row["id"])
            entry["ai_labels"] = labels
            if ai_only:
                if previous is not None and labels == previous:
                    continue
                entry["gained"] = sorted(set(labels) - set(previous or []))
                entry["lost"] = sorted(set(previous or []) - set(labels))
                previous = labels
            versions.append(entry)
        checks = store.checks(doc["id"], limit=1)
        out.append({"id": doc["id"], "service": doc["service"], "type": doc["type"], "url": doc["url"],
                    "last_check": checks[0] if checks else None, "versions": versions})
    store.close()
    if as_json or fmt == "json":
        echo_json(out)
        return
    for doc in out:
        click.echo(click.style(f"{doc['service']} / {doc['type']}", bold=True) + f"  ({doc['id']})")
        last = doc["last_check"]
        if last:
            click.echo(f"  last checked {last['started_at']}: {last['outcome']}"
                       + (f" ({last['reason']})" if last["outcome"] not in ("unchanged", "new", "changed") else ""))
        if not doc["versions"]:
            click.echo("  no versions")
        for v in doc["versions"]:
            mark = "*" if v["current"] else " "
            line = f" {mark}{v['version']:>6}  {v['captured_at']}  {v['words'] or 0:>6} words  {v['source']:<9}"
            if ai_only:
                change = " ".join([*(f"+{label}" for label in v["gained"]), *(f"-{label}" for label in v["lost"])])
                line += "  " + (change or "(no AI clauses)")
            elif v["ai_labels"]:
                line += "  AI: " + ", ".join(v["ai_labels"])
            click.echo(line)


@main.command()
@click.argument("version", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print metadata, text and clauses as JSON.")
@pass_settings
def show(settings: Settings, version: int, as_json: bool) -> None:
    """Print one stored version's text, with where it came from.

    \b
    Example:
      clausewatch show 42
    """
    store = settings.open_store(must_exist=True)
    row = store.version_row(version)
    if row is None:
        raise InputError(f"no version {version} in {settings.db_path}")
    doc = store.document(row["document_id"])
    clauses = store.clauses_for(version)
    capture = store.capture(row["capture_sha256"]) if row["capture_sha256"] else None
    store.close()
    meta = {k: v for k, v in row.items() if k != "text"}
    meta.update(service=doc["service"], type=doc["type"], url=doc["url"])
    if capture:
        meta["capture"] = {"sha256": capture["sha256"], "status": capture["status"], "final_url": capture["final_url"],
                           "fetcher": capture["fetcher"], "fetched_at": capture["fetched_at"], "bytes": capture["size"],
                           "headers": capture["headers"]}
    if as_json:
        echo_json({**meta, "text": row["text"],
                   "clauses": [{"passage_index": c.passage_index, "start": c.start, "end": c.end, "labels": c.labels,
                                "evidence": [e.__dict__ for e in c.evidence], "analysed": c.analysed}
                               for c in clauses]})
        return
    click.echo(click.style(f"{doc['service']} / {doc['type']} — version {version}, captured {row['captured_at']}",
                           bold=True), err=True)
    if capture:
        click.echo(f"capture {capture['sha256']} ({capture['fetcher']}, HTTP {capture['status']}, "
                   f"{capture['final_url']})", err=True)
    elif row["source_path"]:
        click.echo(f"imported from {row['source_path']}", err=True)
    click.echo(row["text"])


@main.command("import")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@pass_settings
def import_cmd(settings: Settings, path: str, as_json: bool) -> None:
    """Import dated versions from an Open Terms Archive-style folder.

    PATH holds <Service>/<Terms type>/<YYYY-MM-DDTHH-MM-SSZ>.md files (a root, one service or one
    document folder). Documents also in the watchlist are matched by service and type.

    \b
    Example:
      clausewatch import ../shared/corpus/ota
    """
    from ..importer import import_history

    wl = settings.load_watchlist() if settings.watchlist_path.exists() else None
    store = settings.open_store()
    try:
        report = import_history(path, store, watchlist=wl,
                                on_document=lambda doc_id, n: None if as_json else click.echo(
                                    f"{doc_id}: {n} versions", err=True))
    finally:
        store.close()
    if as_json:
        echo_json(report.as_json())
        return
    click.echo(f"imported {report.versions_added} versions of {report.documents} documents from {report.files} files "
               f"({report.unchanged} unchanged, {report.repeats} repeats)")
    for skipped in report.skipped:
        click.echo(f"skipped {skipped}", err=True)

