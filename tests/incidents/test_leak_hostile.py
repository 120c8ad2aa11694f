"""Tracing hostile samples through the service: a delivery list (氏名・〒・住所) with renamed and
reordered columns, shuffled rows, half-width kana, partial rows, three rows, a million rows, CP932
and UTF-16 files; canaries found by every field; ties; the conclusion in words."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.utils import translation

from renkei.incidents.leaks import fingerprinting, services
from renkei.incidents.leaks.models import CanaryRecord, SharedDataset
from tests import factories as f
from tests.incidents import leak_samples as s

H = s.CUSTOMER_HEADER
MEMBER, NAME, KANA, EMAIL, PHONE, BIRTH, POSTAL, ADDRESS = range(8)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Any:
    settings.RENKEI_CANARY_DOMAIN = "canary.test.example"
    settings.RENKEI_LEAK_KEY = "leak test key"
    with translation.override("en"):
        yield


@pytest.fixture
def partners(own: Any) -> dict[str, Any]:
    return {name: f.OrganisationFactory(name=name, group_company=own) for name in ("配送会社A", "印刷会社B", "調査会社C")}


def share(user: Any, recipient: Any, body: list[list[str]], *, canaries: int = 5, header: list[str] = H) -> Any:
    dataset = SharedDataset(recipient=recipient, name="会員名簿", shared_on=dt.date(2026, 4, 1), method="SFTP")
    return services.dataset_share(
        user=user, dataset=dataset, data=s.csv_bytes(header, body), filename="会員.csv", canary_count=canaries
    )


def sent_rows(shared: Any) -> tuple[list[list[str]], list[list[str]]]:
    """The real rows and the canary rows of the file sent."""
    emails = set(shared.dataset.canaries.values_list("email", flat=True))
    rows = s.parse_csv(shared.content)[1:]
    return [r for r in rows if r[EMAIL] not in emails], [r for r in rows if r[EMAIL] in emails]


def trace(user: Any, data: bytes, filename: str = "leak.csv", **kwargs: Any) -> dict[str, Any]:
    return services.leak_trace(user=user, data=data, filename=filename, **kwargs)


@pytest.fixture
def ledger(csirt_user: Any, partners: Any) -> dict[str, Any]:
    """A: customers 0–299; B: 200–499 (overlapping A on 200–299)."""
    return {"A": share(csirt_user, partners["配送会社A"], s.customers(0, 300)),
            "B": share(csirt_user, partners["印刷会社B"], s.customers(200, 300))}  # fmt: skip


def delivery(rows: list[list[str]], rng: random.Random) -> list[list[str]]:
    """What a delivery-data leak looks like: address, name, postal code only, written otherwise, shuffled."""
    out = [[s.block_form(r[ADDRESS]), r[NAME].replace("\u3000", " "), "〒" + r[POSTAL].replace("-", "")] for r in rows]
    rng.shuffle(out)
    return out


# --- canaries found by every field --------------------------------------------------------------


@pytest.mark.parametrize("header", [["住所1", "宛名", "〒"], ["c1", "c2", "c3"], None], ids=["renamed", "meaningless", "none"])
def test_delivery_leak_with_a_canary_is_attributed(csirt_user: Any, ledger: Any, header: Any) -> None:
    real, canaries = sent_rows(ledger["A"])
    rng = random.Random(1)
    result = trace(csirt_user, s.csv_bytes(header, delivery(real[:30] + canaries[:2], rng)))
    assert [r["recipient"] for r in result["canary_recipients"]] == ["配送会社A"]
    found = result["canaries"]
    assert len(found) == 2 and all(c["conclusive"] for c in found)
    assert {tuple(c["kinds"]) for c in found} == {("name_address", "postal_address")}
    top = result["recipients"][0]
    assert (top["recipient"], top["rows"]) == ("配送会社A", 32)
    assert top["rows_by_kind"]["name_address"] == 32 and top["rows_by_kind"]["row"] == 0
    conclusion = result["conclusion"]
    assert conclusion["verdict"] == "canary" and conclusion["recipient_ids"] == [ledger["A"].dataset.recipient_id]
    assert "2 canary records of the dataset “会員名簿” sent to 配送会社A on" in conclusion["text"]["en"]
    assert "our master data does not contain them" in conclusion["text"]["en"]
    assert "derives from the copy we sent to 配送会社A" in conclusion["text"]["en"]
    assert "配送会社A" in conclusion["text"]["ja"] and "カナリア" in conclusion["text"]["ja"]


def test_a_member_number_and_a_birth_date_find_a_canary_too(csirt_user: Any, ledger: Any) -> None:
    _real, canaries = sent_rows(ledger["B"])
    leaked = [[c[MEMBER].lower(), c[NAME], c[BIRTH].replace("-", "/")] for c in canaries[:1]]
    result = trace(csirt_user, s.csv_bytes(["会員番号", "氏名", "生年月日"], leaked))
    assert result["canaries"][0]["kinds"] == ["name_birth", "member"] and result["canaries"][0]["conclusive"]
    assert result["conclusion"]["verdict"] == "canary"


def test_one_field_of_a_canary_alone_is_evidence_not_proof(csirt_user: Any, ledger: Any) -> None:
    _real, canaries = sent_rows(ledger["B"])
    result = trace(csirt_user, s.csv_bytes(["tel", "memo"], [[canaries[0][PHONE], "x"], ["0312345678", "y"], ["0312345679", "z"]]))
    assert result["canaries"][0]["kinds"] == ["phone"] and not result["canaries"][0]["conclusive"]
    assert result["canary_recipients"] == [] and result["conclusion"]["verdict"] == "likely"
    assert "a real person may have the same value" in result["conclusion"]["text"]["en"]


# --- hostile samples ----------------------------------------------------------------------------


def test_half_width_kana_partial_rows_and_shuffled_columns(csirt_user: Any, ledger: Any) -> None:
    rows = []
    for i, r in enumerate(s.customers(0, 60)):
        row = [r[BIRTH].replace("-", "/"), s.half_width_kana(r[KANA]), r[NAME], "", "", r[ADDRESS]]
        if i % 2:
            row[5] = ""  # half the rows lost their address: name and birth date still match
        rows.append(row)
    random.Random(2).shuffle(rows)
    result = trace(csirt_user, s.csv_bytes(["誕生日", "ﾌﾘｶﾞﾅ", "お名前", "メール", "携帯", "住所"], rows))
    top = result["recipients"][0]
    assert (top["recipient"], top["rows"], top["exclusive_rows"]) == ("配送会社A", 60, 60)
    assert top["rows_by_kind"]["name_birth"] == 60 and top["rows_by_kind"]["name_address"] == 30
    assert result["unmatched_count"] == 0 and result["conclusion"]["verdict"] == "likely"


def test_a_sample_of_three_rows(csirt_user: Any, ledger: Any) -> None:
    rows = [[r[NAME], r[POSTAL], r[ADDRESS]] for r in s.customers(10, 3)]
    result = trace(csirt_user, s.csv_bytes(None, rows))
    assert [(r["recipient"], r["rows"]) for r in result["recipients"]] == [("配送会社A", 3)]
    assert result["conclusion"]["verdict"] == "likely"
    assert "3 of its 3 rows match data we sent to 配送会社A (3 of them were sent to 配送会社A alone)" in (
        result["conclusion"]["text"]["en"]
    )


@pytest.mark.parametrize("encoding", ["cp932", "utf-16"])
def test_cp932_and_utf16_files(csirt_user: Any, ledger: Any, encoding: str) -> None:
    real, canaries = sent_rows(ledger["A"])
    data = s.csv_bytes(["住所", "氏名", "郵便番号"], delivery(real[:20] + canaries[:1], random.Random(3)), encoding=encoding)
    result = trace(csirt_user, data)
    assert [r["recipient"] for r in result["canary_recipients"]] == ["配送会社A"]
    assert result["recipients"][0]["rows"] == 21


def test_a_million_rows(csirt_user: Any, ledger: Any) -> None:
    real, canaries = sent_rows(ledger["A"])
    rng = random.Random(4)
    rows = delivery(real[:300] + canaries, rng)
    lines = ["住所,氏名,郵便番号"] + [",".join(r) for r in rows]
    families, givens = [x[0] for x in s.FAMILY], [x[0] for x in s.GIVEN]
    lines += [f"大阪府大阪市北区梅田{i // 1000}-{i % 1000},{families[i % 4]} {givens[i // 4 % 4]},〒530{i % 10000:04d}"
              for i in range(1_000_000 - len(rows))]  # fmt: skip
    result = trace(csirt_user, "\n".join(lines).encode(), workers=2)
    assert result["rows_total"] == 1_000_000
    assert [r["recipient"] for r in result["canary_recipients"]] == ["配送会社A"]
    assert len(result["canaries"]) == 5 and all(c["conclusive"] for c in result["canaries"])
    top = result["recipients"][0]
    assert (top["recipient"], top["rows"]) == ("配送会社A", 305)
    assert result["unmatched_count"] == 1_000_000 - 305


# --- ties and nothing -----------------------------------------------------------------------------


def test_a_tie_is_reported_as_a_tie(csirt_user: Any, partners: Any) -> None:
    body = s.customers(0, 50)
    a = share(csirt_user, partners["配送会社A"], body)
    share(csirt_user, partners["印刷会社B"], body)
    real, _canaries = sent_rows(a)
    result = trace(csirt_user, s.csv_bytes(H, real[:20]))
    assert [(r["recipient"], r["rows"]) for r in result["recipients"]] == [("配送会社A", 20), ("印刷会社B", 20)]
    assert len(result["tie"]) == 2
    conclusion = result["conclusion"]
    assert conclusion["verdict"] == "tie" and set(conclusion["recipient_ids"]) == set(result["tie"])
    assert "inconclusive between 配送会社A, 印刷会社B, 20 matching rows each" in conclusion["text"]["en"]
    assert "points to" not in conclusion["text"]["en"]
    assert "配送会社A、印刷会社B" in conclusion["text"]["ja"]


def test_nothing_links_a_sample_of_outsiders(csirt_user: Any, ledger: Any) -> None:
    rows = [[r[NAME], r[POSTAL], r[ADDRESS].replace("千代田区", "中央区")] for r in s.customers(5000, 40)]
    result = trace(csirt_user, s.csv_bytes(["氏名", "郵便番号", "住所"], rows))
    assert result["recipients"] == [] and result["unmatched_count"] == 40
    conclusion = result["conclusion"]
    assert conclusion["verdict"] == "none" and conclusion["recipient_ids"] == []
    assert "Nothing links the sample to data we shared." in conclusion["text"]["en"]
    assert "2 datasets we shared" in conclusion["text"]["en"]


# --- canaries look real and are unique per sending ------------------------------------------------


def test_canaries_look_like_the_rows_and_are_unique_per_sending(csirt_user: Any, partners: Any) -> None:
    body = [[*r[:7], s.block_form(r[ADDRESS])] for r in s.customers(0, 100)]
    first = share(csirt_user, partners["配送会社A"], body)
    second = share(csirt_user, partners["配送会社A"], body)  # the same file again: other canaries
    real_members = {r[MEMBER] for r in body}
    for shared in (first, second):
        _real, canaries = sent_rows(shared)
        assert len(canaries) == 5
        for c in canaries:
            assert c[MEMBER].startswith("M") and len(c[MEMBER]) == 8 and c[MEMBER] not in real_members
            assert "丁目" in c[ADDRESS] and c[POSTAL][3] == "-" and "\u3000" in c[NAME]
    keys = [set(fingerprinting.unpack(bytes(c.fingerprints)).tolist()) for c in CanaryRecord.objects.all()]
    assert len(keys) == 10 and all(len(k) == 6 for k in keys)  # e-mail, phone, the 3 pairs, member number
    assert sum(len(k) for k in keys) == len(set().union(*keys))  # no two canaries share a fingerprint
    assert first.filename == second.filename == "会員_配送会社A_20260401.csv"
    other = share(csirt_user, partners["印刷会社B"], body)
    assert other.filename == "会員_印刷会社B_20260401.csv"


def test_command_reports_a_tie_and_the_conclusion(csirt_user: Any, partners: Any, tmp_path: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    body = s.customers(0, 30)
    a = share(csirt_user, partners["配送会社A"], body)
    share(csirt_user, partners["印刷会社B"], body)
    path = tmp_path / "leak.csv"
    path.write_bytes(s.csv_bytes(["氏名", "住所"], [[r[NAME], r[ADDRESS]] for r in sent_rows(a)[0][:10]]))
    out = StringIO()
    call_command("leak_trace", str(path), stdout=out)
    text = out.getvalue()
    assert "INCONCLUSIVE: a tie between 配送会社A, 印刷会社B, 10 rows each." in text
    assert "inconclusive between 配送会社A, 印刷会社B, 10 matching rows each (of 10)" in text


def test_trace_page_shows_the_tie_and_the_conclusion_in_japanese(csirt_user: Any, partners: Any, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    body = s.customers(0, 30)
    a = share(csirt_user, partners["配送会社A"], body)
    share(csirt_user, partners["印刷会社B"], body)
    client.force_login(csirt_user)
    data = s.csv_bytes(["氏名", "住所"], [[r[NAME], r[ADDRESS]] for r in sent_rows(a)[0][:10]])
    with translation.override("ja"):
        response = client.post(
            reverse("incidents:leak_trace"), {"file": SimpleUploadedFile("x.csv", data), "encoding": "auto"},
            HTTP_ACCEPT_LANGUAGE="ja",
        )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200 and 'id="trace-conclusion"' in page
    assert "次の送付先の間で同数です" in page and "いずれも10行が一致" in page
    assert "出所を特定できません。配送会社A、印刷会社Bの間で判定できません（10行中、いずれも10行が一致）。" in page
