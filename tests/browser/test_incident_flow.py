"""Issue 5's end-to-end flow, as people do it: a partner reports a breach through the public form and
keeps its receipt code; the CSIRT opens an incident from the report, names the sub-subcontractor
involved, answers the APPI questions, reads the decision and the deadlines, and downloads the
report draft (.docx and PDF); the partner then sees on its status page that the report was taken up.

The partner and the CSIRT use separate browser contexts: the reporter is never logged in.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from renkei.incidents.intake.models import IntakeReport
from renkei.incidents.response.models import Incident
from tests.browser.conftest import RESULTS_DIR, TIMEOUT_MS
from tests.browser.helpers import demo_login, login, nav_click
from tests.browser.helpers import text as _text  # shared by the browser tests

pytestmark = pytest.mark.browser

TOKYO = ZoneInfo("Asia/Tokyo")
PARTNER_ORGANISATION = "北斗システムサービス株式会社 情報セキュリティ室"
PARTNER_NAME = "佐藤 一郎"
PARTNER_EMAIL = "security@hokuto-ss.example.jp"
INCIDENT_TITLE = "いさり火データのバックアップサーバからの会員情報漏えいのおそれ"

# Japanese texts of the catalogue (src/renkei/locale/ja/LC_MESSAGES/django.po) the user reads.
STATUS_NEW = "新規"  # IntakeStatus.NEW
STATUS_LINKED = "インシデントに関連付け済み"  # IntakeStatus.LINKED
# What the reporter is shown instead of our triage states (issue 11 §5).
REPORTER_RECEIVED = "受け付けました"
REPORTER_IN_PROGRESS = "確認しています"
DECISION_REQUIRED = "個人情報保護委員会への報告（漏えい等報告）が必要です。"
DECISION_UNDETERMINED = "判定未了（報告が必要となる可能性があります）"
REASON_WRONGFUL = "不正の目的をもって行われたおそれがあります（不正アクセスなど）。"
REASON_OVER_1000 = "本人の数が1,000人を超えています。"
PRELIMINARY = "速報"
FINAL = "確報"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # The public form counts submissions per address in the (process-wide) cache; other tests in the
    # same run may have used up 127.0.0.1's attempts.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reporter(browser: Any, live_server: Any) -> Iterator[Any]:
    """A second, anonymous browser (the partner's), set up like the `page` fixture."""
    context = browser.new_context(
        base_url=live_server.url, locale="ja-JP", timezone_id="Asia/Tokyo", viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.console_errors = errors  # type: ignore[attr-defined]
    yield tab
    context.close()


def _assert_no_form_errors(page: Any) -> None:
    errors = page.locator(".error, .errorlist").all_text_contents()
    assert not errors, f"the form was refused: {errors}"


def _download(page: Any, selector: str) -> tuple[str, bytes]:
    """Click a download link; the file's suggested name and content."""
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    assert download.failure() is None, download.failure()
    return download.suggested_filename, Path(download.path()).read_bytes()


def _docx_text(content: bytes) -> str:
    """All text of a Word document: paragraphs and table cells."""
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def _assert_pdf_renders_with_an_embedded_font(content: bytes) -> None:
    """The PDF carries its Japanese font, and its first page rendered to PNG is not blank."""
    import pypdfium2 as pdfium
    from pypdf import PdfReader

    for pdf_page in PdfReader(io.BytesIO(content)).pages:
        for ref in pdf_page["/Resources"]["/Font"].values():
            descriptor = ref.get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, ref.get_object()["/BaseFont"]
    document = pdfium.PdfDocument(content)
    image = document[0].render(scale=1).to_pil()
    document.close()
    RESULTS_DIR.mkdir(exist_ok=True)
    image.save(RESULTS_DIR / "report-draft-page1.png")
    assert sum(image.convert("L").histogram()[:128]) > 5_000, "the first page renders blank"


def _end_of_day(day: dt.date) -> str:
    """A deadline as the page shows it: the day ends at 23:59(:59) Japan time."""
    return f"{day:%Y/%m/%d} 23:59"  # the Japanese pages' date style (core/formats/ja)


def test_partner_report_to_appi_decision_and_report_draft(page, reporter, demo):
    sub_subcontractor = demo.SUB_SUBCONTRACTOR_NAME
    message = (
        f"再々委託先の{sub_subcontractor}が運用するバックアップサーバに外部から不正アクセスされた形跡があります。\n"
        "貴社の会員データベースの複製が保管されていました。"
    )

    # (1) The partner, not logged in, sends a partner report through the public form.
    reporter.goto("/report/")
    assert reporter.get_attribute("html", "lang") == "ja"
    reporter.check("input[name='kind'][value='partner_report']")
    reporter.fill("#id_reporter_organisation", PARTNER_ORGANISATION)
    reporter.fill("#id_reporter_name", PARTNER_NAME)
    reporter.fill("#id_reporter_email", PARTNER_EMAIL)
    reporter.fill("#id_message", message)
    reporter.click("#intake-submit")
    reporter.wait_for_url("**/report/receipt/")
    code = _text(reporter, "#receipt-code")
    assert re.fullmatch(r"[A-Z0-9]+(-[A-Z0-9]+)+", code), code
    report = IntakeReport.objects.get(reporter_organisation=PARTNER_ORGANISATION)  # the demo holds a tip too
    assert (report.kind, report.reporter_organisation, report.anonymous) == (
        "partner_report", PARTNER_ORGANISATION, False
    )
    assert code.replace("-", "").startswith(report.receipt_prefix)

    # (2) With the code, the partner opens the status page: the report is new.
    reporter.click("a[href='/report/status/']:not(#intake-lang)")
    reporter.wait_for_url("**/report/status/")
    reporter.fill("#id_code", code)
    reporter.click("#lookup-submit")
    reporter.wait_for_url("**/report/status/report/")
    assert _text(reporter, "#report-status") == REPORTER_RECEIVED
    assert sub_subcontractor in _text(reporter, "#report-message")

    # (3) The CSIRT logs in, finds the report in the intake list and opens an incident from it.
    login(page, *demo_login(demo, "csirt"))
    nav_click(page, "a[href='/incidents/']")
    page.click(".pagehead .actions a[href='/incidents/intake/']")
    page.wait_for_url("**/incidents/intake/")
    page.click(f"table.list a:text-is('{report.receipt_prefix}')")
    page.wait_for_url(f"**/incidents/intake/{report.pk}/")
    assert sub_subcontractor in _text(page, "#intake-message")
    assert PARTNER_EMAIL in _text(page, "table.detail")
    assert _text(page, "#intake-status") == STATUS_NEW
    page.fill("#incident-form #id_title", INCIDENT_TITLE)
    page.click("#create-incident")
    page.wait_for_url(re.compile(r"/incidents/\d+/$"))
    _assert_no_form_errors(page)
    incident = Incident.objects.get(title=INCIDENT_TITLE)
    assert page.url.endswith(f"/incidents/{incident.pk}/")
    assert _text(page, ".pagehead h1") == INCIDENT_TITLE
    assert _text(page, "#incident-parties") == "—"
    report.refresh_from_db()
    assert report.incident_id == incident.pk
    # Nothing answered yet: the page never says "no report needed" (issue 11); the deadlines run
    # provisionally and the open questions are listed.
    assert _text(page, "#appi-decision") == DECISION_UNDETERMINED
    assert "不要" not in _text(page, "#appi-panel")
    assert page.locator("#appi-unanswered li").count() == 4
    assert page.locator("#appi-deadlines tbody tr").count() == 2

    # The form that opens an incident from a report has no parties: name the sub-subcontractor by editing.
    page.click("#edit-incident")
    page.wait_for_url(f"**/incidents/{incident.pk}/edit/")
    page.select_option("#id_parties", label=sub_subcontractor)
    page.click("#save-button")
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    _assert_no_form_errors(page)
    assert _text(page, "#incident-parties").startswith(sub_subcontractor)
    assert list(incident.parties.values_list("name", flat=True)) == [sub_subcontractor]

    # (4) The APPI questions: a wrongful purpose is suspected and more than 1,000 persons are affected.
    page.click("#appi-edit")
    page.wait_for_url(f"**/incidents/{incident.pk}/appi/")
    page.select_option("#id_appi_sensitive", "false")
    page.select_option("#id_appi_financial_risk", "false")
    page.select_option("#id_appi_wrongful_purpose", "true")
    page.fill("#id_persons_estimate", "1200000")
    page.click("#save-button")
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    _assert_no_form_errors(page)

    assert _text(page, "#appi-decision") == DECISION_REQUIRED
    reasons = page.locator("#appi-reasons li").all_text_contents()
    assert REASON_WRONGFUL in reasons and REASON_OVER_1000 in reasons, reasons
    # The clock starts when we learned of it (when the incident was opened); that day in Tokyo is
    # day 1 (issue 11), so day N is day1 + N - 1.
    incident.refresh_from_db()
    day1 = incident.learned_at.astimezone(TOKYO).date()
    deadlines = {
        row.locator("td").nth(0).inner_text().strip(): row.locator("td").nth(1).inner_text().strip().splitlines()[0]
        for row in page.locator("#appi-deadlines tbody tr").all()
    }
    assert deadlines == {
        PRELIMINARY: _end_of_day(day1 + dt.timedelta(days=4)),  # day 5
        FINAL: _end_of_day(day1 + dt.timedelta(days=59)),  # day 60, not 30: wrongful purpose
    }, deadlines
    window = _text(page, "#appi-panel")
    assert _end_of_day(day1 + dt.timedelta(days=2)) in window, "the 速報 window starts on day 3"

    # (5) The report draft, as Word and as PDF.
    name, content = _download(page, "#report-docx")
    assert name.endswith(".docx"), name
    text = _docx_text(content)
    assert "概要" in text
    assert INCIDENT_TITLE in text
    name, content = _download(page, "#report-pdf")
    assert name.endswith(".pdf"), name
    assert content.startswith(b"%PDF")
    _assert_pdf_renders_with_an_embedded_font(content)

    # (5b) The drafts tab says what is missing; the CSIRT writes the wording meant for the drafts.
    page.click("#tab-drafts")
    page.wait_for_url(f"**/incidents/{incident.pk}/drafts/")
    assert page.locator("#contact-missing").is_visible()
    assert "発生原因" in _text(page, "#report-missing")
    page.click("#edit-report-fields")
    page.wait_for_url(f"**/incidents/{incident.pk}/drafts/edit/")
    page.fill("#id_report_summary", "再々委託先のバックアップサーバが不正アクセスを受け、会員情報が流出したおそれがあります。")
    page.fill("#id_report_cause", "再々委託先サーバへの不正アクセス（調査中）")
    page.click("#save-button")
    page.wait_for_url(f"**/incidents/{incident.pk}/drafts/")
    _assert_no_form_errors(page)
    assert "再々委託先サーバへの不正アクセス（調査中）" in _text(page, "#report-fields")
    assert "発生原因" not in _text(page, "#report-missing")
    name, content = _download(page, "#drafts-notice-docx")
    text = _docx_text(content)
    assert "会員情報が流出したおそれがあります。" in text
    assert message.splitlines()[0] not in text  # never the reporter's words
    page.click("nav.tabs a:text-is('概要')")
    page.wait_for_url(f"**/incidents/{incident.pk}/")
    assert page.console_errors == [], page.console_errors  # type: ignore[attr-defined]

    # (6) The partner reloads its status page: the report is being looked into (our link to an
    # incident is internal and not shown).
    reporter.reload()
    assert _text(reporter, "#report-status") == REPORTER_IN_PROGRESS
    assert STATUS_LINKED not in _text(reporter, "main")
    assert reporter.console_errors == [], reporter.console_errors  # type: ignore[attr-defined]
