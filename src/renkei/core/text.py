"""Japanese text conventions: search keys, sort keys, company names without legal forms, person names.

Pure functions over strings (no ORM, no settings), so every app normalises the same way and the
stored columns (`search_text`, `sort_key`, `name_key`) and the typed query always agree.

The one rule for search: NFKC (full-width Latin and digits become half-width, half-width katakana
becomes full-width, ㈱ becomes (株)), casefold, katakana → hiragana, and every kind of white space
(including the ideographic space U+3000) removed. So 「ｌｏｔｕｓ」 finds "lotus",
「みなと　カード」 finds 「みなとカード」 and 「アオゾラ」 finds 「あおぞら」.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Katakana ァ (U+30A1) … ヶ (U+30F6) have hiragana twins exactly 0x60 lower (ぁ … ゖ). The voiced
# iteration mark ヾ and ヽ map to ゞ and ゝ. ヷ–ヺ have no hiragana twin and stay as they are.
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}
_KATAKANA_TO_HIRAGANA.update({0x30FD: 0x309D, 0x30FE: 0x309E})

_HIRAGANA_TO_KATAKANA = {hira: kata for kata, hira in _KATAKANA_TO_HIRAGANA.items()}

_WHITESPACE = re.compile(r"\s+", re.UNICODE)

# Legal-form words of company names, written as they look after NFKC and casefold (so （株）, ㈱
# and (株) are one entry). Longest first, so 「一般社団法人」 is removed before a shorter word could
# match inside it. Latin forms must stand alone (word boundaries), so "Corp." does not eat the
# "corp" of "Corporate Bank".
_JAPANESE_LEGAL_FORMS = (
    "特定非営利活動法人",
    "公益社団法人",
    "公益財団法人",
    "一般社団法人",
    "一般財団法人",
    "独立行政法人",
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "(株)",
    "(有)",
    "(同)",
    "(資)",
    "(名)",
    "(社)",
    "(財)",
)
_LATIN_LEGAL_FORMS = (
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co ltd",
    "kabushiki kaisha",
    "k.k.",
    "kk",
    "g.k.",
    "inc.",
    "inc",
    "incorporated",
    "ltd.",
    "ltd",
    "limited",
    "llc",
    "l.l.c.",
    "corp.",
    "corp",
    "corporation",
    "co.",
    "gmbh",
    "plc",
    "s.a.",
)
LEGAL_FORMS: tuple[str, ...] = _JAPANESE_LEGAL_FORMS + _LATIN_LEGAL_FORMS

_JAPANESE_FORMS_RE = re.compile("|".join(re.escape(f) for f in sorted(_JAPANESE_LEGAL_FORMS, key=len, reverse=True)))
_LATIN_FORMS_RE = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(f) for f in sorted(_LATIN_LEGAL_FORMS, key=len, reverse=True))
    + r")(?![\w])"
)
# Punctuation that joins or decorates a company name but does not tell two companies apart.
_NAME_PUNCTUATION = re.compile(r"[\s,.、。・･'\"’“”「」『』()\[\]【】&＆/-]+")

# CJK ideographs, kana and the prolonged sound mark: a name containing any of them is Japanese
# (or Chinese) and is written family name first.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def _fold(text: str) -> str:
    """NFKC and casefold: the width- and case-insensitive form every key starts from."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def katakana_to_hiragana(text: str) -> str:
    """Full-width katakana to hiragana (apply NFKC first for half-width katakana)."""
    return text.translate(_KATAKANA_TO_HIRAGANA)


def normalise_reading(text: str | None) -> str:
    """A name reading as stored: NFKC (half-width ｻﾄｳ becomes サトウ), hiragana → katakana,
    runs of spaces (U+3000 included) become one half-width space. さとう is stored as サトウ."""
    folded = unicodedata.normalize("NFKC", text or "").translate(_HIRAGANA_TO_KATAKANA)
    return _WHITESPACE.sub(" ", folded).strip()


def normalise_for_search(text: str | None) -> str:
    """The search form of a text: NFKC, casefold, katakana → hiragana, no white space at all.

    Stored columns and typed queries both go through this, then match with a plain `contains`.
    """
    return _WHITESPACE.sub("", katakana_to_hiragana(_fold(text or "")))


def search_text(parts: Iterable[str | None]) -> str:
    """The stored search column of a record: its searchable fields normalised, joined by a
    separator that no normalised query contains (queries lose their white space), so a match
    never spans two fields."""
    return " ".join(p for p in (normalise_for_search(part) for part in parts) if p)


def strip_legal_forms(name: str | None) -> str:
    """The folded (NFKC, casefolded) name without legal-form words such as 株式会社, (株) or Co., Ltd.

    Falls back to the folded name when nothing else would remain (a company called 「株式会社」).
    """
    folded = _fold(name or "")
    stripped = _LATIN_FORMS_RE.sub(" ", _JAPANESE_FORMS_RE.sub(" ", folded))
    return stripped if stripped.strip(" ,.") else folded


def company_name_key(name: str | None) -> str:
    """The comparison key of a company name: legal forms, punctuation and spaces removed, width,
    case and katakana/hiragana ignored. 「株式会社みなとカード」, 「みなとカード（株）」 and
    「ミナトカード株式会社」 share one key. Duplicate detection compares these keys."""
    return _NAME_PUNCTUATION.sub("", katakana_to_hiragana(strip_legal_forms(name)))


def company_sort_key(name: str | None, reading: str | None = None) -> str:
    """How a company sorts in a list: by its reading when there is one, else by its name, with
    legal forms removed. Hiragana code points follow the gojūon order (あ い う … わ を ん),
    so a plain ordering of this key reads like a Japanese directory."""
    return company_name_key(reading) or company_name_key(name)


def has_cjk(text: str | None) -> bool:
    """Whether the text contains kanji or kana."""
    return bool(text and _CJK.search(text))


def person_name(family: str | None, given: str | None) -> str:
    """A person's name for display, with one rule for the whole product:

    Japanese (any kanji or kana in either part): family name first, 「佐藤 花子」.
    Latin names: the given name first, "Hanako Sato", as their owners write them.
    One half-width space between the parts; an empty part is left out.
    """
    family = (family or "").strip()
    given = (given or "").strip()
    parts = [family, given] if has_cjk(family) or has_cjk(given) else [given, family]
    return " ".join(p for p in parts if p)
