"""Message boards (领导信箱, 县长信箱, 咨询投诉, 互动交流): each message's asked date, reply state and reply date."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

import lxml.html

from .dates import collapse_whitespace, find_date, normalize_text
from .model import ExtractResult, ListItem
from .page import SKIP_TAGS, Page, clean_title, is_followable
from .pagination import find_pagination
from .registry import Extractor, register

__all__ = ["MessagesExtractor", "message_state", "read_messages"]

#: Reply states, checked in this order ("未办结" holds "办结", "已受理" is not a reply).
_UNANSWERED = re.compile(
    r"未回复|未答复|待回复|待答复|暂未回复|尚未回复|未办结|未处理|待处理|未办理|待办理|未受理|待受理|未反馈|未回|待办"
)
_PROCESSING = re.compile(r"办理中|处理中|正在办理|正在处理|已受理|受理中|已转办|转办中|已交办|交办中|审核中|已签收")
_REPLIED = re.compile(r"已回复|已答复|已办结|已处理|已反馈|已解决|已完成|回复完毕|办理完毕|已办理|^办结$|^已回$|^完成$")
# icons: <img src="yhf.gif">, <i class="icon-whf">
_ICON_UNANSWERED = re.compile(r"whf|weihuifu|wei_huifu|unrepl|noreply|no-reply|not-?replied|unanswered|wbj|weibanjie", re.I)
_ICON_REPLIED = re.compile(r"yhf|yihuifu|yi_huifu|replied|answered|yibanjie|ybj", re.I)

_HEAD_TITLE = re.compile(r"标题|主题|事项|内容|名称|摘要")
_HEAD_REPLIED = re.compile(r"(?:回复|答复|办结|反馈|处理|回信)(?:时间|日期)")
_HEAD_ASKED = re.compile(r"(?:时间|日期)")
_HEAD_STATE = re.compile(r"状态|是否回复|回复情况|办理情况|处理情况|办理结果|处理结果|进度|办结情况")
_HEAD_TYPE = re.compile(r"类型|类别|分类|性质")
_LABEL_REPLIED = re.compile(r"(?:回复|答复|办结|反馈|回信)(?:时间|日期)\s*[:：]?\s*")
_LABEL_ASKED = re.compile(r"(?:留言|提交|来信|写信|咨询|投诉|发信|提问|发布|信件)(?:时间|日期)\s*[:：]?\s*")
_TYPES = re.compile(r"咨询|投诉|建议|求助|举报|信访|表扬|意见|反映|纪检|其他|其它")
_MARKER = re.compile(r"^\s*[\[【(（〔]\s*([^\]】)）〕]{1,6})\s*[\]】)）〕]\s*|\s*[\[【(（〔]\s*([^\]】)）〕]{1,6})\s*[\]】)）〕]\s*$")
_TYPE_MARK = re.compile(r"[\[【(（〔]\s*(咨询|投诉|建议|求助|举报|信访|表扬|意见|反映|纪检|其他|其它)\S{0,2}?\s*[\]】)）〕]")
_BOARD_WORDS = re.compile(r"信箱|留言|咨询|投诉|互动|来信|诉求|民意|问政|网民")
_ROW_TAGS = frozenset({"tr", "li", "dd", "dl", "div", "p", "table", "section", "article"})


def message_state(text: str) -> str | None:
    """``replied``, ``unanswered`` or ``processing`` for a state text (已回复, 未回复, 办理中 ...), else None."""
    text = normalize_text(text).replace(" ", "")
    if not text:
        return None
    if _UNANSWERED.search(text):
        return "unanswered"
    if _PROCESSING.search(text):
        return "processing"
    if _REPLIED.search(text):
        return "replied"
    return None


def _icon_state(el: lxml.html.HtmlElement) -> str | None:
    """The state shown by an icon (img alt/title/src, or the class of an i/span) inside ``el``."""
    for sub in el.iter("img", "i", "span", "em", "b", "font"):
        label = (sub.get("alt") or "") + " " + (sub.get("title") or "")
        state = message_state(label)
        if state is not None:
            return state
        probe = " ".join((sub.get("src") or "").rsplit("/", 1)[-1:] + [sub.get("class") or ""])
        if _ICON_UNANSWERED.search(probe):
            return "unanswered"
        if _ICON_REPLIED.search(probe):
            return "replied"
    return None


@dataclass
class Message:
    """One row of a message board as read from the page."""

    title: str
    url: str
    asked: datetime.date
    replied: datetime.date | None
    state: str | None
    type: str | None

    def to_item(self) -> ListItem:
        """The list item: dated by when the message was asked; the rest on ``extra``."""
        state = self.state or ("replied" if self.replied else None)
        extra = {
            "kind": "message",
            "asked": self.asked.isoformat(),
            "replied": self.replied.isoformat() if self.replied else None,
            "state": state or "unknown",
            "type": self.type,
        }
        return ListItem(self.title, self.url, self.asked, "list", False, extra)


def _cells(row: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    if row.tag == "tr":
        return [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
    return [c for c in row if isinstance(c.tag, str) and c.tag not in SKIP_TAGS]


def _text(el: lxml.html.HtmlElement, skip: lxml.html.HtmlElement | None = None) -> str:
    """Visible text of ``el`` (scripts and the ``skip`` subtree left out), normalised."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in SKIP_TAGS and child is not skip:
                walk(child)
            if child.tail:
                parts.append(child.tail)

    if el is not skip:
        walk(el)
    return normalize_text(" ".join(parts))


def _header(row: lxml.html.HtmlElement) -> dict[str, int] | None:
    """Column roles of a header row (title, asked, replied, state, type), or None when it is not one."""
    cells = _cells(row)
    if len(cells) < 2 or any(is_followable(a.get("href")) for a in row.iter("a")):
        return None
    labels = [normalize_text(c.text_content()).replace(" ", "") for c in cells]
    if any(len(t) > 12 for t in labels):
        return None
    roles: dict[str, int] = {}
    for i, t in enumerate(labels):
        if not t:
            continue
        if "replied" not in roles and _HEAD_REPLIED.search(t):
            roles["replied"] = i
        elif "state" not in roles and _HEAD_STATE.search(t):
            roles["state"] = i
        elif "asked" not in roles and _HEAD_ASKED.search(t):
            roles["asked"] = i
        elif "type" not in roles and _HEAD_TYPE.search(t):
            roles["type"] = i
        elif "title" not in roles and _HEAD_TITLE.search(t):
            roles["title"] = i
    if "asked" not in roles or not ({"state", "replied"} & set(roles)):
        return None
    return roles


def _date_in(text: str, today: datetime.date | None) -> datetime.date | None:
    found = find_date(text, today=today)
    return found[0] if found else None


def _labelled(text: str, label: re.Pattern[str], today: datetime.date | None) -> datetime.date | None:
    for m in label.finditer(text):
        found = find_date(text[m.end() : m.end() + 30], today=today)
        if found is not None and found[1] <= 1:
            return found[0]
    return None


def _type_of(text: str) -> str | None:
    m = _TYPES.search(text)
    return m.group(0) if m else None


class _Reader:
    """Reads the messages of one page."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.today = page.today

    def _title_anchor(self, el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
        anchors = [a for a in el.iter("a") if is_followable(a.get("href"))]
        best = None
        for a in anchors:
            if best is None or len(collapse_whitespace(a.text_content())) > len(collapse_whitespace(best.text_content())):
                best = a
        return best

    def _url(self, anchor: lxml.html.HtmlElement | None, title: str, asked: datetime.date) -> str:
        if anchor is not None:
            return self.page.absolute(anchor.get("href") or "")
        key = hashlib.sha1(f"{title}|{asked.isoformat()}".encode()).hexdigest()[:12]
        return f"{self.page.url.split('#')[0]}#msg-{key}"

    @staticmethod
    def _split_marker(title: str) -> tuple[str, str | None, str | None]:
        """Strip 【已回复】/[咨询] markers from a title: (title, state, type)."""
        state = kind = None
        for _ in range(3):
            m = _MARKER.search(title)
            if not m:
                break
            inner = (m.group(1) or m.group(2) or "").strip()
            s = message_state(inner)
            if s is not None:
                state = state or s
            elif _TYPES.fullmatch(inner) or _TYPES.search(inner) and len(inner) <= 4:
                kind = kind or inner
            else:
                break
            title = (title[: m.start()] + title[m.end() :]).strip()
        return title, state, kind

    def table_row(self, row: lxml.html.HtmlElement, roles: dict[str, int]) -> Message | None:
        cells = _cells(row)
        if len(cells) < 2:
            return None

        def cell(role: str) -> lxml.html.HtmlElement | None:
            i = roles.get(role)
            return cells[i] if i is not None and i < len(cells) else None

        asked_cell = cell("asked")
        asked = _date_in(_text(asked_cell), self.today) if asked_cell is not None else None
        if asked is None:
            return None
        title_cell = cell("title")
        anchor = self._title_anchor(title_cell if title_cell is not None else row)
        if anchor is not None:
            title = self._anchor_title(anchor)
        elif title_cell is not None:
            title = collapse_whitespace(title_cell.text_content())
        else:
            return None
        title, state, kind = self._split_marker(clean_title(title))
        if len(title) < 2:
            return None
        replied_cell = cell("replied")
        replied = _date_in(_text(replied_cell), self.today) if replied_cell is not None else None
        state_cell = cell("state")
        if state_cell is not None:
            state = message_state(_text(state_cell)) or _icon_state(state_cell) or state
        if state is None and replied_cell is not None:
            state = "replied" if replied else "unanswered"
        type_cell = cell("type")
        if type_cell is not None:
            kind = normalize_text(type_cell.text_content()).replace(" ", "")[:10] or kind
        return Message(title, self._url(anchor, title, asked), asked, replied, state, kind)

    def free_row(self, row: lxml.html.HtmlElement) -> Message | None:
        """A list row: a title link, the asked date, a state marker and perhaps a labelled reply date."""
        anchors = {a.get("href") for a in row.iter("a") if is_followable(a.get("href"))}
        if len(anchors) > 3:
            return None
        anchor = self._title_anchor(row)
        if anchor is None:
            return None
        title, state, kind = self._split_marker(clean_title(self._anchor_title(anchor)))
        if len(title) < 4:
            return None
        outside = _text(row, anchor)
        if len(outside) > 300:
            return None
        asked = _labelled(outside, _LABEL_ASKED, self.today)
        replied = _labelled(outside, _LABEL_REPLIED, self.today)
        if asked is None:
            rest = _LABEL_REPLIED.split(outside)[0] if replied is not None else outside
            asked = _date_in(rest, self.today)
        if asked is None:
            return None
        stripped = re.sub(r"\S*[:：]", " ", outside)
        state = message_state(stripped) or _icon_state(row) or state
        if kind is None:
            m = re.search(r"(?:类型|类别)\s*[:：]\s*(\S{1,6})", outside) or _TYPE_MARK.search(outside)
            kind = m.group(1) if m else None
        if state is None and replied is not None:
            state = "replied"
        if state is None:
            return None
        return Message(title, self._url(anchor, title, asked), asked, replied, state, kind)

    @staticmethod
    def _anchor_title(anchor: lxml.html.HtmlElement) -> str:
        text = collapse_whitespace(anchor.text_content())
        attr = collapse_whitespace(anchor.get("title") or "")
        return attr if attr and (not text or text.endswith(("…", "...", ".."))) else text

    def messages(self) -> list[Message]:
        """The messages of the best board on the page (a header-mapped table first, then free rows)."""
        best: list[Message] = []
        root = self.page.root
        for table in root.iter("table", "ul", "div", "tbody", "dl", "ol", "section"):
            rows = [c for c in table if isinstance(c.tag, str) and c.tag in _ROW_TAGS]
            if table.tag == "table":
                rows = list(table.iter("tr"))
            if not rows:
                continue
            found = self._from_rows(rows)
            if len(found) > len(best):
                best = found
        return best

    def _from_rows(self, rows: list[lxml.html.HtmlElement]) -> list[Message]:
        roles: dict[str, int] | None = None
        out: list[Message] = []
        seen: set[str] = set()
        for row in rows:
            if roles is None and row.tag in ("tr", "li", "div", "dl"):
                head = _header(row)
                if head is not None:
                    roles = head
                    continue
            msg = self.table_row(row, roles) if roles is not None else None
            if msg is None and roles is None:
                msg = self.free_row(row)
            if msg is not None and msg.url not in seen:
                seen.add(msg.url)
                out.append(msg)
        return out


def read_messages(page: Page) -> list[Message]:
    """The messages of a board page (memoised on the page)."""
    if "messages" not in page._cache:
        page._cache["messages"] = _Reader(page).messages()
    return page._cache["messages"]


@register("messages")
class MessagesExtractor(Extractor):
    """Message boards (领导信箱, 县长信箱, 咨询投诉, 互动交流): tables whose header names a
    留言时间/提交时间 column and a 状态/回复时间 column, or lists whose rows carry a state marker
    (【已回复】, 未回复, 办理中, 已办结, an icon with alt=已回复 or src=yhf.gif) beside the asked date,
    sometimes a labelled 回复时间/答复时间 and a type (咨询, 投诉, 建议, 信访, 举报). Each message
    becomes an item dated by when it was asked, with ``extra`` = {kind: message, asked, replied,
    state: replied|unanswered|processing|unknown, type}. Rows without a link get a stable
    address on the page (#msg-…). Chosen automatically when most rows of a list carry a reply state."""

    def score(self, page: Page) -> float:
        found = read_messages(page)
        stated = sum(1 for m in found if m.state is not None or m.replied is not None)
        if stated * 2 < len(found):
            return 0.0
        if stated < 2 and not (stated == 1 and _BOARD_WORDS.search(" ".join(page.column_names))):
            return 0.0
        return 0.93

    def extract(self, page: Page) -> ExtractResult:
        items = [m.to_item() for m in read_messages(page)]
        next_pages, total = find_pagination(page, exclude={it.url for it in items})
        return ExtractResult(self.name, items, next_pages, total)
