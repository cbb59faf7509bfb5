"""The one loopback server behind the sample county, the test servers and the benchmark farms."""

from __future__ import annotations

import httpx

from govwatch.loopback import LoopbackServer, Reply, Request


def test_one_app_answers_on_several_loopback_hosts_on_one_port() -> None:
    def app(request: Request) -> Reply:
        if request.path == "/gone":
            return Reply(404, "<h1>页面不存在</h1>")
        return Reply(200, f"{request.host} {request.method} {request.arg('page', '1')}",
                     {"Content-Type": "text/plain; charset=utf-8"})

    with LoopbackServer(app, ("127.0.0.1", "127.0.0.2")) as srv:
        one, two = srv.base("127.0.0.1"), srv.base("127.0.0.2")
        assert one.rsplit(":", 1)[1] == two.rsplit(":", 1)[1]
        assert httpx.get(f"{two}/list?page=3").text == "127.0.0.2 GET 3"
        assert httpx.post(f"{one}/list", data={"page": "2"}).text == "127.0.0.1 POST 2"
        head = httpx.head(f"{one}/list")
        assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
        gone = httpx.get(f"{one}/gone")
        assert gone.status_code == 404 and "页面不存在" in gone.text
        assert gone.headers["content-type"] == "text/html; charset=utf-8"
        assert srv.max_inflight == {"127.0.0.1": 1, "127.0.0.2": 1}
