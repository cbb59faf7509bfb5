"""Serious wording errors (严重表述错误) in article and attachment text: leaders' names and titles, wrong expressions.

The lists are data (config/content/*.yaml and the county's config); this module matches them with one
Aho-Corasick automaton (pyahocorasick). A hit is a suspected finding for duty staff to confirm.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ahocorasick

from checks.base import CheckInput, Outcome
from checks.privacy import doc_evidence, iter_lines, mask_digits
from checks.registry import check
from config.catalogue import Catalogue

__all__ = ["WordHit", "WordLists", "find_wording_errors", "wording_errors"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
# a title preceded by these is a former one (原县长张三, 时任县委书记李四): not checked
_FORMER = ("原", "前", "时任", "曾任", "老")
# characters that may follow a name in running text (so that 张三丰 is not read as 张三)
_AFTER_NAME = set("同在指强主出一等和与及率带到深调讲表要说对参会为是的向看检慰来赴走听致作提代签")
_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


@dataclass(frozen=True)
class WordHit:
    """One wording error: what it is, the text found, the right form, and the sentence it is in."""

    kind: str  # expression | leader_name | leader_title
    found: str
    right: str
    location: str
    sentence: str


@dataclass
class WordLists:
    """The leaders (name -> titles they hold or held), the titles checked beside names, and wrong expressions."""

    leaders: dict[str, frozenset[str]] = field(default_factory=dict)
    titles: frozenset[str] = frozenset()
    levels: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per leader, the titles judged beside the name (those of the leader's level: national or local)."""
    expressions: list[dict[str, Any]] = field(default_factory=list)
    _auto: Any = None

    @classmethod
    def build(cls, leaders: Iterable[dict[str, Any]], titles: dict[str, Iterable[str]],
              expressions: Iterable[dict[str, Any]]) -> WordLists:
        """Word lists from plain data: leaders [{name, titles}], titles {national: [...], local: [...]},
        expressions [{wrong, right, except}]."""
        national = {_norm(t) for t in titles.get("national") or []}
        local = {_norm(t) for t in titles.get("local") or []}
        people: dict[str, set[str]] = {}
        for p in leaders:
            name = _norm(str(p["name"]))
            held = p.get("titles") or ([p["title"]] if p.get("title") else [])
            people.setdefault(name, set()).update(_norm(str(t)) for t in held)
        for ts in people.values():
            local.update(t for t in ts if t not in national)
        all_titles = national | local
        levels = {n: frozenset(national if ts & national and not ts - national else local) for n, ts in people.items()}
        exprs = [{"wrong": _norm(str(e["wrong"])), "right": str(e["right"]),
                  "except": [_norm(str(x)) for x in e.get("except") or []]} for e in expressions if e.get("wrong")]
        lists = cls({n: frozenset(ts) for n, ts in people.items()}, frozenset(all_titles), levels, exprs)
        auto = ahocorasick.Automaton()
        for t in all_titles:
            auto.add_word(t, ("title", t))
        for i, e in enumerate(exprs):
            key = e["wrong"]
            if key in all_titles:
                continue
            auto.add_word(key, ("expr", i))
        for n in people:
            if n not in all_titles and auto.get(n, None) is None:
                auto.add_word(n, ("name", n))
        if len(auto):
            auto.make_automaton()
            lists._auto = auto
        return lists

    def matches(self, text: str) -> Iterator[tuple[int, int, str, Any]]:
        """(start, end, kind, payload) of every title and wrong expression in ``text``."""
        if self._auto is None:
            return
        for end, (kind, payload) in self._auto.iter(text):
            key = self.expressions[payload]["wrong"] if kind == "expr" else payload
            yield end - len(key) + 1, end + 1, kind, payload


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "")


def _sentence(line: str, start: int, end: int) -> str:
    """The sentence of ``line`` around [start, end), at most about 80 characters, long numbers masked."""
    left = max((m.end() for m in _SENTENCE_END.finditer(line, 0, start)), default=0)
    right_m = _SENTENCE_END.search(line, end)
    right = right_m.end() if right_m else len(line)
    left, right = max(left, start - 40), min(right, end + 40)
    return mask_digits(line[left:right].strip())


def _one_off(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _name_ends(line: str, end: int, titles_at: dict[int, set[str]]) -> bool:
    return end >= len(line) or not _HAN.match(line[end]) or line[end] in _AFTER_NAME or end in titles_at


People = dict[str, tuple[frozenset[str], frozenset[str]]]


def find_wording_errors(text: str, lists: WordLists) -> list[WordHit]:
    """Every wrong expression, misspelt leader name and wrong title beside a leader's name in ``text``."""
    hits: list[WordHit] = []
    if lists._auto is None:
        return hits
    names_by_len: dict[int, People] = {}
    for n, ts in lists.leaders.items():
        names_by_len.setdefault(len(n), {})[n] = (ts, lists.levels.get(n, lists.titles))
    for location, raw in iter_lines(text):
        hits.extend(_line_hits(_norm(raw), location, lists, names_by_len))
    return hits


@dataclass
class _LineMatches:
    """The dictionary matches of one line, by kind."""

    starts: dict[int, set[str]] = field(default_factory=dict)  # title start -> titles (for "name + title")
    ends: dict[int, set[str]] = field(default_factory=dict)  # title end -> titles (for "title + name")
    spans: list[tuple[int, int, int]] = field(default_factory=list)  # expression hits (start, end, index)
    names: list[tuple[int, int, str]] = field(default_factory=list)


def _line_hits(line: str, location: str, lists: WordLists, names_by_len: dict[int, People]) -> list[WordHit]:
    m = _LineMatches()
    for start, end, kind, payload in lists.matches(line):
        if kind == "title":
            m.starts.setdefault(start, set()).add(payload)
            m.ends.setdefault(end, set()).add(payload)
        elif kind == "name":
            m.names.append((start, end, payload))
        else:
            m.spans.append((start, end, payload))
    covered: list[tuple[int, int]] = []
    seen: set[tuple[int, str]] = set()
    return [*_expression_hits(line, location, lists, m.spans, covered),
            *_misspelt_titles(line, location, lists, m, covered),
            *_title_then_name(line, location, m, names_by_len, seen),
            *_name_then_title(line, location, m, names_by_len, seen)]


def _expression_hits(line: str, location: str, lists: WordLists, spans: list[tuple[int, int, int]],
                     covered: list[tuple[int, int]]) -> list[WordHit]:
    """The wrong expressions of the line (their spans go into ``covered``)."""
    hits = []
    # the longest expression wins where two overlap (…社会注意思想 holds …社会注意)
    spans = sorted(spans, key=lambda x: (x[0], -(x[1] - x[0])))
    spans = [sp for sp in spans if not any(o[0] <= sp[0] and sp[1] <= o[1] and o != sp for o in spans)]
    for start, end, i in spans:
        e = lists.expressions[i]
        if any(x in line[max(0, start - len(x)):end + len(x)] for x in e["except"]):
            continue
        covered.append((start, end))
        hits.append(WordHit("expression", e["wrong"], e["right"], location, _sentence(line, start, end)))
    return hits


def _misspelt_titles(line: str, location: str, lists: WordLists, m: _LineMatches,
                     covered: list[tuple[int, int]]) -> list[WordHit]:
    """A leader's name followed by one of the leader's titles misspelt by one character: 习近平总书计."""
    hits = []
    for start, end, name in m.names:
        if end in m.starts or any(a <= start < b for a, b in covered):
            continue
        for title in lists.leaders[name]:
            cand = line[end:end + len(title)]
            if len(title) >= 3 and all(_HAN.match(ch) for ch in cand) and _one_off(cand, title) \
                    and cand not in lists.titles:
                covered.append((start, end + len(title)))
                hits.append(WordHit("leader_title", name + cand, name + title, location,
                                    _sentence(line, start, end + len(title))))
                break
    return hits


def _keep(hit: WordHit | None, at: tuple[int, str], seen: set[tuple[int, str]], hits: list[WordHit]) -> None:
    """A hit found for the name candidate ``at`` (start, text): kept, and the candidate not judged again."""
    if hit:
        seen.add(at)
        hits.append(hit)


def _title_then_name(line: str, location: str, m: _LineMatches, names_by_len: dict[int, People],
                     seen: set[tuple[int, str]]) -> list[WordHit]:
    """A title right before a name: 总书记习近平."""
    hits = []
    for t_end, ts in m.ends.items():
        title = max(ts, key=len)
        t_start = t_end - len(title)
        if any(line[max(0, t_start - len(f)):t_start] == f for f in _FORMER):
            continue
        for size, people in names_by_len.items():
            cand = line[t_end:t_end + size]
            if len(cand) == size and (t_end, cand) not in seen:
                _keep(_judge(cand, title, people, line, t_start, t_end + size, location, name_first=False,
                             ends_ok=_name_ends(line, t_end + size, m.starts)), (t_end, cand), seen, hits)
    return hits


def _name_then_title(line: str, location: str, m: _LineMatches, names_by_len: dict[int, People],
                     seen: set[tuple[int, str]]) -> list[WordHit]:
    """A name right before a title: 习近平总书记."""
    hits = []
    for t_start, ts in m.starts.items():
        title = max(ts, key=len)
        for size, people in names_by_len.items():
            n_start = t_start - size
            cand = line[max(0, n_start):t_start]
            if n_start < 0 or (n_start, cand) in seen:
                continue
            if any(line[max(0, n_start - len(f)):n_start] == f for f in _FORMER):
                continue
            _keep(_judge(cand, title, people, line, n_start, t_start + len(title), location, name_first=True,
                         ends_ok=True), (n_start, cand), seen, hits)
    return hits


def _judge(cand: str, title: str, people: People, line: str, start: int, end: int,
           location: str, *, name_first: bool, ends_ok: bool) -> WordHit | None:
    """A name candidate beside a title: a known leader with a title never held, or a name one character off."""
    if not all(_HAN.match(ch) for ch in cand):
        return None
    found = cand + title if name_first else title + cand
    if cand in people:
        held, judged = people[cand]
        if title in held or title not in judged or not ends_ok or any(h.endswith(title) for h in held):
            return None
        # a longer title that contains this one and is held (国务院总理 vs 总理) is fine
        if any(title in h and h in line[max(0, start - 8):end + 8] for h in held):
            return None
        right = "、".join(sorted(held, key=len, reverse=True)[:2])
        return WordHit("leader_title", found, f"{cand}（{right}）", location, _sentence(line, start, end))
    if len(cand) < 3 or not ends_ok:
        return None
    for name, (held, _) in people.items():
        if title in held and _one_off(cand, name):
            right = name + title if name_first else title + name
            return WordHit("leader_name", found, right, location, _sentence(line, start, end))
    return None


def wording_key(hits: list[WordHit]) -> str:
    """A fingerprint of what was found: the same text gives the same key."""
    parts = sorted(f"{h.kind}|{h.found}|{h.sentence}" for h in hits)
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


#: what each kind of hit is called in notices and digests
KIND_LABELS = {"expression": "规范表述", "leader_name": "领导人姓名", "leader_title": "领导人职务"}
_MAX_LISTED = 20


@check("content.error")
def wording_errors(inp: CheckInput, catalogue: Catalogue) -> Iterator[Outcome]:
    """严重错误（表述）: wrong expressions from the county's list of 规范表述, leaders' names written one character
    off beside their title (习近乎总书记), and titles beside a leader's name that the person never held
    (李克强主席), in the text of articles and attachments. A suspected finding per page or attachment with the
    sentence and the right form; former titles (原县长张三) are not judged. A document read again without them
    passes."""
    lists: WordLists | None = inp.content_lists
    if lists is None:
        return
    rule = catalogue.rule("content.error")
    points = rule.points if rule.severity == "deduction" else 0.0
    for doc in inp.content_docs:
        hits = find_wording_errors(doc.text, lists)
        ev = doc_evidence(doc)
        if not hits:
            yield Outcome("content.error", doc.unit_id, doc.url, True, rule.severity, 0.0, ev)
            continue
        ev.update(
            count=len(hits),
            hits=[{"kind": KIND_LABELS[h.kind], "found": h.found, "right": h.right, "where": h.location,
                   "sentence": h.sentence} for h in hits[:_MAX_LISTED]],
            text_key=wording_key(hits),
            doubt="自动比对的疑似表述错误，请结合上下文核实（如引用原文、历史名称、同名人员）",
        )
        yield Outcome("content.error", doc.unit_id, doc.url, False, rule.severity, points, ev, suspected=True)
