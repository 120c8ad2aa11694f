"""The Japanese report and notice drafts: .docx readable by python-docx, PDF with the built-in CID fonts."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import zlib
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
from django.urls import reverse

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


def _pdf_strings(stream: bytes) -> list[bytes]:
    """The literal strings of a content stream, with PDF escapes undone."""
    strings: list[bytes] = []
    i = 0
    while i < len(stream):
        if stream[i : i + 1] != b"(":
            i += 1
            continue
        i += 1
        depth, out = 1, bytearray()
        while i < len(stream) and depth:
            ch = stream[i : i + 1]
            if ch == b"\\":
                nxt = stream[i + 1 : i + 2]
                octal = re.match(rb"[0-7]{1,3}", stream[i + 1 : i + 4])
                if octal:
                    out.append(int(octal.group(0), 8))
                    i += 1 + len(octal.group(0))
                    continue
                out += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(nxt, nxt)
                i += 2
                continue
            if ch == b"(":
                depth += 1
            elif ch == b")":
                depth -= 1
                if not depth:
                    i += 1
                    break
            out += ch
            i += 1
        strings.append(bytes(out))
    return strings


def pdf_text(content: bytes) -> str:
    """The text drawn with the Japanese CID fonts (encoded UTF-16BE by UniJIS-UCS2-H)."""
    texts = []
    for match in re.finditer(rb"/Filter \[ /ASCII85Decode /FlateDecode \][^>]*>>\s*stream\r?\n(.*?)endstream",
                             content, re.S):
        stream = zlib.decompress(base64.a85decode(match.group(1).strip(), adobe=True))
        for raw in _pdf_strings(stream):
            if len(raw) % 2 == 0:
                texts.append(raw.decode("utf-16-be", errors="replace"))
    return "\n".join(texts)


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


def test_report_docx_names_the_reasons_and_the_japan_time_of_learning() -> None:
    text = docx_text(drafts.report_docx(report()))
    assert "不正の目的をもって行われたおそれがある個人データの漏えい等（規則第7条第3号）" in text
    assert "個人データに係る本人の数が千人を超える漏えい等（規則第7条第4号）" in text
    assert "発覚日時\t2025年4月1日 01時05分" in text  # UTC 16:05 on 31 March is 1 April in Japan
    assert "作成日\t2025年4月2日" in text


def test_final_report_and_empty_items() -> None:
    text = docx_text(drafts.report_docx(report(stage="final", cause="", persons=None, persons_note="")))
    assert "報告書（確報・案）" in text
    assert "本人の数\n調査中" in text
    assert "原因\n（未記入）" in text


def test_drill_is_marked() -> None:
    assert "【訓練】" in docx_text(drafts.report_docx(report(is_drill=True)))
    assert "【訓練】" in docx_text(drafts.notice_docx(notice(is_drill=True)))


def test_notice_docx_has_the_five_items_and_the_contact() -> None:
    content = drafts.notice_docx(notice())
    assert [h.split(". ", 1)[1] for h in docx_headings(content)] == [label for _key, label in NOTICE_ITEMS]
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


def test_report_pdf_uses_the_built_in_japanese_cid_fonts() -> None:
    content = drafts.report_pdf(report())
    assert content.startswith(b"%PDF")
    assert b"/BaseFont /HeiseiKakuGo-W5" in content
    assert b"/BaseFont /HeiseiMin-W3" in content
    assert b"/Encoding /UniJIS-UCS2-H" in content
    assert b"/FontFile" not in content  # no embedded font file: the viewer supplies the CID font


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


@pytest.fixture
def incident(own: Any) -> Any:
    from renkei.incidents.response.models import Incident, IncidentAsset
    from tests import factories as f

    asset = f.InformationAssetFactory(name="顧客台帳", group_company=own, has_personal_info=True,
                                      has_sensitive_personal_info=True)
    obj = Incident.objects.create(
        group_company=own, title="配送委託先からの漏えい", learned_at=dt.datetime(2025, 4, 1, 10, 0, tzinfo=TOKYO),
        source="partner_report", category="leak", description="配送委託先から顧客情報が流出した。",
        appi_sensitive=True, appi_wrongful_purpose=True, persons_estimate=1500,
    )
    IncidentAsset.objects.create(incident=obj, asset=asset, records=2000, persons=1500)
    return obj


def _get(client: Any, name: str, incident: Any, query: str) -> Any:
    return client.get(f"{reverse(name, args=[incident.pk])}?{query}")


@pytest.mark.django_db
def test_csirt_exports_the_report_draft_prefilled(client: Any, csirt_user: Any, incident: Any) -> None:
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_report_export", incident, "format=docx")
    assert response.status_code == 200
    assert response["Content-Type"] == documents_docx_type()
    assert "attachment" in response["Content-Disposition"]
    assert ".docx" in response["Content-Disposition"]
    text = docx_text(response.content)
    assert "配送委託先から顧客情報が流出した。" in text
    assert "顧客台帳" in text
    assert "1,500人（推定）" in text
    assert "要配慮個人情報が含まれる個人データの漏えい等（規則第7条第1号）" in text
    assert "千人を超える" in text
    # 60 days for a wrongful purpose, the day of learning being day 1 (issue 11): learned 1 April →
    # day 60 is 30 May, end of day, Japan time.
    assert "確報の期限\t2025年5月30日 23時59分" in text
    assert "速報の期限\t2025年4月5日 23時59分" in text  # day 5


@pytest.mark.django_db
def test_report_pdf_and_final_stage(client: Any, csirt_user: Any, incident: Any) -> None:
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_report_export", incident, "format=pdf&stage=final")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "確報" in pdf_text(response.content)


@pytest.mark.django_db
def test_notice_export(client: Any, csirt_user: Any, incident: Any) -> None:
    client.force_login(csirt_user)
    response = _get(client, "incidents:incident_notice_export", incident, "format=docx")
    assert response.status_code == 200
    text = docx_text(response.content)
    assert "個人データの漏えい等に関するお知らせ（案）" in text
    assert "顧客台帳" in text
    pdf = _get(client, "incidents:incident_notice_export", incident, "format=pdf")
    assert pdf.content.startswith(b"%PDF")


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
