"""Change-engine commands: ``eval changes``, ``diff`` and ``review`` (thin: parse, call, print)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from ..errors import InputError
from .app import Settings, echo_json, main, pass_settings
from .evaluate import eval_group


@eval_group.command("changes")
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--corpus", "corpus", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Corpus root the gold file's old/new paths are relative to.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (pairs, accuracy, misses, …).")
def eval_changes(gold: Path, corpus: Path, as_json: bool) -> None:
    """Replay the version pairs of a gold file through the change engine and score it.

    Prints class accuracy, alert precision/recall, alerts on noise pairs and every miss, beside what
    a plain differ (alert on any text change) would do.

    \b
    Example:
      clausewatch eval changes ../shared/gold/changes-dev.jsonl --corpus ../shared/corpus
      clausewatch eval changes ../shared/gold/changes-dev.jsonl --corpus ../shared/corpus --json
    """
    from ..changes_eval import load_gold, replay

    score = replay(load_gold(gold), corpus)
    out = score.as_json()
    if as_json:
        echo_json({k: out[k] for k in ("pairs", "class_accuracy", "alert_precision", "alert_recall", "noise_alerts",
                                        "misses", "plain_differ", "normalising_differ", "confusion", "seconds")})
        return
    plain = out["plain_differ"]
    click.echo(f"pairs            {out['pairs']}  ({out['seconds']:.1f} s)")
    click.echo(f"class accuracy   {out['class_accuracy']:.3f}")
    click.echo(f"alert precision  {out['alert_precision']:.3f}   (plain differ {plain['alert_precision']:.3f})")
    click.echo(f"alert recall     {out['alert_recall']:.3f}   (plain differ {plain['alert_recall']:.3f})")
    click.echo(f"noise alerts     {out['noise_alerts']}       (plain differ {plain['noise_alerts']})")
    norm = out["normalising_differ"]
    click.echo(f"normalising differ (decision text changed): precision {norm['alert_precision']:.3f}, "
               f"recall {norm['alert_recall']:.3f}, noise alerts {norm['noise_alerts']}")
    if out["misses"]:
        click.echo(f"\nmisses ({len(out['misses'])}):")
        for m in out["misses"]:
            click.echo(f"  {m['id']}: expected {m['expected']}, got {m['got']} — {m['reason']}")


# --- diff / review ------------------------------------------------------------------------------


def _document(store, target: str) -> dict:
    """A stored document by id, by "Service/Type", or by service when it has one document."""
    doc = store.document(target)
    if doc:
        return doc
    if "/" in target:
        service, _, dtype = target.partition("/")
        for d in store.documents_of_service(service.strip()):
            if d["type"].casefold() == dtype.strip().casefold():
                return d
    docs = store.documents_of_service(target)
    if len(docs) == 1:
        return docs[0]
    if docs:
        names = ", ".join(f"{d['service']}/{d['type']}" for d in docs)
        raise InputError(f"'{target}' has several documents; name one ({names})")
    known = ", ".join(sorted(d["id"] for d in store.documents())) or "none"
    raise InputError(f"no document '{target}' in the database (known: {known})")


def _pick(versions, spec: str | None, default: int, what: str) -> int:
    """Index of a version by id (a number) or by date (the last version captured on or before it)."""
    if spec is None:
        return default
    if re.fullmatch(r"\d+", spec):
        for i, v in enumerate(versions):
            if v.id == int(spec):
                return i
        raise InputError(f"{what} {spec}: no such version of this document "
                         f"(versions: {', '.join(str(v.id) for v in versions)})")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(?:T[\d:]+Z?)?", spec):
        raise InputError(f"{what} {spec!r}: give a version id or a date (YYYY-MM-DD)")
    best = None
    for i, v in enumerate(versions):
        if v.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")[: len(spec)] <= spec:
            best = i
    if best is None:
        raise InputError(f"{what} {spec}: no version captured on or before that date "
                         f"(first: {versions[0].captured_at:%Y-%m-%d})")
    return best


@main.command()
@click.argument("doc")
@click.option("--from", "from_", metavar="DATE|VERSION", help="Old side (default: the version before --to).")
@click.option("--to", "to", metavar="DATE|VERSION", help="New side (default: the current version).")
@click.option("--since-reviewed", is_flag=True, help="Old side = the version marked by the last 'clausewatch review'.")
@click.option("--ai-only", is_flag=True, help="Show only the AI clauses that were added, removed or reworded.")
@click.option("--format", "fmt", type=click.Choice(["text", "html", "json"]), default="text", show_default=True)
@click.option("--context", type=int, default=12, show_default=True,
              help="Unchanged words shown around each change in text/html (-1 = the whole document).")
@click.option("--color/--no-color", default=None, help="Colour the text redline (default: when on a terminal).")
@pass_settings
def diff(settings: Settings, doc: str, from_: str | None, to: str | None, since_reviewed: bool, ai_only: bool,
         fmt: str, context: int, color: bool | None) -> None:
    """Redline between two dated versions of a document, with the change engine's verdict.

    \b
    Example:
      clausewatch diff linkedin-privacy-policy
      clausewatch diff "LinkedIn/Privacy Policy" --from 2024-08-01 --to 2024-09-19 --ai-only
      clausewatch diff linkedin-privacy-policy --since-reviewed --format html > redline.html
    """
    from ..compare import compare
    from ..redline import render_change
    from ..worddiff import word_diff

    store = settings.open_store(must_exist=True)
    try:
        row = _document(store, doc)
        versions = store.versions(row["id"])
        if len(versions) < 2:
            raise InputError(f"{row['id']}: only {len(versions)} version recorded, nothing to compare")
        current = next((i for i, v in enumerate(versions) if v.id == row["current_version_id"]), len(versions) - 1)
        j = _pick(versions, to, current, "--to")
        if since_reviewed:
            if from_:
                raise InputError("--since-reviewed and --from name the same thing; give one")
            review = store.last_review(row["id"])
            if review is None:
                raise InputError(f"{row['id']}: never reviewed (mark it with 'clausewatch review {row['id']}')")
            from_ = str(review["version_id"])
        i = _pick(versions, from_, max(j - 1, 0), "--from")
    finally:
        store.close()
    if i >= j:
        if i == j:
            click.echo(f"{row['id']}: nothing changed since version {versions[i].id} "
                       f"({versions[i].captured_at:%Y-%m-%d})")
            return
        i, j = j, i  # the older one is the old side
    name = f"{row['service']} {row['type']}"
    change = compare(versions[: i + 1], versions[j], name=name, with_diff=False)
    shown = () if ai_only else word_diff(versions[i].text, versions[j].text)
    title = (f"{name}: {versions[i].captured_at:%Y-%m-%d} (v{versions[i].id}) → "
             f"{versions[j].captured_at:%Y-%m-%d} (v{versions[j].id})")
    out = render_change(change, shown, fmt, ai_only=ai_only, color=sys.stdout.isatty() if color is None else color,
                        context=None if context < 0 else context, title=title)
    if fmt == "json":
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(out)


@main.command()
@click.argument("doc")
@click.option("--by", "reviewer", help="Who reviewed it (stored with the mark).")
@click.option("--note", help="A note stored with the mark.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored mark as JSON.")
@pass_settings
def review(settings: Settings, doc: str, reviewer: str | None, note: str | None, as_json: bool) -> None:
    """Mark a document's current version as reviewed; 'diff --since-reviewed' starts from it.

    \b
    Example:
      clausewatch review linkedin-privacy-policy --by legal
      clausewatch diff linkedin-privacy-policy --since-reviewed
    """
    store = settings.open_store(must_exist=True)
    try:
        row = _document(store, doc)
        if row["current_version_id"] is None:
            raise InputError(f"{row['id']}: no version recorded yet")
        with store.transaction():
            store.add_review(row["id"], row["current_version_id"], reviewer, note)
        mark = store.last_review(row["id"])
    finally:
        store.close()
    if as_json:
        echo_json(mark)
    else:
        click.echo(f"{row['id']}: version {mark['version_id']} marked reviewed at {mark['reviewed_at']}")
