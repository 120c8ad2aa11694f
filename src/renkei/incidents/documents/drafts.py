"""Japanese drafts of the PPC breach report and the notice to individuals, as A4 .docx and PDF.

A pure engine: plain dataclasses in, a `core.documents.Document` out (rendered by core to PDF with
an embedded Japanese font, or to Word); no ORM and no request. The callers (`selectors`, `views`)
build the data from the incident's fields written for these documents (報告・通知用の記載).

The documents are Japanese whatever the user's UI language: the report to the Personal Information
Protection Commission (個人情報保護委員会, APPI Art. 26 and PPC rules Art. 7–8) and the notice to the
people affected (APPI Art. 26 ¶2, PPC rules Art. 10) are Japanese legal documents, so their headings
are fixed Japanese text here and not translatable UI strings.

An item left empty is printed as 「（未記入）」 and listed in a boxed warning at the top, and so is a
missing inquiry contact: a draft never looks finished when it is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from renkei.core.documents import (
    Block,
    Document,
    Heading,
    KeyValues,
    Notice,
    Paragraph,
    render_docx,
    render_pdf,
)

TOKYO = ZoneInfo("Asia/Tokyo")

# The nine items of the report (PPC rules Art. 8 ¶1 items 1–9), in the order and wording of the
# PPC's report form (報告様式).
REPORT_ITEMS: tuple[tuple[str, str], ...] = (
    ("summary", "概要"),
    ("data_items", "漏えい等が発生し又は発生したおそれがある個人データの項目"),
    ("persons", "本人の数"),
    ("cause", "発生原因"),
    ("secondary_damage", "二次被害又はそのおそれの有無及びその内容"),
    ("response_to_persons", "本人への対応の実施状況"),
    ("publication", "公表の実施状況"),
    ("prevention", "再発防止のための措置"),
    ("other", "その他参考となる事項"),
)

# What the people affected must be told (PPC rules Art. 10: items 1, 2, 4, 5 and 9 of Art. 8 ¶1).
NOTICE_ITEMS: tuple[tuple[str, str], ...] = (
    ("summary", "概要"),
    ("data_items", "漏えい等が発生し又は発生したおそれがある個人データの項目"),
    ("cause", "原因"),
    ("secondary_damage", "二次被害又はそのおそれの有無及びその内容"),
    ("other", "その他参考となる事項"),
)

# Why a report is required (PPC rules Art. 7, items 1–4), by the reason codes of `deadlines.appi_assessment`.
REASON_LABELS: dict[str, str] = {
    "sensitive": "要配慮個人情報が含まれる個人データの漏えい等（規則第7条第1号）",
    "financial_risk": "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等（規則第7条第2号）",
    "wrongful_purpose": "不正の目的をもって行われたおそれがある個人データの漏えい等（規則第7条第3号）",
    "over_1000_persons": "個人データに係る本人の数が千人を超える漏えい等（規則第7条第4号）",
    "encrypted_exempt": "高度な暗号化等の措置が講じられ、復号鍵も漏えいしていないため報告対象外",
    "none_applies": "規則第7条各号のいずれにも該当しない",
    "may_apply": "判定未了（未回答の事態に該当する可能性があり、報告が必要となる可能性がある）",
    "contractor_notifies_principal": "委託先として委託元へ速やかに通知する（委託元が報告する）",
}

STAGE_LABELS = {"preliminary": "速報", "final": "確報"}
EMPTY = "（未記入）"
DRILL_MARK = "【訓練】"
CONTACT_LABEL = "お問い合わせ窓口"
CONTACT_MISSING = "【未設定】お問い合わせ窓口が設定されていません。送付前に窓口（部署名・電話番号・受付時間・メール）を記載してください。"
MISSING_HEADING = "【要記入】次の項目が未記入です。送付前に記入してください："


@dataclass(frozen=True)
class ReportData:
    """The report to the PPC: who reports, about what, the nine items, and where to ask (free text)."""

    business_name: str
    incident_title: str
    stage: str = "preliminary"
    learned_at: datetime | None = None
    occurred_at: datetime | None = None
    prepared_on: date | None = None
    prelim_until: datetime | None = None
    final_due: datetime | None = None
    reasons: Sequence[str] = ()
    summary: str = ""
    data_items: str = ""
    persons: int | None = None
    persons_note: str = ""
    cause: str = ""
    secondary_damage: str = ""
    response_to_persons: str = ""
    publication: str = ""
    prevention: str = ""
    other: str = ""
    contact: str = ""
    is_drill: bool = False


@dataclass(frozen=True)
class NoticeData:
    """The notice to the people affected: the five items, and where they can ask."""

    business_name: str
    incident_title: str
    prepared_on: date | None = None
    summary: str = ""
    data_items: str = ""
    cause: str = ""
    secondary_damage: str = ""
    other: str = ""
    contact: str = ""
    is_drill: bool = False


# --- formatting ---------------------------------------------------------------------------------


def format_datetime(value: datetime | None) -> str:
    """Japan time, as on the official forms: 2025年4月1日 10時05分."""
    if value is None:
        return EMPTY
    local = value.astimezone(TOKYO) if value.tzinfo else value
    return f"{local.year}年{local.month}月{local.day}日 {local.hour:02d}時{local.minute:02d}分"


def format_date(value: date | None) -> str:
    if value is None:
        return EMPTY
    return f"{value.year}年{value.month}月{value.day}日"


def format_persons(persons: int | None, note: str = "") -> str:
    text = "調査中" if persons is None else f"{persons:,}人"
    return f"{text}（{note}）" if note else text


def _or_empty(text: str) -> str:
    text = (text or "").strip()
    return text or EMPTY


def _title(base: str, is_drill: bool) -> str:
    return f"{DRILL_MARK}{base}" if is_drill else base


def _item_values(data: ReportData | NoticeData, items: tuple[tuple[str, str], ...]) -> dict[str, str]:
    values = {key: str(getattr(data, key, "") or "").strip() for key, _label in items}
    if isinstance(data, ReportData):
        values["persons"] = format_persons(data.persons, data.persons_note)
    return values


def missing_report_items(data: ReportData) -> list[str]:
    """The report's items still empty, by their headings (本人の数 unknown counts as 調査中, not missing)."""
    values = _item_values(data, REPORT_ITEMS)
    return [label for key, label in REPORT_ITEMS if not values[key]]


def missing_notice_items(data: NoticeData) -> list[str]:
    """The notice's items still empty, by their headings."""
    values = _item_values(data, NOTICE_ITEMS)
    return [label for key, label in NOTICE_ITEMS if not values[key]]


def _warnings(missing: list[str], contact: str) -> tuple[Notice, ...]:
    notices = []
    if missing:
        notices.append(Notice(MISSING_HEADING + "、".join(missing)))
    if not contact.strip():
        notices.append(Notice(CONTACT_MISSING))
    return tuple(notices)


def _contact(contact: str) -> str:
    return contact.strip() or CONTACT_MISSING


# --- the two documents --------------------------------------------------------------------------


def report_document(data: ReportData) -> Document:
    """The report draft laid out after the PPC's report form: header table, then items 1–9."""
    stage = STAGE_LABELS.get(data.stage, data.stage)
    reasons = "\n".join(REASON_LABELS.get(r, r) for r in data.reasons) or EMPTY
    values = _item_values(data, REPORT_ITEMS)
    header = KeyValues((
        ("報告者（事業者の名称）", _or_empty(data.business_name)),
        ("報告の種類", stage),
        ("事案の名称", _or_empty(data.incident_title)),
        ("発覚日時", format_datetime(data.learned_at)),
        ("発生日時", format_datetime(data.occurred_at) if data.occurred_at else "調査中"),
        ("報告対象となる事態", reasons),
        ("速報の期限", format_datetime(data.prelim_until) if data.prelim_until else EMPTY),
        ("確報の期限", format_datetime(data.final_due) if data.final_due else EMPTY),
        ("連絡先（" + CONTACT_LABEL + "）", _contact(data.contact)),
    ))
    blocks: list[Block] = [
        *_warnings(missing_report_items(data), data.contact),
        Paragraph(format_date(data.prepared_on), align="right"),
        Paragraph("個人情報保護委員会 御中"),
        Paragraph("個人情報の保護に関する法律第26条第1項の規定により、下記のとおり報告します。"),
        header,
    ]
    for number, (key, label) in enumerate(REPORT_ITEMS, start=1):
        blocks += [Heading(f"{number}. {label}"), Paragraph(values[key] or EMPTY)]
    blocks.append(Paragraph("以上", align="right"))
    return Document(
        title=_title(f"個人データの漏えい等事案に関する報告書（{stage}・案）", data.is_drill),
        blocks=tuple(blocks),
        footer=_title(f"{data.business_name}　報告書（{stage}）案", data.is_drill),
    )


def notice_document(data: NoticeData) -> Document:
    """The notice draft: an apology, the five items of PPC rules Art. 10, and the inquiry desk."""
    values = _item_values(data, NOTICE_ITEMS)
    blocks: list[Block] = [
        *_warnings(missing_notice_items(data), data.contact),
        Paragraph(f"{format_date(data.prepared_on)}\n{_or_empty(data.business_name)}", align="right"),
        Paragraph(
            "このたび、当社が取り扱う皆様の個人データについて、漏えい等が発生し、又は発生したおそれがあることが"
            "判明いたしました。皆様に多大なご迷惑とご心配をおかけしますことを深くお詫び申し上げます。"
            "個人情報の保護に関する法律に基づき、以下のとおりお知らせいたします。"
        ),
    ]
    for number, (key, label) in enumerate(NOTICE_ITEMS, start=1):
        blocks += [Heading(f"{number}. {label}"), Paragraph(values[key] or EMPTY)]
    blocks += [Heading(CONTACT_LABEL), Paragraph(_contact(data.contact)), Paragraph("以上", align="right")]
    return Document(
        title=_title("個人データの漏えい等に関するお知らせ（案）", data.is_drill),
        blocks=tuple(blocks),
        footer=_title(f"{data.business_name}　お知らせ（案）", data.is_drill),
    )


# --- the four entry points ----------------------------------------------------------------------


def report_docx(data: ReportData) -> bytes:
    """The PPC report draft (nine items) as an A4 Word document."""
    return render_docx(report_document(data))


def report_pdf(data: ReportData) -> bytes:
    """The PPC report draft (nine items) as an A4 PDF with an embedded Japanese font."""
    return render_pdf(report_document(data))


def notice_docx(data: NoticeData) -> bytes:
    """The notice to the people affected (five items) as an A4 Word document."""
    return render_docx(notice_document(data))


def notice_pdf(data: NoticeData) -> bytes:
    """The notice to the people affected (five items) as an A4 PDF with an embedded Japanese font."""
    return render_pdf(notice_document(data))
