"""``clausewatch clauses TARGET`` and ``clausewatch eval clauses GOLD``: AI clauses and their score."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .app import Settings, echo_json, main, pass_settings
from .evaluate import eval_group

_EXCERPT = 600  # characters of a passage shown around its evidence in text output


def _text_of(settings: Settings, target: str) -> tuple[str, str, int | None]:
    """(version text, where it came from, stored version id or None) for a FILE, URL or VERSION id."""
    path = Path(target)
    if path.is_file():
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{target}: cannot read file ({exc.strerror or exc})") from None
        if path.suffix.lower() in (".html", ".htm"):
            from ..errors import ExtractError
            from ..extract import extract

            try:
                return extract(body, "text/html").text, str(path), None
            except ExtractError as exc:
                raise InputError(f"{target}: {exc}") from None
        try:
            return body.decode("utf-8"), str(path), None
        except UnicodeDecodeError:
            raise InputError(f"{target}: not UTF-8 text (give the extracted Markdown/text, or an .html file)") from None
    if target.startswith(("http://", "https://")):
        from .core import fetch_target

        _doc, _capture, extracted = fetch_target(settings, target)
        return extracted.text, target, None
    if target.isdigit():
        store = settings.open_store(must_exist=True)
        try:
            version = store.version(int(target))
        finally:
            store.close()
        if version is None:
            raise InputError(f"version {target}: no such version in {settings.db_path}")
        return version.text, f"version {target} of {version.document_id}", int(target)
    raise InputError(f"{target}: no such file, not an http(s) URL and not a version id")


def _clause_json(clause, rules: dict | None = None) -> dict:
    return {
        "passage_index": clause.passage_index,
        "start": clause.start,
        "end": clause.end,
        "labels": list(clause.labels),
        "analysed": clause.analysed,
        "note": clause.note,
        "text": clause.text,
        "evidence": [
            {"label": e.label, "start": e.start, "end": e.end, "quote": e.quote,
             **({"rule": rules.get((clause.passage_index, e.label))} if rules else {})}
            for e in clause.evidence
        ],
    }


def _highlight(clause) -> str:
    """The passage around its evidence, each quote in bold (or [[…]] when colour is off)."""
    spans = sorted({(e.start - clause.start, e.end - clause.start) for e in clause.evidence})
    text = clause.text
    lo = max(0, min((s for s, _ in spans), default=0) - 150)
    hi = min(len(text), max(lo + _EXCERPT, max((e for _, e in spans), default=0) + 150))
    out, pos = [], lo
    for s, e in spans:
        s, e = max(s, pos), max(e, pos)
        if s >= hi:
            break
        out.append(text[pos:s])
        out.append(click.style(text[s:e], bold=True, underline=True))
        pos = e
    out.append(text[pos:hi])
    return ("…" if lo else "") + "".join(out).replace("\n", " ") + ("…" if hi < len(text) else "")


@main.command("clauses")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--recompute", is_flag=True, help="For a stored VERSION: run the extractor again instead of "
              "showing the clauses stored with it.")
@pass_settings
def clauses_cmd(settings: Settings, target: str, fmt: str, recompute: bool) -> None:
    """Print the AI clauses of a version: labels, passages and the evidence for each label.

    TARGET is a file (extracted Markdown/text, or .html), an http(s) URL (fetched and extracted,
    nothing stored) or the id of a stored version (see 'clausewatch history SERVICE').

    \b
    Example:
      clausewatch clauses "../shared/corpus/ota/LinkedIn/Privacy Policy/2024-09-19T06-10-13Z.md"
      clausewatch clauses 42 --format json
    """
    from ..clauses import RULES_VERSION, analyse_passage, extract_clauses, lead_in_context, segments

    text, source, version_id = _text_of(settings, target)
    rules = None
    stored_rules = RULES_VERSION
    if version_id is not None and not recompute:
        store = settings.open_store(must_exist=True)
        try:
            found = store.clauses_for(version_id)
            stored_rules = store.clauses_rules_version(version_id)
        finally:
            store.close()
    else:
        found = extract_clauses(text)
        spans = segments(text)
        rules = {}
        for c in found:
            r = analyse_passage(c.text, lead_in_context(text, spans, c.passage_index))
            rules.update({(c.passage_index, lb): name for lb, _s, _e, name in r.spans})
    if fmt == "json":
        echo_json({"source": source, "version_id": version_id, "chars": len(text),
                   "rules_version": stored_rules, "current_rules_version": RULES_VERSION,
                   "stale": _stale(stored_rules, RULES_VERSION),
                   "clauses": [_clause_json(c, rules) for c in found]})
        return
    if _stale(stored_rules, RULES_VERSION):
        click.echo(f"{source}: stored clauses were computed by rules version {stored_rules or 'before 2'} "
                   f"(current: {RULES_VERSION}); run 'clausewatch reclassify' or add --recompute", err=True)
    labelled = [c for c in found if c.analysed]
    skipped = [c for c in found if not c.analysed]
    click.echo(f"{source}: {len(labelled)} AI clause(s)" + (f", {len(skipped)} passage(s) not analysed" if skipped else ""),
               err=True)
    for c in found:
        if not c.analysed:
            click.echo(click.style(f"p{c.passage_index}", bold=True) + f"  {c.note}")
            continue
        click.echo(click.style(f"p{c.passage_index}", bold=True) + "  " + ", ".join(c.labels))
        click.echo("    " + _highlight(c))
        for e in c.evidence:
            why = f"  ({rules[(c.passage_index, e.label)]})" if rules and (c.passage_index, e.label) in rules else ""
            click.echo(f"    {e.label}: “{e.quote}” [{e.start}:{e.end}]{why}")


def _stale(stored: int | None, current: int) -> bool:
    return stored is None or stored < current


@main.command("reclassify")
@click.option("--all", "everything", is_flag=True, help="Recompute the clauses of every stored version, "
              "not only those computed by older rules.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@pass_settings
def reclassify_cmd(settings: Settings, everything: bool, fmt: str) -> None:
    """Recompute stored clauses that older clause rules computed (clauses.RULES_VERSION).

    Each version's clauses are replaced in one transaction, so an interrupted run leaves every
    version either reclassified or as it was; running it again continues where it stopped.

    
    Example:
      clausewatch reclassify
      clausewatch reclassify --all
    """
    from ..clauses import RULES_VERSION, extract_clauses

    store = settings.open_store(must_exist=True)
    try:
        if everything:
            ids = [r["id"] for r in store.db.query("select id from versions order by id")]
        else:
            ids = store.stale_clause_versions(RULES_VERSION)
        changed = 0
        for vid in ids:
            version = store.version(vid)
            if version is None:
                continue
            before = [(c.passage_index, c.labels) for c in store.clauses_for(vid)]
            found = extract_clauses(version.text)
            with store.transaction():
                store.save_clauses(vid, found, RULES_VERSION)
            changed += before != [(c.passage_index, c.labels) for c in found]
    finally:
        store.close()
    if fmt == "json":
        echo_json({"rules_version": RULES_VERSION, "reclassified": len(ids), "labels_changed": changed})
        return
    click.echo(f"reclassified {len(ids)} version(s) with clause rules version {RULES_VERSION}; "
               f"labels changed in {changed}")


@eval_group.command("clauses")
@click.argument("gold", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path),
              help="Corpus root the gold 'file' fields are relative to; used only to read lead-in context.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (labels, evidence_overlap, passages, confusion).")
@click.option("--loso", is_flag=True, help="Also score leave-one-service-out (rules chosen on the other services).")
def eval_clauses(gold: Path, corpus: Path | None, as_json: bool, loso: bool) -> None:
    """Score the clause extractor against a gold file in the format of ../shared/gold/clauses-dev.jsonl.

    \b
    Example:
      clausewatch eval clauses ../shared/gold/clauses-dev.jsonl --corpus ../shared/corpus
      clausewatch eval clauses gold.jsonl --json
    """
    from ..clause_eval import leave_one_service_out, load_gold, predict, score

    if corpus is not None and not corpus.is_dir():
        raise InputError(f"{corpus}: corpus directory not found")
    items = load_gold(gold, corpus)
    if not items:
        raise InputError(f"{gold}: no gold records")
    preds = predict(items)
    result = score(items, preds)
    out = {
        "labels": {k: {m: v[m] for m in ("precision", "recall", "f1", "support")} for k, v in result["labels"].items()},
        "evidence_overlap": result["evidence_overlap"],
        "passages": result["passages"],
        "confusion": result["confusion"],
    }
    if loso:
        lo = leave_one_service_out(items, preds)
        out["leave_one_service_out"] = {
            "labels": {k: {m: v[m] for m in ("precision", "recall", "f1", "support")} for k, v in lo["labels"].items()},
            "evidence_overlap": lo["evidence_overlap"],
            "disabled_rules_per_fold": lo["disabled_rules_per_fold"],
        }
    if as_json:
        echo_json(out)
        return
    _print_table(f"{gold} ({result['passages']} passages)", result)
    if loso:
        _print_table("leave-one-service-out", lo)
    click.echo("\nconfusion (gold label → predicted labels):")
    for g, row in out["confusion"].items():
        click.echo(f"  {g:<24} " + ", ".join(f"{p} {n}" for p, n in sorted(row.items(), key=lambda kv: -kv[1])))


def _print_table(title: str, result: dict) -> None:
    click.echo(click.style(title, bold=True))
    click.echo(f"  {'label':<24} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}")
    for label, v in result["labels"].items():
        click.echo(f"  {label:<24} {v['precision']:>6.3f} {v['recall']:>6.3f} {v['f1']:>6.3f} {v['support']:>8}")
    click.echo(f"  evidence overlap: {result['evidence_overlap']:.3f} of true positives")
