"""Test helpers: a real SMTP server (aiosmtpd) and a webhook receiver, both on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from policy_pages import LocalServer, free_port


class SmtpSink:
    """aiosmtpd on a free port (``port=0`` does not work: the controller probes the port it was
    given).  ``refuse`` is a list of replies given to the next DATA commands instead of accepting."""

    def __init__(self, *, refuse: list[str] | None = None, tls: ssl.SSLContext | None = None,
                 implicit_tls: bool = False, users: dict[str, str] | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []
        self.refuse = list(refuse or [])
        self.attempts = 0
        self.logins: list[str] = []
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
                sink.attempts += 1
                if sink.refuse:
                    return sink.refuse.pop(0)
                sink.envelopes.append(envelope)
                sink.messages.append(email.message_from_bytes(envelope.original_content, policy=email.policy.default))
                return "250 Message accepted for delivery"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and users is not None and \
                users.get(auth_data.login.decode()) == auth_data.password.decode()
            if ok:
                sink.logins.append(auth_data.login.decode())
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

        kwargs: dict = {}
        if implicit_tls:
            kwargs["ssl_context"] = tls
        elif tls is not None:
            kwargs.update(tls_context=tls, require_starttls=True)
        if users is not None:
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=tls is not None)
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kwargs)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) for 127.0.0.1, from openssl."""
    key, cert = tmp / "key.pem", tmp / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


class WebhookReceiver(LocalServer):
    """Records every POST as (headers, body, status); answers with the next of ``statuses``, then 200."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.requests: list[tuple[dict, bytes, int]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body, status))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        super().__init__(Handler)
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def accepted(self) -> list[tuple[dict, bytes]]:
        """The POSTs answered 2xx, in order."""
        return [(h, b) for h, b, status in self.requests if 200 <= status < 300]
