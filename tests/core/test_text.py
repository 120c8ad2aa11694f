"""Japanese text conventions (core.text): search keys, company keys and sort order, person names."""

from __future__ import annotations

import pytest

from renkei.core.text import (
    company_name_key,
    company_sort_key,
    has_cjk,
    normalise_for_search,
    normalise_reading,
    person_name,
    search_text,
    strip_legal_forms,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ｌｏｔｕｓ", "lotus"),  # full-width Latin
        ("LOTUS", "lotus"),  # case
        ("みなと　カード", "みなとカード"),  # ideographic space
        ("みなと カード", "みなとカード"),  # half-width space
        ("アオゾラ", "あおぞら"),  # katakana = hiragana
        ("ｱｵｿﾞﾗ", "あおぞら"),  # half-width katakana with a separate voicing mark
        ("１２３４", "1234"),  # full-width digits
    ],
)
def test_search_ignores_width_case_kana_and_spaces(typed: str, stored: str) -> None:
    assert normalise_for_search(typed) == normalise_for_search(stored)


def test_search_form_is_hiragana_without_any_white_space() -> None:
    assert normalise_for_search(" ミナト\u3000カード\t株式会社 ") == "みなとかーど株式会社"
    assert normalise_for_search("") == "" and normalise_for_search(None) == ""


def test_search_text_keeps_fields_apart() -> None:
    # A query has no spaces once normalised, so it never matches across two fields.
    text = search_text(["みなと", "カード", None, ""])
    assert text == "みなと かーど"
    assert normalise_for_search("みなと カード") not in text


@pytest.mark.parametrize(
    "name",
    [
        "株式会社みなとカード",
        "みなとカード（株）",
        "みなとカード(株)",
        "㈱みなとカード",
        "ミナトカード株式会社",
        "ﾐﾅﾄｶｰﾄﾞ株式会社",
        "ミナト・カード 株式会社",
        "みなと　カード有限会社",
    ],
)
def test_company_name_key_ignores_legal_forms(name: str) -> None:
    assert company_name_key(name) == "みなとかーど"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Minato Card Co., Ltd.", "minatocard"),
        ("MINATO CARD INC.", "minatocard"),
        ("Minato Card K.K.", "minatocard"),
        ("Minato Card LLC", "minatocard"),
        ("Minato Card Corp.", "minatocard"),
        ("一般社団法人 みなと協会", "みなと協会"),
        ("一般財団法人みなと財団", "みなと財団"),
        ("合同会社いろは", "いろは"),
        ("合資会社いろは", "いろは"),
        ("合名会社いろは", "いろは"),
    ],
)
def test_latin_and_other_legal_forms(name: str, key: str) -> None:
    assert company_name_key(name) == key


def test_legal_words_inside_a_name_are_kept() -> None:
    # Only whole words are legal forms: "Corporate" and "Inclusive" are part of the name.
    assert company_name_key("Corporate Bank Corp.") == "corporatebank"
    assert company_name_key("Inclusive Design Inc.") == "inclusivedesign"


def test_a_name_that_is_only_a_legal_form_is_kept() -> None:
    assert strip_legal_forms("株式会社") == "株式会社"
    assert company_name_key("株式会社") == "株式会社"


def test_companies_sort_by_reading_in_gojuon_order_whatever_the_legal_form() -> None:
    names = ["株式会社みなと", "いろは有限会社", "株式会社あおぞら"]
    assert sorted(names, key=company_sort_key) == ["株式会社あおぞら", "いろは有限会社", "株式会社みなと"]
    # The reading decides, in katakana or hiragana alike; kanji names without one sort by name.
    rows = [("港運輸株式会社", "ミナトウンユ"), ("青空商事株式会社", "あおぞらしょうじ"), ("伊呂波株式会社", "イロハ")]
    assert [n for n, r in sorted(rows, key=lambda nr: company_sort_key(*nr))] == [
        "青空商事株式会社",
        "伊呂波株式会社",
        "港運輸株式会社",
    ]
    assert company_sort_key("株式会社みなと", "") == "みなと"


def test_person_names_japanese_order_and_latin_order() -> None:
    assert person_name("佐藤", "花子") == "佐藤 花子"
    assert person_name("サトウ", "ハナコ") == "サトウ ハナコ"
    assert person_name("Sato", "Hanako") == "Hanako Sato"
    assert person_name("佐藤", "") == "佐藤"
    assert person_name(" ", None) == ""
    assert has_cjk("佐藤") and has_cjk("ハナコ") and not has_cjk("Sato")


def test_readings_are_stored_in_full_width_katakana() -> None:
    assert normalise_reading("さとう") == "サトウ"
    assert normalise_reading("ｻﾄｳ") == "サトウ"
    assert normalise_reading(" さとう\u3000 はなこ ") == "サトウ ハナコ"
