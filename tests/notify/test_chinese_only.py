"""Every notice and the duty digest of the sample county read as Chinese: no field name, rule id, Python value
or raw account key is shown (URLs, file names, finding ids and the govwatch commands for duty staff aside)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from govwatch.cli import main
from tests.conftest import AS_OF

_URL = re.compile(r"https?://[\x21-\x7e]+")
_FILE = re.compile(r"[\w.-]+\.(?:pdf|docx?|xlsx?|wps|et|txt|csv|html?|jpg|png)\b")
#: an account shown by its platform's name and its own id (订阅源 czfb)
_ACCOUNT = re.compile(r"(?:订阅源|微博|微信公众号|抖音|今日头条) [\w-]+")
#: what a duty officer may read in ASCII: commands (govwatch finding confirm …), HTTP codes (5xx), finding ids, the
#: config keys to set (抽取器（extractor）), unit ids beside their names (for ``--unit``)
_DIGEST_WORDS = re.compile(r"^(?:govwatch|finding|confirm|dismiss|reason|HTTP|extractor|selectors|\dxx|[0-9a-f]{16})$")
UNIT_IDS = {u["id"] for u in yaml.safe_load((Path(__file__).parents[2] / "config" / "sample.yaml").read_text(
    encoding="utf-8"))["units"]}
#: what no reader should see: field names, rule ids, Python and JSON values, an account's raw key
_NEVER = re.compile(r"\b(?:[A-Za-z]+_[A-Za-z_]+|[a-z]+\.[a-z_]+|None|True|False|null|nan|"
                    r"(?:rss|weibo|wechat|douyin|toutiao):\w+)\b")


def _readable(path: Path) -> str:
    """The text a person reads in a rendered notice: tags, styles, URLs and file names taken out."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return _ACCOUNT.sub(" ", _FILE.sub(" ", _URL.sub(" ", text)))


def _ascii_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9_.:]*", text) if re.search("[A-Za-z]", w)}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("chinese")
    assert main(["demo", "--as-of", AS_OF.isoformat(), "--out", str(out / "demo")]) == 0
    db = f"sqlite:///{out / 'demo' / 'govwatch.db'}"
    files: dict[str, list[Path]] = {"db": [out / "demo" / "govwatch.db"]}
    for kind in ("rectification", "digest", "monthly"):
        assert main(["notify", "--db", db, "--dry-run", "--kind", kind, "--as-of", AS_OF.isoformat(),
                     "--out", str(out / kind)]) == 0
        files[kind] = sorted(p for p in (out / kind).iterdir() if p.suffix in (".txt", ".md", ".html"))
    return files


@pytest.mark.parametrize("kind", ["rectification", "monthly"])
def test_a_units_notice_has_no_english_word(rendered: dict[str, list[Path]], kind: str) -> None:
    assert len(rendered[kind]) >= 3
    for path in rendered[kind]:
        words = _ascii_words(_readable(path)) - {"govwatch", "5xx"}  # 本通知由 govwatch 自动生成, 服务器错误（5xx）
        assert not words, f"{path.name}: {sorted(words)}"


def test_the_digest_shows_no_field_name_rule_id_or_raw_value(rendered: dict[str, list[Path]]) -> None:
    for path in rendered["digest"]:
        text = _readable(path)
        assert not _NEVER.findall(text), f"{path.name}: {sorted(set(_NEVER.findall(text)))}"
        assert {w for w in _ascii_words(text) if not _DIGEST_WORDS.match(w)} - UNIT_IDS <= {"from", "profile:"}  # an adapter's error


def test_a_message_boards_category_is_named_in_chinese() -> None:
    from config.loader import load_catalogue
    from notifier.evidence import evidence_details

    ev = {"column": "咨询投诉", "category": "interaction", "url": "http://127.0.0.1:9/zxts/", "limit": "3个月"}
    details = dict(evidence_details("interaction.unanswered", ev, load_catalogue()))
    assert details["栏目类别"] == "互动交流类" and details["栏目"] == "咨询投诉"


def test_the_findings_table_shows_an_account_by_its_platforms_name(rendered: dict[str, list[Path]], capsys) -> None:
    db = f"sqlite:///{rendered['db'][0]}"
    assert main(["findings", "--db", db, "--format", "table", "--rule", "account.stale"]) == 0
    out = capsys.readouterr().out
    assert "订阅源 czfb" in out and "rss:czfb" not in out
