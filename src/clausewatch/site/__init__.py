"""The static history site: ``build_site(store, out_dir)`` (an edge: it writes files).

    store ─► pages.collect (plain values) ─► pages.pages (Page: path, template, inputs)
          ─► build.build_site (render only pages whose inputs changed, jinja2 autoescape)
          ─► search.index_site (Pagefind index + file:// bundle, only when a version page changed)

Modules: ``data`` (reading the store), ``text`` (version text → blocks, diff collapsing),
``pages`` (what pages exist and what each depends on), ``build`` (manifest, incremental writer),
``render`` (jinja2 environment), ``feeds`` (Atom), ``search`` (Pagefind).
"""

from .build import BuildReport, build_site

__all__ = ["BuildReport", "build_site"]
