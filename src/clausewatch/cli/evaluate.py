"""``clausewatch eval …``: score the clause extractor and the change engine against gold files."""

from __future__ import annotations

from .app import main


@main.group("eval")
def eval_group() -> None:
    """Measure clausewatch against hand-labelled gold files.

    \b
    Example:
      clausewatch eval clauses ../shared/gold/clauses-dev.jsonl --corpus ../shared/corpus
    """
