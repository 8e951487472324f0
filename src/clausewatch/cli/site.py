"""``clausewatch site build OUT/``: render the store into a static website."""

from __future__ import annotations

from pathlib import Path

import click

from .app import Settings, echo_json, main, pass_settings


@main.group()
def site() -> None:
    """The static history site (HTML, Atom feeds, search index).

    \b
    Example:
      clausewatch site build site/
    """


@site.command("build")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", help="Public URL of the site (makes feed links absolute), e.g. https://cw.example.org/.")
@click.option("--no-search", is_flag=True, help="Skip the search index (pagefind).")
@click.option("--templates", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A folder of templates that overrides templates/ (same names: site/….html.j2).")
@click.option("--json", "as_json", is_flag=True, help="Print what was built as JSON.")
@pass_settings
def build(settings: Settings, out_dir: Path, base_url: str | None, no_search: bool, templates: Path | None,
          as_json: bool) -> None:
    """Render the database into a static site in OUT_DIR; only changed pages are rewritten.

    The site works from file:// (open OUT_DIR/index.html) and from any web server.

    \b
    Example:
      clausewatch import ../shared/corpus/ota
      clausewatch site build site/
      clausewatch site build site/ --base-url https://cw.example.org/
    """
    from ..site import build_site

    with settings.open_store(must_exist=True) as store:
        report = build_site(store, out_dir, base_url=base_url, search=not no_search, templates=templates)
    if as_json:
        echo_json(report.as_json())
        return
    click.echo(f"{out_dir}: {report.pages} files, {report.written} written, {report.unchanged} unchanged, "
               f"{report.deleted} deleted; {report.search}; {report.seconds:.2f} s")
