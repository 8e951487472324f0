"""Capture → display text (pure: bytes in, ``Extracted`` out).

trafilatura does the main-content detection; around it we add what the corpus study in
``benchmarks/README.md`` showed is needed for policy pages:

* Tailwind arbitrary-value class tokens (``scroll-mt-[calc(var(--header-h))]``) are dropped first:
  their ``header``/``toc`` substrings make trafilatura discard every section heading on OpenAI's
  pages (STACK-NOTES b, option set F).
* Screen-reader-only text (``.sr-only``: "(opens in a new window)" after every link) is removed.
* Per-document ``select`` (main-content selectors) and ``remove`` selectors from the watchlist are
  applied before trafilatura, for pages where its detection fails.
* ``favor_recall`` (never ``favor_precision``: it kept 9 % of Meta's AI terms), tables and
  Markdown formatting and links kept, no hard wrapping; GFM table delimiter rows added.

Plain-text and Markdown captures are passed through unchanged.
"""

from __future__ import annotations

import re
from functools import cache

from .errors import ExtractError
from .language import guess_language
from .models import Extracted

# Bump when our pre/post-processing changes output for some page: versions extracted with an
# older revision are then re-baselined silently instead of alerting (DESIGN: technical change).
PROCESSING_REVISION = "cw1"

DEFAULT_REMOVE = (".sr-only", ".visually-hidden", ".screen-reader-text", "script", "style", "noscript", "template")

_TABLE_ROW = re.compile(r"^\|.*\|\s*$")
_TABLE_DELIM = re.compile(r"^\|\s*:?-{3,}")


@cache
def extractor_version() -> str:
    import trafilatura

    return f"{trafilatura.__version__}+{PROCESSING_REVISION}"


def _decode_text(body: bytes, content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type or "", re.I)
    for encoding in (match[1] if match else "utf-8", "utf-8", "latin-1"):
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", "replace")


def is_html(body: bytes, content_type: str) -> bool:
    ct = (content_type or "").lower()
    if "html" in ct or "xml" in ct:
        return True
    if ct.startswith("text/"):
        return False
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<div", b"<p"))


def _prepare_tree(body: bytes, select: tuple[str, ...], remove: tuple[str, ...]):
    """Parse the HTML once, clean it and narrow it to the selected content; also return its title."""
    from lxml.cssselect import CSSSelector
    from trafilatura.utils import load_html

    tree = load_html(body)
    if tree is None:
        raise ExtractError("the capture is not parsable HTML")
    title = " ".join((tree.findtext(".//title") or "").split()) or None
    for el in tree.xpath("//*[@class]"):
        classes = el.get("class").split()
        kept = [c for c in classes if "[" not in c]
        if len(kept) != len(classes):
            el.set("class", " ".join(kept))
    for selector in DEFAULT_REMOVE + tuple(remove):
        for el in CSSSelector(selector)(tree):
            parent = el.getparent()
            if parent is not None:
                # Keep the text that follows the removed element (lxml stores it on the element).
                if el.tail and el.tail.strip():
                    prev = el.getprevious()
                    if prev is not None:
                        prev.tail = (prev.tail or "") + el.tail
                    else:
                        parent.text = (parent.text or "") + el.tail
                parent.remove(el)
    if select:
        chosen = [el for selector in select for el in CSSSelector(selector)(tree)]
        if not chosen:
            raise ExtractError(f"the select rule {', '.join(select)!r} matched nothing on the page")
        from lxml import html as lxml_html

        body_el = lxml_html.Element("body")
        for el in chosen:
            body_el.append(el)
        root = lxml_html.Element("html")
        root.append(body_el)
        tree = root
    return tree, title


def _gfm_tables(text: str) -> str:
    """Add the ``| --- |`` row trafilatura leaves out, so tables are real GFM tables."""
    lines = text.split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        starts_table = _TABLE_ROW.match(line) and (i == 0 or not _TABLE_ROW.match(lines[i - 1]))
        if starts_table and i + 1 < len(lines) and not _TABLE_DELIM.match(lines[i + 1]):
            cells = max(1, line.strip().strip("|").count("|") + 1)
            out.append("|" + " --- |" * cells)
    return "\n".join(out)


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return _gfm_tables(text).strip() + "\n"


def extract(
    body: bytes,
    content_type: str = "text/html",
    *,
    select: tuple[str, ...] = (),
    remove: tuple[str, ...] = (),
) -> Extracted:
    """Take the policy text out of a raw capture; raise ExtractError when there is none."""
    if not body or not body.strip():
        raise ExtractError("the capture is empty")
    if not is_html(body, content_type):
        if (content_type or "").lower().startswith("text/") or not content_type:
            text = _tidy(_decode_text(body, content_type))
            return Extracted(text=text, extractor="passthrough", extractor_version=PROCESSING_REVISION,
                             language=guess_language(text))
        raise ExtractError(f"cannot extract text from content type {content_type!r}")

    import trafilatura

    tree, title = _prepare_tree(body, select, remove)
    out = trafilatura.extract(
        tree,
        output_format="markdown",
        include_tables=True,
        include_formatting=True,
        include_links=True,
        include_comments=False,
        include_images=False,
        favor_recall=True,
        # trafilatura's metadata pass (author, sitename, htmldate) costs ~40 % of the extraction
        # time; a policy states its own date in its text, which stated_date() reads instead.
        with_metadata=False,
        deduplicate=False,
    )
    if not out:
        raise ExtractError("no main text found on the page")
    text = _tidy(out)
    if not text.strip():
        raise ExtractError("no main text found on the page")
    return Extracted(
        text=text,
        extractor="trafilatura",
        extractor_version=extractor_version(),
        title=title,
        effective_date=stated_date(text),
        language=guess_language(text),
    )


_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_STATED = re.compile(
    r"\b(?:last\s+(?:updated|modified|revised)|updated|effective(?:\s+date|\s+as\s+of|\s+from|\s+on)?|"
    r"revised|date\s+of\s+last\s+revision)\b[\s:*_]*(?:on\s+)?"
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[a-z]{3})[a-z]*\.?,?\s+(?P<y1>\d{4})"
    r"|(?P<m2>[a-z]{3})[a-z]*\.?\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>\d{2})-(?P<d3>\d{2}))",
    re.I,
)


def stated_date(text: str) -> str | None:
    """The ISO date a policy says it was updated / takes effect ("Last updated: March 3, 2024")."""
    for m in _STATED.finditer(text[:6000]):
        if m["y3"]:
            year, month, day = int(m["y3"]), int(m["m3"]), int(m["d3"])
        else:
            month = _MONTHS.get((m["m1"] or m["m2"]).lower()[:3])
            if month is None:
                continue
            year, day = int(m["y1"] or m["y2"]), int(m["d1"] or m["d2"])
        if 1 <= month <= 12 and 1 <= day <= 31 and 1990 <= year <= 2100:
            return f"{year:04d}-{month:02d}-{day:02d}"
    return None
