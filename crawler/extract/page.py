"""Parsed list page and the block analysis shared by the list extractors (rows of dated links)."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from .dates import find_date, normalize_text
from .markup import (
    _CHROME_FRAME,
    _HEADING_NOISE,
    _HIDDEN_STYLE,
    _JQUERY_LOAD,
    _LOCATION,
    _MEDIA_FRAME,
    _NOISE_TAGS,
    _NOISE_TOKEN,
    _TITLE_SPLIT,
    _TOKEN_SPLIT,
    _WRAPPER_TAGS,
    SKIP_TAGS,
    Block,
    Row,
    _nothing_follows,
    _site,
    _text_segments,
    _tiny,
    absolute_url,
    clean_title,
    is_followable,
    parse_fragment,
)
from .model import Selectors
from .rows import RowReader

_GENERATED_META = frozenset({"maketime", "htmlgeneratetime", "generatetime", "generated", "pagegeneratetime"})

__all__ = ["Block", "Page", "Row", "absolute_url", "clean_title", "is_followable", "parse_fragment"]


def _kin_classes(a: lxml.html.HtmlElement, b: lxml.html.HtmlElement) -> bool:
    """Two containers of one list: their classes share a token (list / list top), or one has none."""
    ca, cb = set((a.get("class") or "").split()), set((b.get("class") or "").split())
    return not ca or not cb or bool(ca & cb)


@dataclass
class Page(RowReader):
    """A list page being analysed: markup, address, the reference day and optional selectors."""

    html: str
    url: str
    today: datetime.date | None = None
    selectors: Selectors | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @cached_property
    def root(self) -> lxml.html.HtmlElement:
        """The parsed document."""
        return parse_fragment(self.html)

    @cached_property
    def generated(self) -> datetime.date | None:
        """When the CMS generated this static page, if it says (``<meta name="Maketime">``,
        ``HtmlGenerateTime``, ``others: 页面生成时间 …``): nothing on the page is newer."""
        for meta in self.root.iter("meta"):
            name = (meta.get("name") or meta.get("http-equiv") or "").strip().lower()
            content = normalize_text(meta.get("content") or "")
            if name in _GENERATED_META or (name == "others" and "生成时间" in content):
                found = find_date(content)
                if found is not None:
                    return found[0]
        return None

    @cached_property
    def base_url(self) -> str:
        """The page URL joined with ``<base href>`` when present."""
        for base in self.root.iter("base"):
            href = base.get("href")
            if href and href.strip():
                return absolute_url(self.url, href)
        return self.url

    @cached_property
    def text(self) -> str:
        """Visible text of the body, whitespace-normalised."""
        body = self.root.find("body")
        return normalize_text(" ".join(_text_segments(body if body is not None else self.root)))

    @cached_property
    def column_prefix(self) -> str | None:
        """The page's directory (scheme, host and path up to the last /) unless it is the site root."""
        parts = urlsplit(self.url)
        directory = parts.path[: parts.path.rfind("/") + 1]
        if not parts.netloc or directory in ("", "/"):
            return None
        return f"{parts.scheme}://{parts.netloc}{directory}"

    @cached_property
    def frames(self) -> list[str]:
        """Same-site pages embedded by visible ``<iframe>``/``<frame>`` elements (absolute URLs, in
        order): where a column page shows its list in a frame. Hidden or tiny frames (counters),
        players, maps and other sites are left out."""
        site = _site(urlsplit(self.url).hostname or "")
        out: list[str] = []
        for el in self.root.iter("iframe", "frame"):
            src = (el.get("src") or "").strip()
            if not is_followable(src) or src.lower().startswith("about:"):
                continue
            url = self.absolute(src)
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or (site and _site(parts.hostname or "") != site):
                continue
            if _HIDDEN_STYLE.search(el.get("style") or "") or el.get("hidden") is not None:
                continue
            if any(_tiny(el.get(k)) for k in ("width", "height")):
                continue
            if _MEDIA_FRAME.search(parts.path + "?" + parts.query):
                continue
            if _CHROME_FRAME.search(" ".join((el.get("name") or "", el.get("id") or "", parts.path.rsplit("/", 1)[-1]))):
                continue
            if url not in out and url != self.url:
                out.append(url)
        for target in self._redirects():
            url = self.absolute(target)
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and (not site or _site(parts.hostname or "") == site):
                if url not in out and url.split("#")[0] != self.url.split("#")[0]:
                    out.append(url)
        return out

    def _redirects(self) -> list[str]:
        """Targets of a ``<meta http-equiv=refresh>`` or a script assigning ``location``."""
        found: list[str] = []
        for meta in self.root.iter("meta"):
            if (meta.get("http-equiv") or "").strip().lower() == "refresh":
                m = re.search(r"url\s*=\s*['\"]?([^'\";\s]+)", meta.get("content") or "", re.I)
                if m:
                    found.append(m.group(1))
        for script in self.root.iter("script"):
            if script.get("src"):
                continue
            code = script.text or ""
            m = _LOCATION.search(code)
            if m:
                found.append(m.group(1) or m.group(2))
            # $("#list").load("/tzgg/list_content.html #items"): the fragment holding the list
            found.extend(m.group(1).split()[0] for m in _JQUERY_LOAD.finditer(code) if m.group(1).strip())
        return [u for u in found if is_followable(u)]

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        """Names the column may go by: the parts of the page title (通知公告 in
        通知公告_XX县人民政府, or XX县人民政府-通知公告), the site name left out when it is declared."""
        title = self.root.find(".//title")
        text = normalize_text(title.text_content()) if title is not None else ""
        site = ""
        for meta in self.root.iter("meta"):
            if (meta.get("name") or "").lower() == "sitename":
                site = normalize_text(meta.get("content") or "")
        parts = [p.strip() for p in _TITLE_SPLIT.split(text)]
        return tuple(p for p in parts if 2 <= len(p) <= 20 and p != site)

    def _names_column(self, text: str) -> bool:
        return any(
            text == name or (len(text) >= 4 and text in name) or (name in text and len(text) <= len(name) + 4)
            for name in self.column_names
        )

    def block_heading(self, container: lxml.html.HtmlElement) -> str | None:
        """The nearest short line before ``container`` (or before one of its two nearest
        ancestors), taken as the heading of the box it starts: 热点新闻, 通知公告 ..."""
        memo = self._cache.setdefault("block_heading", {})
        if container not in memo:
            memo[container] = self._find_heading(container)
        return memo[container]

    def _find_heading(self, container: lxml.html.HtmlElement) -> str | None:
        node: lxml.html.HtmlElement | None = container
        for _level in range(3):
            if node is None:
                return None
            for i, sib in enumerate(node.itersiblings(preceding=True)):
                if i >= 2:
                    break
                if not isinstance(sib.tag, str) or sib.tag in SKIP_TAGS or self._self_noisy(sib):
                    continue  # not the breadcrumb (当前位置：首页 > … > 领导分工)
                if sib.tag == node.tag and sib.get("class") == node.get("class"):
                    break  # an earlier entry or box of the same kind, not a heading
                text = _HEADING_NOISE.sub("", normalize_text(sib.text_content()))
                if 2 <= len(text) <= 20:
                    return text
            node = node.getparent()
        return None

    def foreign_box(self, block: Block) -> bool:
        """The block is another column's box: it has its own heading, which is not the column's
        name, none of its entries is filed under the column's directory, and the column's name
        heads some other part of the page with no link after it (the column's own, empty, list)."""
        prefix = self.column_prefix
        if prefix and any(r.url.startswith(prefix) for r in block.items):
            return False
        heading = self.block_heading(block.containers[0])
        if heading is None or self._names_column(heading):
            return False
        return any(
            not any(c is h or c in h.iterancestors() for c in block.containers) and _nothing_follows(h)
            for h in self._column_headings
        )

    @cached_property
    def _column_headings(self) -> list[lxml.html.HtmlElement]:
        """Short, link-free elements of the main content whose text is the column's name."""
        if not self.column_names:
            return []
        body = self.root.find("body")
        out = []
        for el in (body if body is not None else self.root).iter():
            if not isinstance(el.tag, str) or el.tag in SKIP_TAGS or el.tag in ("a", "title", "option"):
                continue
            text = _HEADING_NOISE.sub("", normalize_text(el.text_content()))
            if not (2 <= len(text) <= 20) or self._noisy(el):
                continue
            if any(is_followable(a.get("href")) for a in el.iter("a")):
                continue
            if text in self.column_names:
                out.append(el)
        return out

    def _headed_by_column_name(self, container: lxml.html.HtmlElement) -> bool:
        """A short heading just before ``container`` (or before one of its two nearest ancestors)
        names the column."""
        names = self.column_names
        if not names:
            return False
        memo = self._cache.setdefault("headed", {})
        if container in memo:
            return memo[container]
        heading = self.block_heading(container)
        found = heading is not None and self._names_column(heading)
        memo[container] = found
        return found

    def absolute(self, href: str) -> str:
        """Absolute URL of a link on this page."""
        return absolute_url(self.base_url, href)

    # --- rows and blocks -------------------------------------------------------------------

    @staticmethod
    def _self_noisy(node: lxml.html.HtmlElement) -> bool:
        if node.tag in _NOISE_TAGS:
            return True
        tokens = _TOKEN_SPLIT.split((node.get("class") or "") + " " + (node.get("id") or ""))
        return any(_NOISE_TOKEN.match(t) for t in tokens if t)

    @staticmethod
    def _is_wrapper(node: lxml.html.HtmlElement) -> bool:
        """Holds block structure (a page region rather than one list row)."""
        return any(isinstance(d.tag, str) and d.tag in _WRAPPER_TAGS for d in node.iterdescendants())

    def _noisy(self, el: lxml.html.HtmlElement | None) -> bool:
        """``el`` or one of its ancestors is navigation, header, footer or sidebar (memoised)."""
        if el is None or not isinstance(el.tag, str):
            return False
        memo = self._cache.setdefault("noisy", {})
        if el not in memo:
            memo[el] = self._self_noisy(el) or self._noisy(el.getparent())
        return memo[el]

    @cached_property
    def blocks(self) -> list[Block]:
        """All candidate blocks of sibling rows, sibling containers of the same kind merged."""
        root = self.root
        # Count followable anchors per element (to skip containers that are not rows).
        counts: dict = defaultdict(int)
        for a in root.iter("a"):
            if not is_followable(a.get("href")):
                continue
            node = a
            while node is not None:
                counts[node] += 1
                node = node.getparent()
        raw: list[tuple[lxml.html.HtmlElement, str, list[Row]]] = []
        for container in root.iter():
            if (
                not isinstance(container.tag, str)
                or container.tag in SKIP_TAGS
                or counts.get(container, 0) == 0
            ):
                continue
            children = [c for c in container if isinstance(c.tag, str) and c.tag not in SKIP_TAGS]
            by_tag: dict[str, list[Row]] = defaultdict(list)
            for i, child in enumerate(children):
                n = counts.get(child, 0)
                if (
                    n == 0
                    or n > 6
                    or (child.get("class") or child.get("id") or child.tag in _NOISE_TAGS)
                    and (self._self_noisy(child) and self._is_wrapper(child))
                ):
                    continue
                row = self.build_row(child, children[i + 1 :])
                if row is not None:
                    by_tag[child.tag].append(row)
            for tag, rows in by_tag.items():
                raw.append((container, tag, rows))
        groups: dict[tuple, Block] = {}
        order = 0
        blocks: list[Block] = []
        for container, tag, rows in raw:
            blocks.append(Block([container], rows, self._noisy(container), order))
            order += 1
            parent = container.getparent()
            key = (parent, container.tag, container.get("class"), tag)
            if key in groups:
                merged = groups[key]
                merged.containers.append(container)
                merged.rows.extend(rows)
            else:
                groups[key] = Block([container], list(rows), self._noisy(container), order)
                order += 1
        blocks.extend(g for g in groups.values() if len(g.containers) > 1)
        blocks.extend(self._adjacent_runs(raw, order + len(groups)))
        return blocks

    def _adjacent_runs(self, raw: list[tuple[lxml.html.HtmlElement, str, list[Row]]], order: int) -> list[Block]:
        """One list drawn as consecutive sibling containers whose classes differ a little: the newest
        entries in ``<ul class="list top">`` above ``<ul class="list">`` groups, with at most empty
        separators (``<div class="line"></div>``) between them."""
        by_container = {c: (tag, rows) for c, tag, rows in raw}
        out: list[Block] = []
        seen: set = set()
        for container, tag, _rows in raw:
            if container in seen:
                continue
            run = [container]
            node = container
            while True:
                node = node.getnext()
                while node is not None and (not isinstance(node.tag, str) or node.tag in SKIP_TAGS
                                            or (node not in by_container and not normalize_text(node.text_content()))):
                    node = node.getnext()
                if node is None or node not in by_container or node.tag != container.tag:
                    break
                if by_container[node][0] != tag or not _kin_classes(node, run[-1]):
                    break
                run.append(node)
            seen.update(run)
            classes = {c.get("class") for c in run}
            if len(run) > 1 and len(classes) > 1:  # the same class throughout is merged already
                noisy = all(self._noisy(c) for c in run)  # a "top" group beside plain groups is still the list
                block = Block(list(run), [r for c in run for r in by_container[c][1]], noisy, order)
                out.append(block)
                order += 1
        return out

    def with_headline(self, block: Block) -> Block:
        """``block`` with the headline entry drawn above it, when there is one: the newest article
        shown apart, with its picture and summary (``<div class="focus">…</div><ul class="list">``)."""
        memo = self._cache.setdefault("headline", {})
        if id(block) in memo:
            return memo[id(block)]
        found = block
        urls = {r.url for r in block.items}
        checked = 0
        for sib in block.containers[0].itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in SKIP_TAGS:
                continue
            checked += 1
            if checked > 2 or self._noisy(sib):
                break
            if not any(is_followable(a.get("href")) for a in sib.iter("a")):
                continue  # a separator or the column's heading
            row = self.build_row(sib, [])
            if row is not None and row.is_item and row.list_date is not None and row.url not in urls:
                found = Block(list(block.containers), [row, *block.rows], block.noisy, block.order)
            break
        memo[id(block)] = found
        return found

    def best_block(self, key: str = "dated", *, noisy: bool = False) -> Block | None:
        """The block with the most entries of the given kind ("dated", "url_dated", "any_dated" or
        "items") among the main-content blocks, or among the noisy ones (navigation, header, footer,
        sidebar) when ``noisy``."""
        memo = self._cache.setdefault("best_block", {})
        if (key, noisy) not in memo:
            memo[key, noisy] = self._best_block(key, noisy)
        return memo[key, noisy]

    def _best_block(self, key: str, noisy: bool) -> Block | None:

        def count(b: Block) -> int:
            if key == "dated":
                return b.dated
            if key == "url_dated":
                return b.url_dated
            if key == "any_dated":
                return sum(1 for r in b.items if r.list_date or r.url_date)
            return len(b.items)

        prefix = self.column_prefix
        best: Block | None = None
        best_key: tuple = ()
        for b in self.blocks:
            if b.noisy != noisy:
                continue
            n = count(b)
            if n == 0 or (key != "items" and n * 2 < len(b.items)):
                continue  # a list carries a date on most of its entries
            # Entries filed under the column's own directory count double: a site-wide "latest"
            # box beside the list links elsewhere.
            affinity = sum(1 for r in b.items if prefix and r.url.startswith(prefix)) if prefix else 0
            # The list headed by the column's own name (the page title's first part) is the column.
            named = self._headed_by_column_name(b.containers[0])
            k = (named, n + min(affinity, n), n / len(b.items), -len(b.containers), len(b.items), -b.order)
            if best is None or k > best_key:
                best, best_key = b, k
        return best
