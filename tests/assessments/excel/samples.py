"""Workbooks for the Excel tests: a Japanese check sheet, and hostile files."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

HEADER = ["項番", "分類", "要求事項", "回答選択肢", "レベル", "要求事項（英語）", "証跡の例", "重み"]

# Title lines above the header, a section merged over its rows, a section filled only on the first
# row of its group, choices in several spellings, levels starting with Lv2.
ROWS: list[list[Any]] = [
    ["1-1", "組織的対策", "情報セキュリティの責任者を定めていますか。", "はい/いいえ/該当なし", "Lv2", "Is someone responsible?", "任命書", 2],
    ["1-2", None, "規程を定めていますか。", "", "Lv1", "", "規程", None],
    ["1-3", None, "委託先を管理していますか。", "実施済\n一部実施\n未実施", "Lv3", "", "", None],
    ["2-1", "技術的対策", "多要素認証を使っていますか。", "○／△／×", "Lv1", "Do you use MFA?", "設定画面", None],
    ["2-2", None, "端末の台数", "数値", "", "", "", "0.5"],
]


def check_sheet(rows: Sequence[Sequence[Any]] = ROWS, *, merge_section: bool = True, extra_sheets: Sequence[str] = ("使い方",)) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "チェックシート"
    sheet.append(["サプライチェーン　セキュリティチェックシート"])
    sheet.append(["回答日", "2024-04-01"])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(list(row))
    if merge_section and len(rows) >= 3:
        # The first section's cell merged over its three rows (openpyxl keeps the value top-left).
        sheet.merge_cells(start_row=5, start_column=2, end_row=7, end_column=2)
    for title in extra_sheets:
        workbook.create_sheet(title).append(["このシートは説明です"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(data: bytes, name: str, change: Any) -> bytes:
    """The same workbook with one zip member's bytes changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == name:
                content = change(content)
            archive.writestr(item.filename, content)
    return buffer.getvalue()


def claims_million_rows() -> bytes:
    """A small workbook whose sheet declares A1:H1048576."""
    return rewrite_member(
        check_sheet(), "xl/worksheets/sheet1.xml", lambda xml: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:H1048576"', xml)
    )


def row_far_down() -> bytes:
    """A workbook without a dimension whose last row element sits at row 1,048,576."""

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb"<dimension [^>]*/>", b"", xml)
        return xml.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')

    return rewrite_member(check_sheet(), "xl/worksheets/sheet1.xml", change)


def zip_bomb(member_bytes: int = 200 * 1024 * 1024) -> bytes:
    """A workbook-shaped zip whose one sheet unpacks to a huge run of zeros (ratio ~1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(member_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def with_doctype(padding: int = 0) -> bytes:
    doctype = b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    return rewrite_member(
        check_sheet(),
        "xl/worksheets/sheet1.xml",
        lambda xml: b"<!--" + b" " * padding + b"-->" + doctype + xml,
    )


XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024
