"""Atom feeds of the site (feedgen): the global one and one per service.

Deterministic: every time in a feed comes from the store (the feed's ``updated`` is its newest
entry), so an unchanged store gives byte-identical feeds and the incremental build skips them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from feedgen.feed import FeedGenerator

from .data import CLASS_NAMES, LABEL_NAMES

_EPOCH = "1970-01-01T00:00:00Z"


def _dt(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)


def _href(inputs: dict, target: str) -> str:
    """Absolute with a base URL; otherwise relative to the feed file itself."""
    base = inputs.get("base_url")
    if base:
        return base.rstrip("/") + "/" + target
    return "../" * inputs["path"].count("/") + target


def render_feed(inputs: dict) -> bytes:
    fg = FeedGenerator()
    fg.id(f"tag:clausewatch,2024:{inputs['path']}")
    fg.title(inputs["title"])
    fg.subtitle("What changed in the AI clauses of terms of service and privacy policies")
    fg.link(href=_href(inputs, inputs["html_path"]), rel="alternate", type="text/html")
    fg.link(href=_href(inputs, inputs["path"]), rel="self", type="application/atom+xml")
    fg.language("en")
    fg.generator("clausewatch")
    entries = inputs["entries"]
    fg.updated(_dt(entries[0]["captured_at"] if entries else _EPOCH))
    for e in reversed(entries):  # feedgen prepends: add oldest first so the newest comes first
        fe = fg.add_entry()
        fe.id(f"tag:clausewatch,2024:{e['path']}")
        fe.title(f"{e['service']} {e['type']}: {CLASS_NAMES.get(e['cls'], e['cls'])}")
        fe.link(href=_href(inputs, e["path"]), rel="alternate", type="text/html")
        fe.updated(_dt(e["captured_at"]))
        fe.published(_dt(e["captured_at"]))
        labels = ", ".join(LABEL_NAMES.get(lb, lb) for lb in e["labels"])
        fe.summary(e["summary"] + (f" (labels: {labels})" if labels else ""))  # plain text: feedgen escapes it
        for lb in e["labels"]:
            fe.category(term=lb, label=LABEL_NAMES.get(lb, lb))
    return fg.atom_str(pretty=True)
