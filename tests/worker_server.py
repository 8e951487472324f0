"""A timed 127.0.0.1 HTTP server for the worker tests: logs when each request started and ended."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = ("<!doctype html><html><head><title>Privacy Policy</title></head><body><main><h1>Privacy Policy</h1>"
        + "".join(f"<p>Section {i}. We collect the information you give us and use it to run, secure and improve "
                  f"the service; we never sell it, and you can ask us to delete it at any time.</p>"
                  for i in range(25))
        + "</main></body></html>").encode()


class TimedServer:
    """A threaded HTTP server on 127.0.0.1 that logs (path, start, end) of every request."""

    def __init__(self, robots: bytes = b"", page_delay_s: float = 0.05):
        self.log: list[tuple[str, float, float]] = []
        self.posts: list[tuple[str, dict]] = []  # webhook deliveries received: (path, JSON body)
        self.started: list[tuple[str, float]] = []  # requests as they arrive (before they are answered)
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 (http.server API)
                start = time.time()
                with outer._lock:
                    outer.started.append((self.path, start))
                if self.path == "/robots.txt":
                    status, body = (200, robots) if robots else (404, b"")
                elif self.path.startswith("/fail"):
                    status, body = 503, b"<html><body>Service Unavailable</body></html>"
                else:
                    time.sleep(page_delay_s)  # long enough that two overlapping requests would show
                    status, body = 200, PAGE
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8" if status != 200 or self.path != "/robots.txt"
                                 else "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)
                with outer._lock:
                    outer.log.append((self.path, start, time.time()))

            def do_POST(self):  # noqa: N802 (http.server API): a webhook receiver
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer._lock:
                    outer.posts.append((self.path, json.loads(body or b"{}")))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def requests(self, path: str | None = None) -> list[tuple[str, float, float]]:
        with self._lock:
            return [r for r in self.log if path is None or r[0] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
