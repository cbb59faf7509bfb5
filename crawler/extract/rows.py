"""Reading one list row: its title link, its publication date (and 成文日期) and the source of the
date's year, and whether it is pinned (置顶). A mixin of :class:`crawler.extract.page.Page`."""

from __future__ import annotations

import datetime
import re

import lxml.etree
import lxml.html

from .dates import (
    collapse_whitespace,
    date_from_url,
    find_date,
    full_date_text,
    infer_year,
    normalize_map,
    normalize_text,
    url_year_month,
)
from .markup import (
    _DATE_ATTRS,
    _GENERIC_LINK,
    _MARKER_TAGS,
    _MONTH_DAY_HINT,
    _PIN_CLASS,
    _PUB_LABEL,
    _RELATIVE_WORDS,
    _SPLIT_DATE_GAP,
    _TOKEN_SPLIT,
    _TRUNCATED,
    _WRITTEN_LABEL,
    MIN_TITLE,
    SKIP_TAGS,
    Row,
    _classes,
    _header_columns,
    _is_date_only,
    _row_sized,
    _split_layout_date,
    _text_segments,
    _year_only,
    clean_title,
    is_followable,
)

__all__ = ["RowReader"]


class RowReader:
    """Row reading for a page (needs ``today``, ``_cache`` and ``absolute``)."""

    today: datetime.date | None
    _cache: dict
    generated: datetime.date | None

    def build_row(self, el: lxml.html.HtmlElement, following: list[lxml.html.HtmlElement]) -> Row | None:
        """A row for element ``el`` (its title link and dates), or None when it holds no usable link."""
        if el.tag == "a":
            anchors = [el] if is_followable(el.get("href")) else []
        else:
            anchors = [a for a in el.iter("a") if is_followable(a.get("href"))]
        if not anchors or not _row_sized(anchors):
            return None
        anchor, title, inner_date = self._title_anchor(anchors)
        url = self.absolute(anchor.get("href") or "")
        if _GENERIC_LINK.match(normalize_text(title)) and el is not anchor:
            heading = self._row_heading(el)  # <h3>标题</h3> … <a>查看详情</a>
            if heading:
                title = heading
        list_date, written, title = self._row_dates(el, anchor, title, inner_date, following)
        pinned = self._pinned(el)
        url_date = date_from_url(url)
        year_source = None
        if list_date is not None:
            list_date, year_source = self._settle_year(el, list_date, url, title)
        return Row(el, title, url, list_date, url_date, pinned, written, year_source)

    def _title_anchor(self, anchors: list[lxml.html.HtmlElement]) -> tuple[lxml.html.HtmlElement, str, datetime.date | None]:
        """The row's title link (the one with the longest title), its title, and a date shown inside it."""
        best: tuple[int, lxml.html.HtmlElement, str, datetime.date | None] | None = None
        for a in anchors:
            inner_dates: set = set()
            inner_date: datetime.date | None = None
            for sub in a.iterdescendants():
                if not isinstance(sub.tag, str) or sub.tag in SKIP_TAGS:
                    continue
                d = _is_date_only(sub.text_content(), self.today)
                if d is not None:
                    inner_dates.add(sub)
                    inner_date = inner_date or d
            text = collapse_whitespace(" ".join(_text_segments(a, inner_dates)))
            attr = collapse_whitespace(a.get("title") or "")
            if not text:
                img = next(iter(a.iter("img")), None)
                text = attr or (collapse_whitespace(img.get("alt") or "") if img is not None else "")
            elif attr and text.endswith(_TRUNCATED):
                text = attr
            title = clean_title(text)
            if best is None or len(title) > best[0]:
                best = (len(title), a, title, inner_date)
        assert best is not None
        return best[1], best[2], best[3]

    def _row_dates(
        self,
        el: lxml.html.HtmlElement,
        anchor: lxml.html.HtmlElement,
        title: str,
        inner_date: datetime.date | None,
        following: list[lxml.html.HtmlElement],
    ) -> tuple[datetime.date | None, datetime.date | None, str]:
        """(publication date, 成文日期, title without a trailing date) of a row.

        A table column headed 发布日期 wins; then the visible date outside the title link, then
        inside it, then trailing the title text, then in the following siblings."""
        row_tr = el if el.tag == "tr" else None
        if el.tag in ("table", "tbody"):  # one table per record
            row_tr = next((p for p in anchor.iterancestors("tr")), None)
        list_date, written = self._table_column_dates(row_tr) if row_tr is not None else (None, None)
        published = list_date  # a date known to be the publication date (column or label)
        outside = [s for s in _text_segments(el, {anchor}) if s.strip()] if el is not anchor else []
        if el is anchor and el.tail and el.tail.strip():
            outside.append(el.tail)
        if outside and (list_date is None or written is None):
            joined = normalize_text(" ".join(outside))
            published = published or self._labelled_date(joined, _PUB_LABEL)
            written = written or self._labelled_date(joined, _WRITTEN_LABEL)
        if list_date is None:
            list_date = self._date_from_segments(outside, self._attribute_date(el, anchor), el)
        if published is None or published != list_date:
            written = None  # the row names no publication date: its date may be the 成文日期 itself
        if list_date is None and inner_date is not None:
            list_date = inner_date
        if list_date is None:
            norm, index = normalize_map(title)
            found = find_date(norm, today=self.today)
            if found is not None and found[2] >= len(norm.rstrip(" ]】)）")) - 1 and found[1] > 0:
                list_date = found[0]
                title = clean_title(title[: index[found[1]]].rstrip(" -_|[【(（［〔"))
        if list_date is None and following:
            list_date = self._date_after(el, anchor, following)
        return list_date, written, title

    def _date_after(
        self, el: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement, following: list[lxml.html.HtmlElement]
    ) -> datetime.date | None:
        """A date in the siblings after the row, up to the next link (``<a>…</a><br>2021-09-06``)."""
        extra: list[str] = []
        if el is not anchor and el.tail:
            extra.append(el.tail)
        for sib in following:
            if any(is_followable(a.get("href")) for a in sib.iter("a")):
                break
            if sib.tag not in SKIP_TAGS:
                extra.extend(_text_segments(sib))
            if sib.tail:
                extra.append(sib.tail)
        return self._date_from_segments([s for s in extra if s.strip()], None, el)

    def _settle_year(
        self, el: lxml.html.HtmlElement, day: datetime.date, url: str, title: str
    ) -> tuple[datetime.date, str]:
        """The row's date with the year it can best be given, and where that year came from.

        A year written in the row stands. A row showing only month and day (10-19) takes the year of
        its article URL (./201710/t20171019_1.html), the year that puts the date nearest the URL's
        month; then that of a 2021年 heading above the group; else the one inferred from the
        monitoring day (never after it)."""
        text = normalize_text(el.text_content()).replace(normalize_text(title), " ")
        text += " " + " ".join(v for sub in el.iter() if isinstance(sub.tag, str)
                               for k, v in sub.attrib.items()
                               if k in _DATE_ATTRS and len(v) <= 40 and full_date_text(normalize_text(v)))
        if _RELATIVE_WORDS.search(text):
            return day, "relative"
        if str(day.year) in text or re.search(rf"(?<!\d){day.year % 100:02d}[-/.]{day.month:02d}[-/.]", text):
            return day, "shown"
        ym = url_year_month(url)
        if ym is not None:
            anchor = datetime.date(ym[0], ym[1], 15)
            options = []
            for y in (ym[0] - 1, ym[0], ym[0] + 1):
                try:
                    options.append(day.replace(year=y))
                except ValueError:
                    continue
            if options:
                best = min(options, key=lambda d: abs((d - anchor).days))
                if abs((best - anchor).days) <= 62 and (self.today is None or best <= self.today):
                    return best, "url"
        heading = self._year_heading(el)
        if heading is not None and heading == day.year:
            return day, "heading"
        generated = self.generated
        if generated is not None and (self.today is None or generated <= self.today):
            # a static list page holds nothing published after the page was generated
            again = infer_year(day.month, day.day, generated) if day > generated else day
            if again is not None:
                return again, "page"
        return day, "today"

    @staticmethod
    def _row_heading(el: lxml.html.HtmlElement) -> str | None:
        """The text of the first heading (h1-h5, or an element classed title) inside a row."""
        for sub in el.iter():
            if not isinstance(sub.tag, str) or sub.tag in SKIP_TAGS:
                continue
            cls = (sub.get("class") or "").lower()
            if sub.tag in ("h1", "h2", "h3", "h4", "h5") or "title" in cls or "tit" in cls.split():
                text = clean_title(sub.text_content())
                if len(text) >= MIN_TITLE and not _GENERIC_LINK.match(normalize_text(text)):
                    return text
        return None

    def _labelled_date(self, joined: str, label: re.Pattern[str]) -> datetime.date | None:
        """The date right after a label (发布日期：…, 成文日期：…) in a row's normalised text."""
        for m in label.finditer(joined):
            d = find_date(joined[m.end() : m.end() + 30], today=self.today)
            if d is not None and d[1] <= 1:
                return d[0]
        return None

    def _table_column_dates(self, tr: lxml.html.HtmlElement) -> tuple[datetime.date | None, datetime.date | None]:
        """The dates in the row's publication-date column and document-date (成文日期) column."""
        table = next((p for p in tr.iterancestors("table")), None)
        if table is None:
            return None, None
        cache = self._cache.setdefault("table_cols", {})
        if table not in cache:
            header = _header_columns(table)
            if header is False:
                # No header row of its own: one table per record under a header table above.
                header = None
                for i, sib in enumerate(table.itersiblings(preceding=True)):
                    if i >= 100 or not isinstance(sib.tag, str):
                        break
                    candidate = _header_columns(sib) if sib.tag == "table" else False
                    if candidate is not False:
                        header = candidate
                        break
            cache[table] = header
        columns = cache[table]
        if columns is None:
            return None, None
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        out: list[datetime.date | None] = []
        for index in columns:
            found = None
            if index is not None and index < len(cells):
                found = find_date(normalize_text(cells[index].text_content()), today=self.today)
            out.append(found[0] if found else None)
        return out[0], out[1]

    @staticmethod
    def _attribute_date(el: lxml.html.HtmlElement, anchor: lxml.html.HtmlElement) -> datetime.date | None:
        """A complete date held by an attribute of the row (``<time datetime>``, ``title=`` of a
        date span, ``data-time``); the title link's own attributes are its title, not a date."""
        for sub in el.iter():
            if not isinstance(sub.tag, str) or sub is anchor or sub.tag in SKIP_TAGS:
                continue
            for name in _DATE_ATTRS:
                value = sub.get(name)
                if not value or len(value) > 40:
                    continue
                if name in ("title", "content"):  # a tooltip: only when it is a date and nothing else
                    d = _is_date_only(value, None)
                    if d is not None:
                        return d
                    continue
                found = full_date_text(normalize_text(value))  # 2021-09-06T08:00:00+08:00
                if found is not None:
                    d = find_date(found)
                    if d is not None:
                        return d[0]
        return None

    def _row_today(self, el: lxml.html.HtmlElement | None) -> datetime.date | None:
        """The reference day for a row's year-less dates: the last day of the year named by a
        heading above its group (2021年 / 2020年 sections), else the monitoring day."""
        year = self._year_heading(el) if el is not None else None
        if year is None:
            return self.today
        if self.today is not None and year >= self.today.year:
            return self.today if year == self.today.year else None
        return datetime.date(year, 12, 31)

    def _year_heading(self, el: lxml.html.HtmlElement) -> int | None:
        parent = el.getparent()
        if parent is None:
            return None
        carried = self._carried_years(parent).get(el)
        if carried is not None:
            return carried  # a 2021年 line among the rows themselves
        memo = self._cache.setdefault("year_heading", {})
        node: lxml.html.HtmlElement | None = parent
        for _level in range(2):
            if node is None:
                return None
            if node not in memo:
                memo[node] = self._heading_before(node)
            if memo[node] is not None:
                return memo[node]
            node = node.getparent()
        return None

    def _carried_years(self, parent: lxml.html.HtmlElement) -> dict:
        """child -> the year of the last year-only line before it among its siblings (memoised)."""
        memo = self._cache.setdefault("carried_years", {})
        if parent not in memo:
            years: dict = {}
            year = None
            for child in parent:
                if not isinstance(child.tag, str) or child.tag in SKIP_TAGS:
                    continue
                found = _year_only(child)
                if found is not None:
                    year = found
                elif year is not None:
                    years[child] = year
            memo[parent] = years
        return memo[parent]

    @staticmethod
    def _heading_before(node: lxml.html.HtmlElement) -> int | None:
        """The year of a year-only heading among the three elements before ``node``, unless an
        earlier group of the same kind comes first."""
        seen = 0
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in SKIP_TAGS:
                continue
            found = _year_only(sib)
            if found is not None:
                return found
            seen += 1
            if sib.tag == node.tag or seen >= 3:
                return None
        return None

    def _date_from_segments(
        self,
        segments: list[str],
        attr_date: datetime.date | None = None,
        el: lxml.html.HtmlElement | None = None,
    ) -> datetime.date | None:
        if not segments:
            return attr_date
        joined = normalize_text(" ".join(segments))
        # A date labelled as the publication date (发布日期：…) beats 成文日期 and dates in prose.
        for m in _PUB_LABEL.finditer(joined):
            d = find_date(joined[m.end() : m.end() + 30], today=self.today)
            if d is not None and d[1] <= 1:
                return d[0]
        # Then a segment that is nothing but a date ([2021-09-06], 日期：2021-09-06).
        for seg in segments:
            d = _is_date_only(seg, None)
            if d is not None:
                return d
        d = find_date(joined)  # dates with their year first
        if d is None:  # <span>2021</span>-<span>09</span>-<span>06</span>
            d = find_date(_SPLIT_DATE_GAP.sub("", joined))
        if d is not None:
            return d[0]
        split = _split_layout_date(segments)
        if split is not None:
            return split
        if attr_date is not None:
            return attr_date
        today = self._row_today(el) if el is not None and _MONTH_DAY_HINT.search(joined) else self.today
        if today is not None:
            d = find_date(joined, today=today)
            if d is not None:
                return d[0]
        return None

    @staticmethod
    def _pinned(el: lxml.html.HtmlElement) -> bool:
        for sub in el.iter():
            if not isinstance(sub.tag, str):
                continue
            if any(_PIN_CLASS.match(c) for c in _classes(sub)):
                return True
            if sub.tag in _MARKER_TAGS and any(
                _PIN_CLASS.match(tok) for c in _classes(sub) for tok in _TOKEN_SPLIT.split(c) if tok
            ):
                return True  # <i class="icon-top">, <span class="zd-icon">
            if sub.tag == "img":
                label = (sub.get("alt") or "") + (sub.get("title") or "")
                src = (sub.get("src") or "").lower()
                if "置顶" in label or "zhiding" in src or "/top." in src or src.startswith("top."):
                    return True
        return "置顶" in "".join(_text_segments(el))[:40]
