"""Clause extraction benchmark (issue 5): gold scores overall and leave-one-service-out, throughput.

    python benchmarks/clauses_eval.py [--gold ../shared/gold/clauses-dev.jsonl] [--corpus ../shared/corpus]
                                      [--no-throughput] [--json]

Prints per-label precision / recall / F1 (with lead-in context read from the corpus, and without
it), evidence overlap, the leave-one-service-out table (see clausewatch.clause_eval for what a
fold switches off), the scores on the held-out paraphrase files tests/data/clauses_heldout*.jsonl
(own sentences in other services' styles, no corpus context), and the MB/s of ``extract_clauses`` over every primary corpus version on one
core.  Results go into benchmarks/README.md by hand, as measured.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def table(title: str, result: dict) -> str:
    lines = [f"### {title}", "", "| label | P | R | F1 | support |", "|---|---:|---:|---:|---:|"]
    for label, v in result["labels"].items():
        lines.append(f"| {label} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1']:.3f} | {v['support']} |")
    lines.append(f"\nevidence quote overlaps the gold quote in {result['evidence_overlap']:.1%} of true positives")
    return "\n".join(lines)


def throughput(corpus: Path) -> dict:
    from clausewatch.clauses import extract_clauses

    files = sorted((corpus / "ota").rglob("*.md"))
    texts = [f.read_text(encoding="utf-8") for f in files]
    size = sum(len(t.encode("utf-8")) for t in texts)
    extract_clauses(texts[0])  # compile the rules once, outside the timing
    t0, c0 = time.perf_counter(), time.process_time()
    clauses = sum(len(extract_clauses(t)) for t in texts)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    # CPU seconds of this (single-threaded) process = one core's work; wall time also counts
    # waiting for a busy machine, so both are printed
    return {"files": len(files), "mb": round(size / 1e6, 2), "seconds": round(dt, 2), "cpu_seconds": round(cpu, 2),
            "mb_per_s": round(size / 1e6 / dt, 2), "mb_per_cpu_s": round(size / 1e6 / cpu, 2), "clauses": clauses}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=SHARED / "gold" / "clauses-dev.jsonl")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    ap.add_argument("--heldout", type=Path, nargs="*", default=sorted((HERE.parent / "tests" / "data").glob("clauses_heldout*.jsonl")))
    ap.add_argument("--no-throughput", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from clausewatch.clause_eval import leave_one_service_out, load_gold, predict, score

    items = load_gold(args.gold, args.corpus)
    preds = predict(items)
    overall = score(items, preds)
    loso = leave_one_service_out(items, preds)
    bare_items = load_gold(args.gold, None)
    bare = score(bare_items, predict(bare_items))
    heldout = {}
    for f in args.heldout:
        h_items = load_gold(f, None)
        heldout[f.name] = score(h_items, predict(h_items))
    out = {"passages": len(items), "services": len({i.service for i in items}),
           "with_context": sum(1 for i in items if i.context), "overall": overall, "loso": loso, "no_corpus": bare,
           "heldout": heldout}
    if not args.no_throughput:
        out["throughput"] = throughput(args.corpus)
    if args.json:
        for r in (overall, loso, bare, *heldout.values()):
            r.pop("errors", None)
        json.dump(out, sys.stdout, indent=2)
        print()
        return 0
    print(f"{args.gold}: {out['passages']} passages, {out['services']} services, "
          f"{out['with_context']} with lead-in context from {args.corpus}\n")
    print(table("Overall (lead-in context from the corpus)", overall), "\n")
    print(table("Leave-one-service-out (rules with no correct hit on the other 14 services switched off)", loso), "\n")
    print(table("Overall without the corpus (no lead-in context)", bare), "\n")
    for name, r in heldout.items():
        print(table(f"Held-out paraphrases {name} ({r['passages']} passages)", r), "\n")
    off = {svc: rules for svc, rules in loso["disabled_rules_per_fold"].items() if rules}
    print("rules switched off per fold:", json.dumps(off, indent=1), "\n")
    print("remaining errors (overall):")
    for e in overall["errors"]:
        print(f"  {e['id']}: gold {e['gold']} pred {e['pred']}")
    if "throughput" in out:
        t = out["throughput"]
        print(f"\nthroughput: {t['files']} files, {t['mb']} MB: {t['cpu_seconds']} CPU s = {t['mb_per_cpu_s']} MB/s "
              f"on one core ({t['seconds']} s wall = {t['mb_per_s']} MB/s; {t['clauses']} clauses)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
