"""An assessment as .xlsx and back: the exported workbook (validation, protection, formula
neutralisation, meta sheet), importing the filled file (all or nothing, unmatched and invalid rows,
the wrong assessment, read only), carried-over answers, and who may do it (staff and portal)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from renkei.accounts.services import portal_link_issue
from renkei.assessments.answering import services as answering
from renkei.assessments.campaigns import services as campaign_services
from renkei.assessments.excel import answer_export, answer_import
from renkei.assessments.excel import reading as excel_reading
from renkei.assessments.frameworks import loading as framework_loading
from renkei.assessments.frameworks import services as framework_services
from renkei.assessments.frameworks import spec as frameworks
from renkei.assessments.models import Answer, AssignmentStatus, FrameworkOrigin
from tests.assessments.excel import samples
from tests.assessments.factories import assignment, party

FRAMEWORK = """
schema: renkei-framework/1
key: test-excel
version: "1"
name: {ja: エクセル確認, en: Excel check}
levels: [Lv1, Lv2]
levels_cumulative: true
sections:
  - id: A
    title: {ja: 管理, en: Management}
    questions:
      - {id: A-1, text: {ja: '=HYPERLINK("http://evil.example","クリック")', en: '=HYPERLINK("http://evil.example","click")'}, type: yesno, levels: [Lv1]}
      - {id: A-2, text: {ja: "@SUM(1)", en: "@SUM(1)"}, type: yesno, levels: [Lv2], evidence: {ja: "-規程", en: "-policy"}}
      - id: A-3
        text: {ja: 暗号化の範囲, en: Encryption}
        type: single
        choices:
          - {value: none, label: {ja: なし, en: None}, score: 0}
          - {value: full, label: {ja: "全て, 例外なし", en: "All, no exceptions"}, score: 2}
  - id: B
    title: {ja: 技術, en: Technology}
    questions:
      - {id: B-1, text: 端末の台数, type: number, required: false}
      - {id: B-2, text: 最終更新日, type: date, required: false}
      - {id: B-3, text: 補足説明, type: text, required: false}
      - {id: B-4, text: 規程の写し, type: file, required: false}
      - {id: B-5, text: 実施している対策, type: multiple, choices: [暗号化, 多要素認証, 監視], required: false}
"""
REFS = ["A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "B-4", "B-5"]
PARTNER = answering.Respondent(name="山田 太郎")


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _login(client: Client, user: Any, language: str = "en") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    return _login(client, analyst)


def _framework(key: str = "test-excel") -> Any:
    spec = framework_loading.load_yaml(FRAMEWORK.replace("key: test-excel", f"key: {key}").encode(), filename="excel.yaml")
    framework, _changed = framework_services.framework_install(user=None, spec=spec, origin=FrameworkOrigin.UPLOADED)
    return framework


def _assignment(organisation: Any = None, framework: Any = None) -> Any:
    return assignment(organisation=organisation, framework=framework or _framework())


def _export(client: Client, a: Any) -> bytes:
    response = client.get(reverse("assessments:assignment_excel_export", args=[a.pk]))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == answer_export.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="assessment-{a.pk}-{a.framework.key}.xlsx"'
    return response.content


def _fill(data: bytes, answers: dict[str, tuple[Any, Any]]) -> bytes:
    """What a partner does in Excel: type answers and comments into the unlocked cells."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    answer_col = headers.index(answer_export.HEADERS["answer"][1 if sheet.title == "Answers" else 0]) + 1
    comment_col = headers.index(answer_export.HEADERS["comment"][1 if sheet.title == "Answers" else 0]) + 1
    for row in range(2, sheet.max_row + 1):
        ref = sheet.cell(row=row, column=1).value
        if ref in answers:
            value, comment = answers[ref]
            sheet.cell(row=row, column=answer_col).value = value
            if comment is not None:
                sheet.cell(row=row, column=comment_col).value = comment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(client: Client, url: str, data: bytes, **extra: Any) -> Any:
    return client.post(url, {"file": SimpleUploadedFile("filled.xlsx", data), **extra})


def _confirm(client: Client, url: str, **extra: Any) -> Any:
    token = client.session["assessments_excel_answers"]["token"]
    return client.post(url, {"token": token, "confirm": "1", **extra})


def _values(a: Any) -> dict[str, Any]:
    return dict(Answer.objects.filter(assignment=a).values_list("question__ref", "value"))


# --- export ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_has_validation_protection_and_meta(analyst_client, own):
    a = _assignment()
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=a.framework.questions.get(ref="A-3").pk, value="full")
    workbook = load_workbook(io.BytesIO(_export(analyst_client, a)))
    assert workbook.sheetnames == ["Answers", "lists", "Instructions", "meta"]
    sheet = workbook["Answers"]
    assert [c.value for c in sheet[1]] == [answer_export.HEADERS[n][1] for n in answer_export.COLUMNS]
    assert [sheet.cell(row=r, column=1).value for r in range(2, 10)] == REFS
    assert sheet.cell(row=2, column=2).value == "Management"
    assert sheet.cell(row=2, column=5).value == "Lv1"
    assert sheet.cell(row=4, column=6).value == "All, no exceptions"  # the current answer, labelled
    # Protected, header frozen; only the answer and comment cells are open (not the file question's answer).
    assert sheet.protection.sheet and sheet.freeze_panes == "A2"
    assert workbook.security.lockStructure
    for row in range(2, 10):
        assert sheet.cell(row=row, column=1).protection.locked and sheet.cell(row=row, column=3).protection.locked
        assert not sheet.cell(row=row, column=7).protection.locked
        assert sheet.cell(row=row, column=6).protection.locked == (sheet.cell(row=row, column=1).value == "B-4")
    assert sheet.cell(row=2, column=3).alignment.wrap_text and sheet.column_dimensions["C"].width == 60
    # Drop-downs: yes/no labels and the choice labels (with a comma) from the hidden list sheet.
    rules = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
    lists = workbook["lists"]
    yesno = rules["F2 F3"]
    assert yesno.type == "list" and yesno.formula1 == "lists!$A$1:$A$5"
    assert [lists.cell(row=r, column=1).value for r in range(1, 6)] == ["Yes", "Partly", "No", "Not applicable", "Don't know"]
    assert rules["F4"].formula1 == "lists!$B$1:$B$2" and lists["B2"].value == "All, no exceptions"
    assert rules["F5"].type == "decimal" and rules["F6"].type == "date" and rules["F7"].type == "textLength"
    assert "暗号化, 多要素認証, 監視" in rules["F9"].prompt
    assert rules["G2:G9"].type == "textLength"
    assert lists.sheet_state == "hidden"
    meta = workbook["meta"]
    assert meta.sheet_state == "hidden"
    pairs = {meta.cell(row=r, column=1).value: meta.cell(row=r, column=2).value for r in range(1, 9)}
    assert pairs["format"] == answer_export.FORMAT_ID and pairs["assignment"] == a.pk
    assert pairs["framework"] == "test-excel" and pairs["version"] == "1" and pairs["sheet"] == "Answers"
    assert [(meta.cell(row=r, column=1).value, meta.cell(row=r, column=2).value) for r in range(11, 13)] == [(2, "A-1"), (3, "A-2")]


@pytest.mark.django_db
def test_export_in_japanese_for_a_japanese_user(client, analyst, own):
    _login(client, analyst, "ja")
    a = _assignment()
    workbook = load_workbook(io.BytesIO(_export(client, a)))
    assert workbook.sheetnames[0] == "回答"
    assert workbook["回答"]["A1"].value == "質問ID" and workbook["回答"]["C2"].value.startswith("'=HYPERLINK")


@pytest.mark.django_db
def test_exported_cells_never_hold_formulas(analyst_client, own):
    a = _assignment()
    questions = {q.ref: q.pk for q in a.framework.questions.all()}
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=questions["B-3"], value="@SUM(1)", note='=HYPERLINK("http://evil.example")')
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=questions["A-1"], value="yes", note="+1 -2")
    data = _export(analyst_client, a)
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook["Answers"]
    assert sheet["C2"].value == '\'=HYPERLINK("http://evil.example","click")' and sheet["C2"].data_type == "s"
    assert sheet["C3"].value == "'@SUM(1)" and sheet["D3"].value == "'-policy"
    assert sheet["F7"].value == "'@SUM(1)" and sheet["G7"].value == '\'=HYPERLINK("http://evil.example")'
    assert sheet["G2"].value == "'+1 -2"
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), (ws.title, cell.coordinate)
    # Importing the same file changes nothing: the quote is stripped again on reading.
    response = _import(analyst_client, reverse("assessments:assignment_excel_import", args=[a.pk]), data)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.ok and not plan.changed and plan.unchanged == 2


# --- import ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_round_trip_saves_the_answers(analyst_client, analyst, own):
    a = _assignment()
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    filled = _fill(
        _export(analyst_client, a),
        {
            "A-1": ("Yes", "責任者は情報システム部長"),
            "A-2": ("Not applicable", None),
            "A-3": ("All, no exceptions", None),
            "B-1": (120, None),
            "B-2": (dt.datetime(2024, 4, 1), None),
            "B-3": ("年1回見直しています", None),
            "B-5": ("暗号化, 監視", None),
        },
    )
    assert analyst_client.get(url).status_code == 200
    preview = _import(analyst_client, url, filled)
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.ok and len(plan.changed) == 7 and plan.empty == 1
    assert not Answer.objects.filter(assignment=a).exists()  # nothing saved before the confirmation
    done = _confirm(analyst_client, url)
    assert done.status_code == 302
    assert _values(a) == {
        "A-1": "yes", "A-2": "na", "A-3": "full", "B-1": 120, "B-2": "2024-04-01", "B-3": "年1回見直しています",
        "B-5": ["暗号化", "監視"],
    }  # fmt: skip
    note = Answer.objects.get(assignment=a, question__ref="A-1")
    assert note.note == "責任者は情報システム部長" and note.updated_by_name == analyst.username
    a.refresh_from_db()
    assert a.status == AssignmentStatus.IN_PROGRESS
    assert "assessments_excel_answers" not in analyst_client.session
    # The same file again: nothing changes.
    again = _import(analyst_client, url, filled)
    assert again.context["plan"].unchanged == 7 and not again.context["plan"].has_changes


@pytest.mark.django_db
def test_invalid_answers_and_unknown_ids_save_nothing(analyst_client, own):
    a = _assignment()
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    data = _fill(_export(analyst_client, a), {"A-1": ("Yes", None), "A-3": ("たぶん", None), "B-1": ("たくさん", None)})
    workbook = load_workbook(io.BytesIO(data))
    workbook["Answers"]["A9"].value = "Z-9"  # a row whose ID is not a question of this framework
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(analyst_client, url, buffer.getvalue())
    assert response.status_code == 400
    plan = response.context["plan"]
    assert plan.unmatched == [(9, "Z-9")]
    assert [(row, ref) for row, ref, _m in plan.invalid] == [(4, "A-3"), (5, "B-1")]
    assert plan.invalid[0][2] == "“たぶん” is not one of the answers: None, All, no exceptions"
    assert "Enter a number" in plan.invalid[1][2]
    html = response.content.decode()
    assert 'id="confirm-button"' not in html and "Z-9" in html and "たぶん" in html
    # Posting a confirmation anyway is refused: the previewed file had errors.
    assert _confirm(analyst_client, url).status_code == 302
    assert not Answer.objects.filter(assignment=a).exists()


@pytest.mark.django_db
def test_a_file_for_another_assessment_is_refused(analyst_client, own):
    framework = _framework()
    first, second = _assignment(framework=framework), _assignment(framework=framework)
    data = _fill(_export(analyst_client, first), {"A-1": ("Yes", None)})
    response = _import(analyst_client, reverse("assessments:assignment_excel_import", args=[second.pk]), data)
    assert response.status_code == 409
    assert f"belongs to another assessment (no. {first.pk})" in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_a_file_of_another_version_and_a_hostile_file_are_refused(analyst_client, own):
    a = _assignment()
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    workbook = load_workbook(io.BytesIO(_export(analyst_client, a)))
    assert workbook["meta"]["A4"].value == "version"
    workbook["meta"]["B4"].value = "2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _import(analyst_client, url, buffer.getvalue())
    assert response.status_code == 409 and "made for other questions (test-excel 2)" in response.content.decode()
    for hostile in (samples.claims_million_rows(), samples.zip_bomb(), b"not a workbook" * 10, samples.with_doctype()):
        response = _import(analyst_client, url, hostile)
        assert response.status_code == 400
    assert "assessments_excel_answers" not in analyst_client.session
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_read_only_assessment_refuses_import(analyst_client, own):
    a = _assignment()
    data = _fill(_export(analyst_client, a), {"A-1": ("Yes", None)})
    a.status = AssignmentStatus.SUBMITTED
    a.save(update_fields=["status"])
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    assert analyst_client.get(url).status_code == 409
    response = _import(analyst_client, url, data)
    assert response.status_code == 409 and "read only" in response.content.decode()
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_changes_made_since_the_preview_refuse_the_import(analyst_client, own):
    a = _assignment()
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    _import(analyst_client, url, _fill(_export(analyst_client, a), {"A-1": ("Yes", None), "A-2": ("No", None)}))
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=a.framework.questions.get(ref="A-1").pk, value="partly")
    response = _confirm(analyst_client, url)
    assert response.status_code == 302
    assert _values(a) == {"A-1": "partly"}


@pytest.mark.django_db
def test_empty_cells_keep_current_answers_and_comments_alone(analyst_client, own):
    a = _assignment()
    questions = {q.ref: q.pk for q in a.framework.questions.all()}
    answering.answer_save(respondent=PARTNER, assignment=a, question_id=questions["A-1"], value="yes", note="元のコメント")
    exported = load_workbook(io.BytesIO(_export(analyst_client, a)))
    exported["Answers"]["F2"].value = None
    exported["Answers"]["G2"].value = None
    exported["Answers"]["G3"].value = "コメントだけ"
    buffer = io.BytesIO()
    exported.save(buffer)
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    plan = _import(analyst_client, url, buffer.getvalue()).context["plan"]
    assert plan.changed == [(3, "A-2")]
    _confirm(analyst_client, url)
    answers = {x.question.ref: x for x in Answer.objects.filter(assignment=a).select_related("question")}
    assert (answers["A-1"].value, answers["A-1"].note) == ("yes", "元のコメント")
    assert (answers["A-2"].value, answers["A-2"].note) == (None, "コメントだけ")


@pytest.mark.django_db
@pytest.mark.parametrize("confirm_carried", [True, False])
def test_carried_over_answers(analyst_client, own, confirm_carried):
    framework = _framework()
    organisation = party()
    last = _assignment(organisation, framework)
    questions = {q.ref: q.pk for q in framework.questions.all()}
    answering.answers_save_many(respondent=PARTNER, assignment=last, values={"A-1": ("yes", None), "A-2": ("no", "未整備")})
    last.status = AssignmentStatus.ACCEPTED
    last.save(update_fields=["status"])
    (current,) = campaign_services.assignments_create(organisations=[organisation], framework=framework, due_date=timezone.localdate() + dt.timedelta(days=30))
    assert Answer.objects.filter(assignment=current, carried_over=True).count() == 2
    data = _export(analyst_client, current)
    sheet = load_workbook(io.BytesIO(data))["Answers"]
    assert sheet["F2"].value == "Yes" and sheet["F3"].value == "No" and sheet["G3"].value == "未整備"
    assert sheet["F2"].fill.fgColor.rgb.endswith(answer_export.CARRIED_FILL)
    url = reverse("assessments:assignment_excel_import", args=[current.pk])
    plan = _import(analyst_client, url, _fill(data, {"A-2": ("Yes", None)})).context["plan"]
    assert plan.carried_confirmed == 1 and plan.changed == [(3, "A-2")]
    _confirm(analyst_client, url, **({"confirm_carried": "1"} if confirm_carried else {}))
    answers = {x.question.ref: x for x in Answer.objects.filter(assignment=current).select_related("question")}
    assert answers["A-2"].value == "yes" and not answers["A-2"].carried_over
    assert answers["A-1"].value == "yes" and answers["A-1"].carried_over is not confirm_carried
    assert questions


def test_answer_labels_of_the_file_language_are_read(db):
    # A file exported in English, imported by someone working in Japanese.
    filled = answer_import.Filled(
        meta={"language": "en"}, sheet="Answers",
        rows=[answer_import.FilledRow(row=2, ref="A-1", answer="Not applicable", comment=""),
              answer_import.FilledRow(row=3, ref="A-2", answer="Don't know", comment="")],
    )  # fmt: skip
    questions = {ref: answer_import.QuestionInfo(ref=ref, answer_type="yesno") for ref in ("A-1", "A-2")}
    with translation.override("ja"):
        plan = answer_import.plan_answers(filled, questions=questions, current={}, yesno_answers=frameworks.YESNO_VALUES, file_language="en")
    assert plan.ok and plan.values == {"A-1": ("na", None), "A-2": ("unknown", None)}


def test_reading_a_copied_sheet_without_meta():
    book = excel_reading.Book(
        filename="copy.xlsx",
        sheets=[excel_reading.Sheet(title="回答シート", rows=[(1, ["説明"]), (3, ["質問ID", "質問", "回答", "コメント"]), (4, ["A-1", "…", "はい", ""]), (5, ["A-1", "…", "いいえ"])])],
    )
    filled = answer_import.read_filled(book)
    assert filled.meta == {} and [r.ref for r in filled.rows] == ["A-1"]
    assert filled.problems[0].row == 5 and "also in row 4" in filled.problems[0].message


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_exports_but_may_not_import(client, viewer, own):
    _login(client, viewer)
    a = _assignment()
    data = _export(client, a)
    url = reverse("assessments:assignment_excel_import", args=[a.pk])
    assert client.get(url).status_code == 403
    assert _import(client, url, _fill(data, {"A-1": ("Yes", None)})).status_code == 403
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_limited_analyst_gets_404_on_the_own_company_assessment(client, limited_analyst, own):
    _login(client, limited_analyst)
    a = _assignment()  # a party of the own company
    assert client.get(reverse("assessments:assignment_excel_export", args=[a.pk])).status_code == 404
    assert client.get(reverse("assessments:assignment_excel_import", args=[a.pk])).status_code == 404
    response = client.post(reverse("assessments:assignment_excel_import", args=[a.pk]), {"file": SimpleUploadedFile("x.xlsx", b"x")})
    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, own):
    a = _assignment()
    response = client.get(reverse("assessments:assignment_excel_export", args=[a.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the portal --------------------------------------------------------------------------------


def _enter_portal(client: Client, organisation: Any, name: str | None = None) -> Client:
    _link, raw = portal_link_issue(user=None, organisation=organisation, expires_at=timezone.now() + dt.timedelta(days=30))
    assert client.get(f"/portal/t/{raw}/?lang=en").status_code == 302
    if name:
        session = client.session
        session["renkei_portal_name"] = name
        session.save()
    return client


@pytest.mark.django_db
def test_portal_round_trip_asks_for_the_name_and_records_it(client, own):
    a = _assignment()
    _enter_portal(client, a.organisation)
    response = client.get(reverse("portal:excel_export", args=[a.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    filled = _fill(response.content, {"A-1": ("Yes", "写しを添付します"), "A-3": ("None", None)})
    url = reverse("portal:excel_import", args=[a.pk])
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"] and 'name="name"' in page.content.decode()
    assert _import(client, url, filled).status_code == 400  # the name is required
    preview = _import(client, url, filled, name="佐藤 花子")
    assert preview.status_code == 200 and len(preview.context["plan"].changed) == 2
    assert client.session["renkei_portal_name"] == "佐藤 花子"
    done = _confirm(client, url)
    assert done.status_code == 302
    assert _values(a) == {"A-1": "yes", "A-3": "none"}
    answer = Answer.objects.get(assignment=a, question__ref="A-1")
    assert answer.updated_by_name == "佐藤 花子" and answer.note == "写しを添付します"
    entry = LogEntry.objects.get_for_object(answer).first()
    assert entry is not None and entry.actor is None
    assert entry.additional_data["via"] == f"portal: {a.organisation} / 佐藤 花子"


@pytest.mark.django_db
def test_portal_link_opens_only_its_own_party(client, own):
    mine, theirs = _assignment(), _assignment()
    _enter_portal(client, mine.organisation, name="山田 太郎")
    data = _fill(client.get(reverse("portal:excel_export", args=[mine.pk])).content, {"A-1": ("Yes", None)})
    assert client.get(reverse("portal:excel_export", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("portal:excel_import", args=[theirs.pk])).status_code == 404
    assert _import(client, reverse("portal:excel_import", args=[theirs.pk]), data).status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_portal_without_a_link_gets_the_link_page(client, own):
    a = _assignment()
    assert client.get(reverse("portal:excel_export", args=[a.pk])).status_code == 403
    assert client.get(reverse("portal:excel_import", args=[a.pk])).status_code == 403


@pytest.mark.django_db
def test_portal_read_only_after_submission(client, own):
    a = _assignment()
    _enter_portal(client, a.organisation, name="山田 太郎")
    data = _fill(client.get(reverse("portal:excel_export", args=[a.pk])).content, {"A-1": ("Yes", None)})
    a.status = AssignmentStatus.ACCEPTED
    a.save(update_fields=["status"])
    response = _import(client, reverse("portal:excel_import", args=[a.pk]), data)
    assert response.status_code == 409 and "no-store" in response["Cache-Control"]
    assert not Answer.objects.exists()
