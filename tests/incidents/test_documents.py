"""The Japanese report and notice drafts: A4 .docx readable by python-docx, A4 PDF with an embedded Japanese font."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from renkei.incidents.documents import drafts
from renkei.incidents.documents.drafts import NOTICE_ITEMS, REPORT_ITEMS, NoticeData, ReportData

TOKYO = ZoneInfo("Asia/Tokyo")


# --- helpers: read the documents back ------------------------------------------------------------


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def docx_headings(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]


def pdf_text(content: bytes) -> str:
    """The text of every page, through the embedded font's ToUnicode map (as a reader would copy it)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_fonts(content: bytes) -> list[dict[str, Any]]:
    """Every font the pages use: its name, subtype and whether a font file is embedded."""
    fonts = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts.append({"name": str(font["/BaseFont"]), "subtype": str(font["/Subtype"]), "embedded": embedded})
    return fonts


def report(**overrides: Any) -> ReportData:
    values: dict[str, Any] = {
        "business_name": "連携テスト株式会社",
        "incident_title": "委託先サーバへの不正アクセス",
        "learned_at": dt.datetime(2025, 3, 31, 16, 5, tzinfo=dt.UTC),  # 4月1日 01:05 in Japan
        "prepared_on": dt.date(2025, 4, 2),
        "reasons": ["wrongful_purpose", "over_1000_persons"],
        "summary": "委託先の配送管理サーバが不正アクセスを受けた。",
        "data_items": "氏名、住所、電話番号",
        "persons": 12345,
        "persons_note": "推定",
        "cause": "脆弱性の悪用",
        "secondary_damage": "確認されていない",
        "response_to_persons": "通知を準備中",
        "publication": "当社ウェブサイトで公表予定",
        "prevention": "パッチ適用の徹底",
        "other": "警察に相談済み",
        "contact": "お客様相談窓口 0120-000-000（平日9時〜17時）",
    }
    values.update(overrides)
    return ReportData(**values)


def notice(**overrides: Any) -> NoticeData:
    values: dict[str, Any] = {
        "business_name": "連携テスト株式会社",
        "incident_title": "お客様情報の漏えいのおそれ",
        "prepared_on": dt.date(2025, 4, 2),
        "summary": "配送委託先のサーバが不正アクセスを受けました。",
        "data_items": "氏名、住所",
        "cause": "委託先サーバの脆弱性",
        "secondary_damage": "現時点で確認されていません",
        "other": "不審な連絡にご注意ください",
        "contact": "お客様窓口 0120-000-000",
    }
    values.update(overrides)
    return NoticeData(**values)


# --- Word ---------------------------------------------------------------------------------------


def test_report_docx_has_the_nine_items_in_order_with_their_values() -> None:
    content = drafts.report_docx(report())
    headings = docx_headings(content)
    assert [h.split(". ", 1)[1] for h in headings] == [label for _key, label in REPORT_ITEMS]
    assert len(headings) == 9
    text = docx_text(content)
    for value in ("連携テスト株式会社", "委託先の配送管理サーバが不正アクセスを受けた。", "氏名、住所、電話番号",
                  "12,345人（推定）", "脆弱性の悪用", "パッチ適用の徹底", "警察に相談済み"):
        assert value in text
    assert "個人データの漏えい等事案に関する報告書（速報・案）" in text
    assert "個人情報保護委員会 御中" in text
    assert "連絡先（お問い合わせ窓口）\tお客様相談窓口 0120-000-000（平日9時〜17時）" in text
    assert "【要記入】" not in text and "【未設定】" not in text  # complete: no warning


def test_report_docx_names_the_reasons_and_the_japan_time_of_learning() -> None:
    text = docx_text(drafts.report_docx(report()))
    assert "不正の目的をもって行われたおそれがある個人データの漏えい等（規則第7条第3号）" in text
    assert "個人データに係る本人の数が千人を超える漏えい等（規則第7条第4号）" in text
    assert "発覚日時\t2025年4月1日 01時05分" in text  # UTC 16:05 on 31 March is 1 April in Japan
    assert "2025年4月2日" in text  # the date of the draft, above the addressee


def test_final_report_and_empty_items_are_flagged_not_silent() -> None:
    text = docx_text(drafts.report_docx(report(stage="final", cause="", publication=" ", persons=None,
                                               persons_note="")))
    assert "報告書（確報・案）" in text
    assert "本人の数\n調査中" in text
    assert "発生原因\n（未記入）" in text
    assert "【要記入】次の項目が未記入です。送付前に記入してください：発生原因、公表の実施状況" in text


def test_missing_inquiry_contact_is_warned_in_both_documents() -> None:
    for content in (drafts.report_docx(report(contact="")), drafts.notice_docx(notice(contact=""))):
        text = docx_text(content)
        assert text.count("【未設定】お問い合わせ窓口が設定されていません") == 2  # the warning box and the item
    assert "連絡先（お問い合わせ窓口）\t【未設定】" in docx_text(drafts.report_docx(report(contact="")))
    assert "【未設定】お問い合わせ窓口が設定されていません" in pdf_text(drafts.notice_pdf(notice(contact="")))


def test_both_documents_are_a4() -> None:
    for content in (drafts.report_docx(report()), drafts.notice_docx(notice())):
        section = docx.Document(io.BytesIO(content)).sections[0]
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    for content in (drafts.report_pdf(report()), drafts.notice_pdf(notice())):
        for page in PdfReader(io.BytesIO(content)).pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_drill_is_marked() -> None:
    assert "【訓練】" in docx_text(drafts.report_docx(report(is_drill=True)))
    assert "【訓練】" in docx_text(drafts.notice_docx(notice(is_drill=True)))


def test_notice_docx_has_the_five_items_of_rule_10_and_the_contact() -> None:
    content = drafts.notice_docx(notice())
    headings = docx_headings(content)
    assert [h.split(". ", 1)[1] for h in headings[:5]] == [label for _key, label in NOTICE_ITEMS]
    assert headings[5:] == ["お問い合わせ窓口"]
    text = docx_text(content)
    assert "個人データの漏えい等に関するお知らせ（案）" in text
    for value in ("配送委託先のサーバが不正アクセスを受けました。", "氏名、住所", "委託先サーバの脆弱性",
                  "不審な連絡にご注意ください", "お客様窓口 0120-000-000"):
        assert value in text


def test_docx_sets_the_east_asian_font_and_language() -> None:
    document = docx.Document(io.BytesIO(drafts.report_docx(report())))
    xml = document.styles["Normal"].element.xml
    assert 'w:eastAsia="MS Mincho"' in xml
    assert 'w:eastAsia="ja-JP"' in xml
    assert document.core_properties.title.startswith("個人データの漏えい等事案に関する報告書")


def test_markup_in_values_stays_text() -> None:
    hostile = "<script>alert(1)</script> & <b>太字</b>"
    text = docx_text(drafts.report_docx(report(summary=hostile)))
    assert hostile in text
    pdf = drafts.report_pdf(report(summary=hostile))  # reportlab's markup would fail or inject
    assert "<script>alert(1)</script>" in pdf_text(pdf)


# --- PDF ----------------------------------------------------------------------------------------


def test_report_pdf_embeds_its_only_font_a_japanese_truetype_subset() -> None:
    # Changed by issue 11: the built-in CID fonts (HeiseiMin-W3 …) were not embedded, so a reader
    # without Japanese fonts saw blanks. Every font the PDF names must now be embedded.
    for content in (drafts.report_pdf(report()), drafts.notice_pdf(notice())):
        assert content.startswith(b"%PDF")
        fonts = pdf_fonts(content)
        assert fonts, "no font at all"
        for font in fonts:
            assert font["embedded"], font
            assert font["subtype"] == "/TrueType", font
            assert re.fullmatch(r"/[A-Z]{6}\+IPAexGothic", font["name"]), font  # a subset, tagged ABCDEF+
        assert b"HeiseiMin" not in content and b"HeiseiKakuGo" not in content


def test_pdf_page_renders_to_a_non_blank_image() -> None:
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(drafts.report_pdf(report()))
    image = document[0].render(scale=1).to_pil().convert("L")
    document.close()
    histogram = image.histogram()
    dark = sum(histogram[:128])
    assert (round(image.size[0] / 10), round(image.size[1] / 10)) == (60, 84)  # A4 at 72 dpi
    # A page of Japanese text at 72 dpi has over 10,000 dark pixels (measured 13,551); an empty page has about 1.
    assert dark > 5_000, dark


def test_report_pdf_japanese_text_round_trips() -> None:
    text = pdf_text(drafts.report_pdf(report()))
    for label in ("概要", "原因", "本人の数", "公表の実施状況", "再発防止のための措置", "その他参考となる事項"):
        assert label in text
    for value in ("連携テスト株式会社", "氏名、住所、電話番号", "12,345人（推定）", "パッチ適用の徹底"):
        assert value in text


def test_notice_pdf_round_trips() -> None:
    content = drafts.notice_pdf(notice())
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for value in ("個人データの項目", "二次被害又はそのおそれの有無及びその内容", "氏名、住所", "お客様窓口 0120-000-000"):
        assert value in text


def test_long_text_wraps_onto_further_pages() -> None:
    content = drafts.report_pdf(report(summary="長い説明文。" * 2000))
    assert len(re.findall(rb"/Type /Page\b(?!s)", content)) >= 3


# --- the export pages ---------------------------------------------------------------------------


INTERNAL_DESCRIPTION = "社内メモ：物流子会社の山田さんが怪しい。"
REPORTER_WORDS = "匿名の通報者です。貴社の会員データがフォーラムに出ています。"
UNRELATED_ASSET = "健康診断結果"
TASK_TITLE = "ファイアウォールのログを確認"


@pytest.fixture
def incident(own: Any) -> Any:
    """An incident whose internal record holds what must never reach a draft, next to the wording for it."""
    from renkei.incidents.intake.models import IntakeReport
    from renkei.incidents.response.models import Incident, IncidentAsset, IncidentTask
    from tests import factories as f

    asset = f.InformationAssetFactory(name=UNRELATED_ASSET, group_company=own, has_personal_info=True,
                                      has_sensitive_personal_info=True)
    obj = Incident.objects.create(
        group_company=own, title="配送委託先からの漏えい", learned_at=dt.datetime(2025, 4, 1, 10, 0, tzinfo=TOKYO),
        source="partner_report", category="leak", description=INTERNAL_DESCRIPTION,
        appi_sensitive=True, appi_wrongful_purpose=True, persons_estimate=1500,
        report_summary="配送業務の委託先のサーバが不正アクセスを受け、お客様の配送先情報が流出したおそれがあります。",
        report_data_items="氏名、住所、電話番号",
        report_cause="委託先サーバの脆弱性を悪用した不正アクセス",
        report_secondary_damage="現時点で確認されていません。",
        report_response_to_persons="4月10日に電子メールで通知する予定です。",
        report_publication="4月10日に当社ウェブサイトで公表する予定です。",
        report_prevention="委託先の監査を年2回に増やします。",
        report_other="警察に相談済みです。",
    )
    IncidentAsset.objects.create(incident=obj, asset=asset, records=2000, persons=1500)
    IncidentTask.objects.create(incident=obj, title=TASK_TITLE, step_name="復旧")
    IntakeReport.objects.create(group_company=own, message=REPORTER_WORDS, receipt_prefix="ABCD", receipt_hash="x" * 64,
                                incident=obj)
    return obj


def _get(client: Any, name: str, incident: Any, query: str) -> Any:
    return client.get(f"{reverse(name, args=[incident.pk])}?{query}")


def _assert_nothing_internal(text: str) -> None:
    for internal in (INTERNAL_DESCRIPTION, REPORTER_WORDS, UNRELATED_ASSET, TASK_TITLE, "山田"):
        assert internal not in text, internal


@pytest.mark.django_db
def test_csirt_exports_the_report_draft_from_the_fields_meant_for_it(
    client: Any, csirt_user: Any, incident: Any, settings: Any
) -> None:
    from renkei.incidents.response import selectors

    settings.RENKEI_INQUIRY_CONTACT = "お客様相談窓口\n電話 0120-000-000（平日9時〜17時）"
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_report_export", incident, "format=docx")
    assert response.status_code == 200
    assert response["Content-Type"] == documents_docx_type()
    assert "attachment" in response["Content-Disposition"]
    assert ".docx" in response["Content-Disposition"]
    text = docx_text(response.content)
    for heading, value in (
        ("1. 概要", incident.report_summary), ("2. 漏えい等が発生し又は発生したおそれがある個人データの項目", "氏名、住所、電話番号"),
        ("3. 本人の数", "1,500人"), ("4. 発生原因", incident.report_cause),  # 3: the count confirmed on the APPI panel
        ("5. 二次被害又はそのおそれの有無及びその内容", incident.report_secondary_damage),
        ("6. 本人への対応の実施状況", incident.report_response_to_persons),
        ("7. 公表の実施状況", incident.report_publication), ("8. 再発防止のための措置", incident.report_prevention),
        ("9. その他参考となる事項", incident.report_other),
    ):
        assert f"{heading}\n{value}" in text, heading
    assert "お客様相談窓口\n電話 0120-000-000（平日9時〜17時）" in text
    assert "【要記入】" not in text and "【未設定】" not in text
    _assert_nothing_internal(text)
    assert "要配慮個人情報が含まれる個人データの漏えい等（規則第7条第1号）" in text
    assert "千人を超える" in text
    deadlines = selectors.deadlines_for(incident)  # the clock's own dates, whatever its rules
    assert f"確報の期限\t{drafts.format_datetime(deadlines.final_due)}" in text
    assert f"速報の期限\t{drafts.format_datetime(deadlines.prelim_until)}" in text


@pytest.mark.django_db
def test_report_pdf_and_final_stage(client: Any, csirt_user: Any, incident: Any) -> None:
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_report_export", incident, "format=pdf&stage=final")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "確報" in text
    assert "委託先の監査を年2回に増やします。" in text
    _assert_nothing_internal(text)
    assert all(font["embedded"] for font in pdf_fonts(response.content))


@pytest.mark.django_db
def test_notice_export_without_a_configured_contact_warns(
    client: Any, csirt_user: Any, incident: Any, settings: Any
) -> None:
    settings.RENKEI_INQUIRY_CONTACT = ""
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_notice_export", incident, "format=docx")
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "個人データの漏えい等に関するお知らせ（案）" in text
    assert "氏名、住所、電話番号" in text and "警察に相談済みです。" in text
    assert "【未設定】お問い合わせ窓口が設定されていません" in text
    # Report-only items are not told to the persons.
    assert incident.report_prevention not in text and incident.report_publication not in text
    _assert_nothing_internal(text)
    pdf = _get(client, "incidents:incident_notice_export", incident, "format=pdf")
    assert pdf.content.startswith(b"%PDF")
    assert "【未設定】" in pdf_text(pdf.content)


@pytest.mark.django_db
def test_unknown_format_is_refused_clearly(client: Any, csirt_user: Any, incident: Any) -> None:
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_report_export", incident, "format=exe")
    assert response.status_code == 400
    response = _get(client, "incidents:incident_report_export", incident, "format=pdf&stage=weekly")
    assert response.status_code == 400


@pytest.mark.django_db
def test_viewer_and_analyst_may_not_export(client: Any, viewer: Any, analyst: Any, incident: Any) -> None:
    for user in (viewer, analyst):
        client.force_login(user)
        assert _get(client, "incidents:incident_report_export", incident, "format=docx").status_code == 403
        assert _get(client, "incidents:incident_notice_export", incident, "format=pdf").status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client: Any, incident: Any) -> None:
    response = _get(client, "incidents:incident_report_export", incident, "format=docx")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.django_db
def test_other_companys_incident_is_not_found(client: Any, subsidiary: Any, incident: Any) -> None:
    from renkei.core.permissions import Role
    from tests import factories as f

    client.force_login(f.UserFactory(role=Role.CSIRT, companies=[subsidiary]))
    assert _get(client, "incidents:incident_report_export", incident, "format=docx").status_code == 404


def documents_docx_type() -> str:
    from renkei.incidents.documents.views import DOCX_TYPE

    return DOCX_TYPE
