"""Import and export of organisations, relationships and contacts (CSV and Excel)."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from renkei.core.errors import RenkeiError
from renkei.registry.importexport.apply import registry_import
from renkei.registry.importexport.plan import build_plan
from renkei.registry.importexport.reading import parse_upload
from renkei.registry.importexport.rows import ERROR, NEW, UNCHANGED, UPDATE
from renkei.registry.importexport.writing import write_csv, write_xlsx
from renkei.registry.models import (
    Contact,
    ContactRole,
    Criticality,
    Organisation,
    OrganisationKind,
    Relationship,
    RelationshipType,
)
from renkei.registry.validators import corporate_number_check_digit
from tests import factories

ORG_HEADERS_JA = "名称,法人番号,種別,重要度,タグ,備考"


@pytest.fixture(autouse=True)
def _english():  # type: ignore[no-untyped-def]
    # Messages are asserted in English; the Japanese catalogue would otherwise translate them.
    with translation.override("en"):
        yield


@pytest.fixture
def analyst_client(client, analyst):  # type: ignore[no-untyped-def]
    """The analyst's pages in English, for the same reason."""
    analyst.language = "en"
    analyst.save(update_fields=["language"])
    client.force_login(analyst)
    return client


def corp(base12: str) -> str:
    """A valid 法人番号 for a 12-digit base."""
    return f"{corporate_number_check_digit(base12)}{base12}"


NUMBER_A = corp("000000000001")
NUMBER_B = corp("000000000002")


def bad_check_digit(number: str) -> str:
    return f"{(int(number[0]) % 9) + 1}{number[1:]}"


def plan_for(user, data: bytes, filename: str = "data.csv", **kwargs):  # type: ignore[no-untyped-def]
    return build_plan(user=user, upload=parse_upload(data, filename=filename, **kwargs))


def import_bytes(user, data: bytes, filename: str = "data.csv", **kwargs):  # type: ignore[no-untyped-def]
    return registry_import(user=user, upload=parse_upload(data, filename=filename, **kwargs))


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def error_messages(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [f"{e.row}|{e.field}|{e.message}" for e in plan.errors()]


# --- encodings ----------------------------------------------------------------------------------


def test_cp932_csv_from_japanese_excel_imports(analyst, own):
    text = f"{ORG_HEADERS_JA}\r\n株式会社髙橋製作所,{NUMBER_A},委託先,高,\"個人情報,重要委託先\",①特記事項\r\n"
    data = text.encode("cp932")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = import_bytes(analyst, data)
    assert result.total(NEW) == 1
    org = Organisation.objects.get(corporate_number=NUMBER_A)
    assert org.name == "株式会社髙橋製作所"
    assert org.kind == OrganisationKind.CONTRACTOR
    assert org.criticality == Criticality.HIGH
    assert org.notes == "①特記事項"
    assert sorted(t.name for t in org.tags.all()) == ["個人情報", "重要委託先"]
    assert org.group_company == own


def test_utf8_with_bom_imports(analyst, own):
    data = ("\ufeff" + f"{ORG_HEADERS_JA}\n連携物流株式会社,,partner,medium,,\n").encode()
    import_bytes(analyst, data)
    assert Organisation.objects.filter(name="連携物流株式会社", kind=OrganisationKind.PARTNER).exists()


def test_utf8_without_bom_and_english_headers_imports(analyst, own):
    data = b"Name,Corporate number,Kind,Web domains\nSakura Cloud KK,,Cloud service,https://Sakura.example.jp/\n"
    import_bytes(analyst, data)
    org = Organisation.objects.get(name="Sakura Cloud KK")
    assert org.kind == OrganisationKind.CLOUD
    assert org.web_domains == "sakura.example.jp"


def test_explicit_encoding_is_honoured(analyst, own):
    data = f"{ORG_HEADERS_JA}\n日本語商事,,取引先,,,\n".encode("cp932")
    assert plan_for(analyst, data, encoding="cp932").counts()["organisations"][NEW] == 1


# --- the plan: new, update, unchanged, idempotence ---------------------------------------------


def test_reimporting_the_same_file_changes_nothing(analyst, own):
    data = (
        f"{ORG_HEADERS_JA}\n"
        f"甲社,{NUMBER_A},委託先,高,a,\n"
        "乙社,,ソフトウェアベンダー,,,\n"
    ).encode()
    import_bytes(analyst, data)
    entries = LogEntry.objects.count()
    plan = plan_for(analyst, data)
    assert [r.status for r in plan.rows] == [UNCHANGED, UNCHANGED]
    result = import_bytes(analyst, data)
    assert result.total(UNCHANGED) == 2
    assert LogEntry.objects.count() == entries


def test_update_by_corporate_number_and_by_name(analyst, own):
    a = factories.OrganisationFactory(name="旧名称", corporate_number=NUMBER_A, criticality=Criticality.LOW)
    b = factories.OrganisationFactory(name="名前だけの会社")
    data = f"名称,法人番号,重要度\n新名称,{NUMBER_A},高\n名前だけの会社,{NUMBER_B},\n".encode()
    plan = plan_for(analyst, data)
    assert [r.status for r in plan.rows] == [UPDATE, UPDATE]
    changed = {c[0] for c in plan.rows[0].changes}
    assert changed == {"名称", "重要度"}
    import_bytes(analyst, data)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.name, a.criticality) == ("新名称", Criticality.HIGH)
    assert b.corporate_number == NUMBER_B
    assert Organisation.objects.count() == 3


def test_columns_left_out_keep_their_values(analyst, own):
    org = factories.OrganisationFactory(name="甲社", notes="大事なメモ", criticality=Criticality.CRITICAL)
    plan = plan_for(analyst, "名称,所在地\n甲社,東京都千代田区\n".encode())
    assert plan.rows[0].status == UPDATE
    import_bytes(analyst, "名称,所在地\n甲社,東京都千代田区\n".encode())
    org.refresh_from_db()
    assert (org.address, org.notes, org.criticality) == ("東京都千代田区", "大事なメモ", Criticality.CRITICAL)


def test_relationships_may_refer_to_organisations_created_in_the_same_workbook(analyst, own, run_on_commit):
    data = workbook_bytes(
        {
            "取引先": [["名称", "法人番号", "種別"], ["一次委託先", NUMBER_A, "委託先"], ["二次委託先", "", "委託先"]],
            "関係": [
                ["委託元", "委託先", "関係の種類", "開始日", "再委託承認"],
                [own.name, NUMBER_A, "委託", dt.datetime(2026, 4, 1), ""],
                ["一次委託先", "二次委託先", "再委託", "2026/4/1", "はい"],
            ],
            "連絡先": [
                ["取引先", "氏名", "役割", "メールアドレス", "連絡経路確認日"],
                ["一次委託先", "山田太郎", "セキュリティ窓口", "yamada@example.jp", "2026-05-01"],
            ],
        }
    )
    result = import_bytes(analyst, data, filename="registry.xlsx")
    run_on_commit()
    assert result.total(NEW) == 5
    first = Organisation.objects.get(name="一次委託先")
    second = Organisation.objects.get(name="二次委託先")
    link = Relationship.objects.get(client=own, provider=first)
    assert link.start_date == dt.date(2026, 4, 1)
    assert Relationship.objects.get(client=first, provider=second).redelegation_approved is True
    contact = Contact.objects.get(organisation=first)
    assert (contact.role, contact.verified_on) == (ContactRole.SECURITY, dt.date(2026, 5, 1))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.tier, second.tier) == (1, 2)


def test_contacts_are_upserted_by_organisation_name_and_role(analyst, own):
    org = factories.OrganisationFactory(name="甲社")
    factories.ContactFactory(organisation=org, name="山田", role=ContactRole.SECURITY, email="old@example.jp")
    data = "取引先,氏名,役割,メールアドレス\n甲社,山田,security,new@example.jp\n甲社,山田,役員,\n".encode()
    plan = plan_for(analyst, data)
    assert [r.status for r in plan.rows] == [UPDATE, NEW]
    import_bytes(analyst, data)
    assert Contact.objects.get(organisation=org, role=ContactRole.SECURITY).email == "new@example.jp"
    assert Contact.objects.filter(organisation=org).count() == 2


# --- bad input: clear message, nothing saved ---------------------------------------------------


def test_wrong_headers_are_named(analyst, own):
    with pytest.raises(RenkeiError) as exc:
        parse_upload("名称,種別,色\n甲社,委託先,赤\n".encode(), filename="x.csv", kind="organisations")
    assert "色" in exc.value.message


def test_missing_required_column_is_named(analyst, own):
    with pytest.raises(RenkeiError) as exc:
        parse_upload("委託元,委託先\n甲,乙\n".encode(), filename="x.csv", kind="relationships")
    assert "関係の種類" in exc.value.message


def test_kind_cannot_be_guessed_from_unknown_headers(analyst, own):
    with pytest.raises(RenkeiError) as exc:
        parse_upload(b"foo,bar\n1,2\n", filename="x.csv")
    assert exc.value.field_name == "kind"


def test_duplicate_rows_are_errors_on_the_later_row(analyst, own):
    data = f"名称,法人番号,種別\n甲社,{NUMBER_A},委託先\n乙社,,委託先\n甲社,{NUMBER_A},委託先\n乙社,,委託先\n".encode()
    plan = plan_for(analyst, data)
    assert [r.status for r in plan.rows] == [NEW, NEW, ERROR, ERROR]
    assert "Duplicate of row 2" in plan.rows[2].errors[0].message
    assert plan.rows[3].errors[0].row == 5


def test_wrong_types_name_row_and_column(analyst, own):
    data = (
        "名称,法人番号,種別\n"
        "甲社,,宇宙人\n"
        f"乙社,{bad_check_digit(NUMBER_A)},委託先\n"
        "丙社,12345,委託先\n"
    ).encode()
    plan = plan_for(analyst, data)
    messages = error_messages(plan)
    assert messages[0].startswith("2|種別|Unknown value '宇宙人'")
    assert messages[1].startswith("3|法人番号|") and "check digit" in messages[1]
    assert messages[2].startswith("4|法人番号|") and "13 digits" in messages[2]


def test_bad_date_is_an_error(analyst, own):
    factories.OrganisationFactory(name="甲社")
    factories.OrganisationFactory(name="乙社")
    plan = plan_for(analyst, "委託元,委託先,関係の種類,開始日\n甲社,乙社,委託,来年の春\n".encode())
    assert error_messages(plan) == ["2|開始日|'来年の春' is not a date; write it as 2026-04-01 or 2026/4/1."]


def test_new_organisation_needs_a_kind(analyst, own):
    plan = plan_for(analyst, "名称\n新しい会社\n".encode())
    assert plan.rows[0].status == ERROR
    assert plan.rows[0].errors[0].field == "kind"  # the usual header in the reader's language


def test_one_bad_row_saves_nothing(analyst, own):
    before = Organisation.objects.count()
    entries = LogEntry.objects.count()
    data = "名称,種別\n甲社,委託先\n乙社,委託先\n丙社,不明な種別\n".encode()
    with pytest.raises(RenkeiError) as exc:
        import_bytes(analyst, data)
    assert "nothing was saved" in exc.value.message
    assert [i.row for i in exc.value.items] == [4]
    assert Organisation.objects.count() == before
    assert LogEntry.objects.count() == entries


def test_unknown_organisation_in_a_relationship_is_an_error(analyst, own):
    plan = plan_for(analyst, "委託元,委託先,関係の種類\n存在しない会社,別の会社,委託\n".encode())
    assert "not found or not permitted" in plan.rows[0].errors[0].message


def test_values_without_a_header_are_row_errors(analyst, own):
    plan = plan_for(analyst, "名称,種別\n甲社,委託先,余計な値\n".encode())
    assert plan.rows[0].status == ERROR
    assert "no header" in plan.rows[0].errors[0].message


# --- scope and permissions ---------------------------------------------------------------------


def test_limited_user_cannot_update_an_out_of_scope_organisation(limited_analyst, own, subsidiary):
    hidden = factories.OrganisationFactory(name="本社の委託先", corporate_number=NUMBER_A, group_company=own)
    for data in (f"名称,法人番号,備考\n別名,{NUMBER_A},書き換え\n", "名称,備考\n本社の委託先,書き換え\n"):
        plan = plan_for(limited_analyst, data.encode())
        assert plan.rows[0].status == ERROR
        assert "not found or not permitted" in plan.rows[0].errors[0].message
        with pytest.raises(RenkeiError):
            import_bytes(limited_analyst, data.encode())
    hidden.refresh_from_db()
    assert (hidden.name, hidden.notes) == ("本社の委託先", "")


def test_limited_user_creates_under_their_own_company(limited_analyst, own, subsidiary):
    import_bytes(limited_analyst, "名称,種別\n子会社の委託先,委託先\n".encode())
    assert Organisation.objects.get(name="子会社の委託先").group_company == subsidiary
    plan = plan_for(limited_analyst, f"名称,種別,管理グループ会社\n別の委託先,委託先,{own.name}\n".encode())
    assert "not found or not permitted" in plan.rows[0].errors[0].message


def test_only_an_administrator_adds_group_companies(analyst, admin_user, own):
    data = "名称,種別\n新しい子会社,グループ会社\n".encode()
    assert plan_for(analyst, data).rows[0].status == ERROR
    import_bytes(admin_user, data)
    company = Organisation.objects.get(name="新しい子会社")
    assert company.group_company == company


def test_viewer_is_refused(viewer_client, viewer):
    assert viewer_client.get(reverse("registry:import")).status_code == 403
    upload = io.BytesIO("名称,種別\n甲社,委託先\n".encode())
    upload.name = "x.csv"
    assert viewer_client.post(reverse("registry:import"), {"file": upload}).status_code == 403
    assert viewer_client.post(reverse("registry:import_commit"), {"token": "x"}).status_code == 403
    with pytest.raises(PermissionDenied):
        build_plan(user=viewer, upload=parse_upload("名称,種別\n甲社,委託先\n".encode(), filename="x.csv"))


def test_anonymous_is_sent_to_login(client, own):
    response = client.get(reverse("registry:import"))
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- export and round trips --------------------------------------------------------------------


@pytest.fixture
def registry(own):  # type: ignore[no-untyped-def]
    a = factories.OrganisationFactory(
        name="甲社", corporate_number=NUMBER_A, web_domains="a.example.jp", notes="=HYPERLINK(\"x\")", country="JP"
    )
    b = factories.OrganisationFactory(name="-乙社", kind=OrganisationKind.VENDOR, criticality=Criticality.HIGH)
    a.tags.set(factories_tags("個人情報", "重要"))
    factories.RelationshipFactory(client=own, provider=a, type=RelationshipType.CONTRACTS_WORK, start_date=dt.date(2026, 4, 1))
    factories.RelationshipFactory(
        client=a, provider=b, type=RelationshipType.REDELEGATES_WORK, redelegation_approved=False, service="@保守"
    )
    factories.ContactFactory(organisation=a, name="山田", phone="+81-3-0000-0000", verified_on=dt.date(2026, 1, 5))
    return a, b


def factories_tags(*names: str):  # type: ignore[no-untyped-def]
    from renkei.registry.models import Tag

    return [Tag.objects.get_or_create(name=n)[0] for n in names]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_xlsx_round_trip_changes_nothing(analyst, registry, language):
    data = write_xlsx(user=analyst, language=language)
    entries = LogEntry.objects.count()
    plan = plan_for(analyst, data, filename="export.xlsx")
    assert plan.counts() == {
        "organisations": {NEW: 0, UPDATE: 0, UNCHANGED: 3, ERROR: 0},
        "relationships": {NEW: 0, UPDATE: 0, UNCHANGED: 2, ERROR: 0},
        "contacts": {NEW: 0, UPDATE: 0, UNCHANGED: 1, ERROR: 0},
    }
    result = import_bytes(analyst, data, filename="export.xlsx")
    assert result.total(UNCHANGED) == 6
    assert LogEntry.objects.count() == entries


def test_csv_round_trip_changes_nothing(analyst, registry):
    for kind in ("organisations", "relationships", "contacts"):
        data = write_csv(user=analyst, kind=kind, language="ja")
        assert data.startswith(b"\xef\xbb\xbf")
        plan = plan_for(analyst, data, filename=f"{kind}.csv")
        assert {r.status for r in plan.rows} == {UNCHANGED}, error_messages(plan)


def test_export_neutralises_formulas(analyst, registry):
    text = write_csv(user=analyst, kind="organisations", language="ja").decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-乙社" in text
    book = load_workbook(io.BytesIO(write_xlsx(user=analyst, language="ja")), read_only=True)
    values = [c for row in book["連絡先"].iter_rows(values_only=True) for c in row]
    assert "'+81-3-0000-0000" in values
    notes = [c for row in book["取引先"].iter_rows(values_only=True) for c in row]
    assert not any(isinstance(v, str) and v.startswith("=") for v in notes)


def test_export_holds_only_what_the_user_may_see(limited_analyst, own, subsidiary):
    factories.OrganisationFactory(name="本社の委託先", group_company=own)
    factories.OrganisationFactory(name="子会社の委託先", group_company=subsidiary)
    text = write_csv(user=limited_analyst, kind="organisations", language="en").decode("utf-8-sig")
    assert "子会社の委託先" in text and "本社の委託先" not in text
    assert text.splitlines()[0].startswith("name,name reading,corporate number")


def test_export_view_downloads(analyst_client, registry):
    response = analyst_client.get(reverse("registry:export"), {"format": "csv", "kind": "contacts"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    response = analyst_client.get(reverse("registry:export"), {"format": "xlsx"})
    assert response.status_code == 200
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["organisations", "relationships", "contacts"]
    assert analyst_client.get(reverse("registry:export"), {"format": "pdf"}).status_code == 400


# --- the web flow ------------------------------------------------------------------------------


def _upload(client, content: bytes, name: str = "data.csv", **fields):  # type: ignore[no-untyped-def]
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("registry:import"), {"file": file, "encoding": "auto", **fields})


def test_web_preview_then_commit(analyst_client, analyst, own):
    response = _upload(analyst_client, f"{ORG_HEADERS_JA}\n甲社,{NUMBER_A},委託先,高,,\n".encode("cp932"))
    assert response.status_code == 200
    assert "甲社" in response.content.decode()
    assert not Organisation.objects.filter(name="甲社").exists()
    token = response.context["token"]
    response = analyst_client.post(reverse("registry:import_commit"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import")
    body = analyst_client.get(response["Location"]).content.decode()
    assert 'id="import-done"' in body and "data.csv" in body
    # The outcome is shown once; the next visit starts afresh.
    assert 'id="import-done"' not in analyst_client.get(reverse("registry:import")).content.decode()
    org = Organisation.objects.get(name="甲社")
    entry = LogEntry.objects.get_for_object(org).get()
    assert entry.actor == analyst
    # The stored rows are gone after the commit: a second post does nothing.
    response = analyst_client.post(reverse("registry:import_commit"), {"token": token}, follow=True)
    assert Organisation.objects.filter(name="甲社").count() == 1
    assert "no longer available" in response.content.decode()


def test_web_commit_reports_row_errors_and_saves_nothing(analyst_client, own):
    response = _upload(analyst_client, "名称,種別\n甲社,委託先\n乙社,宇宙人\n".encode())
    assert response.status_code == 200
    body = response.content.decode()
    assert "宇宙人" in body and 'id="commit-button"' not in body
    response = analyst_client.post(reverse("registry:import_commit"), {"token": response.context["token"]}, follow=True)
    body = response.content.decode()
    assert 'id="import-failed"' in body and "宇宙人" in body
    assert not Organisation.objects.filter(name="甲社").exists()


def test_web_commit_rechecks_the_database(analyst_client, own):
    # Someone registers the same corporate number between the preview and the commit.
    response = _upload(analyst_client, f"名称,法人番号,種別\n甲社,{NUMBER_A},委託先\n".encode())
    factories.OrganisationFactory(name="先に登録された会社", corporate_number=NUMBER_A, group_company=own)
    analyst_client.post(reverse("registry:import_commit"), {"token": response.context["token"]})
    assert Organisation.objects.get(corporate_number=NUMBER_A).name == "甲社"
    assert Organisation.objects.filter(corporate_number=NUMBER_A).count() == 1


def test_page_shows_a_running_import(analyst_client, own, settings):
    # With the database task backend nothing runs until a worker picks the commit up.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = _upload(analyst_client, "名称,種別\n甲社,委託先\n".encode())
    analyst_client.post(reverse("registry:import_commit"), {"token": response.context["token"]})
    body = analyst_client.get(reverse("registry:import")).content.decode()
    assert 'id="import-running"' in body and 'http-equiv="refresh"' in body
    assert not Organisation.objects.filter(name="甲社").exists()


def test_another_session_cannot_commit_the_upload(analyst_client, admin_user, own):
    response = _upload(analyst_client, "名称,種別\n甲社,委託先\n".encode())
    other = Client()
    other.force_login(admin_user)
    other.post(reverse("registry:import_commit"), {"token": response.context["token"]})
    assert not Organisation.objects.filter(name="甲社").exists()


def test_web_commit_with_a_foreign_token_does_nothing(analyst_client, own):
    _upload(analyst_client, "名称,種別\n甲社,委託先\n".encode())
    analyst_client.post(reverse("registry:import_commit"), {"token": "guessed"})
    assert not Organisation.objects.filter(name="甲社").exists()


def test_web_bad_file_shows_a_clear_message(analyst_client, own, settings):
    response = _upload(analyst_client, os.urandom(2048), name="data.xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    settings.RENKEI_MAX_UPLOAD_BYTES = 100
    response = _upload(analyst_client, b"x" * 500)
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_web_cancel_discards_the_upload(analyst_client, own):
    response = _upload(analyst_client, "名称,種別\n甲社,委託先\n".encode())
    token = response.context["token"]
    analyst_client.post(reverse("registry:import_commit"), {"token": token, "cancel": "1"})
    analyst_client.post(reverse("registry:import_commit"), {"token": token})
    assert not Organisation.objects.filter(name="甲社").exists()


def test_import_page_is_linked_for_analysts(analyst_client, own):
    body = analyst_client.get(reverse("registry:import")).content.decode()
    assert reverse("registry:import") in body and reverse("registry:export") in body


# --- commands ----------------------------------------------------------------------------------


def test_command_previews_commits_and_exits_2_on_errors(tmp_path, own, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(f"{ORG_HEADERS_JA}\n甲社,{NUMBER_A},委託先,,,\n".encode("cp932"))
    call_command("import_registry", str(good))
    assert not Organisation.objects.filter(name="甲社").exists()
    call_command("import_registry", str(good), "--commit")
    org = Organisation.objects.get(name="甲社")
    entry = LogEntry.objects.get_for_object(org).get()
    assert entry.additional_data == {"via": "command: renkei import"}

    bad = tmp_path / "bad.csv"
    bad.write_text("名称,種別\n乙社,宇宙人\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_registry", str(bad), "--commit")
    assert exc.value.returncode == 2
    assert "宇宙人" in capsys.readouterr().out
    assert not Organisation.objects.filter(name="乙社").exists()

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(os.urandom(1000))
    with pytest.raises(CommandError) as exc:
        call_command("import_registry", str(junk))
    assert exc.value.returncode == 2


def test_export_command_round_trips(tmp_path, registry):
    target = tmp_path / "registry.xlsx"
    call_command("export_registry", str(target))
    plan = build_plan(user=None, upload=parse_upload(target.read_bytes(), filename=target.name))
    assert {r.status for r in plan.rows} == {UNCHANGED}
    csv_target = tmp_path / "orgs.csv"
    call_command("export_registry", str(csv_target), "--kind", "organisations", "--language", "en")
    assert csv_target.read_bytes().startswith(b"\xef\xbb\xbfname,")
    with pytest.raises(CommandError):
        call_command("export_registry", str(tmp_path / "x.csv"))
