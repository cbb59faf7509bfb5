"""A notice interrupted mid-send (left ``sending``) is listed in the duty digest as 投递状态不明 until a send settles it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from notifier.channels import SmtpChannel
from notifier.delivery import deliver_pending, notify
from notifier.notices import build_duty_digest, render_notice
from storage.db import Database
from storage.models import Notice, NoticeAttempt
from tests.notify.conftest import AS_OF, county_data, load, seed, standard_outcomes
from tests.notify.helpers import SmtpSink


@pytest.fixture
def county_db(db_url, tmp_path):
    db = Database(db_url)
    yield db, tmp_path
    db.dispose()


def test_a_send_left_sending_is_in_doubt_in_the_digest_until_resolved(county_db):
    db, tmp_path = county_db
    with SmtpSink() as sink:
        smtp = {"host": "127.0.0.1", "port": sink.port, "security": "none", "sender": "gov@sample.gov.cn"}
        loaded = load(county_data({"smtp": smtp, "duty": [{"name": "值班员", "email": "duty@sample.gov.cn"}],
                                   "outbox": None}, tmp_path / "out"), tmp_path)
        seed(db, loaded, standard_outcomes())
        notify(db, loaded.config, loaded.catalogue, AS_OF, output_dir=tmp_path / "out", kinds=("rectification",))
        started = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=1)
        with db.session() as s:  # the process was killed during the send to 财政局
            n = s.scalars(select(Notice).where(Notice.unit_id == "czj")).one()
            n.status = "sending"
            s.add(NoticeAttempt(notice_id=n.id, at=started, ok=False, error="sending"))

        def digest() -> dict:
            with db.session() as s:
                return build_duty_digest(s, loaded.config, loaded.catalogue, AS_OF)

        data = digest()
        assert [(d["unit"], d["kind"], d["channel"]) for d in data["in_doubt"]] == [("财政局", "整改通知", "email")]
        assert data["in_doubt"][0]["since"] == started.astimezone(loaded.config.tz).strftime("%Y-%m-%d %H:%M")
        _subject, html, text, md = render_notice("digest", data)
        for body in (html, text, md):
            assert "投递状态不明" in body
        assert "财政局" in text.split("投递状态不明", 1)[1]

        channels = {"email": SmtpChannel(loaded.config.notify.smtp)}
        early = deliver_pending(db, loaded.config, channels, now=started + dt.timedelta(minutes=1))
        assert early.waiting == 1 and len(digest()["in_doubt"]) == 1  # maybe still being sent: left alone, listed
        later = deliver_pending(db, loaded.config, channels, now=started + dt.timedelta(minutes=16))
        assert [k[1] for k in later.sent] == ["czj"]
        assert digest()["in_doubt"] == []
        _subject, html, text, md = render_notice("digest", digest())
        assert "投递状态不明" not in html + text + md
