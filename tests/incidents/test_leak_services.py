"""Sharing datasets (canaries, fingerprints only) and tracing leaked samples through the services,
the `leak_trace` command and `renkei leak trace`."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from renkei.cli import main as cli_main
from renkei.core.errors import RenkeiError
from renkei.incidents.leaks import fingerprinting, services
from renkei.incidents.leaks.models import CanaryRecord, SharedDataset
from tests import factories as f
from tests.incidents import leak_samples as s


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    settings.RENKEI_CANARY_DOMAIN = "canary.test.example"
    settings.RENKEI_LEAK_KEY = "leak test key"
    with translation.override("en"):
        yield


@pytest.fixture
def partners(own: Any) -> dict[str, Any]:
    return {name: f.OrganisationFactory(name=name, group_company=own) for name in ("配送会社A", "印刷会社B", "調査会社C")}


def share(user: Any, recipient: Any, body: list[list[Any]], *, canaries: int | None = 5, **kwargs: Any) -> Any:
    data = kwargs.pop("data", None) or s.csv_bytes(s.HEADER, body)
    dataset = SharedDataset(recipient=recipient, name=kwargs.pop("name", ""), shared_on=dt.date(2026, 4, 1), method="SFTP")
    return services.dataset_share(
        user=user, dataset=dataset, data=data, filename=kwargs.pop("filename", "顧客.csv"), canary_count=canaries, **kwargs
    )


def canary_rows(shared: Any) -> list[list[str]]:
    emails = set(shared.dataset.canaries.values_list("email", flat=True))
    return [r for r in s.parse_csv(shared.content)[1:] if r[2].lower() in emails]


def real_rows(shared: Any) -> list[list[str]]:
    emails = set(shared.dataset.canaries.values_list("email", flat=True))
    return [r for r in s.parse_csv(shared.content)[1:] if r[2].lower() not in emails]


# --- sharing ------------------------------------------------------------------------------------


def test_sharing_returns_the_file_with_canaries_and_keeps_only_fingerprints(csirt_user: Any, partners: Any) -> None:
    body = s.rows(0, 200)
    shared = share(csirt_user, partners["配送会社A"], body)
    out = s.parse_csv(shared.content)
    assert out[0] == s.HEADER and len(out) == 1 + 200 + 5
    assert real_rows(shared) == body  # the real rows go out unchanged and in order
    assert len(canary_rows(shared)) == 5
    ds = shared.dataset
    assert (ds.name, ds.row_count, ds.canary_count, ds.columns) == ("顧客", 200, 5, s.HEADER)
    assert ds.key_version == fingerprinting.key_id(services.leak_key())
    # Rows, e-mails, phones, names with addresses and names with birth dates of 205 rows: 1,025
    # fingerprints, and nothing else of the rows.
    assert len(fingerprinting.unpack(bytes(ds.fingerprints))) == 1025
    stored = repr(list(SharedDataset.objects.values())) + repr(list(CanaryRecord.objects.values()))
    assert not any(value in stored for row in body for value in row[2:4])
    for canary in ds.canaries.all():
        assert canary.email.endswith("@canary.test.example") and canary.phone[:3] in ("070", "080", "090")
        assert canary.values["メールアドレス"] == canary.email


def test_each_recipient_gets_its_own_canaries(csirt_user: Any, partners: Any) -> None:
    a = share(csirt_user, partners["配送会社A"], s.rows(0, 50))
    b = share(csirt_user, partners["印刷会社B"], s.rows(0, 50))
    assert not {r[2] for r in canary_rows(a)} & {r[2] for r in canary_rows(b)}
    assert CanaryRecord.objects.count() == 10


def test_workbook_comes_back_as_a_workbook_with_its_types(csirt_user: Any, partners: Any) -> None:
    body = [[*r[:4], dt.datetime(1980 + i, 1, 2), r[5]] for i, r in enumerate(s.rows(0, 30))]
    shared = share(csirt_user, partners["配送会社A"], body, data=s.xlsx_bytes(s.HEADER, body), filename="顧客.xlsx")
    assert shared.filename == "顧客_配送会社A_20260401.xlsx" and shared.content_type.endswith("sheet")
    out = s.read_xlsx(shared.content)
    assert out[0] == s.HEADER and len(out) == 36
    assert all(isinstance(row[4], dt.datetime) for row in out[1:])  # canaries' birth dates are dates too


def test_file_without_identifying_columns_gets_no_canaries(csirt_user: Any, partners: Any) -> None:
    data = s.csv_bytes(["性別", "年齢"], [["男性" if i % 2 else "女性", str(20 + i)] for i in range(20)])
    shared = share(csirt_user, partners["配送会社A"], [], data=data, canaries=None)
    assert shared.dataset.canary_count == 0 and len(s.parse_csv(shared.content)) == 21


def test_delivery_list_without_email_or_phone_gets_canaries(csirt_user: Any, partners: Any) -> None:
    # 氏名・住所 make a key (name + address): a canary can be recognised by them.
    data = s.csv_bytes(["氏名", "住所"], [r[::5] for r in s.rows(0, 20)])
    shared = share(csirt_user, partners["配送会社A"], [], data=data, canaries=None)
    assert shared.dataset.canary_count == 3 and len(s.parse_csv(shared.content)) == 24


@pytest.mark.parametrize(
    ("data", "filename"),
    [(s.zip_bomb(), "bomb.xlsx"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "old.xls"), (b"", "empty.csv")],
)
def test_hostile_or_empty_files_are_refused_and_nothing_is_saved(
    csirt_user: Any, partners: Any, data: bytes, filename: str
) -> None:
    with pytest.raises(RenkeiError):
        share(csirt_user, partners["配送会社A"], [], data=data or b" ", filename=filename)
    assert not SharedDataset.objects.exists() and not CanaryRecord.objects.exists()


def test_viewer_and_analyst_may_not_share(viewer: Any, analyst: Any, partners: Any) -> None:
    for user in (viewer, analyst):
        with pytest.raises(PermissionDenied):
            share(user, partners["配送会社A"], s.rows(0, 5))
    assert not SharedDataset.objects.exists()


def test_limited_user_may_not_share_with_a_party_it_cannot_see(subsidiary: Any, partners: Any) -> None:
    from renkei.core.permissions import Role

    limited = f.UserFactory(role=Role.CSIRT, companies=[subsidiary])
    dataset = SharedDataset(recipient=partners["配送会社A"], shared_on=dt.date(2026, 4, 1), group_company=subsidiary)
    with pytest.raises(RenkeiError) as caught:
        services.dataset_share(user=limited, dataset=dataset, data=s.csv_bytes(s.HEADER, s.rows(0, 3)), filename="x.csv")
    assert caught.value.field_name == "recipient"
    assert not SharedDataset.objects.exists()


# --- tracing ------------------------------------------------------------------------------------


@pytest.fixture
def ledger(csirt_user: Any, partners: Any) -> dict[str, Any]:
    """A: customers 0–299; B: 200–499 (overlapping A on 200–299); C: 1000–1099 without phones."""
    no_phone = ["氏名", "メールアドレス", "住所"]
    return {
        "A": share(csirt_user, partners["配送会社A"], s.rows(0, 300)),
        "B": share(csirt_user, partners["印刷会社B"], s.rows(200, 300)),
        "C": share(csirt_user, partners["調査会社C"], [], data=s.csv_bytes(no_phone, [[r[0], r[2], r[5]] for r in s.rows(1000, 100)])),
    }


def trace(user: Any, body: list[list[Any]], header: list[str] | None = s.HEADER, **kwargs: Any) -> dict[str, Any]:
    data = kwargs.pop("data", None) or s.csv_bytes(header, body)
    return services.leak_trace(user=user, data=data, filename=kwargs.pop("filename", "leak.csv"), **kwargs)


def test_canaries_are_conclusive(csirt_user: Any, ledger: Any, partners: Any) -> None:
    leaked = real_rows(ledger["B"])[:40] + canary_rows(ledger["B"])[:2]
    result = trace(csirt_user, leaked)
    assert result["canary_recipients"] == [{"recipient_id": partners["印刷会社B"].pk, "recipient": "印刷会社B"}]
    found = [c for c in result["canaries"] if c["conclusive"]]
    assert len(found) == 2 and {c["dataset_id"] for c in found} == {ledger["B"].dataset.pk}
    assert found[0]["shared_on"] == "2026-04-01" and found[0]["recipient"] == "印刷会社B"
    assert result["recipients"][0]["recipient"] == "印刷会社B" and result["recipients"][0]["has_canary"]


def test_fingerprints_alone_rank_the_right_recipient_first(csirt_user: Any, ledger: Any) -> None:
    # Customers 150–299 in another column order and other formats, no canaries: all were sent to A,
    # half of them to B as well.
    leaked = [[r[2].upper(), r[0], r[1], f"{r[3][:3]}-{r[3][3:7]}-{r[3][7:]}", r[4].replace("-", "/"), r[5]]
              for r in s.rows(150, 150)]  # fmt: skip
    header = ["mail", "name", "kana", "tel", "birth", "address"]
    result = trace(csirt_user, leaked, header)
    assert result["canaries"] == []
    first, second = result["recipients"][:2]
    assert (first["recipient"], first["rows"], first["exclusive_rows"]) == ("配送会社A", 150, 50)
    assert first["rows_by_kind"] == {
        "row": 150, "email": 150, "phone": 150, "name_address": 150, "name_birth": 150, "postal_address": 0, "member": 0
    }  # fmt: skip
    assert (second["recipient"], second["rows"], second["exclusive_rows"]) == ("印刷会社B", 100, 0)
    assert first["datasets"][0]["name"] == "顧客" and first["datasets"][0]["rows_sent"] == 300
    assert first["examples"][0]["row"] == "2" and first["examples"][0]["matched"] == [
        "row", "email", "phone", "name_address", "name_birth"
    ]  # fmt: skip
    assert result["unmatched_count"] == 0


def test_a_file_that_matches_nothing_is_shown_as_not_ours(csirt_user: Any, ledger: Any) -> None:
    result = trace(csirt_user, s.rows(5000, 80, domain="elsewhere.example"))
    assert result["recipients"] == [] and result["canaries"] == []
    assert result["unmatched_count"] == 80 == result["rows_total"]
    assert len(result["unmatched_rows"]) == 20 and result["unmatched_rows"][0]["values"][2].endswith("elsewhere.example")


def test_text_dump_with_unknown_columns_matches_by_emails_and_phones(csirt_user: Any, ledger: Any) -> None:
    canary = ledger["C"].dataset.canaries.first()
    lines = [f"{r[0]} <{r[2]}> tel:{r[3][:3]}-{r[3][3:7]}-{r[3][7:]} pw=xyz" for r in s.rows(0, 10)]
    lines += [f"{r[0]} {r[2]} address unknown" for r in s.rows(1000, 5)]
    lines += ["#### combo list ####", f"{canary.email}:password123", "someone@else.example:qwerty"]
    result = trace(csirt_user, [], data="\n".join(lines).encode("cp932"), filename="dump.txt")
    assert result["mode"] == "text"
    assert [r["recipient"] for r in result["canary_recipients"]] == ["調査会社C"]
    by_name = {r["recipient"]: r for r in result["recipients"]}
    assert by_name["配送会社A"]["rows"] == 10 and by_name["配送会社A"]["rows_by_kind"]["phone"] == 10
    assert by_name["調査会社C"]["rows"] == 6
    assert result["unmatched_count"] == 1 and result["rows_without_values"] == 1


def test_tracing_needs_incident_rights_and_stays_in_scope(viewer: Any, subsidiary: Any, ledger: Any) -> None:
    from renkei.core.permissions import Role

    with pytest.raises(PermissionDenied):
        trace(viewer, s.rows(0, 5))
    limited = f.UserFactory(role=Role.CSIRT, companies=[subsidiary])
    result = trace(limited, s.rows(0, 5))  # the own company's ledger is out of its scope
    assert result["datasets_compared"] == 0 and result["unmatched_count"] == 5


def test_datasets_made_with_another_key_are_skipped_and_reported(
    csirt_user: Any, ledger: Any, settings: Any
) -> None:
    settings.RENKEI_LEAK_KEY = "a rotated key"
    result = trace(csirt_user, s.rows(0, 5))
    assert result["skipped_datasets"] == 3 and result["datasets_compared"] == 0


def test_deleting_a_dataset_removes_its_canaries(csirt_user: Any, ledger: Any) -> None:
    services.dataset_delete(user=csirt_user, dataset=ledger["A"].dataset)
    assert SharedDataset.objects.count() == 2 and CanaryRecord.objects.count() == 10


# --- the command --------------------------------------------------------------------------------


def test_command_prints_a_report_and_json(ledger: Any, tmp_path: Path) -> None:
    path = tmp_path / "leak.csv"
    path.write_bytes(s.csv_bytes(s.HEADER, real_rows(ledger["A"])[:20] + canary_rows(ledger["A"])[:1]))
    out = StringIO()
    call_command("leak_trace", str(path), stdout=out)
    text = out.getvalue()
    assert "CONCLUSIVE: canary rows of 配送会社A found" in text and "1. 配送会社A: 21 rows" in text
    out = StringIO()
    call_command("leak_trace", str(path), "--json", stdout=out)
    data = orjson.loads(out.getvalue())
    assert data["canary_recipients"][0]["recipient"] == "配送会社A" and data["rows_total"] == 21


def test_command_errors(tmp_path: Path, db: Any) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("leak_trace", str(tmp_path / "missing.csv"))
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
    with pytest.raises(CommandError, match="xls"):
        call_command("leak_trace", str(path))


def test_cli_leak_trace(ledger: Any, tmp_path: Path, capsys: Any) -> None:
    assert cli_main(["leak"]) == 2
    path = tmp_path / "leak.csv"
    path.write_bytes(s.csv_bytes(s.HEADER, s.rows(0, 3)))
    assert cli_main(["leak", "trace", str(path), "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["recipients"][0]["recipient"] == "配送会社A"
