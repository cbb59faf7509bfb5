"""Text of articles and attachments: tables as tab-separated rows, places (page, worksheet) named, broken and
unknown files as statuses, page chrome left out."""

from __future__ import annotations

import pytest

from checks.privacy import find_privacy, iter_lines
from crawler.doctext import DocError, attachment_ext, file_text, html_text
from govwatch.samplefiles import docx_bytes, pdf_bytes, xlsx_bytes

ID = "522636198503150027"


def test_pdf_pages_are_named_and_their_text_read():
    data = pdf_bytes([["关于拟录用人员的公示"], ["姓名 潘晓红 身份证号 510107196001011113"]])
    text = file_text(data, ".pdf")
    assert [loc for loc, _ in iter_lines(text)] == ["第1页 第1行", "第2页 第1行"]
    assert [h.location for h in find_privacy(text)] == ["第2页 第1行"]


def test_pdf_page_limit_and_broken_pdf():
    data = pdf_bytes([[f"第{i}页内容"] for i in range(1, 6)])
    assert "第3页内容" not in file_text(data, ".pdf", max_pages=2)
    with pytest.raises(DocError) as exc:
        file_text(data[:150], ".pdf")
    assert exc.value.status == "unreadable"


def test_word_table_rows_and_excel_rows():
    doc = file_text(docx_bytes(["公示如下："], [["姓名", "身份证号"], ["张三", ID]]), ".docx")
    assert doc.splitlines() == ["公示如下：", "姓名\t身份证号", f"张三\t{ID}"]
    book = file_text(xlsx_bytes({"一组": [["姓名", "身份证号"], ["张三", ID]], "二组": [["李四", 13985512345]]}), ".xlsx")
    assert [h.location for h in find_privacy(book)] == ["工作表“一组” 第2行"]
    assert "李四\t13985512345" in book  # a number stored as a number is not shown as 1.3985512345E10


def test_a_wps_file_that_is_really_a_docx_and_a_word_97_binary():
    assert "身份证号" in file_text(docx_bytes(["身份证号"]), ".wps")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512) + f"姓名\x07身份证号\x07\x07张三\x07{ID}\x07\x07\r".encode("utf-16-le")
    assert [h.masked for h in find_privacy(file_text(ole, ".doc"))] == ["522636********0027"]


def test_unknown_and_unreadable_files_are_statuses():
    with pytest.raises(DocError) as exc:
        file_text(b"\x00\x01binary", ".doc")
    assert exc.value.status == "unsupported"
    with pytest.raises(DocError) as exc:
        file_text(b"PK\x03\x04broken zip", ".xlsx")
    assert exc.value.status == "unreadable"
    assert file_text("姓名,身份证号\n张三,522636198503150027".encode("gb18030"), ".csv").startswith("姓名")


def test_article_text_leaves_out_navigation_and_finds_attachments():
    page = (
        "<html><head><title>公示_示范县</title></head><body><div class='nav'><a href='/'>首页</a>联系我们 13985512345</div>"
        "<h1>关于低保对象的公示</h1><div class='content'><p>名单如下：</p><table><tr><th>姓名</th><th>身份证号</th></tr>"
        f"<tr><td>张三</td><td>{ID}</td></tr></table>"
        "<a href='files/md.xlsx'>名单.xlsx</a><a href='/down.jsp?file=%E5%90%8D%E5%8D%95.pdf'>下载</a>"
        "<a href='/other.html'>其他</a></div><div id='footer'>主办单位 电话 15085523456</div></body></html>"
    ).encode()
    doc = html_text(page, "text/html; charset=utf-8", "http://a.example/tzgg/art_1.html")
    assert doc.title == "关于低保对象的公示"
    assert "13985512345" not in doc.text and "15085523456" not in doc.text
    assert f"张三\t{ID}" in doc.text.splitlines()
    assert doc.attachments == [("http://a.example/tzgg/files/md.xlsx", "名单.xlsx"),
                               ("http://a.example/down.jsp?file=%E5%90%8D%E5%8D%95.pdf", "下载")]
    assert attachment_ext("http://a.example/x/a.PDF") == ".pdf" and attachment_ext("http://a.example/a.html") is None
