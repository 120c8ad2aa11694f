"""Importing an Excel check sheet as a framework: the engine, the four-step wizard, hostile files."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from renkei.assessments.excel import checksheet
from renkei.assessments.excel import reading as excel_reading
from renkei.assessments.models import Framework, FrameworkOrigin, Question
from renkei.core.errors import RenkeiError
from tests.assessments.excel import samples
from tests.unpacking import count_unpacking

MAPPING = checksheet.ColumnMapping(id=0, section=1, question=2, choices=3, level=4, question_en=5, evidence=6, weight=7)
FIELDS = checksheet.FrameworkFields(key="automotive-check", version="2024", name_ja="自動車産業チェックシート", levels_cumulative=True)


@pytest.fixture(autouse=True)
def _english():
    # Messages are asserted in English; the Japanese catalogue would otherwise translate them.
    with translation.override("en"):
        yield


def _login(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


@pytest.fixture
def analyst_client(client, analyst):
    return _login(client, analyst)


@pytest.fixture
def viewer_client(client, viewer):
    return _login(client, viewer)


def _sheet(data: bytes | None = None) -> excel_reading.Sheet:
    book = excel_reading.read_book(data or samples.check_sheet(), filename="check.xlsx")
    return book.sheets[0]


# --- the engine ----------------------------------------------------------------------------------


def test_check_sheet_becomes_a_spec_with_sections_levels_and_choices():
    sheet = _sheet()
    assert checksheet.guess_header_row(sheet) == 4
    result = checksheet.check_sheet_spec(sheet, header_row=4, columns=MAPPING, fields=FIELDS, filename="check.xlsx")
    assert result.ok, result.problems
    spec = result.spec
    assert [s.title_ja for s in spec.sections] == ["組織的対策", "技術的対策"]
    assert [q.ref for s in spec.sections for q in s.questions] == ["1-1", "1-2", "1-3", "2-1", "2-2"]
    # The first row is Lv2, yet the levels come out in their natural order; Lv… means cumulative.
    assert spec.levels == ["Lv1", "Lv2", "Lv3"] and spec.levels_cumulative
    q = {q.ref: q for s in spec.sections for q in s.questions}
    assert q["1-1"].answer_type == "yesno" and q["1-1"].levels == ["Lv2"] and q["1-1"].weight == 2
    assert q["1-1"].text_en == "Is someone responsible?" and q["1-1"].evidence_ja == "任命書"
    assert q["1-2"].answer_type == "yesno"  # empty choices: the yes/no answers
    assert q["1-3"].answer_type == "single" and [c["value"] for c in q["1-3"].choices] == ["実施済", "一部実施", "未実施"]
    assert q["2-1"].answer_type == "yesno"  # ○/△/× read as yes / partly / no
    assert q["2-2"].answer_type == "number" and q["2-2"].weight == 0.5 and q["2-2"].levels == []
    assert spec.answers == ["yes", "partly", "no", "na", "unknown"]


def test_levels_cumulative_default_and_ordering():
    assert checksheet.order_levels(["★4", "★3"]) == ["★3", "★4"]
    assert checksheet.order_levels(["高", "中", "低"]) == ["高", "中", "低"]
    assert checksheet.looks_cumulative(["Lv1", "Lv2", "Lv3"])
    assert not checksheet.looks_cumulative(["★3", "★4"])
    assert checksheet.column_levels(_sheet(), 4, 4) == ["Lv1", "Lv2", "Lv3"]


def test_choices_cells():
    assert checksheet.parse_choices("はい/いいえ/該当なし") == ("yesno", ["yes", "no", "na"])
    assert checksheet.parse_choices("Yes / No / N/A") == ("yesno", ["yes", "no", "na"])
    assert checksheet.parse_choices("") == ("yesno", ["yes", "partly", "no", "na", "unknown"])
    assert checksheet.parse_choices("自由記述") == ("text", [])
    assert checksheet.parse_choices("A、B、C") == ("single", ["A", "B", "C"])
    assert checksheet.parse_choices("毎月, 毎年") == ("single", ["毎月", "毎年"])


def test_rows_without_section_go_to_one_section_and_full_width_ids_are_read():
    rows = [["Ａ－１", None, "質問1"], ["A-2", None, "質問2"]]
    sheet = _sheet(samples.check_sheet(rows, merge_section=False))
    mapping = checksheet.ColumnMapping(id=0, question=2)
    result = checksheet.check_sheet_spec(sheet, header_row=4, columns=mapping, fields=FIELDS)
    assert result.ok
    assert len(result.spec.sections) == 1 and result.spec.sections[0].title_en == "General"
    assert [q.ref for q in result.spec.sections[0].questions] == ["A-1", "A-2"]


def test_row_problems_are_listed_with_row_numbers():
    rows = [
        ["1-1", "組織", "質問", "", "", "", "", ""],
        ["1-1", None, "重複", "", "", "", "", ""],
        [None, None, "IDなし", "", "", "", "", ""],
        ["1-3", None, None, "", "", "", "", ""],
        ["1-4", None, "重み", "", "", "", "", "重い"],
        ["1-5", None, "選択肢", "ひとつ", "", "", "", ""],
        ["要-6", None, "不正なID", "", "", "", "", ""],
        [None, None, None, None, None, None, None, None],
    ]
    result = checksheet.check_sheet_spec(_sheet(samples.check_sheet(rows)), header_row=4, columns=MAPPING, fields=FIELDS)
    assert result.spec is None
    by_row = {p.row: p.message for p in result.problems}
    assert "also used in row 5" in by_row[6]
    assert "ID is missing" in by_row[7]
    assert "question text is missing" in by_row[8]
    assert "not a valid weight" in by_row[9]
    assert "at least two options" in by_row[10]
    assert "not a valid ID" in by_row[11]
    assert len(result.problems) == 6


# --- hostile files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (samples.claims_million_rows(), "big.xlsx", "declares 1,048,576 rows"),
        (samples.row_far_down(), "far.xlsx", "rows"),
        ("これはテキストです\n".encode() * 50, "notes.xlsx", "not an Excel workbook"),
        (samples.XLS_MAGIC, "old.xlsx", ".xls"),
        (samples.with_doctype(), "evil.xlsx", "not allowed"),
        (b"", "empty.xlsx", "empty"),
    ],
)
def test_hostile_files_are_refused_with_a_clear_message(data, filename, expected):
    with pytest.raises(RenkeiError) as caught:
        excel_reading.read_book(data, filename=filename)
    assert expected in caught.value.message


def test_zip_bomb_is_refused_without_unpacking():
    data = samples.zip_bomb()
    assert len(data) < 1024 * 1024
    with count_unpacking() as work, pytest.raises(RenkeiError) as caught:
        excel_reading.read_book(data, filename="bomb.xlsx")
    assert "refused for safety" in caught.value.message or "too large when unpacked" in caught.value.message
    # 200 MB of sheet behind it, at most a few parts' first 4 KB read, openpyxl never asked.
    # (Its time is in `python -m bench.uploads`, bench/RESULTS.md.)
    assert work.unpacked_bytes <= 64 * 1024
    assert not work.workbook_opened


def test_entities_past_the_quick_scan_are_still_refused():
    # The DOCTYPE beyond the first 4 KB of the part: defusedxml inside openpyxl refuses it.
    with pytest.raises(RenkeiError) as caught:
        excel_reading.read_book(samples.with_doctype(padding=100_000), filename="evil.xlsx")
    assert "could not be read" in caught.value.message


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(excel_reading, "MAX_SHEET_ROWS", 5)
    with pytest.raises(RenkeiError) as caught:
        excel_reading.read_book(samples.check_sheet(), filename="check.xlsx")
    assert "at most 5" in caught.value.message


# --- the wizard ----------------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "check.xlsx"):
    return client.post(reverse("assessments:framework_excel_import"), {"file": SimpleUploadedFile(name, data)})


def _token(client) -> str:
    return client.session["assessments_excel_framework"]["token"]


def _columns(**overrides):
    data = {
        "id": "0", "section": "1", "question": "2", "choices": "3", "level": "4", "question_en": "5", "evidence": "6",
        "weight": "7", "key": "automotive-check", "version": "2024", "name_ja": "自動車産業チェックシート",
        "name_en": "Automotive check sheet", "levels_cumulative": "on", "group_company": "",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_wizard_happy_path(analyst_client, own):
    response = _upload(analyst_client, samples.check_sheet())
    assert response.status_code == 302 and response["Location"].endswith("/sheet/")
    page = analyst_client.get(reverse("assessments:framework_excel_import_sheet"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "チェックシート" in html and "使い方" in html and "要求事項" in html
    assert 'value="4" id="header-4" checked' in html  # the guessed header row
    token = _token(analyst_client)
    response = analyst_client.post(
        reverse("assessments:framework_excel_import_sheet"), {"token": token, "sheet": "0", "header_row": "4"}
    )
    assert response.status_code == 302
    page = analyst_client.get(reverse("assessments:framework_excel_import_columns"))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["id"] == "0" and form.initial["question"] == "2" and form.initial["level"] == "4"
    assert form.initial["levels_cumulative"] is True
    preview = analyst_client.post(reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns()})
    assert preview.status_code == 200, preview.content.decode()[:3000]
    assert preview.context["result"].question_count == 5
    assert not Framework.objects.filter(key="automotive-check").exists()
    created = analyst_client.post(reverse("assessments:framework_excel_import_create"), {"token": token})
    assert created.status_code == 302
    framework = Framework.objects.get(key="automotive-check", version="2024")
    assert framework.origin == FrameworkOrigin.EXCEL and framework.group_company is None
    assert framework.levels == ["Lv1", "Lv2", "Lv3"] and framework.levels_cumulative
    assert framework.question_count == 5 and framework.sections.count() == 2
    assert list(Question.objects.filter(framework=framework).order_by("order").values_list("ref", flat=True)) == [
        "1-1", "1-2", "1-3", "2-1", "2-2",
    ]  # fmt: skip
    assert "assessments_excel_framework" not in analyst_client.session


@pytest.mark.django_db
def test_row_errors_block_creation(analyst_client, own):
    rows = [*samples.ROWS, ["1-1", None, "重複したID", "", "", "", "", ""]]
    _upload(analyst_client, samples.check_sheet(rows))
    token = _token(analyst_client)
    analyst_client.post(reverse("assessments:framework_excel_import_sheet"), {"token": token, "sheet": "0", "header_row": "4"})
    preview = analyst_client.post(reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns()})
    assert preview.status_code == 400
    html = preview.content.decode()
    assert "also used in row 5" in html and 'id="create-button"' not in html
    response = analyst_client.post(reverse("assessments:framework_excel_import_create"), {"token": token})
    assert response.status_code == 400
    assert not Framework.objects.filter(key="automotive-check").exists()


@pytest.mark.django_db
def test_existing_key_and_version_is_not_replaced(analyst_client, own):
    from tests.assessments.factories import small_framework

    small_framework(key="automotive-check", version="2024")
    _upload(analyst_client, samples.check_sheet())
    token = _token(analyst_client)
    analyst_client.post(reverse("assessments:framework_excel_import_sheet"), {"token": token, "sheet": "0", "header_row": "4"})
    preview = analyst_client.post(reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns()})
    assert preview.status_code == 400 and "already exists" in preview.content.decode()
    assert Framework.objects.get(key="automotive-check").origin == FrameworkOrigin.UPLOADED


@pytest.mark.django_db
def test_bad_column_choices_are_form_errors(analyst_client, own):
    _upload(analyst_client, samples.check_sheet())
    token = _token(analyst_client)
    analyst_client.post(reverse("assessments:framework_excel_import_sheet"), {"token": token, "sheet": "0", "header_row": "4"})
    response = analyst_client.post(
        reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns(question="0", key="Not A Key")}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "question" in errors and "key" in errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.claims_million_rows(), "declares 1,048,576 rows"),
        (b"plain text, renamed\n" * 10, "not an Excel workbook"),
        (samples.XLS_MAGIC, ".xls"),
        (samples.with_doctype(), "not allowed"),
    ],
)
def test_hostile_uploads_store_nothing(analyst_client, own, data, expected):
    response = _upload(analyst_client, data)
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert "assessments_excel_framework" not in analyst_client.session


@pytest.mark.django_db
def test_zip_bomb_upload_stores_nothing(analyst_client, own):
    response = _upload(analyst_client, samples.zip_bomb(), "bomb.xlsx")
    assert response.status_code == 400
    assert "assessments_excel_framework" not in analyst_client.session


@pytest.mark.django_db
def test_upload_refused_by_declared_length(analyst_client, own, settings):
    settings.RENKEI_MAX_UPLOAD_BYTES = 1024
    response = _upload(analyst_client, samples.check_sheet())
    assert response.status_code == 413


@pytest.mark.django_db
def test_later_steps_without_an_upload_start_again(analyst_client, own):
    response = analyst_client.get(reverse("assessments:framework_excel_import_columns"))
    assert response.status_code == 302 and response["Location"] == reverse("assessments:framework_excel_import")
    response = analyst_client.post(reverse("assessments:framework_excel_import_create"), {"token": "forged"})
    assert response.status_code == 302


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_viewer_may_not_import(viewer_client, own):
    assert viewer_client.get(reverse("assessments:framework_excel_import")).status_code == 403
    assert _upload(viewer_client, samples.check_sheet()).status_code == 403


@pytest.mark.django_db
def test_limited_analyst_imports_for_their_company_only(client, limited_analyst, subsidiary, own):
    _login(client, limited_analyst)
    _upload(client, samples.check_sheet())
    token = _token(client)
    client.post(reverse("assessments:framework_excel_import_sheet"), {"token": token, "sheet": "0", "header_row": "4"})
    page = client.get(reverse("assessments:framework_excel_import_columns"))
    choices = [value for value, _label in page.context["form"].fields["group_company"].choices]
    assert choices == [str(subsidiary.pk)]
    # The whole group (empty) is refused for a limited user; the own company is not among the choices.
    for company in ("", str(own.pk)):
        response = client.post(reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns(group_company=company)})
        assert response.status_code == 400
    response = client.post(reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns(group_company=str(subsidiary.pk))})
    assert response.status_code == 200
    client.post(reverse("assessments:framework_excel_import_create"), {"token": token})
    assert Framework.objects.get(key="automotive-check").group_company == subsidiary


@pytest.mark.django_db
def test_cancel_and_create_delete_the_kept_upload(analyst_client, own):
    from django.core.files.storage import default_storage

    _upload(analyst_client, samples.check_sheet())
    kept = analyst_client.session["assessments_excel_framework"]["path"]
    assert default_storage.exists(kept)
    response = analyst_client.post(reverse("assessments:framework_excel_import"), {"cancel": "1"})
    assert response.status_code == 302
    assert not default_storage.exists(kept) and "assessments_excel_framework" not in analyst_client.session
    _upload(analyst_client, samples.check_sheet())
    token = _token(analyst_client)
    kept = analyst_client.session["assessments_excel_framework"]["path"]
    analyst_client.post(reverse("assessments:framework_excel_import_sheet"), {"token": token, "sheet": "0", "header_row": "4"})
    analyst_client.post(reverse("assessments:framework_excel_import_columns"), {"token": token, **_columns()})
    analyst_client.post(reverse("assessments:framework_excel_import_create"), {"token": token})
    assert Framework.objects.filter(key="automotive-check").exists() and not default_storage.exists(kept)
