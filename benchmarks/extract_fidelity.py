"""How close does clausewatch's extraction get to Open Terms Archive's own Markdown?

For every raw snapshot in ../shared/corpus/ota-snapshots (multi-page documents concatenated in
manifest order, as OTA combines them), extract with ``clausewatch.extract`` and compare with
the OTA version extracted from the same snapshot by OTA's hand-written selectors:

* word ratio / recall / precision: difflib over lower-cased word tokens, link targets removed
  (ratio = 2M/T, recall = M/|ref|, precision = M/|ours|);
* headings, list items and table rows found (ours → OTA's);
* seconds per page.

Run:  python benchmarks/extract_fidelity.py [--corpus ../shared/corpus] [--json]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from clausewatch.extract import extract  # noqa: E402

_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(_LINK_TARGET.sub("]", text))]


def structure(text: str) -> tuple[int, int, int]:
    lines = text.split("\n")
    headings = sum(1 for line in lines if re.match(r"\s{0,3}#{1,6}\s", line))
    headings += sum(1 for i, line in enumerate(lines[1:], 1) if re.fullmatch(r"\s*(=+|-+)\s*", line) and lines[i - 1].strip())
    items = sum(1 for line in lines if re.match(r"\s*(?:[-*+]|\d{1,3}[.)])\s+\S", line))
    rows = sum(1 for line in lines if line.lstrip().startswith("|") and not re.match(r"\s*\|\s*:?-{3}", line))
    return headings, items, rows


def compare(ours: str, reference: str) -> dict:
    a, b = words(ours), words(reference)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return {
        "ratio": round(2 * matched / max(1, len(a) + len(b)), 3),
        "recall": round(matched / max(1, len(b)), 3),
        "precision": round(matched / max(1, len(a)), 3),
        "ref_words": len(b),
        "our_words": len(a),
    }


def run(corpus: Path) -> list[dict]:
    manifest = json.loads((corpus / "ota-snapshots" / "manifest.json").read_text(encoding="utf-8"))
    groups: dict[str, list[dict]] = defaultdict(list)
    for entry in manifest:
        groups[entry["version_file"]].append(entry)
    rows = []
    for version_file, entries in groups.items():
        texts, seconds = [], 0.0
        for entry in entries:
            body = (corpus / entry["file"]).read_bytes()
            t0 = time.perf_counter()
            texts.append(extract(body, "text/html").text)
            seconds += time.perf_counter() - t0
        ours = "\n\n".join(texts)
        reference = (corpus / version_file).read_text(encoding="utf-8")
        row = {"document": version_file.split("/", 1)[1].removesuffix(".md"), "pages": len(entries),
               "s_per_page": round(seconds / len(entries), 3), **compare(ours, reference)}
        ours_s, ref_s = structure(ours), structure(reference)
        row["headings"] = f"{ours_s[0]}/{ref_s[0]}"
        row["list_items"] = f"{ours_s[1]}/{ref_s[1]}"
        row["table_rows"] = f"{ours_s[2]}/{ref_s[2]}"
        rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    extract(b"<html><body><p>warm up the imports</p></body></html>")
    rows = run(args.corpus)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print("| document | pages | ref words | ratio | recall | precision | headings | list items | table rows | s/page |")
    print("|---|---:|---:|---:|---:|---:|---|---|---|---:|")
    for r in rows:
        print(f"| {r['document']} | {r['pages']} | {r['ref_words']} | {r['ratio']} | {r['recall']} | {r['precision']} "
              f"| {r['headings']} | {r['list_items']} | {r['table_rows']} | {r['s_per_page']} |")
    n = len(rows)
    print(f"\nmean ratio {sum(r['ratio'] for r in rows) / n:.3f}, mean recall {sum(r['recall'] for r in rows) / n:.3f}, "
          f"mean precision {sum(r['precision'] for r in rows) / n:.3f} over {n} document versions")


if __name__ == "__main__":
    main()
