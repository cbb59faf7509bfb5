"""Leaked personal data (泄露个人隐私) in article and attachment text: ID numbers, bank cards, mobiles in lists.

Everything here is a pure function of text. A hit is reported with the number masked, never in clear: govwatch
must not spread a leak. Precision comes first: an 18-digit run counts only with a valid GB 11643 check digit, a
plausible region and birth date; a card number only with the Luhn check, a card prefix and a card word beside
it; a mobile number only in a list of named people (an office's 咨询电话 is not a leak).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checks.base import CheckInput, ContentDocObs, Outcome
from checks.registry import check
from config.catalogue import Catalogue

__all__ = [
    "KIND_LABELS",
    "LOCATION_MARK",
    "PrivacyHit",
    "find_privacy",
    "id_number_valid",
    "doc_evidence",
    "iter_lines",
    "leaked_personal_data",
    "luhn_valid",
    "mask",
    "mask_digits",
    "privacy_key",
]

#: A line of stored text starting with this character names the place of the following lines (第2页, 工作表 名单).
LOCATION_MARK = "\x1e"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Prefecture codes (digits 3-4) that exist per province (GB/T 2260, past and present, including the 地区 codes
# of the 1980s still carried in older ID numbers); a credit code or a serial number rarely fits.
_CITIES: dict[str, str] = {
    "11": "01-02", "12": "01-02", "13": "01-11,90", "14": "01-11,90", "15": "01-09,21-29",
    "21": "01-14,21-24", "22": "01-08,21-27", "23": "01-12,21-27", "31": "01-02", "32": "01-13,21-30",
    "33": "01-11,21-27", "34": "01-18,21-30", "35": "01-09,21-27", "36": "01-11,21-27", "37": "01-17,21-30",
    "41": "01-17,21-30,90", "42": "01-13,21-30,90", "43": "01-13,21-31", "44": "01-20,21-32,51-53",
    "45": "01-14,21-31", "46": "00-04,90", "50": "01-03", "51": "01-20,21-37", "52": "01-06,21-27",
    "53": "01-09,21-35", "54": "01-06,21-26", "61": "01-10,21-27", "62": "01-12,21-30", "63": "01-02,21-28",
    "64": "01-05,21-22", "65": "01-02,21-43,90", "71": "00", "81": "00", "82": "00",
}


def _ranges(spec: str) -> frozenset[str]:
    out: set[str] = set()
    for part in spec.split(","):
        lo, _, hi = part.partition("-")
        out.update(f"{n:02d}" for n in range(int(lo), int(hi or lo) + 1))
    return frozenset(out)


_CITY_SETS = {p: _ranges(s) for p, s in _CITIES.items()}

# a digit run, with a check character X only at the end; letters glued to it make it a code, not a number
_RUN = re.compile(r"(?<![0-9A-Za-z])[0-9]{11,19}[Xx]?(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9][0-9]{9}(?![0-9A-Za-z])")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# words that make a long number something other than a person's number
_CODE_WORDS = ("信用代码", "社会信用", "组织机构代码", "纳税人识别号", "税号", "注册号", "索引号", "文号", "编号", "订单",
               "流水号", "合同号", "项目代码", "批准号", "许可证号", "登记号", "备案号", "条码", "发票")
_ID_WORDS = ("身份证", "身份号", "证件号", "公民身份号码", "身份证号")
_CARD_WORDS = ("卡号", "银行卡", "账号", "帐号", "账户", "帐户", "社保卡", "存折", "一卡通", "收款账", "银行账")
_ORG_ACCOUNT = ("对公", "单位账", "单位帐", "基本账户", "基本户", "公司", "合作社", "有限责任", "财政局", "专户", "收款单位",
                "开户单位", "单位名称")
_CARD_PREFIX = re.compile(r"^(?:62|60|4|5[1-5]|9558|35|37)")
# an office's number, not a person's: 咨询电话 0855-xxx, 监督电话 138...
_OFFICE_PHONE = re.compile(r"(?:咨询|监督|举报|投诉|服务|值班|办公|热线|联系|报名|受理)(?:电话|热线|方式)|联系人|联络员")

# common surnames (百家姓 in order of frequency) and compound ones; a name is 2-3 characters starting with one
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金"
    "石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄"
    "聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房"
    "滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商"
    "刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝杨吴潘龙欧杨滚姜张万吴邰"
)
_COMPOUND = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "令狐", "慕容", "公孙", "长孙", "夏侯", "端木")
_NOT_NAME_END = set("村镇乡局办所站组队社委县区市省州街路院校厅处科部会司馆场园室中心寨屯坝湾沟寨")
_SPLIT = re.compile(r"[\s\t,，、;；:：|/（）()【】\[\]<>《》\"“”'‘’。·]+")


@dataclass(frozen=True)
class PrivacyHit:
    """One leaked number: its kind, the number masked, where it is, and the line with every long number masked."""

    kind: str  # id_number | bank_card | mobile
    masked: str
    location: str
    line: str


def iter_lines(text: str) -> Iterator[tuple[str, str]]:
    """(location, line) for every non-empty line of stored text; location is 第N行 within the current part
    (a PDF page, a worksheet), prefixed with the part's name."""
    part, n = "", 0
    for raw in text.split("\n"):
        if raw.startswith(LOCATION_MARK):
            part, n = raw[1:].strip(), 0
            continue
        n += 1
        if raw.strip():
            yield (f"{part} 第{n}行" if part else f"第{n}行"), raw


def id_number_valid(number: str, as_of: dt.date | None = None) -> bool:
    """Whether an 18-character resident ID number is well formed: region, birth date and GB 11643 check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17].upper():
        return False
    return _region_ok(number[:6]) and _birth_ok(number[6:14], as_of)


def _region_ok(region: str) -> bool:
    cities = _CITY_SETS.get(region[:2])
    if cities is None or region[2:4] not in cities:
        return False
    return region[4:] != "00" or region[:2] in ("71", "81", "82")


def _birth_ok(yyyymmdd: str, as_of: dt.date | None) -> bool:
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    today = as_of or dt.date.today()
    return dt.date(today.year - 120, 1, 1) <= born <= today


def _old_id_valid(number: str, as_of: dt.date | None) -> bool:
    """A 15-digit ID number of the first generation (no check digit): region and YYMMDD birth date."""
    return len(number) == 15 and number.isdigit() and _region_ok(number[:6]) and _birth_ok("19" + number[6:12], as_of)


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check of a card number."""
    if not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask(number: str, kind: str) -> str:
    """The number as it may be shown: an ID keeps its region and last 4 (522635********1234), a card its first and
    last 4, a mobile its first 3 and last 4."""
    if kind == "id_number":
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    if kind == "bank_card":
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_digits(text: str) -> str:
    """``text`` with every run of 11 or more digits masked (keeps the first 3 and the last 4)."""
    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        digits = len(s.rstrip("Xx"))
        keep = 6 if len(s) in (15, 18) else 4 if digits >= 16 else 3
        return s[:keep] + "*" * (len(s) - keep - 4) + s[-4:]

    return re.sub(r"[0-9]{11,}[Xx]?", repl, text)


def _before(line: str, start: int, width: int = 24) -> str:
    return line[max(0, start - width):start]


def _has(words: tuple[str, ...], text: str) -> bool:
    return any(w in text for w in words)


def _name_like(segment: str) -> bool:
    if not 2 <= len(segment) <= 4 or not all(_HAN.match(ch) for ch in segment) or segment[-1] in _NOT_NAME_END:
        return False
    if segment[:2] in _COMPOUND:
        return len(segment) in (3, 4)
    return segment[0] in _SURNAMES and len(segment) <= 3


def _names_in(line: str) -> list[str]:
    return [seg for seg in _SPLIT.split(line) if _name_like(seg)]


def find_privacy(text: str, *, as_of: dt.date | None = None, header_words: str = "") -> list[PrivacyHit]:
    """Every leaked ID number, bank card and listed mobile number in ``text`` (stored text: lines, tab-separated
    cells, location lines); ``header_words`` is extra context (a document's title)."""
    norm = unicodedata.normalize("NFKC", text)
    hits: list[PrivacyHit] = []
    header = ""  # the last line without long numbers: a table's heading row (姓名 身份证号 银行卡号 ...)
    mobiles: list[tuple[str, str, str]] = []  # (number, location, line) of lines with a name and a mobile
    for location, line in iter_lines(norm):
        found: list[tuple[str, str]] = []
        head_cells = header.split("\t")
        for m in _RUN.finditer(line):
            num = m.group(0).upper()
            cell = line.count("\t", 0, m.start())
            column = head_cells[cell] if "\t" in line and cell < len(head_cells) else ""  # the table's heading
            context = _before(line, m.start()) + header_words + column
            if _has(_CODE_WORDS, _before(line, m.start(), 40) + column) \
                    and not _has(_ID_WORDS + _CARD_WORDS, _before(line, m.start(), 12) + column):
                continue  # 统一社会信用代码 / 索引号 / 订单号 …: a code, not a person's number
            if len(num) == 18 and id_number_valid(num, as_of):
                found.append(("id_number", num))
            elif len(num) == 15 and _old_id_valid(num, as_of) and _has(_ID_WORDS, context):
                found.append(("id_number", num))
            elif 16 <= len(num) <= 19 and num.isdigit() and luhn_valid(num) and _CARD_PREFIX.match(num) \
                    and _has(_CARD_WORDS, context) and not _has(_ORG_ACCOUNT, line + column):
                found.append(("bank_card", num))
        shown = mask_digits(line.strip())[:200]
        hits.extend(PrivacyHit(kind, mask(num, kind), location, shown) for kind, num in found)
        for m in _MOBILE.finditer(line):
            if _OFFICE_PHONE.search(_before(line, m.start(), 12)):
                continue
            if _names_in(line[: m.start()] + " " + line[m.end():]):
                mobiles.append((m.group(0), location, shown))
        if not _RUN.search(line):
            header = line
    # mobiles count only in a list of people: at least three lines, each with a name and a different number
    if len({num for num, _, _ in mobiles}) >= 3:
        seen: set[str] = set()
        for num, location, shown in mobiles:
            if num not in seen:
                seen.add(num)
                hits.append(PrivacyHit("mobile", mask(num, "mobile"), location, shown))
    return hits


def privacy_key(hits: list[PrivacyHit]) -> str:
    """A fingerprint of what was found (masked values and lines only): the same text gives the same key."""
    parts = sorted(f"{h.kind}|{h.masked}|{h.line}" for h in hits)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


#: what each kind of hit is called in notices and digests
KIND_LABELS = {"id_number": "身份证号码", "bank_card": "银行卡号", "mobile": "手机号码"}
_MAX_LISTED = 20


def doc_evidence(doc: ContentDocObs) -> dict[str, Any]:
    """Where a document is, in the words of a finding's evidence (page, attachment, column, title)."""
    ev: dict[str, Any] = {"url": doc.url, "column": doc.column, "title": doc.title}
    if doc.kind == "attachment":
        ev["page"] = doc.parent_url
        ev["attachment"] = doc.title
    return ev


@check("content.privacy")
def leaked_personal_data(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """泄露个人隐私: unmasked resident ID numbers (GB 11643 check digit, region, birth date), bank card numbers
    (Luhn, beside 卡号/账号) and mobile numbers in lists of named people, in the text of articles and attachments.
    A suspected finding per page or attachment, with every number masked in the evidence; a document read again
    without them passes. Masked numbers (522635********1234), codes (统一社会信用代码, 索引号) and the phone
    numbers of offices are not leaks.
    """
    rule = catalogue.rule("content.privacy")
    points = rule.points if rule.severity == "deduction" else 0.0
    for doc in inp.content_docs:
        hits = find_privacy(doc.text, as_of=inp.as_of, header_words=doc.title or "")
        ev = doc_evidence(doc)
        if not hits:
            yield Outcome("content.privacy", doc.unit_id, doc.url, True, rule.severity, 0.0, ev)
            continue
        counts = Counter(h.kind for h in hits)
        ev.update(
            count=len(hits),
            counts={KIND_LABELS[k]: n for k, n in sorted(counts.items())},
            hits=[{"kind": KIND_LABELS[h.kind], "number": h.masked, "where": h.location, "line": h.line}
                  for h in hits[:_MAX_LISTED]],
            text_key=privacy_key(hits),
            doubt="自动识别的疑似个人信息（号码已脱敏显示），请打开页面或附件核实是否为真实个人信息",
        )
        yield Outcome("content.privacy", doc.unit_id, doc.url, False, rule.severity, points, ev, suspected=True)
