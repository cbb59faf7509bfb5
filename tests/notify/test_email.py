"""E-mail delivery to a real local SMTP server; a delivery cut off mid-way is completed by a rerun, nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from notifier.channels import SmtpChannel
from notifier.delivery import deliver_pending, notify
from storage.models import Notice, NoticeAttempt
from tests.notify.conftest import AS_OF
from tests.notify.helpers import SmtpSink, self_signed


def _smtp(sink: SmtpSink, **extra) -> dict:
    return {"smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none", "sender": "gov@sample.gov.cn",
                     "sender_name": "示范县政务信息中心", **extra},
            "duty": [{"name": "值班员", "email": "duty@sample.gov.cn"}], "outbox": None}


def _run(loaded, db, **kw):
    return notify(db, loaded.config, loaded.catalogue, AS_OF, output_dir=loaded.base_dir / "out", **kw)


def _rows(db):
    with db.session() as s:
        return {(n.kind, n.unit_id, n.channel): n for n in s.scalars(select(Notice))}


def test_notices_arrive_by_email_with_text_and_html_parts(county):
    make, db = county
    with SmtpSink() as sink:
        loaded = make(_smtp(sink))
        rep = _run(loaded, db)
        assert rep.ok and len(rep.sent) == 3  # the digest, fgj and czj; gyz has only an operator problem
        fgj = sink.to("fgj@sample.gov.cn")
        assert len(fgj) == 1
        msg = fgj[0]
        assert sorted(msg.recipients) == ["fgj2@sample.gov.cn", "fgj@sample.gov.cn"]
        assert msg.sender == "gov@sample.gov.cn"
        assert msg.message["Subject"].startswith("【整改通知】示范县") and "发展改革局" in msg.message["Subject"]
        assert "示范县政务信息中心" in str(msg.message["From"])
        text = msg.message.get_body(("plain",)).get_content()
        html = msg.message.get_body(("html",)).get_content()
        for body in (text, html):
            assert "发展改革局" in body and "栏目不更新" in body and "工作动态" in body
            assert "2021年12月7日" in body  # 5 working days after 30 November
            assert "预警" in body and "统计数据" in body
            assert "account" not in body and "革一镇" not in body  # operator problems never go to a unit
        assert "<table>" in html
        assert sink.to("gyz@sample.gov.cn") == []
        digest = sink.to("duty@sample.gov.cn")
        assert len(digest) == 1 and "值班读网日报" in digest[0].message["Subject"]
        assert "革一镇" in digest[0].message.get_body(("plain",)).get_content()  # the operator section
        rows = _rows(db)
        assert rows["rectification", "fgj", "email"].status == "sent"
        assert rows["rectification", "fgj", "email"].recipients == ["fgj@sample.gov.cn", "fgj2@sample.gov.cn"]
        assert rows["rectification", "fgj", "email"].period == "2021-W48"

        # the same week again: nothing is sent twice
        again = _run(loaded, db)
        assert again.sent == [] and again.queued == 0 and again.already == 3
        assert len(sink.messages) == 3


def test_server_refusing_mid_way_then_rerun_sends_only_what_is_missing(county):
    make, db = county
    with SmtpSink(accept_limit=1) as sink:
        loaded = make(_smtp(sink))
        rep = _run(loaded, db, kinds=("digest", "rectification"))
        assert len(rep.sent) == 1 and len(rep.failed) == 2
        assert all("451" in f[4] for f in rep.failed)
        rows = _rows(db)
        assert sorted(n.status for n in rows.values()) == ["failed", "failed", "sent"]
        assert all(n.attempts == 1 for n in rows.values())
        first = {r for m in sink.messages for r in m.recipients}

        # the scheduler's retry waits for the backoff; nothing is due a second later
        waiting = deliver_pending(db, loaded.config, {"email": SmtpChannel(loaded.config.notify.smtp)},
                                  now=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
        assert waiting.sent == [] and waiting.waiting == 2

        sink.accept_limit = None  # the server is back
        rerun = _run(loaded, db, kinds=("digest", "rectification"), force_retry=True)
        assert len(rerun.sent) == 2 and rerun.failed == []
        every = [r for m in sink.messages for r in m.recipients]
        assert sorted(every) == sorted(set(every))  # everybody got exactly one message
        assert first.isdisjoint({r for m in sink.messages[1:] for r in m.recipients})
        assert {n.status for n in _rows(db).values()} == {"sent"}


def test_backoff_then_retry_by_the_scheduler(county):
    make, db = county
    with SmtpSink(accept_limit=0) as sink:
        loaded = make(_smtp(sink))
        channels = {"email": SmtpChannel(loaded.config.notify.smtp)}
        rep = _run(loaded, db, kinds=("rectification",), channels=channels)
        assert len(rep.failed) == 2
        sink.accept_limit = None
        now = dt.datetime.now(dt.UTC)
        early = deliver_pending(db, loaded.config, channels, now=now + dt.timedelta(seconds=30))
        assert early.sent == [] and early.waiting == 2
        late = deliver_pending(db, loaded.config, channels, now=now + dt.timedelta(seconds=61))
        assert len(late.sent) == 2
        with db.session() as s:
            attempts = s.scalars(select(NoticeAttempt).order_by(NoticeAttempt.id)).all()
        assert [a.ok for a in attempts].count(False) == 2 and [a.ok for a in attempts].count(True) == 2


class _Interrupting(SmtpChannel):
    """Delivers the first notice, then the process is interrupted while sending the second."""

    calls = 0

    def send(self, notice, recipients):
        type(self).calls += 1
        if type(self).calls == 2:
            raise KeyboardInterrupt
        super().send(notice, recipients)


def test_interrupted_process_rerun_sends_the_rest_once(county):
    make, db = county
    with SmtpSink() as sink:
        loaded = make(_smtp(sink))
        with pytest.raises(KeyboardInterrupt):
            _run(loaded, db, channels={"email": _Interrupting(loaded.config.notify.smtp)})
        statuses = sorted(n.status for n in _rows(db).values())
        assert statuses == ["failed", "pending", "sent"]  # nothing is left half-sent
        assert len(sink.messages) == 1
        rerun = _run(loaded, db, force_retry=True)
        assert len(rerun.sent) == 2
        every = [r for m in sink.messages for r in m.recipients]
        assert len(sink.messages) == 3 and sorted(every) == sorted(set(every))


def test_a_send_left_running_by_a_killed_process_is_taken_up_after_its_lease(county):
    make, db = county
    with SmtpSink() as sink:
        loaded = make(_smtp(sink))
        channels = {"email": SmtpChannel(loaded.config.notify.smtp)}
        _run(loaded, db, kinds=("rectification",), channels=channels)
        assert len(sink.messages) == 2
        # simulate a process killed during a send: the row stays "sending"
        with db.session() as s:
            n = s.scalars(select(Notice).where(Notice.unit_id == "czj")).one()
            n.status = "sending"
            s.add(NoticeAttempt(notice_id=n.id, ok=False, error="sending"))
        now = dt.datetime.now(dt.UTC)
        assert deliver_pending(db, loaded.config, channels, now=now).sent == []
        later = deliver_pending(db, loaded.config, channels, now=now + dt.timedelta(minutes=16))
        assert [k[1] for k in later.sent] == ["czj"]


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_encrypted_smtp_with_login_from_the_environment(county, tmp_path, monkeypatch, security):
    make, db = county
    cert, server_ctx = self_signed(tmp_path)
    monkeypatch.setenv("GW_SMTP_USER", "govwatch")
    monkeypatch.setenv("GW_SMTP_PASSWORD", "s3cret-密码")
    tls = {"tls_context": server_ctx, "require_starttls": True} if security == "starttls" else {"ssl_context": server_ctx}
    with SmtpSink(auth={"govwatch": "s3cret-密码"}, **tls) as sink:
        loaded = make(_smtp(sink, security=security, ca_file=str(cert),
                            user="${GW_SMTP_USER}", password="${GW_SMTP_PASSWORD}"))
        rep = _run(loaded, db, kinds=("rectification",))
        assert rep.ok and len(rep.sent) == 2
        assert sink.logins == ["govwatch", "govwatch"]
        assert "财政局" in sink.to("czj@sample.gov.cn")[0].message.get_body(("plain",)).get_content()
        # next week the password has changed on the server: failed sends, kept for a retry, with the answer
        sink.auth = {"govwatch": "changed"}
        failed = notify(db, loaded.config, loaded.catalogue, AS_OF + dt.timedelta(days=7),
                        output_dir=loaded.base_dir / "out", kinds=("rectification",))
        assert len(failed.failed) == 2 and all("Authentication" in f[4] for f in failed.failed)
