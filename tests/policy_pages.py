"""Test helpers: policy web pages built from real corpus versions, served on 127.0.0.1.

The page text comes from ../shared/corpus (Open Terms Archive contributors, ODC-BY 1.0); the
page around it (navigation, cookie banner, footer) is what real policy pages carry and what a
monitor must ignore.  Knobs reproduce the noise rounds of ../shared/PEERS.md: tracking
parameters on links, markup whitespace, a dynamic footer.
"""

from __future__ import annotations

import contextlib
import html
import re
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_EMPH = re.compile(r"\*\*([^*]+)\*\*")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")


def corpus_file(relative: str) -> Path:
    return CORPUS / relative


def _inline(text: str, tracking: str | None) -> str:
    out, pos = [], 0
    for m in _LINK.finditer(text):
        out.append(html.escape(text[pos:m.start()]))
        href = m.group(2)
        if tracking and href.startswith("http"):
            href += ("&" if "?" in href else "?") + tracking
        out.append(f'<a href="{html.escape(href)}">{html.escape(m.group(1))}</a>')
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return _EMPH.sub(r"<strong>\1</strong>", "".join(out))


def markdown_to_html(md: str, *, tracking: str | None = None, wrap: bool = False) -> str:
    """A small Markdown → HTML for policy text: headings, paragraphs, lists, tables, links."""
    blocks = re.split(r"\n[ \t]*\n", md.strip())
    parts = []
    sep = "\n      "
    for block in blocks:
        lines = block.split("\n")
        first = lines[0].lstrip()
        if len(lines) == 2 and re.fullmatch(r"\s*(=+|-+)\s*", lines[1]):
            level = 1 if "=" in lines[1] else 2
            parts.append(f"<h{level + 1}>{_inline(first.strip(), tracking)}</h{level + 1}>")
        elif first.startswith("#"):
            level = min(6, len(first) - len(first.lstrip("#")))
            parts.append(f"<h{level}>{_inline(first.lstrip('#').strip(), tracking)}</h{level}>")
            rest = "\n".join(lines[1:]).strip()
            if rest:
                parts.append(f"<p>{_inline(rest, tracking)}</p>")
        elif first.startswith("|"):
            rows = [row for row in lines if row.strip().startswith("|") and not re.match(r"^\s*\|\s*:?-", row)]
            cells = "".join(
                "<tr>" + "".join(f"<td>{_inline(c.strip(), tracking)}</td>" for c in row.strip().strip("|").split("|"))
                + "</tr>" for row in rows)
            parts.append(f"<table>{cells}</table>")
        elif _LIST.match(lines[0]):
            items, cur = [], []
            for line in lines:
                if _LIST.match(line) and cur:
                    items.append(" ".join(cur))
                    cur = []
                cur.append(_LIST.sub("", line) if _LIST.match(line) else line.strip())
            items.append(" ".join(cur))
            parts.append("<ul>" + "".join(f"<li>{_inline(i, tracking)}</li>" for i in items) + "</ul>")
        else:
            words = " ".join(line.strip() for line in lines)
            if wrap:  # hard-wrapped, indented source markup, as many CMS templates emit
                import textwrap

                words = sep + sep.join(textwrap.wrap(words, 60, break_long_words=False, break_on_hyphens=False))
            parts.append(f"<p>{_inline(words, tracking)}</p>")
    return ("\n\n  " if wrap else "\n").join(parts)


def policy_page(md: str, *, title: str = "Privacy Policy", footer: str = "Page generated 2024-01-01 10:00:00 · build 3f2a9c1",
                tracking: str | None = None, wrap: bool = False) -> bytes:
    """A full HTML page around the policy text, with the chrome real sites have."""
    body = markdown_to_html(md, tracking=tracking, wrap=wrap)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<script>window.analytics = {{}};</script></head>
<body>
<header><nav><a href="/">Home</a> <a href="/jobs">Careers</a> <a href="/help">Help</a></nav></header>
<div class="cookie-banner">We use cookies. <button>Accept</button></div>
<main><article><h1>{html.escape(title)}</h1>
{body}
</article></main>
<footer><p>{html.escape(footer)}</p><a href="/terms">Terms</a> <a href="/privacy">Privacy</a></footer>
</body></html>""".encode()


def js_shell_page(md: str, *, title: str = "Terms") -> bytes:
    """A page whose policy text only arrives when JavaScript runs (as on Meta's and OpenAI's sites)."""
    import json

    content = markdown_to_html(md)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body><div id="root"></div>
<noscript>You need to enable JavaScript to run this app.</noscript>
<script>
  document.addEventListener("DOMContentLoaded", function () {{
    var main = document.createElement("main");
    main.innerHTML = "<article><h1>{html.escape(title)}</h1>" + {json.dumps(content)} + "</article>";
    document.getElementById("root").appendChild(main);
  }});
</script></body></html>""".encode()


CAPTCHA_PAGE = b"""<!doctype html><html><head><title>Security check</title></head><body>
<h1>Please verify you are a human</h1><p>Complete the CAPTCHA below to continue to the site.</p>
<div class="g-recaptcha"></div></body></html>"""


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"})
    truncate_to: int | None = None  # send only this many bytes of a longer declared body, then close


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (the OS picks the port) that tests start and stop."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        # A client closing a kept-alive connection is normal; never print it into a test's output.
        self.httpd.handle_error = lambda request, client_address: None
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class PolicyServer(LocalServer):
    """A local server whose pages tests can swap between runs."""

    def __init__(self):
        self.pages: dict[str, Response] = {}
        self.requests: list[tuple[str, dict]] = []
        self.delay_s = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server API)
                import time

                server.requests.append((self.path, dict(self.headers)))
                if server.delay_s:
                    time.sleep(server.delay_s)
                page = server.pages.get(self.path)
                if page is None:
                    page = Response(404, b"<html><body><h1>404 Not Found</h1></body></html>")
                etag = page.headers.get("ETag")
                if etag and self.headers.get("If-None-Match") == etag and page.status == 200:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(page.status)
                for k, v in page.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                body = page.body if page.truncate_to is None else page.body[:page.truncate_to]
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)
                if page.truncate_to is not None:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        super().__init__(Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
