"""A platform stand-in on the loopback server (govwatch/loopback.py) for end-to-end tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from govwatch import loopback
from govwatch.loopback import LoopbackServer, Request

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
    delay: float = 0.0
    base: str = ""

    def route(self, path: str, reply: Reply | Callable[[Seen], Reply], method: str = "GET") -> None:
        """Answer ``method path`` (any query) with ``reply``."""
        self.routes[(method, path)] = reply

    def start(self) -> str:
        """Start serving in a thread; returns the base URL."""
        self._srv = LoopbackServer(self._answer, http11=True).start()
        self.base = self._srv.base()
        return self.base

    def _answer(self, request: Request) -> loopback.Reply:
        seen = Seen(
            method=request.method,
            path=request.path,
            query={k: v[0] for k, v in request.query.items()},
            headers={k.lower(): v for k, v in request.headers.items()},
            body=request.body,
        )
        with self._srv.lock:
            self.requests.append(seen)
        if self.delay:
            time.sleep(self.delay)
        reply = self.routes.get((request.method, request.path))
        if reply is None:
            return loopback.Reply(404, b"not found", {"content-type": "text/plain"})
        status, headers, body = reply(seen) if callable(reply) else reply
        return loopback.Reply(status, body, dict(headers))

    def stop(self) -> None:
        """Stop serving."""
        self._srv.stop()

    def hits(self, path: str) -> list[Seen]:
        """The requests received for ``path``."""
        return [r for r in self.requests if r.path == path]
