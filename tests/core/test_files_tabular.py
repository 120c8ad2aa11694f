"""The safe tabular reader (core.files.tabular): CSV/TSV text and .xlsx workbooks from outside.

These rules used to be tested through the registry import, their first user; every reader of
uploaded tables (registry import, Excel check sheets and answers, leak samples) goes through them.
"""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook

from renkei.core.errors import RenkeiError
from renkei.core.files.tabular import (
    FORMULA_STARTS,
    cell_text,
    clean_text,
    decode_text,
    read_csv,
    read_workbook,
    refuse_unreadable,
)
from renkei.core.files.uploads import upload_limit
from tests.unpacking import count_unpacking


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # Messages are asserted in English; the Japanese catalogue would otherwise translate them.
    with translation.override("en"):
        yield


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- encodings ----------------------------------------------------------------------------------


def test_text_is_read_as_utf8_with_or_without_bom_utf16_or_cp932():
    text = "名称,種別\n髙橋製作所,委託先\n"
    assert decode_text(text.encode("cp932")) == text
    assert decode_text(("\ufeff" + text).encode()) == text
    assert decode_text(text.encode("utf-16")) == text
    assert decode_text(text.encode("cp932"), "Shift_JIS") == text
    with pytest.raises(RenkeiError) as exc:
        decode_text(b"a,b", "latin-9")
    assert exc.value.field_name == "encoding"


def test_tab_separated_text_is_read_as_a_table():
    sheet = read_csv("名称\t種別\n甲社\t委託先\n\n".encode(), title="data.tsv")
    assert sheet.title == "data.tsv"
    assert sheet.rows == [(1, ["名称", "種別"]), (2, ["甲社", "委託先"])]


def test_the_formula_quote_of_an_export_is_taken_off_again():
    for start in FORMULA_STARTS:
        assert clean_text(f"'{start}1+1") == f"{start}1+1"
    assert clean_text("'quoted") == "'quoted"
    assert cell_text(3.0) == "3" and cell_text(None) == "" and cell_text(True) == "yes"


def test_workbook_rows_are_read_as_text():
    sheets = read_workbook(workbook_bytes({"取引先": [["名称", "種別"], [None, None], ["甲社", 12.0]]}))
    # Read-only openpyxl pads each row to the column cap: the trailing cells are empty.
    assert [(s.title, [(n, cells[:2]) for n, cells in s.rows]) for s in sheets] == [
        ("取引先", [(1, ["名称", "種別"]), (3, ["甲社", "12"])])
    ]
    assert not any(cells[2:] != [""] * (len(cells) - 2) for s in sheets for _n, cells in s.rows)


# --- refused files ------------------------------------------------------------------------------


def test_file_over_the_size_limit_is_refused(settings):
    settings.RENKEI_MAX_UPLOAD_BYTES = 1024
    data = ("名称,種別\n" + "甲社,委託先\n" * 200).encode()
    with pytest.raises(RenkeiError) as exc:
        refuse_unreadable(data, "big.csv", upload_limit())
    assert exc.value.status == 413
    assert "too large" in exc.value.message


def test_random_bytes_named_xlsx_are_not_a_workbook():
    with pytest.raises(RenkeiError) as exc:
        read_workbook(os.urandom(4096))
    assert "not an Excel workbook" in exc.value.message


def test_random_bytes_named_csv_are_not_a_spreadsheet():
    with pytest.raises(RenkeiError) as exc:
        read_csv(b"\x00\x01\x02binary\xff\xfe\x00" * 100)
    assert "not a CSV or Excel file" in exc.value.message


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(RenkeiError) as exc:
        read_workbook(buffer.getvalue())
    assert "not an Excel workbook" in exc.value.message


def test_old_xls_is_refused_with_advice():
    with pytest.raises(RenkeiError) as exc:
        refuse_unreadable(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "data.xls", upload_limit())
    assert ".xlsx" in exc.value.message


def _bomb(member_bytes: int) -> bytes:
    # A workbook-shaped zip whose one sheet unpacks to a huge run of zeros.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(member_bytes // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_the_unpacking_counter_sees_a_real_read():
    # The bound below means something only if reading a workbook is counted.
    data = workbook_bytes({"取引先": [["名称", "種別"], ["甲社", "委託先"]]})
    with count_unpacking() as work:
        read_workbook(data)
    assert work.unpacked_bytes > 1000
    assert work.workbook_opened


def test_zip_bomb_is_refused_without_unpacking():
    for size in (40 * 1024 * 1024, 200 * 1024 * 1024):
        data = _bomb(size)
        assert len(data) < 1024 * 1024
        with count_unpacking() as work, pytest.raises(RenkeiError) as exc:
            read_workbook(data)
        assert "refused for safety" in exc.value.message or "too large when unpacked" in exc.value.message
        # Refused from the zip's directory: at most a few parts' first 4 KB read, never the sheet, and
        # openpyxl never asked. (Its time is in `python -m bench.uploads`, bench/RESULTS.md.)
        assert work.unpacked_bytes <= 64 * 1024
        assert not work.workbook_opened


def _with_doctype(padding: int) -> bytes:
    data = workbook_bytes({"取引先": [["名称", "種別"], ["甲社", "委託先"]]})
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    doctype = b'<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/workbook.xml":
                content = b'<?xml version="1.0"?>' + b"<!--" + b" " * padding + b"-->" + doctype + content
            archive.writestr(item, content)
    return buffer.getvalue()


def test_xml_entities_are_refused():
    with pytest.raises(RenkeiError) as exc:
        read_workbook(_with_doctype(0))
    assert "not allowed" in exc.value.message
    # Past our quick scan, openpyxl's defusedxml parser still refuses it.
    with pytest.raises(RenkeiError) as exc:
        read_workbook(_with_doctype(100_000))
    assert "could not be read" in exc.value.message


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr("renkei.core.files.tabular.MAX_ROWS_PER_SHEET", 5)
    data = ("名称,種別\n" + "".join(f"会社{i},委託先\n" for i in range(6))).encode()
    with pytest.raises(RenkeiError) as exc:
        read_csv(data, title="many.csv")
    assert "more than 5 rows" in exc.value.message


def test_malformed_csv_is_refused():
    with pytest.raises(RenkeiError) as exc:
        read_csv('名称,種別\n"甲社,委託先\n'.encode())
    assert "malformed" in exc.value.message
