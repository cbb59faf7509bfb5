"""Tests of decode_html: BOM, HTTP charset, meta charset, lying declarations, GB18030."""

from __future__ import annotations

import codecs

import pytest

from crawler.extract import decode_html
from crawler.extract.encoding import normalize_encoding

TEXT = "<p>台江县人民政府 工作动态 县长王喆主持召开会议</p>"  # 喆 is in GBK but not in GB2312


def _page(meta: str) -> str:
    return f"<html><head>{meta}<title>工作动态</title></head><body>{TEXT}</body></html>"


def test_utf8_plain() -> None:
    html = _page('<meta charset="utf-8">')
    assert decode_html(html.encode("utf-8")) == (html, "utf-8")


def test_gbk_bytes_with_meta_gb2312_read_as_gb18030() -> None:
    html = _page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    text, encoding = decode_html(html.encode("gbk"))
    assert encoding == "gb18030" and text == html and "王喆" in text


def test_meta_says_utf8_but_bytes_are_gbk() -> None:
    html = _page('<meta charset="utf-8">')
    text, encoding = decode_html(html.encode("gbk"))
    assert (text, encoding) == (html, "gb18030")


def test_meta_says_gbk_but_bytes_are_utf8() -> None:
    html = _page('<meta charset="gbk">')
    assert decode_html(html.encode("utf-8")) == (html, "utf-8")


def test_bom_beats_every_declaration() -> None:
    html = _page('<meta charset="gb2312">')
    text, encoding = decode_html(codecs.BOM_UTF8 + html.encode("utf-8"), "text/html; charset=GBK")
    assert (text, encoding) == (html, "utf-8")
    text, encoding = decode_html(codecs.BOM_UTF16_LE + html.encode("utf-16-le"))
    assert (text, encoding) == (html, "utf-16-le")


def test_http_charset_first() -> None:
    html = _page("")
    assert decode_html(html.encode("gbk"), "text/html; charset=GBK") == (html, "gb18030")
    assert decode_html(html.encode("gbk"), b"text/html;charset=gb2312") == (html, "gb18030")


def test_http_charset_that_lies_is_skipped_for_the_meta() -> None:
    html = _page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    assert decode_html(html.encode("gbk"), "text/html; charset=utf-8") == (html, "gb18030")


def test_no_declaration_sniffs() -> None:
    html = _page("")
    assert decode_html(html.encode("gbk")) == (html, "gb18030")
    assert decode_html(html.encode("utf-8")) == (html, "utf-8")


def test_western_declaration_is_not_trusted() -> None:
    html = _page('<meta charset="iso-8859-1">')
    assert decode_html(html.encode("gbk")) == (html, "gb18030")


def test_xml_declaration() -> None:
    xml = '<?xml version="1.0" encoding="GBK"?><datastore><recordset><record><![CDATA[<li>台江</li>]]></record></recordset></datastore>'
    assert decode_html(xml.encode("gbk")) == (xml, "gb18030")


def test_a_few_stray_bytes_in_a_utf8_page() -> None:
    html = _page('<meta charset="utf-8">') * 20
    body = html.encode("utf-8")
    broken = body[:500] + b"\xff" + body[500:]
    text, encoding = decode_html(broken)
    assert encoding == "utf-8" and "台江县人民政府" in text


def test_ascii_and_empty() -> None:
    assert decode_html(b"<html></html>") == ("<html></html>", "utf-8")
    assert decode_html(b"") == ("", "utf-8")


def test_undecodable_bytes_do_not_raise() -> None:
    text, encoding = decode_html(b"<p>\x81\x20\xff\xfe\x80</p>")
    assert encoding == "gb18030" and text.startswith("<p>")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("x-gbk", "gb18030"),
        ("GB_2312-80", "gb18030"),
        ("UTF8", "utf-8"),
        ("utf-8", "utf-8"),
        ("'utf-8'", "utf-8"),
        ("big5", "big5hkscs"),
        ("nonsense", None),
        (None, None),
    ],
)
def test_normalize_encoding(name: str | None, expected: str | None) -> None:
    assert normalize_encoding(name) == expected
