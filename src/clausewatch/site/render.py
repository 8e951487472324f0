"""jinja2 for the site: autoescape always on, templates from the top-level ``templates/`` folder.

Lookup order (first match wins): a folder the caller names, the repository's ``templates/`` (a
source checkout), the copy inside the package (``clausewatch/templates``, a link to the same
folder), as the digest does.  Site templates live in ``templates/site/``; shared partials
(``_macros.j2``: the redline macros) are used by the digest too.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from .data import CLASS_NAMES, LABEL_NAMES

PACKAGE_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
REPO_TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def template_dirs(user_dir: str | Path | None = None) -> list[Path]:
    dirs = [Path(user_dir)] if user_dir else []
    return dirs + [d for d in (REPO_TEMPLATES, PACKAGE_TEMPLATES) if (d / "site").is_dir()]


_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _md_unescape(text: str) -> str:
    """Markdown backslash escapes dropped for reading (``\\_\\_`` → ``__``); the result is still escaped as HTML."""
    return _MD_ESCAPE.sub(r"\1", text)


_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\((?:<[^>\n]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+\"[^\"\n]*\")?\)")


def _readable(text: str) -> str:
    """For reading a version: Markdown links shown as their text (targets are in the .txt), escapes dropped."""
    return _md_unescape(_MD_LINK.sub(r"\1", text))


def _day(iso: str | None) -> str:
    return iso[:10] if iso else "—"


def _when(iso: str | None) -> str:
    return iso.replace("T", " ").replace("Z", " UTC") if iso else "—"


class Renderer:
    def __init__(self, user_dir: str | Path | None = None):
        self.user_dir = user_dir
        self.dirs = template_dirs(user_dir)
        if not self.dirs:
            from ..errors import InputError

            raise InputError("no site templates found (expected a templates/site/ folder)")
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,  # every value is escaped, policy text above all
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["day"] = _day
        self.env.filters["when"] = _when
        self.env.filters["unmd"] = _md_unescape
        self.env.filters["readable"] = _readable
        self.env.filters["short_hash"] = lambda h: (h or "")[:12]
        self.env.filters["label_name"] = lambda lb: LABEL_NAMES.get(lb, lb)
        self.env.filters["class_name"] = lambda c: CLASS_NAMES.get(c, c or "—")
        self.env.filters["label_css"] = lambda lb: "lb-" + lb.lower().replace("_", "-")
        self.env.filters["class_css"] = lambda c: "cl-" + (c or "none").lower().replace("_", "-")

    def dirs_used(self) -> list[Path]:
        """The folders whose files decide how pages look (for the build fingerprint)."""
        first = self.dirs[0]
        return [first / "site", first / "_macros.j2"] if (first / "_macros.j2").exists() else [first / "site"]

    def render(self, name: str, variables: dict) -> str:
        return self.env.get_template(name).render(**variables)

    def static_files(self) -> list[tuple[str, Path]]:
        """(name, path) of the site's own CSS / JS, from the first template folder that has them."""
        for d in self.dirs:
            static = d / "site" / "static"
            if static.is_dir():
                return [(f.relative_to(static).as_posix(), f) for f in sorted(static.rglob("*")) if f.is_file()]
        return []
