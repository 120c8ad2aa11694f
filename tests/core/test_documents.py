"""core.documents: any app's A4 document, as PDF with the Japanese font embedded and as Word."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader

from renkei.core.documents import (
    Document,
    Heading,
    KeyValues,
    Notice,
    Paragraph,
    Table,
    fonts,
    render_docx,
    render_pdf,
)

SAMPLE = Document(
    title="漏えい追跡の証拠報告書",
    footer="連携テスト株式会社",
    blocks=(
        Notice("【注意】これは下書きです。"),
        KeyValues((("試料のハッシュ", "sha256:0123abcd"), ("判定", "配送子会社に渡した複製に由来"))),
        Heading("一致したカナリア"),
        Paragraph("次のカナリアが試料に含まれていました。\n二行目です。"),
        Table(header=("カナリア", "送付先", "行数"), rows=(("山田 花子", "物流子会社", "3"), ("佐藤 一郎", "物流子会社", "1")),
              widths=(0.4, 0.4, 0.2)),
        Heading("補足", level=2),
        Paragraph("<b>タグ</b> & 記号はそのまま", align="right"),
    ),
)


def test_pdf_is_a4_names_only_embedded_fonts_and_keeps_the_text() -> None:
    reader = PdfReader(io.BytesIO(render_pdf(SAMPLE)))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    for ref in page["/Resources"]["/Font"].values():
        font = ref.get_object()
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), font["/BaseFont"]
    text = page.extract_text()
    for expected in ("漏えい追跡の証拠報告書", "【注意】これは下書きです。", "sha256:0123abcd", "山田 花子", "物流子会社",
                     "二行目です。", "<b>タグ</b> & 記号はそのまま", "連携テスト株式会社"):
        assert expected in text, expected
    assert reader.metadata is not None and reader.metadata.title == "漏えい追跡の証拠報告書"


def test_word_is_a4_with_headings_tables_and_line_breaks() -> None:
    document = docx.Document(io.BytesIO(render_docx(SAMPLE)))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "漏えい追跡の証拠報告書"
    assert "次のカナリアが試料に含まれていました。\n二行目です。" in paragraphs
    assert [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")] == [
        "一致したカナリア", "補足"]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    assert tables[0] == [["試料のハッシュ", "sha256:0123abcd"], ["判定", "配送子会社に渡した複製に由来"]]
    assert tables[1][0] == ["カナリア", "送付先", "行数"] and tables[1][2] == ["佐藤 一郎", "物流子会社", "1"]
    assert section.footer.paragraphs[0].text == "連携テスト株式会社"


def test_the_packaged_font_is_a_truetype_file() -> None:
    path = fonts.font_path()
    assert path.name == "ipaexg.ttf"
    assert path.read_bytes()[:4] == b"\x00\x01\x00\x00"  # TrueType outlines, not CFF ("OTTO")
    assert (path.parent / "IPA_Font_License_Agreement_v1.0.txt").is_file()


def test_a_configured_font_that_is_missing_fails_clearly(settings: Any) -> None:
    settings.RENKEI_PDF_FONT = "/nonexistent/font.ttf"
    with pytest.raises(ImproperlyConfigured, match="RENKEI_PDF_FONT"):
        fonts.font_path()


def test_text_from_a_browser_with_crlf_and_control_characters_renders_in_both() -> None:
    hostile = Document(title="題\x07名", blocks=(Paragraph("一行目\r\n二行目\x00\x1f\rおわり"), Heading("見出し\x0b")))
    document = docx.Document(io.BytesIO(render_docx(hostile)))
    assert "一行目\n二行目\nおわり" in [p.text for p in document.paragraphs]
    assert document.paragraphs[0].text == "題名"
    text = PdfReader(io.BytesIO(render_pdf(hostile))).pages[0].extract_text()
    assert "二行目" in text and "\x00" not in text
