"""Invented customer rows and files for the leak attribution tests."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from typing import Any

from openpyxl import Workbook, load_workbook

HEADER = ["氏名", "フリガナ", "メールアドレス", "電話番号", "生年月日", "住所"]
FAMILY = [("山田", "ヤマダ", "yamada"), ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"), ("田中", "タナカ", "tanaka")]
GIVEN = [("太郎", "タロウ", "taro"), ("花子", "ハナコ", "hanako"), ("一郎", "イチロウ", "ichiro"), ("美咲", "ミサキ", "misaki")]


def person(i: int, *, domain: str = "example.jp") -> list[str]:
    """Customer i (distinct e-mail, phone, birth date and address for every i below 10,000; a few
    names, as real customers share them)."""
    f_kanji, f_kana, f_roman = FAMILY[i % len(FAMILY)]
    g_kanji, g_kana, g_roman = GIVEN[(i // len(FAMILY)) % len(GIVEN)]
    return [
        f"{f_kanji}\u3000{g_kanji}",
        f"{f_kana}\u3000{g_kana}",
        f"{g_roman}.{f_roman}{i}@{domain}",
        f"090{i:08d}",
        (dt.date(1950, 1, 1) + dt.timedelta(days=i * 7 % 20011)).isoformat(),
        f"東京都千代田区千代田{i // 1000 + 1}-{i // 50 % 20 + 1}-{i % 50 + 1}",
    ]


def rows(start: int, count: int, **kwargs: Any) -> list[list[str]]:
    return [person(i, **kwargs) for i in range(start, start + count)]


def csv_bytes(header: list[str] | None, body: list[list[Any]], *, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(body)
    return buffer.getvalue().encode(encoding)


def parse_csv(data: bytes, encoding: str = "utf-8-sig") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline="")))


def xlsx_bytes(header: list[str], body: list[list[Any]], title: str = "顧客") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in body:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_xlsx(data: bytes) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]


def zip_bomb() -> bytes:
    """A 'workbook' whose one part unpacks to 60 MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    return buffer.getvalue()


def entity_workbook() -> bytes:
    """A workbook with a DOCTYPE (entity expansion) in one of its parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "xl/workbook.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><workbook>&a;</workbook>'
        )
    return buffer.getvalue()


CUSTOMER_HEADER = ["会員番号", "氏名", "フリガナ", "メールアドレス", "電話番号", "生年月日", "郵便番号", "住所"]


def customer(i: int, **kwargs: Any) -> list[str]:
    """Customer i of a master with member numbers, postal codes and buildings in some addresses."""
    name, kana, email, phone, birth, address = person(i, **kwargs)
    building = " メゾン桜 101" if i % 3 == 0 else ""
    return [f"M{100000 + i:07d}", name, kana, email, phone, birth, f"100-{i % 10000:04d}", address + building]


def customers(start: int, count: int, **kwargs: Any) -> list[list[str]]:
    return [customer(i, **kwargs) for i in range(start, start + count)]


def block_form(address: str) -> str:
    """「…1-2-3 メゾン桜 101」 written 「…１丁目２番３号　メゾン桜 １０１」 (full-width digits)."""
    import re

    text = re.sub(r"(\d+)-(\d+)-(\d+) ?", lambda m: f"{m[1]}丁目{m[2]}番{m[3]}号\u3000", address, count=1).rstrip("\u3000")
    return text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def half_width_kana(text: str) -> str:
    """Katakana as half-width (ｶﾀｶﾅ), as old systems write them."""
    import unicodedata

    table = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF66, 0xFF9E)}
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base, mark = decomposed[0], decomposed[1:]
        out.append(table.get(base, base) + ("ﾞ" if mark == "\u3099" else "ﾟ" if mark == "\u309a" else ""))
    return "".join(out)
