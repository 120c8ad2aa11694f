"""Identifying values beyond e-mail and phone (M13): which columns hold a person's name, address,
postal code, birth date and member number, how each is written in canonical form, and the keys a row
is matched by: name + address, name + birth date, postal code + address, member number. Pure
functions over strings; `fingerprinting` hashes the keys. The same functions run on the ledger side
(when a dataset is shared) and on the sample side (when a leak is traced), so both agree.

Addresses (`normalise_address`), covered:
  NFKC (full-width digits and letters, half-width kana), lower case, every space removed; hyphen
  variants between digits (－ ‐ ‑ ‒ – — ― − ー ｰ) become "-"; kanji numerals before 丁目・番地・番・号
  (「一丁目」「二十三番」「十号」) become digits; 「1丁目2番3号」「1丁目2番地3」「1丁目2-3」「1番地の2」「1の2の3」 all
  become 1-2-3; 「101号室」 becomes 101; a leading postal code (〒100-0001) is dropped; the prefecture
  at the start is dropped (a city is rarely in two prefectures, and samples often leave it out);
  ヶ・ケ・ヵ・が between kanji (松が丘 / 松ヶ丘 / 松ケ丘) are one letter; a few old kanji forms
  (髙 﨑 邊 邉 齋 齊 濱 澤 櫻 廣 國 嶋) are written in their usual form.
Not covered: kanji numerals elsewhere (「本町二の三」), 大字・字, abbreviated city or town names,
house numbers written in words, romanised addresses, typing errors, and two spellings of a town
(「霞が関」 and 「霞ヶ関」 are covered; 「一ツ橋」 and 「一ッ橋」 are not).

Keys: a pair's fingerprint mixes the keyed fingerprints of its two parts (see `key_fingerprints`).

Names (`normalise_name`): NFKC, no spaces, katakana as hiragana (サクラ = さくら), lower case
(romaji), and the old kanji forms above. Member numbers: NFKC, lower case, no separators (- _ . /
spaces); at least 4 characters, else not used. Postal codes are 7 digits and birth dates 8 (as
`fingerprinting.normalise` writes them); anything else is not used as a key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

# Column kinds (shared with `canaries`, which classifies the columns of a dataset).
EMAIL, PHONE, NAME, FAMILY, GIVEN = "email", "phone", "name", "family_name", "given_name"
KANA, FAMILY_KANA, GIVEN_KANA = "kana", "family_kana", "given_kana"
BIRTHDATE, AGE, GENDER, POSTAL, PREFECTURE, CITY, ADDRESS, MEMBER, OTHER = (
    "birthdate", "age", "gender", "postal_code", "prefecture", "city", "address", "member_number", "other",
)  # fmt: skip

PREFECTURES = (
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
    "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
    "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
    "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
    "宮崎県", "鹿児島県", "沖縄県",
)  # fmt: skip
_OLD = "髙﨑邊邉齋齊濱澤櫻廣國嶋"
_OLD_FORMS = str.maketrans(_OLD, "高崎辺辺斎斉浜沢桜広国島")
_KANA_TABLE: dict[int, int] = {c: c - 0x60 for c in range(ord("ァ"), ord("ヶ") + 1)}
_NAME_TABLE: dict[int, int] = {**_KANA_TABLE, **{k: v for k, v in _OLD_FORMS.items() if isinstance(v, int)}}
_NUMERALS = "〇一二三四五六七八九十百千"
_DIGIT_OF = {c: i for i, c in enumerate("〇一二三四五六七八九")}
# Values of a column are normalised joined by NUL, with a NUL put in front: a pattern that starts with
# a literal (NUL, 丁目, …) lets the regex engine skip to it, and a look-behind after the literal
# checks what comes before. Several times quicker than a look-behind first.
_PREFECTURE = re.compile("\x00(?:" + "|".join(PREFECTURES) + ")")
_LEADING_POSTAL = re.compile(r"\x00〒?\d{3}-?\d{4}")
_NUL_DIGIT = re.compile(r"\x00[〒\d]")
_KANJI_NUMBER = re.compile(f"[{_NUMERALS}]+(?=丁目|番地|番(?![町丁])|号)")
_BLOCK_WORDS = (
    ("丁目", re.compile(r"丁目(?<=\d丁目)")),
    ("番地", re.compile(r"番地(?<=\d番地)")),
    ("番", re.compile(r"番(?<=\d番)(?![町丁])")),
    ("号", re.compile(r"号(?<=\d号)(?!室)")),
)
_ROOM = re.compile(r"号室(?<=\d号室)")
_DASH_CHARS = "‐‑‒–—―−ー"
_DASH = re.compile(f"[{_DASH_CHARS}](?<=\\d.)(?=\\d)")
_NO = re.compile(r"の(?<=[\d-]の)(?=\d)")
_DANGLING = re.compile(r"-(?![\d])")
_GA_CHARS = "がケヶヵ"
_GA = re.compile(f"[{_GA_CHARS}](?<=[\u4e00-\u9fff].)(?=[\u4e00-\u9fff])")
_KATAKANA = re.compile("[ァ-ヶ" + _OLD + "]")
_SEPARATORS = re.compile(r"[-_./ \t\u3000‐‑‒–—―−ー]+")
_EIGHT_DIGITS = re.compile(r"(?:\d{8})?(?:\x00(?:\d{8})?)*", re.ASCII)
_SEVEN_DIGITS = re.compile(r"(?:\d{7})?(?:\x00(?:\d{7})?)*", re.ASCII)
MIN_MEMBER = 4


def kanji_number(text: str) -> int:
    """「二十三」 → 23, 「百五」 → 105, 「一〇二」 → 102 (digit by digit when there is no 十・百・千)."""
    if not any(c in "十百千" for c in text):
        return int("".join(str(_DIGIT_OF[c]) for c in text))
    total, digit = 0, 0
    for c in text:
        if c in _DIGIT_OF:
            digit = _DIGIT_OF[c]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
    return total + digit


def _nfkc(text: str) -> str:
    return text if text.isascii() or unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


def _no_spaces(text: str) -> str:
    for space in (" ", "\u3000", "\t"):
        if space in text:
            text = text.replace(space, "")
    return text


def normalise_address(text: str, *, folded: bool = False) -> str:
    """An address (or NUL-joined addresses) in canonical form; see the module docstring. Each step
    first looks (in C) whether it has anything to do: a clean column costs little. `folded`: the
    text is already NFKC and lower case (as `fingerprinting` leaves it)."""
    text = "\x00" + _no_spaces(text if folded else _nfkc(text).lower())
    if _NUL_DIGIT.search(text):
        text = _LEADING_POSTAL.sub("\x00", text)
    text = _PREFECTURE.sub("\x00", text)
    if any(c in text for c in _NUMERALS):
        text = _KANJI_NUMBER.sub(lambda m: str(kanji_number(m.group())), text)
    if "号室" in text:
        text = _ROOM.sub("", text)
    for word, pattern in _BLOCK_WORDS:
        if word in text:
            text = pattern.sub("-", text)
    if any(c in text for c in _DASH_CHARS):
        text = _DASH.sub("-", text)
    if "の" in text:
        text = _NO.sub("-", text)
    if "-" in text:
        while "--" in text:
            text = text.replace("--", "-")
        text = _DANGLING.sub("", text)
    if any(c in text for c in _GA_CHARS):
        text = _GA.sub("ヶ", text)
    if any(c in text for c in _OLD):
        text = text.translate(_OLD_FORMS)
    return text[1:]


def normalise_name(text: str, *, folded: bool = False) -> str:
    """A name (or NUL-joined names) in canonical form: no spaces, katakana as hiragana, old forms."""
    text = _no_spaces(text if folded else _nfkc(text).lower())
    return text.translate(_NAME_TABLE) if _KATAKANA.search(text) else text


def normalise_member(text: str, *, folded: bool = False) -> str:
    """A member number (or NUL-joined ones): no separators, lower case."""
    return _SEPARATORS.sub("", text if folded else _nfkc(text).lower())


@dataclass(frozen=True)
class Roles:
    """The columns that identify a person, by index: the name (one column, or family then given),
    the address parts in order (prefecture, city, address), postal code, birth date, member number."""

    name: tuple[int, ...] = ()
    address: tuple[int, ...] = ()
    postal: int | None = None
    birth: int | None = None
    member: int | None = None

    def within(self, width: int) -> Roles:
        """The roles whose columns a row of `width` cells has (rows of a sample may be short)."""

        def fits(index: int | None) -> int | None:
            return index if index is not None and index < width else None

        return Roles(
            name=self.name if all(i < width for i in self.name) else (),
            address=tuple(i for i in self.address if i < width) if self.address and self.address[-1] < width else (),
            postal=fits(self.postal),
            birth=fits(self.birth),
            member=fits(self.member),
        )

    @property
    def empty(self) -> bool:
        return not (self.name and (self.address or self.birth is not None)) and not (
            self.address and self.postal is not None
        ) and self.member is None


def roles_for(kinds: Sequence[str], named: Sequence[bool] = ()) -> Roles:
    """The identifying columns among columns of these kinds: the first of each kind, and among
    several the first one whose header `named` it (a column told only by its values may be another
    person's name, a staff member's)."""

    def first(kind: str) -> int | None:
        found = [i for i, k in enumerate(kinds) if k == kind]
        return next((i for i in found if i < len(named) and named[i]), found[0]) if found else None

    name: tuple[int, ...] = ()
    if (n := first(NAME)) is not None:
        name = (n,)
    elif (family := first(FAMILY)) is not None and (given := first(GIVEN)) is not None:
        name = (family, given)
    address: tuple[int, ...] = ()
    if ADDRESS in kinds:
        address = tuple(i for i in (first(PREFECTURE), first(CITY), first(ADDRESS)) if i is not None)
    return Roles(name=name, address=address, postal=first(POSTAL), birth=first(BIRTHDATE), member=first(MEMBER))


def _joined(columns: Sequence[list[str]], indices: tuple[int, ...]) -> list[str]:
    if len(indices) == 1:
        return columns[indices[0]]
    return ["".join(parts) for parts in zip(*(columns[i] for i in indices), strict=True)]


def _apply(values: list[str], function: Callable[..., str]) -> list[str]:
    """A normaliser applied to a whole column at once (joined by NUL: the regexes run in C). The
    values come from `fingerprinting`, so they are NFKC and lower case already."""
    out = function("\x00".join(values), folded=True).split("\x00")
    return out if len(out) == len(values) else [function(v.replace("\x00", "")) for v in values]


def _shaped(values: list[str], pattern: re.Pattern[str], size: int) -> list[str]:
    """The values that are `size` digits; the others empty (checked on the joined column first)."""
    if pattern.fullmatch("\x00".join(values)):
        return values
    return [v if len(v) == size and v.isdigit() and v.isascii() else "" for v in values]


def parts(columns: Sequence[list[str]], roles: Roles) -> dict[str, list[str]]:
    """The identifying parts of rows given as normalised columns (`fingerprinting` has made dates
    8 digits and postal codes 7), in canonical form, one value per row ("" where a row has none):
    "name", "address", "birth", "postal", "member"."""
    out: dict[str, list[str]] = {}
    roles = roles.within(len(columns))
    if roles.empty:
        return out
    if roles.name:
        out["name"] = _apply(_joined(columns, roles.name), normalise_name)
    if roles.address:
        out["address"] = _apply(_joined(columns, roles.address), normalise_address)
    if roles.birth is not None:
        out["birth"] = _shaped(columns[roles.birth], _EIGHT_DIGITS, 8)
    if roles.postal is not None:
        out["postal"] = _shaped(columns[roles.postal], _SEVEN_DIGITS, 7)
    if roles.member is not None:
        members = _apply(columns[roles.member], normalise_member)
        short = min(map(len, members), default=0) < MIN_MEMBER
        out["member"] = [v if len(v) >= MIN_MEMBER else "" for v in members] if short else members
    return out


# --- fingerprints of the keys ---------------------------------------------------------------------

# A pair's fingerprint mixes the keyed fingerprints of its two parts (HMAC-SHA256 of "n\0" + name,
# "a\0" + address, "b\0" + birth date, "z\0" + postal code, truncated to 64 bits) with a public
# 64-bit mixing function (splitmix64's finaliser) and a constant per pair. Nothing unkeyed of a
# value is used, and a part is hashed once however many pairs it is in; names, birth dates and
# postal codes repeat a lot, so each distinct one is hashed once per sample (`Hasher` remembers them).
PAIRS = (("name_address", "name", "address", 1), ("name_birth", "name", "birth", 2), ("postal_address", "postal", "address", 3))
_PART_PREFIX = {"name": b"n\x00", "address": b"a\x00", "birth": b"b\x00", "postal": b"z\x00"}
_DIGITS = {"birth": 8, "postal": 7}
MEMBER_PREFIX = b"m\x00"


class TextHasher(Protocol):
    def text_fingerprints(self, texts: Sequence[str], prefix: bytes) -> np.ndarray: ...

    def repeated_fingerprints(self, texts: Sequence[str], prefix: bytes) -> np.ndarray: ...

    def digit_fingerprints(self, texts: Sequence[str], width: int, prefix: bytes) -> np.ndarray: ...


@dataclass
class KeyFingerprints:
    """One kind of key of some rows: the rows, their fingerprints, and the key's text by position."""

    kind: str
    rows: np.ndarray  # int64
    values: np.ndarray  # uint64
    text: Callable[[int], str]


def mix(left: np.ndarray, right: np.ndarray, salt: int) -> np.ndarray:
    """One 64-bit value from two (splitmix64's finaliser over left·φ + (right XOR salt))."""
    with np.errstate(over="ignore"):
        z = left * np.uint64(0x9E3779B97F4A7C15) + (right ^ np.uint64(salt * 0xD6E8FEB86659FD93 & 0xFFFFFFFFFFFFFFFF))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _present(values: list[str]) -> np.ndarray:
    if "" not in values:
        return np.ones(len(values), dtype=bool)
    return np.fromiter(map(bool, values), dtype=bool, count=len(values))


def _part_fingerprints(values: list[str], name: str, hasher: TextHasher) -> np.ndarray:
    prefix = _PART_PREFIX[name]
    if name in _DIGITS:
        return hasher.digit_fingerprints(values, _DIGITS[name], prefix)
    if name == "name":
        return hasher.repeated_fingerprints(values, prefix)
    return hasher.text_fingerprints(values, prefix)


def _pair_text(left: list[str], right: list[str], rows: np.ndarray) -> Callable[[int], str]:
    def text(position: int) -> str:
        row = int(rows[position])
        return f"{left[row]} / {right[row]}"

    return text


def key_fingerprints(columns: Sequence[list[str]], roles: Roles, hasher: TextHasher) -> list[KeyFingerprints]:
    """The fingerprints of the identifying keys of rows given as normalised columns: name + address,
    name + birth date, postal code + address (each where a row has both parts), member number."""
    found = parts(columns, roles)
    hashed: dict[str, np.ndarray] = {}
    out: list[KeyFingerprints] = []
    for kind, left, right, salt in PAIRS:
        if left not in found or right not in found:
            continue
        rows = np.flatnonzero(_present(found[left]) & _present(found[right]))
        if not rows.size:
            continue
        for part in (left, right):
            if part not in hashed:
                hashed[part] = _part_fingerprints(found[part], part, hasher)
        values = mix(hashed[left][rows], hashed[right][rows], salt)
        out.append(KeyFingerprints(kind, rows, values, _pair_text(found[left], found[right], rows)))
    if "member" in found:
        members = found["member"]
        rows = np.flatnonzero(_present(members))
        texts = members if rows.size == len(members) else [members[i] for i in rows]
        if texts:
            out.append(KeyFingerprints("member", rows, hasher.text_fingerprints(texts, MEMBER_PREFIX), texts.__getitem__))
    return out
