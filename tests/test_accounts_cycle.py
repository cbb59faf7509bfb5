"""New-media accounts through the whole cycle: fresh, stale, pinned-first and blocked accounts of the sample county."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from config import parse_config
from govwatch.context import open_context
from govwatch.pipeline import check, observe_accounts
from storage import AccountRow, AccountSnapshot, list_findings
from tests.conftest import AS_OF


def _ctx(server, db_url, tmp_path):
    data = server.config_data()
    data["output_dir"] = str(tmp_path)
    return open_context(loaded=parse_config(data, "sample.yaml"), db_url=db_url)


def test_accounts_are_judged_from_usable_observations_only(sample_server, sqlite_url, tmp_path):
    ctx = _ctx(sample_server, sqlite_url, tmp_path)
    from govwatch.pipeline import sync

    sync(ctx)
    report = observe_accounts(ctx)
    assert report.accounts == 4 and report.statuses == {"ok": 3, "blocked": 1}
    check(ctx, AS_OF)
    with ctx.db.session() as s:
        found = {(f.rule, f.unit_id, f.target, f.severity) for f in list_findings(s, status=("open", "warning"))}
        assert found == {("account.stale", "czj", "rss:czfb", "veto")}
        # the pinned 300-day-old post comes first on Weibo: the newer posts still count
        gyz = s.scalar(select(AccountRow).where(AccountRow.unit_id == "gyz"))
        snap = s.scalar(select(AccountSnapshot).where(AccountSnapshot.account_id == gyz.id))
        assert snap.status == "ok" and snap.posts[0]["pinned"] is True
    # the blocked account becomes an operator finding after 3 unusable fetches in a row, never a unit problem
    observe_accounts(ctx)
    check(ctx, AS_OF)
    with ctx.db.session() as s:
        assert not list_findings(s, rule="account.unmonitorable")
    observe_accounts(ctx)
    check(ctx, AS_OF)
    with ctx.db.session() as s:
        (f,) = list_findings(s, rule="account.unmonitorable")
        assert (f.unit_id, f.severity, f.points, f.status) == ("kfq", "operator", 0.0, "open")
        assert f.evidence["statuses"] == ["blocked", "blocked", "blocked"]
        assert not list_findings(s, unit="kfq", rule="account.stale")
    # the platform lets us in again and the account is fresh: the operator finding is rectified
    sample_server.county.account("kfq", "5000000002").status = 200
    observe_accounts(ctx)
    check(ctx, AS_OF)
    with ctx.db.session() as s:
        (f,) = list_findings(s, rule="account.unmonitorable")
        assert f.status == "rectified"
        assert not list_findings(s, unit="kfq", rule="account.stale", status="open")


def test_stale_account_rectified_when_it_posts_again(sample_server, sqlite_url, tmp_path):
    ctx = _ctx(sample_server, sqlite_url, tmp_path)
    observe_accounts(ctx)
    check(ctx, AS_OF)
    sample_server.county.account("czj", "czfb").ages.insert(0, 1)
    observe_accounts(ctx)
    check(ctx, AS_OF + dt.timedelta(days=1))
    with ctx.db.session() as s:
        (f,) = list_findings(s, rule="account.stale")
        assert f.status == "rectified"
