"""Programmable routes on the loopback server (govwatch/loopback.py) for the link and probe tests."""

from __future__ import annotations

import socket
import time
from collections import Counter
from dataclasses import dataclass, field

from govwatch.loopback import LoopbackServer, Reply, Request

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


class LocalServer:
    """Serves ``routes`` on ``host`` (a loopback address) at a free port; unknown paths answer 404."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        """Path -> route (change it while serving)."""
        self.hits: Counter[tuple[str, str]] = Counter()
        """(method, path) -> requests received."""
        self._starts: list[float] = []
        self._srv = LoopbackServer(self._answer, (host,)).start()
        self.host, self.port = host, int(self._srv.base().rsplit(":", 1)[1])

    def _answer(self, request: Request) -> Reply:
        with self._srv.lock:
            self._starts.append(time.monotonic())
            self.hits[(request.method, request.path)] += 1
            route = self.routes.get(request.path)
            if route is not None:
                route.served += 1
                n = route.served
        if route is None:
            return Reply(404, b"<h1>404 Not Found</h1>", {"Content-Type": "text/html"})
        status, body = route.status, route.body
        if request.method == "HEAD" and route.head_status is not None:
            status = route.head_status
        if n <= route.fail_first or (route.fail_every and n % route.fail_every == 0):
            status, body = 503, b"<h1>busy</h1>"
        return Reply(status, body, {"Content-Type": route.ctype, **route.headers}, delay=route.delay)

    @property
    def max_inflight(self) -> int:
        """The most requests that were in progress at the same time."""
        return self._srv.max_inflight.get(self.host, 0)

    @property
    def starts(self) -> list[float]:
        """time.monotonic() at which each request arrived."""
        return list(self._starts)

    def url(self, path: str = "/", scheme: str = "http") -> str:
        """Absolute URL of a path."""
        return f"{scheme}://{self.host}:{self.port}{path}"

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self._srv.stop()


def closed_port(host: str = "127.0.0.1") -> int:
    """A port on which nothing listens (connections are refused)."""
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port
