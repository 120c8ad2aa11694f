"""The file format: which columns each kind of record has, under Japanese and English headers.

Headers and sheet names are part of the file format, not of the user interface, so the Japanese
ones are written here rather than taken from the translation catalogue: a file exported today must
still import after the catalogue changes. Choice values (kind, criticality, …) accept the code, the
English label, the Japanese label from the catalogue, and a few common Japanese words.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from renkei.registry.models import (
    ContactRole,
    Criticality,
    OrganisationKind,
    OrganisationStatus,
    RelationshipType,
)

ORGANISATIONS = "organisations"
RELATIONSHIPS = "relationships"
CONTACTS = "contacts"
KINDS = (ORGANISATIONS, RELATIONSHIPS, CONTACTS)

KIND_LABELS: dict[str, Promise] = {
    ORGANISATIONS: _("Organisations"),
    RELATIONSHIPS: _("Relationships"),
    CONTACTS: _("Contacts"),
}


@dataclass(frozen=True)
class Column:
    """One column: its field name, its English and Japanese headers, other accepted headers."""

    name: str
    en: str
    ja: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def header(self, language: str) -> str:
        return self.en if language == "en" else self.ja


@dataclass(frozen=True)
class Schema:
    kind: str
    sheet_en: str
    sheet_ja: str
    columns: tuple[Column, ...]

    def sheet_name(self, language: str) -> str:
        return self.sheet_en if language == "en" else self.sheet_ja

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @functools.cached_property
    def header_index(self) -> dict[str, str]:
        """Normalised header text → field name, for every accepted spelling."""
        index: dict[str, str] = {}
        for column in self.columns:
            for text in (column.name, column.en, column.ja, *column.aliases):
                index.setdefault(normalise_key(text), column.name)
        return index

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def normalise_key(text: str) -> str:
    """Fold width, case, spaces and separators so that '法人番号 ', 'Corporate_Number' and
    'corporate number' compare equal."""
    folded = unicodedata.normalize("NFKC", str(text)).casefold().strip()
    for char in " \t_-・/()（）*":
        folded = folded.replace(char, "")
    return folded


SCHEMAS: dict[str, Schema] = {
    ORGANISATIONS: Schema(
        ORGANISATIONS,
        "organisations",
        "取引先",
        (
            Column("name", "name", "名称", ("organisation name", "organization name", "会社名", "取引先名", "組織名", "法人名"), required=True),
            Column("name_reading", "name reading", "読み・英語名", ("reading", "reading or english name", "english name", "よみがな", "フリガナ", "読み", "英語名")),
            Column("corporate_number", "corporate number", "法人番号"),
            Column("kind", "kind", "種別", ("区分",)),
            Column("group_company", "group company", "管理グループ会社", ("グループ会社", "管理会社")),
            Column("country", "country", "国", ("国・地域", "国コード")),
            Column("address", "address", "所在地", ("住所",)),
            Column("web_domains", "web domains", "ドメイン", ("domains", "webドメイン", "ウェブドメイン")),
            Column("criticality", "criticality", "重要度"),
            Column("status", "status", "状態", ("ステータス",)),
            Column("tags", "tags", "タグ"),
            Column("notes", "notes", "備考", ("note", "メモ")),
        ),
    ),
    RELATIONSHIPS: Schema(
        RELATIONSHIPS,
        "relationships",
        "関係",
        (
            Column("client", "client", "委託元", ("client (upstream)", "発注元", "上流"), required=True),
            Column("client_corporate_number", "client corporate number", "委託元法人番号"),
            Column("provider", "provider", "委託先", ("provider (downstream)", "受託先", "下流"), required=True),
            Column("provider_corporate_number", "provider corporate number", "委託先法人番号"),
            Column("type", "type", "関係の種類", ("種類", "関係"), required=True),
            Column("service", "service", "業務・サービス", ("サービス", "業務内容", "業務")),
            Column("start_date", "start date", "開始日"),
            Column("end_date", "end date", "終了日"),
            Column("redelegation_approved", "re-delegation approved", "再委託承認", ("redelegation approved", "再委託の承認")),
        ),
    ),
    CONTACTS: Schema(
        CONTACTS,
        "contacts",
        "連絡先",
        (
            Column("organisation", "organisation", "取引先", ("organization", "会社名", "組織"), required=True),
            Column("organisation_corporate_number", "organisation corporate number", "取引先法人番号", ("organization corporate number", "法人番号")),
            Column("name", "name", "氏名", ("担当者名", "名前"), required=True),
            Column("role", "role", "役割", required=True),
            Column("email", "email", "メールアドレス", ("e-mail", "メール", "mail")),
            Column("phone", "phone", "電話番号", ("電話", "tel")),
            Column("verified_on", "verified on", "連絡経路確認日", ("channel verified on", "確認日")),
        ),
    ),
}


def kind_for_sheet_name(title: str) -> str | None:
    """The kind a workbook sheet holds, from its name in either language."""
    key = normalise_key(title)
    for schema in SCHEMAS.values():
        if key in {normalise_key(schema.sheet_en), normalise_key(schema.sheet_ja), normalise_key(schema.kind)}:
            return schema.kind
    return None


def detect_kind(headers: list[str]) -> str | None:
    """The one kind whose required columns are all present and which knows every header."""
    keys = [normalise_key(h) for h in headers if str(h).strip()]
    fits = []
    for schema in SCHEMAS.values():
        fields = {schema.header_index.get(k) for k in keys}
        if None not in fields and set(schema.required) <= fields:
            fits.append(schema.kind)
    return fits[0] if len(fits) == 1 else None


# --- choice values ----------------------------------------------------------------------------------

# Words Japanese spreadsheets commonly use for our codes, accepted besides the labels.
CHOICE_ALIASES: dict[type[models.TextChoices], dict[str, tuple[str, ...]]] = {
    OrganisationKind: {
        "own": ("自社", "当社"),
        "group": ("グループ会社", "関係会社", "子会社"),
        "partner": ("取引先",),
        "contractor": ("委託先", "業務委託先"),
        "vendor": ("ソフトウェアベンダー", "ベンダー"),
        "msp": ("マネージドサービス事業者",),
        "cloud": ("クラウド", "クラウドサービス"),
        "other": ("その他",),
    },
    Criticality: {"low": ("低",), "medium": ("中",), "high": ("高",), "critical": ("最重要", "重大")},
    OrganisationStatus: {"active": ("取引中", "有効", "稼働中"), "offboarded": ("取引終了", "終了")},
    RelationshipType: {
        "parent_subsidiary": ("親子会社", "資本関係"),
        "supplies_goods": ("物品供給", "仕入"),
        "contracts_work": ("委託", "業務委託"),
        "redelegates_work": ("再委託",),
        "provides_software": ("ソフトウェア提供",),
        "provides_service": ("サービス提供", "クラウドサービス提供"),
        "business_partner": ("業務提携",),
    },
    ContactRole: {
        "security": ("セキュリティ窓口", "セキュリティ担当"),
        "incident": ("インシデント窓口", "エスカレーション窓口", "緊急連絡先"),
        "business": ("業務責任者", "業務担当"),
        "executive": ("役員", "経営層"),
    },
}


@functools.cache
def _choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    index: dict[str, str] = {}
    for value in choices.values:
        index.setdefault(normalise_key(value), value)
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in choices.choices:
                index.setdefault(normalise_key(str(label)), value)
    for value, words in CHOICE_ALIASES.get(choices, {}).items():
        for word in words:
            index.setdefault(normalise_key(word), value)
    return index


def resolve_choice(choices: type[models.TextChoices], text: str) -> str | None:
    """The code for a code, label or common word; None when nothing matches."""
    return _choice_index(choices).get(normalise_key(text))


def choice_label(choices: type[models.TextChoices], value: str, language: str) -> str:
    """The label an export writes for a code, in the export's language."""
    if not value:
        return ""
    with translation.override(language):
        return str(choices(value).label)


def choice_examples(choices: type[models.TextChoices]) -> str:
    """The labels to suggest in an error message, in the current language."""
    return ", ".join(str(label) for _value, label in choices.choices)


TRUE_WORDS = {normalise_key(w) for w in ("yes", "y", "true", "1", "はい", "○", "◯", "済", "承認済み", "承認")}
FALSE_WORDS = {normalise_key(w) for w in ("no", "n", "false", "0", "いいえ", "×", "未承認", "否")}
UNKNOWN_WORDS = {normalise_key(w) for w in ("", "unknown", "不明", "-", "—")}


def boolean_text(value: bool | None, language: str) -> str:
    if value is None:
        return ""
    if language == "en":
        return "yes" if value else "no"
    return "はい" if value else "いいえ"
