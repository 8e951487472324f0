"""Redlines of a word diff or a ``compare.Change``: terminal colour, HTML with inline styles, JSON (pure).

A redline is what a legal team reads: deleted words struck through in red, inserted words in
green, unchanged text around them.  ``context`` (words kept either side of each change) shortens a
long document to its changes; ``None`` shows everything.  HTML uses inline styles only, so it
survives being pasted into mail or a ticket.
"""

from __future__ import annotations

import html

from .compare import Change, ClauseDelta
from .worddiff import DELETE, EQUAL, INSERT, Diff, elide

ANSI_DEL = "\x1b[31;9m"  # red, struck through
ANSI_INS = "\x1b[32;4m"  # green, underlined
ANSI_DIM = "\x1b[2m"
ANSI_BOLD = "\x1b[1m"
ANSI_OFF = "\x1b[0m"

DEL_STYLE = "background:#fde2e2;color:#8b0000;text-decoration:line-through"
INS_STYLE = "background:#dcf5dc;color:#05570f;text-decoration:none"
BOX_STYLE = "white-space:pre-wrap;font-family:Georgia,serif;line-height:1.5;max-width:48em"
GAP = "…"

def _trim(diff: Diff, context: int | None) -> list[tuple[int, str]]:
    """Keep ``context`` words of unchanged text either side of each change; elide the rest with "…"."""
    if context is None:
        return list(diff)
    return elide(diff, context, lambda skipped, beside: (EQUAL, f" {GAP} " if beside else GAP))


def text_redline(diff: Diff, *, color: bool = True, context: int | None = 12) -> str:
    """A redline for a terminal: ANSI colour, or ``[-deleted-]{+inserted+}`` marks without colour."""
    parts = []
    for op, text in _trim(diff, context):
        if op == EQUAL:
            parts.append(text)
        elif op == DELETE:
            parts.append(f"{ANSI_DEL}{text}{ANSI_OFF}" if color else f"[-{text}-]")
        elif op == INSERT:
            parts.append(f"{ANSI_INS}{text}{ANSI_OFF}" if color else f"{{+{text}+}}")
    return "".join(parts)


def html_redline(diff: Diff, *, context: int | None = None) -> str:
    """A redline as one HTML fragment with inline styles (no stylesheet needed)."""
    parts = []
    for op, text in _trim(diff, context):
        esc = html.escape(text)
        if op == EQUAL:
            parts.append(esc)
        elif op == DELETE:
            parts.append(f'<del style="{DEL_STYLE}">{esc}</del>')
        else:
            parts.append(f'<ins style="{INS_STYLE}">{esc}</ins>')
    return f'<div class="redline" style="{BOX_STYLE}">{"".join(parts)}</div>'


def json_redline(diff: Diff) -> list[dict]:
    """``[{"op": "equal"|"delete"|"insert", "text": …}, …]``."""
    names = {EQUAL: "equal", DELETE: "delete", INSERT: "insert"}
    return [{"op": names[op], "text": text} for op, text in diff]


def _delta_diff(d: ClauseDelta) -> Diff:
    if d.diff:
        return d.diff
    if d.new_text is not None and d.old_text is None:
        return ((INSERT, d.new_text),)
    if d.old_text is not None and d.new_text is None:
        return ((DELETE, d.old_text),)
    return ((EQUAL, d.new_text or ""),)


def render_change(change: Change, diff: Diff, fmt: str, *, ai_only: bool = False, color: bool = True,
                  context: int | None = 12, title: str | None = None) -> str | dict:
    """The whole redline of a change in ``fmt`` ("text", "html" or "json"; json returns a dict).

    ``diff`` is the document diff to show (``change.diff`` when it was computed); with ``ai_only``
    only the AI clause deltas are shown, each as its own small redline.
    """
    if fmt == "json":
        out = {"title": title, **change.as_json()}
        out["redline"] = None if ai_only else json_redline(diff)
        out["clause_redlines"] = [json_redline(_delta_diff(d)) for d in change.deltas]
        return out
    head = title or change.summary
    if fmt == "html":
        blocks = [f'<h2 style="font-family:sans-serif">{html.escape(head)}</h2>',
                  f'<p style="font-family:sans-serif;color:#555"><b>{html.escape(str(change.cls))}</b> '
                  f"({html.escape(str(change.severity))}) — {html.escape(change.reason)}</p>"]
        if title:
            blocks.append(f'<p style="font-family:sans-serif">{html.escape(change.summary)}</p>')
        for d in change.deltas:
            blocks.append(f'<h3 style="font-family:sans-serif">AI clause {html.escape(str(d.kind))}: '
                          f'{html.escape(", ".join(d.labels))}</h3>')
            blocks.append(html_redline(_delta_diff(d)))
        if not ai_only:
            blocks.append('<h3 style="font-family:sans-serif">Document redline</h3>')
            blocks.append(html_redline(diff, context=context))
        return "\n".join(blocks)
    bold = (lambda s: f"{ANSI_BOLD}{s}{ANSI_OFF}") if color else (lambda s: s)
    dim = (lambda s: f"{ANSI_DIM}{s}{ANSI_OFF}") if color else (lambda s: s)
    lines = [bold(head), dim(f"{change.cls} ({change.severity}) — {change.reason}")]
    if title:
        lines.append(change.summary)
    for d in change.deltas:
        lines.append("")
        lines.append(bold(f"AI clause {d.kind}: {', '.join(d.labels)}"))
        lines.append(text_redline(_delta_diff(d), color=color, context=None))
    if not ai_only:
        lines.append("")
        lines.append(bold("Document redline"))
        lines.append(text_redline(diff, color=color, context=context) if diff else dim("(no text difference)"))
    return "\n".join(lines)
