"""One small loopback HTTP server for every stand-in web: the sample county, the test servers, the benchmark farms.

An *app* (a function of the :class:`Request`) answers every request with a :class:`Reply`, or answers through the
request's handler itself (slow drips, endless bodies) and returns None. The server listens on one or more
127.0.0.0/8 addresses, on one port when it is free on all of them, and counts the requests in flight per address.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

__all__ = ["App", "LoopbackServer", "Reply", "Request"]


@dataclass
class Request:
    """One request as the app sees it."""

    method: str
    host: str
    """The loopback address it arrived on."""
    path: str
    query: dict[str, list[str]]
    headers: Message
    body: bytes
    handler: BaseHTTPRequestHandler
    """For apps that write the answer themselves."""

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The first value of a query (or form) parameter."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Reply:
    """An answer: status, body and headers (``Content-Type`` defaults to UTF-8 HTML, ``Content-Length`` is set)."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""


App = Callable[[Request], Reply | None]
_NO_BODY = (204, 304)


class _Handler(BaseHTTPRequestHandler):
    server: _Host

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _serve(self) -> None:
        owner, host = self.server.owner, self.server.server_address[0]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        query = parse_qs(parts.query, keep_blank_values=True)
        if self.command == "POST" and "json" not in (self.headers.get("Content-Type") or ""):  # a form
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                query.setdefault(key, []).extend(values)
        owner._enter(host)
        try:
            reply = owner.app(Request(self.command, host, parts.path, query, self.headers, body, self))
            if reply is not None:
                self._write(reply)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            owner._leave(host)

    def _write(self, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        data = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        headers = dict(reply.headers)
        if reply.status not in _NO_BODY and not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "text/html; charset=utf-8"
        self.send_response(reply.status)
        for key, value in headers.items():
            self.send_header(key, value)
        if reply.status not in _NO_BODY and not any(k.lower() == "content-length" for k in headers):
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD" and reply.status not in _NO_BODY:
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _serve  # noqa: N815 - http.server API


class _Host(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr: tuple[str, int], owner: LoopbackServer, handler: type[_Handler]) -> None:
        self.request_queue_size = owner.queue_size
        super().__init__(addr, handler)
        self.owner = owner


class LoopbackServer:
    """Serves ``app`` on ``hosts`` (loopback addresses) at ``port`` (0: any free port, shared when it can be)."""

    def __init__(self, app: App, hosts: Iterable[str] = ("127.0.0.1",), *, port: int = 0, http11: bool = False,
                 queue_size: int = 128) -> None:
        self.app = app
        self.hosts = list(hosts)
        self.port = port
        self.queue_size = queue_size
        self.inflight: dict[str, int] = {}
        self.max_inflight: dict[str, int] = {}
        self.max_total_inflight = 0
        self.lock = threading.Lock()
        self._handler = type("Handler", (_Handler,), {"protocol_version": "HTTP/1.1" if http11 else "HTTP/1.0"})
        self._servers: dict[str, _Host] = {}

    def start(self) -> LoopbackServer:
        """Bind every host and serve each in a background thread."""
        port = self.port
        for host in self.hosts:
            try:
                srv = _Host((host, port), self, self._handler)
            except OSError:
                srv = _Host((host, 0), self, self._handler)
            port = port or srv.server_address[1]
            self._servers[host] = srv
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, name=f"loopback-{host}",
                             daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        for srv in self._servers.values():
            srv.shutdown()
            srv.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def base(self, host: str | None = None) -> str:
        """``http://host:port`` of a host (the first by default)."""
        h, port = self._servers[host or self.hosts[0]].server_address[:2]
        return f"http://{h}:{port}"

    def _enter(self, host: str) -> None:
        with self.lock:
            self.inflight[host] = self.inflight.get(host, 0) + 1
            self.max_inflight[host] = max(self.max_inflight.get(host, 0), self.inflight[host])
            self.max_total_inflight = max(self.max_total_inflight, sum(self.inflight.values()))

    def _leave(self, host: str) -> None:
        with self.lock:
            self.inflight[host] -= 1
