"""What the site contains: read the store once (:func:`collect`), then list every page (:func:`pages`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from ..store import Store, _iso
from ..worddiff import EQUAL, INSERT, word_diff
from . import data as D
from . import text as T
from .build import Page
from .render import Renderer

LATEST_AI_CHANGES = 20  # on the index
FEED_ENTRIES = 50


@dataclass
class Site:
    store: Store
    built_at: str
    base_url: str | None
    services: list[dict]  # [{name, slug, docs: [doc]}], by name
    docs: list[dict]


def _doc_summary(doc: dict) -> dict:
    return {k: doc[k] for k in ("id", "service", "type", "url", "imported", "service_slug")}


def _periods(versions: list[dict]) -> list[dict]:
    """Per label: the runs of consecutive versions that carry it (AI clauses over time)."""
    out = []
    for label in D.LABEL_ORDER:
        runs: list[dict] = []
        for i, v in enumerate(versions):
            if label not in v["labels"]:
                continue
            if runs and runs[-1]["last_index"] == i - 1:
                runs[-1].update(last_index=i, until=None)
            else:
                runs.append({"from": v["captured_at"], "from_path": v["path"], "last_index": i, "until": None})
            nxt = versions[i + 1] if i + 1 < len(versions) else None
            runs[-1]["until"] = nxt["captured_at"] if nxt else None
            runs[-1]["until_path"] = nxt["path"] if nxt else None
        if runs:
            out.append({"label": label, "runs": [{k: r.get(k) for k in ("from", "from_path", "until", "until_path")}
                                                 for r in runs]})
    return out


def collect(store: Store, cache: D.ChangeCache, *, base_url: str | None, built_at: datetime) -> Site:
    """Everything the pages need except version texts and diffs (those are read when a page renders)."""
    last_checks = store.last_checks()
    docs = []
    for row in store.documents():
        versions = D.version_meta(store, row["id"])
        if not versions:
            continue
        doc = {"id": row["id"], "service": row["service"], "type": row["type"], "url": row["url"],
               "imported": (row["url"] or "").startswith("urn:imported:"), "service_slug": D.slug(row["service"]),
               "current_version_id": row["current_version_id"] or versions[-1]["id"]}
        seen: set[str] = set()
        for v in versions:
            name = D.stamp(v["captured_at"])
            if name in seen:
                name = f"{name}-{v['id']}"
            seen.add(name)
            v["path"] = f"versions/{doc['id']}/{name}.html"
            v["txt_path"] = f"versions/{doc['id']}/{name}.txt"
            v["raw_path"] = f"raw/{v['capture_sha256']}.html" if v["capture_sha256"] else None
            v["change"] = None  # the change into this version, set below
        by_id = {v["id"]: v for v in versions}
        kept = []
        for c in D.document_changes(store, doc, versions, cache):
            new = by_id.get(c["new_version_id"])
            if new is None or not c["cls"] or new["change"] is not None:
                continue  # a version's change is the first one stored for it
            c["path"] = f"changes/{c['id']}.html" if c["id"] is not None else f"changes/v{new['id']}.html"
            c["captured_at"] = new["captured_at"]
            c["document_id"] = doc["id"]
            c["labels"] = sorted({lb for d in c["deltas"] for lb in d["labels"]})
            new["change"] = {"path": c["path"], "cls": c["cls"], "summary": c["summary"]}
            kept.append(c)
        kept.sort(key=lambda c: (c["captured_at"], c["path"]))
        doc["versions"], doc["changes"] = versions, kept
        doc["periods"] = _periods(versions)
        doc["current"] = by_id.get(doc["current_version_id"], versions[-1])
        check = last_checks.get(doc["id"])
        doc["last_check"] = ({"at": check["started_at"], "outcome": check["outcome"], "reason": check["reason"]}
                             if check else None)
        doc["quotes"] = {}
        for clause in store.clauses_for(doc["current"]["id"]):
            for e in clause.evidence:
                doc["quotes"].setdefault(e.label, T.short(e.quote, 200))
        docs.append(doc)

    services: dict[str, dict] = {}
    for doc in docs:
        svc = services.setdefault(doc["service"], {"name": doc["service"], "slug": doc["service_slug"], "docs": []})
        svc["docs"].append(doc)
    for svc in services.values():
        svc["stance"] = _stance(svc["docs"])
        svc["last_change"] = max((c["captured_at"] for d in svc["docs"] for c in d["changes"]), default=None)
    ordered = sorted(services.values(), key=lambda s: s["name"].casefold())
    return Site(store=store, built_at=_iso(built_at), base_url=base_url, services=ordered, docs=docs)


def _stance(docs: list[dict]) -> list[dict]:
    """The four questions, answered from each document's current version, with the supporting quote."""
    out = []
    for label in D.STANCE_LABELS:
        found = []
        for doc in docs:
            if label not in doc["current"]["labels"]:
                continue
            since = doc["current"]
            idx = doc["versions"].index(doc["current"])
            while idx > 0 and label in doc["versions"][idx - 1]["labels"]:
                idx -= 1
                since = doc["versions"][idx]
            found.append({"type": doc["type"], "path": doc["current"]["path"], "quote": doc["quotes"].get(label, ""),
                          "since": since["captured_at"]})
        out.append({"label": label, "found": found})
    return out


# --- the pages -------------------------------------------------------------------------------------


def pages(site: Site, renderer: Renderer) -> Iterator[Page]:
    for name, path in renderer.static_files():
        content = path.read_bytes()
        yield Page(f"static/{name}", None, hashlib.sha256(content).hexdigest(), render=lambda _, c=content: c)

    all_changes = [c for d in site.docs for c in d["changes"]]
    doc_by_id = {d["id"]: d for d in site.docs}

    def change_ref(c: dict) -> dict:
        doc = doc_by_id[c["document_id"]]
        return {"path": c["path"], "cls": c["cls"], "summary": c["summary"], "captured_at": c["captured_at"],
                "service": doc["service"], "type": doc["type"], "labels": c["labels"], "severity": c["severity"]}

    ai_changes = sorted((c for c in all_changes if c["cls"].startswith("AI_")),
                        key=lambda c: c["captured_at"], reverse=True)
    index_inputs = {
        "services": [{
            "name": s["name"], "slug": s["slug"], "stance": s["stance"], "last_change": s["last_change"],
            "docs": [{"type": d["type"], "current": d["current"]["captured_at"], "current_path": d["current"]["path"],
                      "versions": len(d["versions"]), "last_check": d["last_check"], "imported": d["imported"]}
                     for d in s["docs"]],
        } for s in site.services],
        "latest": [change_ref(c) for c in ai_changes[:LATEST_AI_CHANGES]],
        "counts": {"services": len(site.services), "documents": len(site.docs),
                   "versions": sum(len(d["versions"]) for d in site.docs), "changes": len(all_changes),
                   "ai_changes": len(ai_changes)},
    }
    yield Page("index.html", "site/index.html.j2", index_inputs)
    yield Page("about.html", "site/about.html.j2", {"imported": any(d["imported"] for d in site.docs)})
    yield Page("search.html", "site/search.html.j2", {})

    feed_worthy = sorted((c for c in all_changes if not c["cls"].startswith("NOISE_")),
                         key=lambda c: (c["captured_at"], c["path"]), reverse=True)
    yield _feed_page("feed.xml", "clausewatch: changes to AI terms", feed_worthy, doc_by_id, site, "index.html")

    for svc in site.services:
        path = f"service/{svc['slug']}.html"
        inputs = {"service": svc["name"], "slug": svc["slug"], "stance": svc["stance"], "docs": [
            {**_doc_summary(d), "versions": d["versions"], "periods": d["periods"], "last_check": d["last_check"],
             "current_id": d["current"]["id"], "changes": len(d["changes"]),
             "ai_changes": sum(1 for c in d["changes"] if c["cls"].startswith("AI_"))}
            for d in svc["docs"]]}
        yield Page(path, "site/service.html.j2", inputs)
        svc_changes = [c for c in feed_worthy if doc_by_id[c["document_id"]]["service"] == svc["name"]]
        yield _feed_page(f"service/{svc['slug']}.xml", f"clausewatch: {svc['name']}", svc_changes, doc_by_id, site,
                         path)

    raw_done: set[str] = set()
    for doc in site.docs:
        vs = doc["versions"]
        for i, v in enumerate(vs):
            inputs = {"doc": _doc_summary(doc), "version": v, "clauses": D.clause_rows(site.store, v["id"]),
                      "prev": _ref(vs[i - 1]) if i else None, "next": _ref(vs[i + 1]) if i + 1 < len(vs) else None,
                      "is_current": v["id"] == doc["current"]["id"]}
            yield Page(v["path"], "site/version.html.j2", inputs, prepare=_version_vars(site.store), indexed=True)
            yield Page(v["txt_path"], None, {"id": v["id"], "hash": v["decision_hash"]},
                       render=lambda inp, s=site.store: D.version_text(s, inp["id"]).encode("utf-8"))
            sha = v["capture_sha256"]
            if sha and sha not in raw_done:
                meta = D.capture_meta(site.store, sha)
                if meta is not None:
                    raw_done.add(sha)
                    yield Page(f"raw/{sha}.txt", None, {"sha": sha},
                               render=lambda inp, s=site.store: s.capture(inp["sha"])["body"])
                    yield Page(f"raw/{sha}.html", "site/raw.html.j2", {"capture": meta, "doc": _doc_summary(doc)},
                               prepare=_raw_vars(site.store))
        by_id = {v["id"]: v for v in vs}
        chs = doc["changes"]
        for i, c in enumerate(chs):
            old, new = by_id.get(c["old_version_id"]), by_id.get(c["new_version_id"])
            inputs = {"doc": _doc_summary(doc), "change": c, "old": old, "new": new,
                      "old_capture": D.capture_meta(site.store, old["capture_sha256"]) if old and old["capture_sha256"] else None,
                      "new_capture": D.capture_meta(site.store, new["capture_sha256"]) if new["capture_sha256"] else None,
                      "prev": change_ref(chs[i - 1]) if i else None,
                      "next": change_ref(chs[i + 1]) if i + 1 < len(chs) else None}
            yield Page(c["path"], "site/change.html.j2", inputs, prepare=_change_vars(site.store), heavy=True)


def _ref(v: dict) -> dict:
    return {"path": v["path"], "captured_at": v["captured_at"]}


def _version_vars(store: Store):
    def prepare(inp: dict) -> dict:
        text = D.version_text(store, inp["version"]["id"])
        return {**inp, "blocks": T.blocks(text, inp["clauses"])}

    return prepare


def _raw_vars(store: Store):
    def prepare(inp: dict) -> dict:
        body = store.capture(inp["capture"]["sha256"])["body"]
        return {**inp, "body": body.decode("utf-8", errors="replace")}

    return prepare


def diff_key(inp: dict) -> str | None:
    """The cache key of a change page's full-text diff: the two immutable version rows."""
    old, new = inp["old"], inp["new"]
    if old is None:
        return None
    return f"{old['id']}:{old['decision_hash']}>{new['id']}:{new['decision_hash']}"


def full_diff(store: Store, inp: dict) -> dict:
    """The collapsed whole-text word diff of a change page, and its word counts (the slow part:
    ~0.1–3 s a pair on long policies, so it is cached between builds by :func:`diff_key`)."""
    c = inp["change"]
    diff = c["diff"]
    if not diff and inp["old"] is not None and c["cls"] != "NOISE_REPEAT":
        diff = T.page_diff(D.version_text(store, inp["old"]["id"]), D.version_text(store, inp["new"]["id"]))
    return {"diff": [list(x) for x in T.collapse(diff)], "stats": T.diff_stats(diff), "available": bool(diff)}


def change_vars(store: Store, inp: dict, diff: dict) -> dict:
    c = inp["change"]
    deltas = []
    for d in c["deltas"]:
        redline = d["diff"] or (word_diff(d["old_text"] or "", d["new_text"] or "")
                                if d["old_text"] and d["new_text"] else
                                [(INSERT, d["new_text"])] if d["new_text"] else [(-1, d["old_text"] or "")])
        deltas.append({**d, "redline": [tuple(x) for x in redline]})
    return {**inp, "deltas": deltas, "diff": [tuple(x) for x in diff["diff"]], "stats": diff["stats"],
            "diff_available": diff["available"], "EQUAL": EQUAL, "SKIP": T.SKIP}


def _change_vars(store: Store):
    def prepare(inp: dict) -> dict:
        return change_vars(store, inp, full_diff(store, inp))

    return prepare


def _feed_page(path: str, title: str, changes: list[dict], docs: dict, site: Site, html_path: str) -> Page:
    entries = [{"path": c["path"], "cls": c["cls"], "summary": c["summary"], "captured_at": c["captured_at"],
                "labels": c["labels"], "service": docs[c["document_id"]]["service"],
                "type": docs[c["document_id"]]["type"]} for c in changes[:FEED_ENTRIES]]
    inputs = {"title": title, "path": path, "html_path": html_path, "entries": entries, "base_url": site.base_url}
    from .feeds import render_feed

    return Page(path, None, inputs, render=render_feed)
