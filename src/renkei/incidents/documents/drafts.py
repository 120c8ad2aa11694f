"""Japanese drafts of the PPC breach report and the notice to individuals, as .docx and PDF.

A pure engine: plain dataclasses in, document bytes out; no ORM and no request. The callers
(`selectors`, `views`) build the data from an incident.

The documents are Japanese whatever the user's UI language: the report to the Personal Information
Protection Commission (個人情報保護委員会, APPI Art. 26 and PPC rules 7–8) and the notice to the
people affected are Japanese legal documents, so their headings are fixed Japanese text here and
not translatable UI strings.

PDF: reportlab with its built-in Japanese CID fonts (HeiseiKakuGo-W5 for headings, HeiseiMin-W3
for text). They need no font files: a PDF viewer supplies them, which keeps installs offline and
small. Word: python-docx, with the East Asian font set on every style so Word does not fall back
to a Latin font for the Japanese text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

TOKYO = ZoneInfo("Asia/Tokyo")

# The nine items of the report (PPC rules Art. 8 ¶1), in the order of the official form.
REPORT_ITEMS: tuple[tuple[str, str], ...] = (
    ("summary", "概要"),
    ("data_items", "漏えい等が発生し又は発生したおそれがある個人データの項目"),
    ("persons", "本人の数"),
    ("cause", "原因"),
    ("secondary_damage", "二次被害又はそのおそれの有無及びその内容"),
    ("response_to_persons", "本人への対応の実施状況"),
    ("publication", "公表の実施状況"),
    ("prevention", "再発防止のための措置"),
    ("other", "その他参考となる事項"),
)

# What the people affected must be told (PPC rules Art. 10).
NOTICE_ITEMS: tuple[tuple[str, str], ...] = (
    ("summary", "概要"),
    ("data_items", "個人データの項目"),
    ("cause", "原因"),
    ("secondary_damage", "二次被害又はそのおそれの有無及びその内容"),
    ("other", "その他"),
)

# Why a report is required (PPC rules Art. 7, items 1–4), by the reason codes of `deadlines.appi_assessment`.
REASON_LABELS: dict[str, str] = {
    "sensitive": "要配慮個人情報が含まれる個人データの漏えい等（規則第7条第1号）",
    "financial_risk": "不正に利用されることにより財産的被害が生じるおそれがある個人データの漏えい等（規則第7条第2号）",
    "wrongful_purpose": "不正の目的をもって行われたおそれがある個人データの漏えい等（規則第7条第3号）",
    "over_1000_persons": "個人データに係る本人の数が千人を超える漏えい等（規則第7条第4号）",
    "encrypted_exempt": "高度な暗号化等の措置が講じられているため報告対象外",
    "none_applies": "規則第7条各号のいずれにも該当しない",
    "contractor_notifies_principal": "委託先として委託元へ速やかに通知する（委託元が報告する）",
}

STAGE_LABELS = {"preliminary": "速報", "final": "確報"}
EMPTY = "（未記入）"
DRILL_MARK = "【訓練】"

FONT_GOTHIC = "HeiseiKakuGo-W5"
FONT_MINCHO = "HeiseiMin-W3"
DOCX_FONT_GOTHIC = "MS Gothic"
DOCX_FONT_MINCHO = "MS Mincho"


@dataclass(frozen=True)
class ReportData:
    """The report to the PPC: who reports, about what, and the nine items (free text, Japanese)."""

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


@dataclass(frozen=True)
class _Section:
    heading: str
    text: str


@dataclass(frozen=True)
class _Document:
    """What both renderers draw: a title, a few header lines, an opening, numbered sections, a closing."""

    title: str
    meta: tuple[tuple[str, str], ...]
    opening: str
    sections: tuple[_Section, ...]
    closing: str


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


def _report_document(data: ReportData) -> _Document:
    stage = STAGE_LABELS.get(data.stage, data.stage)
    reasons = "\n".join(REASON_LABELS.get(r, r) for r in data.reasons) or EMPTY
    values = {key: getattr(data, key, "") for key, _heading in REPORT_ITEMS}
    values["persons"] = format_persons(data.persons, data.persons_note)
    meta = (
        ("報告者", _or_empty(data.business_name)),
        ("報告の種類", stage),
        ("事案", _or_empty(data.incident_title)),
        ("発覚日時", format_datetime(data.learned_at)),
        ("発生日時", format_datetime(data.occurred_at)),
        ("作成日", format_date(data.prepared_on)),
        ("速報の期限", format_datetime(data.prelim_until) if data.prelim_until else EMPTY),
        ("確報の期限", format_datetime(data.final_due) if data.final_due else EMPTY),
    )
    return _Document(
        title=_title(f"個人データの漏えい等事案に関する報告書（{stage}・案）", data.is_drill),
        meta=meta,
        opening=f"個人情報保護委員会 御中\n\n報告対象となる事態:\n{reasons}",
        sections=tuple(_Section(heading, _or_empty(str(values[key]))) for key, heading in REPORT_ITEMS),
        closing="以上",
    )


def _notice_document(data: NoticeData) -> _Document:
    values = {key: getattr(data, key, "") for key, _heading in NOTICE_ITEMS}
    opening = (
        "このたび、当社が取り扱う個人データについて、漏えい等が発生し、又は発生したおそれがあることが"
        "判明いたしました。関係する皆様に多大なご迷惑とご心配をおかけしますことを深くお詫び申し上げます。"
        "以下のとおりお知らせいたします。"
    )
    closing = f"お問い合わせ窓口\n{_or_empty(data.contact)}\n\n以上"
    return _Document(
        title=_title("個人データの漏えい等に関するお知らせ（案）", data.is_drill),
        meta=(("日付", format_date(data.prepared_on)), ("差出人", _or_empty(data.business_name)),
              ("件名", _or_empty(data.incident_title))),
        opening=opening,
        sections=tuple(_Section(heading, _or_empty(str(values[key]))) for key, heading in NOTICE_ITEMS),
        closing=closing,
    )


# --- Word ---------------------------------------------------------------------------------------


def _docx(document: _Document) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    for style_name, font in (
        ("Normal", DOCX_FONT_MINCHO), ("Title", DOCX_FONT_GOTHIC), ("Heading 1", DOCX_FONT_GOTHIC),
    ):
        style = doc.styles[style_name]
        style.font.name = font
        r_pr = style.element.get_or_add_rPr()
        r_fonts = r_pr.get_or_add_rFonts()
        r_fonts.set(qn("w:eastAsia"), font)
        lang = r_pr.find(qn("w:lang"))
        if lang is None:
            lang = r_pr.makeelement(qn("w:lang"), {})
            r_pr.append(lang)
        lang.set(qn("w:eastAsia"), "ja-JP")
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = document.title
    doc.core_properties.language = "ja-JP"

    doc.add_heading(document.title, level=0)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in document.meta:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    doc.add_paragraph()
    for line in document.opening.split("\n"):
        doc.add_paragraph(line)
    for number, section in enumerate(document.sections, start=1):
        doc.add_heading(f"{number}. {section.heading}", level=1)
        for line in section.text.split("\n"):
            doc.add_paragraph(line)
    doc.add_paragraph()
    for line in document.closing.split("\n"):
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    registered = pdfmetrics.getRegisteredFontNames()
    for name in (FONT_GOTHIC, FONT_MINCHO):
        if name not in registered:
            pdfmetrics.registerFont(UnicodeCIDFont(name))


def _markup(text: str) -> str:
    """Paragraph text for reportlab: its mini-markup is escaped, so user text cannot inject tags."""
    return escape(text).replace("\n", "<br/>")


def _pdf(document: _Document) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    _register_fonts()
    # wordWrap="CJK" lets lines break between any two Japanese characters.
    body = ParagraphStyle("body", fontName=FONT_MINCHO, fontSize=10.5, leading=16, wordWrap="CJK")
    heading = ParagraphStyle(
        "heading", parent=body, fontName=FONT_GOTHIC, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4
    )
    title = ParagraphStyle("title", parent=heading, fontSize=15, leading=22, alignment=1, spaceAfter=10)

    story: list[object] = [Paragraph(_markup(document.title), title)]
    rows = [[Paragraph(_markup(k), heading), Paragraph(_markup(v), body)] for k, v in document.meta]
    table = Table(rows, colWidths=[35 * mm, 135 * mm])
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
    ]))
    story += [table, Spacer(1, 6 * mm), Paragraph(_markup(document.opening), body)]
    for number, section in enumerate(document.sections, start=1):
        story.append(Paragraph(_markup(f"{number}. {section.heading}"), heading))
        story.append(Paragraph(_markup(section.text), body))
    story += [Spacer(1, 6 * mm), Paragraph(_markup(document.closing), body)]

    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        out, pagesize=A4, title=document.title, author="Renkei", lang="ja-JP",
        leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
    )
    pdf.build(story)  # type: ignore[arg-type]
    return out.getvalue()


# --- the four entry points ----------------------------------------------------------------------


def report_docx(data: ReportData) -> bytes:
    """The PPC report draft (nine items) as a Word document."""
    return _docx(_report_document(data))


def report_pdf(data: ReportData) -> bytes:
    """The PPC report draft (nine items) as a PDF with the built-in Japanese CID fonts."""
    return _pdf(_report_document(data))


def notice_docx(data: NoticeData) -> bytes:
    """The notice to the people affected (five items) as a Word document."""
    return _docx(_notice_document(data))


def notice_pdf(data: NoticeData) -> bytes:
    """The notice to the people affected (five items) as a PDF with the built-in Japanese CID fonts."""
    return _pdf(_notice_document(data))
