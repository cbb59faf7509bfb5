"""A small programmable HTTP server on loopback for the link and probe tests (real sockets, port 0)."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LocalServer", "Route", "closed_port"]


@dataclass
class Route:
    """How one path answers. ``head_status`` overrides the status for HEAD; ``fail_first`` requests get 503."""

    status: int = 200
    body: bytes | str = b""
    ctype: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    head_status: int | None = None
    fail_first: int = 0
    fail_every: int = 0  # every n-th request (1-based) gets 503
    served: int = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
        pass

    def _answer(self, head: bool) -> None:
        srv = self.server
        path = self.path.split("?")[0]
        with srv.lock:
            srv.inflight += 1
            srv.max_inflight = max(srv.max_inflight, srv.inflight)
            srv.starts.append(time.monotonic())
            srv.hits[(self.command, path)] += 1
            route = srv.routes.get(path)
            if route is not None:
                route.served += 1
                n = route.served
        if route is None:
            status, body, ctype, headers, delay = 404, b"<h1>404 Not Found</h1>", "text/html", {}, 0.0
        else:
            body = route.body.encode() if isinstance(route.body, str) else route.body
            status, ctype, headers, delay = route.status, route.ctype, route.headers, route.delay
            if head and route.head_status is not None:
                status = route.head_status
            if n <= route.fail_first or (route.fail_every and n % route.fail_every == 0):
                status, body = 503, b"<h1>busy</h1>"
        try:
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.inflight -= 1

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._answer(False)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server API
        self._answer(True)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, addr: tuple[str, int]) -> None:
        super().__init__(addr, _Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0
        self.starts: list[float] = []


class LocalServer:
    """Serves ``routes`` on ``host`` (a loopback address) at a free port; unknown paths answer 404."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._srv = _Server((host, 0))
        self.host, self.port = self._srv.server_address[:2]
        self._thread = threading.Thread(target=self._srv.serve_forever, daemon=True)

    @property
    def routes(self) -> dict[str, Route]:
        """Path -> route (change it while serving)."""
        return self._srv.routes

    @property
    def hits(self) -> Counter[tuple[str, str]]:
        """(method, path) -> requests received."""
        return self._srv.hits

    @property
    def max_inflight(self) -> int:
        """The most requests that were in progress at the same time."""
        return self._srv.max_inflight

    @property
    def starts(self) -> list[float]:
        """time.monotonic() at which each request arrived."""
        return list(self._srv.starts)

    def url(self, path: str = "/", scheme: str = "http") -> str:
        """Absolute URL of a path."""
        return f"{scheme}://{self.host}:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._srv.shutdown()
        self._srv.server_close()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port on which nothing listens (connections are refused)."""
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port
