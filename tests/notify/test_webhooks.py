"""WeCom, DingTalk and JSON webhooks posting to a local HTTP server; the file outbox."""

from __future__ import annotations

import base64
import hashlib
import hmac
import urllib.parse
from email import message_from_bytes, policy

from sqlalchemy import select

from notifier.delivery import notify
from storage.models import Notice
from tests.notify.conftest import AS_OF
from tests.notify.helpers import HttpSink


def _run(loaded, db, **kw):
    return notify(db, loaded.config, loaded.catalogue, AS_OF, output_dir=loaded.base_dir / "out", **kw)


def _hooks(sink: HttpSink) -> dict:
    return {
        "digest_url": "http://127.0.0.1/govwatch/digest.html",
        "outbox": None,
        "webhooks": [
            {"type": "wecom", "url": sink.url("/wecom/send?key=SECRETKEY")},
            {"type": "dingtalk", "url": sink.url("/ding/robot/send?access_token=TOKEN"), "secret": "SEC123"},
            {"type": "json", "name": "ops", "url": sink.url("/json/hook"), "kinds": ["digest", "rectification", "monthly"]},
        ],
    }


def test_robots_and_json_webhook_receive_the_digest(county):
    make, db = county
    with HttpSink() as sink:
        loaded = make(_hooks(sink))
        rep = _run(loaded, db, kinds=("digest", "rectification", "monthly"))
        assert rep.ok
        wecom = sink.to("/wecom/")
        assert len(wecom) == 2  # digest and monthly report
        content = wecom[0]["markdown"]["content"]
        assert wecom[0]["msgtype"] == "markdown"
        assert "示范县政府网站监测日报" in content and "待整改" in content
        assert "(http://127.0.0.1/govwatch/digest.html)" in content  # the digest link
        assert len(content.encode()) <= 4096
        ding_path, ding = next((p, b) for p, b in sink.posts if p.startswith("/ding/"))
        assert ding["msgtype"] == "markdown" and ding["markdown"]["title"].startswith("【值班读网日报】")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(ding_path).query)
        ts = query["timestamp"][0]
        expected = base64.b64encode(hmac.new(b"SEC123", f"{ts}\nSEC123".encode(), hashlib.sha256).digest()).decode()
        assert query["sign"][0] == expected and query["access_token"] == ["TOKEN"]
        js = sink.to("/json/")
        assert sorted((b["kind"], b["unit"]) for b in js) == [
            ("digest", "*"), ("monthly", "*"), ("rectification", "czj"), ("rectification", "fgj")]
        fgj = next(b for b in js if b["unit"] == "fgj")
        assert fgj["unit_name"] == "发展改革局" and "栏目不更新" in fgj["text"] and "<table>" in fgj["html"]
        with db.session() as s:
            rows = s.scalars(select(Notice)).all()
        assert {r.channel for r in rows} == {"wecom", "dingtalk", "ops"}
        assert all(r.status == "sent" for r in rows)
        wecom_row = next(r for r in rows if r.channel == "wecom")
        assert "SECRETKEY" not in str(wecom_row.recipients)  # the robot key is not written into the records


def test_robot_error_is_recorded_and_retried_once_fixed(county):
    make, db = county
    with HttpSink() as sink:
        sink.errors["/wecom/"] = (200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        loaded = make(_hooks(sink))
        rep = _run(loaded, db, kinds=("digest",))
        assert [f[3] for f in rep.failed] == ["wecom"] and "93000" in rep.failed[0][4]
        assert len(sink.to("/ding/")) == 1
        sink.errors.clear()
        rerun = _run(loaded, db, kinds=("digest",), force_retry=True)
        assert [k[3] for k in rerun.sent] == ["wecom"]
        assert len(sink.to("/wecom/")) == 2 and len(sink.to("/ding/")) == 1  # dingtalk not posted twice


def test_outbox_writes_one_file_set_per_notice(county):
    make, db = county
    loaded = make({"outbox": "outbox"})
    rep = _run(loaded, db, kinds=("digest", "rectification"))
    assert rep.ok and len(rep.sent) == 3
    box = loaded.base_dir / "out" / "outbox"
    names = sorted(p.name for p in (box / "rectification").iterdir())
    assert names == [f"rectification-2021-W48-{u}.{ext}" for u in ("czj", "fgj") for ext in ("eml", "html", "json", "md", "txt")]
    eml = message_from_bytes((box / "rectification" / "rectification-2021-W48-fgj.eml").read_bytes(), policy=policy.default)
    assert "发展改革局" in eml["Subject"] and "fgj@sample.gov.cn" in eml["To"]
    assert "栏目不更新" in eml.get_body(("plain",)).get_content()
    assert (box / "digest" / "digest-2021-11-30-all.html").exists()
    with db.session() as s:
        assert {(n.unit_id, n.channel, n.status) for n in s.scalars(select(Notice))} == {
            ("*", "outbox", "sent"), ("fgj", "outbox", "sent"), ("czj", "outbox", "sent")}
