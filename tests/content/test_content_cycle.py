"""The content checks through whole cycles on the sample county: suspected findings with masked evidence only,
articles read once, broken and oversized attachments as statuses, confirmation and rectification."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from sqlalchemy import select

from govwatch.cli import main
from govwatch.sample import SampleArticle
from storage import Database
from storage.models import ContentDoc, CrawlRun
from tests.conftest import AS_OF

# the clear numbers planted in the sample county: none may appear in anything govwatch writes
RAW = ("522636198503150027", "522636197809090042", "6228480402564890018", "6217002870000123453",
       "510107196001011113", "130521199012123454", "13985512345", "15085523456", "18708551234")


def _setup(server, tmp_path: Path, **content) -> list[str]:
    data = server.config_data()
    data["output_dir"] = str(tmp_path / "out")
    data["content"] = {**data.get("content", {}), **content}
    cfg = tmp_path / "county.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return ["--config", str(cfg), "--db", f"sqlite:///{tmp_path / 'gw.db'}"]


def _findings(capsys, common: list[str], *extra: str) -> list[dict]:
    capsys.readouterr()
    assert main(["findings", "--format", "jsonl", *common, *extra]) == 0
    return [json.loads(x) for x in capsys.readouterr().out.splitlines()]


def _content(rows: list[dict]) -> dict[str, dict]:
    return {urlsplit(f["target"]).path: f for f in rows if f["rule"] in ("content.error", "content.privacy")}


def _written(out: Path) -> str:
    texts = []
    for p in out.rglob("*"):
        if p.suffix == ".xlsx":
            with zipfile.ZipFile(p) as z:
                texts += [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
        elif p.is_file() and p.suffix in (".html", ".txt", ".md", ".json", ".jsonl", ".eml", ".csv"):
            texts.append(p.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def test_content_findings_are_suspected_masked_and_read_once(sample_server, tmp_path, capsys):
    common = _setup(sample_server, tmp_path)
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    found = _content(_findings(capsys, common))
    assert set(found) == {"/bm/fgj/tzgg/art_1.html", "/bm/czj/gzdt/art_1.html", "/xz/gyz/xzdt/files/dibao2021.xlsx",
                          "/gzdt/art_1.html", "/gzdt/files/fxzrr.pdf"}
    assert {f["status"] for f in found.values()} == {"suspected"}
    relief = found["/bm/fgj/tzgg/art_1.html"]["evidence"]
    assert relief["count"] == 4 and relief["counts"] == {"身份证号码": 2, "银行卡号": 2}
    assert {h["number"] for h in relief["hits"]} == {"522636********0027", "522636********0042",
                                                     "6228***********0018", "6217***********3453"}
    xlsx = found["/xz/gyz/xzdt/files/dibao2021.xlsx"]["evidence"]
    assert xlsx["attachment"] == "2021年度低保对象名单.xlsx" and xlsx["page"].endswith("/xz/gyz/xzdt/art_1.html")
    assert [h["where"] for h in xlsx["hits"]] == ["工作表“名单” 第2行", "工作表“名单” 第3行"]
    speech = found["/bm/czj/gzdt/art_1.html"]["evidence"]
    assert speech["hits"][0]["right"] == "习近平总书记" and "总书计" in speech["hits"][0]["sentence"]
    flood = found["/gzdt/art_1.html"]["evidence"]["hits"]
    assert [(h["kind"], h["found"]) for h in flood] == [("领导人职务", "县长龙国华")]
    # the numbers never leave govwatch in clear: findings, digest, workbook, notices, `finding show`
    assert main(["notify", "--dry-run", "--out", str(tmp_path / "out" / "preview"), "--as-of", AS_OF.isoformat(),
                 *common]) == 0
    assert main(["finding", "show", found["/bm/fgj/tzgg/art_1.html"]["id"], *common]) == 0
    shown = capsys.readouterr().out + _written(tmp_path / "out")
    assert "522636********0027" in shown
    assert not [n for n in RAW if n in shown]
    digest = (tmp_path / "out" / f"digest-{AS_OF.isoformat()}.html").read_text(encoding="utf-8")
    assert "疑似问题" in digest and found["/gzdt/files/fxzrr.pdf"]["id"] in digest
    # the broken scan is a status, not a finding
    db = Database(common[-1])
    with db.session() as s:
        docs = {urlsplit(d.url).path: d for d in s.scalars(select(ContentDoc))}
    assert docs["/xz/gyz/xzdt/files/saomiao.pdf"].status == "unreadable"
    assert docs["/xz/gyz/xzdt/files/shuoming.docx"].status == "ok"
    # the second cycle reads nothing again: every article was read once, the suspected ones wait for a person
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    with db.session() as s:
        read = {urlsplit(d.url).path: d.attempts for d in s.scalars(select(ContentDoc))}
        runs = s.scalars(select(CrawlRun).where(CrawlRun.kind == "content").order_by(CrawlRun.id)).all()
    assert len(read) > 40 and set(read.values()) == {1}
    assert runs[0].stats["articles"] == len([p for p in read if "/files/" not in p]) and runs[1].stats["articles"] == 0
    # confirmed, then fixed by the unit: the confirmed article (with its attachments) is read again each cycle
    fid = found["/bm/fgj/tzgg/art_1.html"]["id"]
    xid = found["/xz/gyz/xzdt/files/dibao2021.xlsx"]["id"]
    assert main(["finding", "confirm", fid, *common]) == 0
    assert main(["finding", "confirm", xid, *common]) == 0
    sample_server.county.column("fgj", "tzgg").articles[1] = SampleArticle(
        "<table><tr><th>姓名</th><th>身份证号码</th></tr><tr><td>龙光明</td><td>522636********0027</td></tr></table>")
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    with db.session() as s:
        read = {urlsplit(d.url).path: d.attempts for d in s.scalars(select(ContentDoc))}
    assert sorted(p for p, n in read.items() if n > 1) == sorted([
        "/bm/fgj/tzgg/art_1.html", "/xz/gyz/xzdt/art_1.html", "/xz/gyz/xzdt/files/dibao2021.xlsx",
        "/xz/gyz/xzdt/files/saomiao.pdf", "/xz/gyz/xzdt/files/shuoming.docx"])
    now = _content(_findings(capsys, common))
    assert now["/bm/fgj/tzgg/art_1.html"]["status"] == "rectified"
    assert now["/xz/gyz/xzdt/files/dibao2021.xlsx"]["status"] == "open"  # still there
    assert now["/bm/czj/gzdt/art_1.html"]["status"] == "suspected"
    # the confirmed leak goes to the unit (its place and the masked number), the suspected ones do not
    assert main(["notify", "--dry-run", "--kind", "rectification", "--out", str(tmp_path / "p2"), "--as-of",
                 AS_OF.isoformat(), *common]) == 0
    notices = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "p2").rglob("*.txt")}
    gyz = "\n".join(t for n, t in notices.items() if "gyz" in n)
    assert "工作表“名单” 第2行：510107********1113" in gyz and "2021年度低保对象名单.xlsx" in gyz
    assert "总书计" not in "\n".join(notices.values())  # czj's hit is still suspected
    assert not [n for n in RAW if n in "\n".join(notices.values())]


def test_oversized_attachments_do_not_stop_the_cycle(sample_server, tmp_path, capsys):
    common = _setup(sample_server, tmp_path, max_bytes=4096)
    assert main(["run", "--as-of", AS_OF.isoformat(), *common]) == 0
    db = Database(common[-1])
    with db.session() as s:
        docs = {urlsplit(d.url).path: d for d in s.scalars(select(ContentDoc))}
    big = docs["/gzdt/files/fxzrr.pdf"]
    assert big.status == "too_large" and big.text is None
    found = _content(_findings(capsys, common))
    assert "/gzdt/files/fxzrr.pdf" not in found and "/bm/fgj/tzgg/art_1.html" in found
