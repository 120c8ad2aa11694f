"""Identifying keys beyond e-mail and phone: Japanese address, name and member-number normalisation,
which columns hold them (by header or, renamed, by values), and the keys of a row."""

from __future__ import annotations

import pytest

from renkei.incidents.leaks import canaries, fingerprinting, identity

CANONICAL = "世田谷区本町1-2-3"


@pytest.mark.parametrize(
    "raw",
    [
        "東京都世田谷区本町1丁目2番3号",
        "東京都世田谷区本町1-2-3",
        "世田谷区本町1-2-3",  # prefecture left out
        "東京都世田谷区本町１－２－３",  # full width
        "東京都世田谷区本町1‐2‐3",  # hyphen (U+2010)
        "東京都世田谷区本町1ー2ー3",  # long vowel mark typed for a dash
        "東京都世田谷区本町1−2−3",  # minus sign
        "東京都世田谷区本町1―2―3",  # horizontal bar
        "東京都 世田谷区 本町 1-2-3",  # spaces
        "東京都\u3000世田谷区\u3000本町１丁目２番３号",
        "東京都世田谷区本町一丁目二番三号",  # kanji numerals
        "東京都世田谷区本町1丁目2番地3",
        "東京都世田谷区本町1丁目2-3",
        "東京都世田谷区本町1の2の3",
        "東京都世田谷区本町1丁目2番地の3",
        "〒154-0001 東京都世田谷区本町1-2-3",  # postal code in front
        "〒1540001東京都世田谷区本町1丁目2番3号",
    ],
)
def test_address_forms_are_one(raw: str) -> None:
    assert identity.normalise_address(raw) == CANONICAL


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("横浜市港北区松が丘二十三番地の4", "横浜市港北区松ヶ丘23-4"),
        ("横浜市港北区松ケ丘23-4", "横浜市港北区松ヶ丘23-4"),
        ("千代田区一番町5番地", "千代田区一番町5"),  # 一番町 is a town's name, not a block number
        ("世田谷区本町1-2-3 メゾン桜 101号室", "世田谷区本町1-2-3メゾン桜101"),
        ("世田谷区本町1-2-3 ﾒｿﾞﾝ桜 101", "世田谷区本町1-2-3メゾン桜101"),  # half-width kana
        ("大阪府大阪市北区梅田3丁目", "大阪市北区梅田3"),
        ("京都府京都市左京区", "京都市左京区"),
        ("髙田市﨑町1-1", "高田市崎町1-1"),
        ("本町十丁目百五番", "本町10-105"),
        ("", ""),
    ],
)
def test_address_normalisation(raw: str, expected: str) -> None:
    assert identity.normalise_address(raw) == expected


def test_addresses_that_differ_stay_apart() -> None:
    assert identity.normalise_address("本町1-2-3") != identity.normalise_address("本町1-23")
    assert identity.normalise_address("本町1丁目23番") != identity.normalise_address("本町12-3")
    assert identity.normalise_address("東京都府中市1-1") == identity.normalise_address("広島県府中市1-1")  # documented


def test_kanji_numbers() -> None:
    assert [identity.kanji_number(t) for t in ("一", "十", "十二", "二十", "二十三", "百五", "千二百", "一〇二")] == [
        1, 10, 12, 20, 23, 105, 1200, 102,
    ]  # fmt: skip


def test_column_normalisation_equals_value_by_value() -> None:
    values = ["東京都本町1丁目2番3号", "", "〒100-0001千代田区千代田1-1", "大阪府北区一丁目", "本町1の2"]
    assert identity.normalise_address("\x00".join(values)).split("\x00") == [identity.normalise_address(v) for v in values]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("山田\u3000太郎", "山田太郎"), ("山田 太郎", "山田太郎"), ("ヤマダ タロウ", "やまだたろう"), ("ﾔﾏﾀﾞ ﾀﾛｳ", "やまだたろう"),
     ("髙橋 さくら", "高橋さくら"), ("Yamada Taro", "yamadataro")],
)  # fmt: skip
def test_name_normalisation(raw: str, expected: str) -> None:
    assert identity.normalise_name(raw) == expected


def test_member_normalisation() -> None:
    assert identity.normalise_member("M-000123") == identity.normalise_member("ｍ000123") == "m000123"


def test_roles_from_headers_and_from_renamed_columns() -> None:
    header = ["会員番号", "氏名", "郵便番号", "住所", "生年月日"]
    rows = [[f"M{i:07d}", f"山田\u3000{n}", f"154-{i:04d}", f"東京都世田谷区本町{i}-2-3", f"1980-01-{i + 1:02d}"]
            for i, n in enumerate(["太郎", "花子", "一郎", "美咲", "健太"])]  # fmt: skip
    by_header = identity.roles_for([s.kind for s in canaries.classify_columns(header, rows)])
    assert by_header == identity.Roles(name=(1,), address=(3,), postal=2, birth=4, member=0)
    renamed = identity.roles_for([s.kind for s in canaries.classify_columns(["a", "b", "c", "d", "e"], rows)])
    assert renamed == by_header
    split = identity.roles_for(["family_name", "given_name", "prefecture", "city", "address"])
    assert split == identity.Roles(name=(0, 1), address=(2, 3, 4))
    assert identity.roles_for(["gender", "age"]).empty
    assert identity.roles_for(["name"]).empty  # a name alone is no key


def test_parts_and_keys_of_rows() -> None:
    columns = [["山田 太郎", "佐藤 花子", ""], ["1540001", "", "1000001"], ["世田谷区本町1-2-3", "本町2-1", "千代田1-1"]]
    roles = identity.Roles(name=(0,), address=(2,), postal=1)
    assert identity.parts(columns, roles) == {
        "name": ["山田太郎", "佐藤花子", ""], "address": ["世田谷区本町1-2-3", "本町2-1", "千代田1-1"], "postal": ["1540001", "", "1000001"],
    }  # fmt: skip
    hasher = fingerprinting.Hasher(fingerprinting.derive_key("k"))
    keys = {k.kind: k for k in identity.key_fingerprints(columns, roles, hasher)}
    assert set(keys) == {"name_address", "postal_address"}
    assert keys["name_address"].rows.tolist() == [0, 1] and keys["postal_address"].rows.tolist() == [0, 2]
    assert keys["name_address"].text(1) == "佐藤花子 / 本町2-1"
    # A pair is the mix of its parts' keyed fingerprints: the same parts, the same key, in any row.
    again = identity.key_fingerprints([["佐藤花子"], ["9999999"], ["本町2-1"]], roles, hasher)
    assert again[0].values[0] == keys["name_address"].values[1]
    assert len({int(v) for k in keys.values() for v in k.values}) == 4
    # A role beyond a short row's cells is left out.
    assert identity.key_fingerprints(columns[:2], roles, hasher) == []


def test_keys_match_whatever_the_writing() -> None:
    hasher = fingerprinting.Hasher(fingerprinting.derive_key("k"))
    ledger_roles = identity.Roles(name=(0,), address=(2,), postal=1, birth=3, member=4)
    ledger = fingerprinting.fingerprint_table(
        [["山田\u3000太郎", "154-0001", "東京都世田谷区本町1-2-3", "1985-04-03", "M-0001234"]], hasher, roles=ledger_roles
    ).fingerprints
    # Reordered, renamed, other writing, and without the e-mail or the whole row to go by.
    sample_roles = identity.Roles(name=(3,), address=(0,), postal=2, birth=1, member=4)
    sample = fingerprinting.fingerprint_table(
        [["世田谷区本町一丁目２番３号", "1985年4月3日", "〒154-0001", "山田 太郎", "m0001234"]], hasher, roles=sample_roles
    ).fingerprints
    keyed = {fingerprinting.KIND_NAMES[k] for k, v in zip(sample.kinds, sample.values, strict=True) if v in ledger.values}
    assert keyed == {"name_address", "name_birth", "postal_address", "member"}


def test_repeated_and_digit_fingerprints_equal_plain_ones() -> None:
    hasher = fingerprinting.Hasher(fingerprinting.derive_key("k"))
    births = ["19850403", "", "20010101", "19850403", "00000007"]
    for chunk in (births, births[::-1], ["19991231"]):  # remembered across chunks
        plain = hasher.text_fingerprints([b or "00000000" for b in chunk], b"b\x00")
        assert hasher.digit_fingerprints(chunk, 8, b"b\x00").tolist() == plain.tolist()
    names = ["山田太郎", "佐藤花子", "山田太郎"]
    for chunk in (names, ["佐藤花子", "鈴木一郎"]):
        assert hasher.repeated_fingerprints(chunk, b"n\x00").tolist() == hasher.text_fingerprints(chunk, b"n\x00").tolist()


def test_a_column_named_by_its_header_wins_over_one_told_by_its_values() -> None:
    header = ["担当", "お客様氏名", "住所"]
    rows = [[f"田中\u3000{g}", f"山田\u3000{n}", f"東京都世田谷区本町{i}-2-3"]
            for i, (g, n) in enumerate(zip(["誠", "剛", "修", "隆"], ["太郎", "花子", "一郎", "美咲"], strict=True))]  # fmt: skip
    styles = canaries.classify_columns(header, rows)
    assert [s.kind for s in styles] == ["name", "name", "address"]
    assert canaries.column_roles(styles) == identity.Roles(name=(1,), address=(2,))
