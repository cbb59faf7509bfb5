"""A threaded HTTP server on 127.0.0.1 that stands in for a platform in end-to-end tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, dict[str, str], bytes | str]


@dataclass
class Seen:
    """One request the server received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class LocalServer:
    """Routes ``(method, path)`` to a reply or to a function of the request; records every request."""

    routes: dict[tuple[str, str], Reply | Callable[[Seen], Reply]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    active: int = 0
    peak: int = 0
    delay: float = 0.0
    base: str = ""

    def route(self, path: str, reply: Reply | Callable[[Seen], Reply], method: str = "GET") -> None:
        """Answer ``method path`` (any query) with ``reply``."""
        self.routes[(method, path)] = reply

    def start(self) -> str:
        """Start serving in a thread; returns the base URL."""
        owner = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                with lock:
                    owner.requests.append(seen)
                    owner.active += 1
                    owner.peak = max(owner.peak, owner.active)
                try:
                    if owner.delay:
                        time.sleep(owner.delay)
                    reply = owner.routes.get((self.command, parts.path))
                    if reply is None:
                        status, headers, body = 404, {"content-type": "text/plain"}, b"not found"
                    else:
                        status, headers, body = reply(seen) if callable(reply) else reply
                    data = body.encode("utf-8") if isinstance(body, str) else body
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(data)
                finally:
                    with lock:
                        owner.active -= 1

            do_GET = do_POST = do_HEAD = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self.base = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        return self.base

    def stop(self) -> None:
        """Stop serving."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def hits(self, path: str) -> list[Seen]:
        """The requests received for ``path``."""
        return [r for r in self.requests if r.path == path]
