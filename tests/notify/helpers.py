"""Local servers for the delivery tests: an SMTP server (aiosmtpd) and an HTTP server that records posts."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from govwatch.loopback import LoopbackServer, Reply, Request

__all__ = ["HttpSink", "SmtpSink", "self_signed"]


@dataclass
class Received:
    """One message the SMTP server accepted."""

    sender: str
    recipients: list[str]
    message: EmailMessage


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd API
        with self.sink.lock:
            if self.sink.accept_limit is not None and len(self.sink.messages) >= self.sink.accept_limit:
                self.sink.refused += 1
                return "451 4.3.0 mailbox temporarily unavailable"
            msg = message_from_bytes(envelope.content, policy=policy.default)
            self.sink.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"


class _Controller(Controller):
    """aiosmtpd's Controller on port 0: learns the real port before its readiness probe."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpSink:
    """A real SMTP server on 127.0.0.1 (any free port) that keeps what it receives."""

    accept_limit: int | None = None
    messages: list[Received] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    tls_context: Any = None
    require_starttls: bool = False
    ssl_context: Any = None
    auth: dict[str, str] | None = None
    logins: list[str] = field(default_factory=list)

    def __enter__(self) -> SmtpSink:
        kwargs: dict[str, Any] = {}
        if self.tls_context is not None:
            kwargs.update(tls_context=self.tls_context, require_starttls=self.require_starttls)
        if self.ssl_context is not None:
            kwargs.update(ssl_context=self.ssl_context)
        if self.auth is not None:
            # aiosmtpd only counts STARTTLS as encryption; with implicit TLS (ssl_context) the link is encrypted anyway
            kwargs.update(authenticator=self._authenticate, auth_require_tls=self.ssl_context is None)
        self.controller = _Controller(_Handler(self), hostname="127.0.0.1", port=0, **kwargs)
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        from aiosmtpd.smtp import AuthResult

        login, password = data.login.decode(), data.password.decode()
        ok = self.auth is not None and self.auth.get(login) == password
        if ok:
            self.logins.append(login)
        return AuthResult(success=ok, handled=False)

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.controller.port

    def to(self, address: str) -> list[Received]:
        """Messages addressed to this recipient."""
        return [m for m in self.messages if address in m.recipients]


@dataclass
class HttpSink:
    """An HTTP server on 127.0.0.1 recording JSON posts; ``errors[path_prefix] = (status, body)`` makes it fail."""

    posts: list[tuple[str, Any]] = field(default_factory=list)
    errors: dict[str, tuple[int, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str) -> tuple[int, Any]:
        for prefix, reply in self.errors.items():
            if path.startswith(prefix):
                return reply
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _answer(self, request: Request) -> Reply:
        with self.lock:
            self.posts.append((request.handler.path, json.loads(request.body.decode("utf-8"))))
            status, answer = self.answer(request.handler.path)
        return Reply(status, json.dumps(answer), {"Content-Type": "application/json"})

    def __enter__(self) -> HttpSink:
        self.server = LoopbackServer(self._answer).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def url(self, path: str) -> str:
        """Full URL of a path on this server."""
        return self.server.base() + path

    def to(self, prefix: str) -> list[Any]:
        """Bodies posted to paths starting with ``prefix``."""
        return [body for path, body in self.posts if path.startswith(prefix)]


def self_signed(directory: Any) -> tuple[Any, Any]:
    """A certificate for 127.0.0.1 and its key, written to ``directory``; (cert path, server SSL context)."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_path, key_path)
    return cert_path, ctx
