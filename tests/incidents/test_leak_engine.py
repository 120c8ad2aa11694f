"""The pure leak attribution engine: normalisation, fingerprints, canaries, reading samples, matching."""

from __future__ import annotations

import datetime as dt
import hmac
import random

import numpy as np
import pytest
from django.utils import translation

from renkei.core.errors import RenkeiError
from renkei.incidents.leaks import canaries, csv_parts, files, fingerprinting, matching, outgoing, tracing
from tests.incidents import leak_samples as s

KEY = fingerprinting.derive_key("test key")
HASHER = fingerprinting.Hasher(KEY)
MAX = 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ\u3000ｄｅｆ", "abc def"),
        ("  Yamada   Taro ", "yamada taro"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ タロウ"),
        ("Foo@Example.COM", "foo@example.com"),
        ("090-1234-5678", "09012345678"),
        ("０９０ー１２３４ー５６７８", "09012345678"),
        ("+81 90 1234 5678", "09012345678"),
        ("(03) 1234-5678", "0312345678"),
        ("〒100-0001", "1000001"),
        ("1985/4/3", "19850403"),
        ("1985-04-03", "19850403"),
        ("1985年4月3日", "19850403"),
        ("昭和60年4月3日", "19850403"),
        ("令和元年5月1日", "20190501"),
        ("東京都千代田区1-2-3", "東京都千代田区1-2-3"),
        ("", ""),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert fingerprinting.normalise(raw) == expected


def test_column_normalisation_equals_value_by_value() -> None:
    rng = random.Random(7)
    alphabet = "aB1 -/.年月日０１２ｱｲ\u3000\t\n@+()〒ー−ΣΑ昭和元\x00"
    for _ in range(3000):
        column = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(6)]
        assert fingerprinting.normalise_column(column) == [fingerprinting.normalise(v) for v in column]


def test_fingerprints_of_raw_rows_equal_those_of_normalised_rows() -> None:
    rng = random.Random(11)
    alphabet = "aB1 -/.年月日０１２ｱｲ\u3000\t@+()〒ー−ΣΩÅＡ\u0301"
    digits = "0123456789-/.+()〒 ー"
    for _ in range(2000):
        width = rng.randint(1, 4)
        pools = [digits if rng.random() < 0.6 else alphabet for _ in range(width)]
        rows = [
            ["".join(rng.choice(pools[i]) for _ in range(rng.randint(0, 10))) for i in range(width)]
            for _ in range(rng.randint(1, 5))
        ]
        raw = fingerprinting.fingerprint_table(rows, HASHER).fingerprints.values
        done = fingerprinting.fingerprint_table([[fingerprinting.normalise(c) for c in r] for r in rows], HASHER).fingerprints.values
        assert sorted(raw.tolist()) == sorted(done.tolist()), rows


def test_hasher_is_hmac_sha256_truncated() -> None:
    messages = [b"", b"r\x00abc", "山田".encode() * 40]
    expected = [int.from_bytes(hmac.digest(KEY, m, "sha256")[:8], "big") for m in messages]
    assert HASHER.fingerprints(messages).tolist() == expected


def test_pack_is_sorted_unique_little_endian() -> None:
    values = np.array([5, 3, 5, 2**63 + 1], dtype=np.uint64)
    packed = fingerprinting.pack(values)
    assert len(packed) == 24
    assert fingerprinting.unpack(packed).tolist() == [3, 5, 2**63 + 1]


def test_row_fingerprint_ignores_column_order_and_formats() -> None:
    a = fingerprinting.fingerprint_table([["山田\u3000太郎", "090-1234-5678", "1985-04-03"]], HASHER).fingerprints
    b = fingerprinting.fingerprint_table([["19850403", "ＹＡＭＡＤＡ", "09012345678"]], HASHER).fingerprints
    c = fingerprinting.fingerprint_table([["1985/4/3", "山田 太郎", "０９０１２３４５６７８"]], HASHER).fingerprints
    assert set(a.values.tolist()) == set(c.values.tolist())  # same row, other order and formats
    assert a.values[a.kinds == fingerprinting.ROW][0] != b.values[b.kinds == fingerprinting.ROW][0]
    assert a.values[a.kinds == fingerprinting.PHONE][0] == b.values[b.kinds == fingerprinting.PHONE][0]  # the phone alone matches


def test_match_ranks_recipients_and_reports_rows_matching_nothing() -> None:
    sent_a = outgoing.fingerprint_outgoing(s.rows(0, 100), HASHER)
    sent_b = outgoing.fingerprint_outgoing(s.rows(90, 100), HASHER)  # overlaps A on customers 90–99
    leak = s.rows(50, 50) + s.rows(1000, 30)  # 50 of A's (10 also B's), 30 never shared
    fps = fingerprinting.fingerprint_table(leak, HASHER).fingerprints
    ledger = [matching.LedgerEntry(1, 10, sent_a), matching.LedgerEntry(2, 20, sent_b)]
    matches = matching.match(fps, len(leak), ledger)
    assert [r.recipient_id for r in matches.recipients] == [10, 20]
    a, b = matches.recipients
    assert (a.row_count, a.exclusive, a.count(fingerprinting.ROW)) == (50, 40, 50)
    assert (b.row_count, b.exclusive) == (10, 0)
    assert a.datasets == {1: 50}
    assert matches.unmatched.tolist() == list(range(50, 80))
    assert matches.datasets_compared == 2


def test_match_against_an_empty_ledger_or_sample() -> None:
    fps = fingerprinting.fingerprint_table(s.rows(0, 3), HASHER).fingerprints
    assert matching.match(fps, 3, []).unmatched.tolist() == [0, 1, 2]
    empty = matching.match(fingerprinting.Fingerprints.empty(), 0, [matching.LedgerEntry(1, 1, fps.values)])
    assert empty.recipients == [] and empty.unmatched.size == 0


# --- canaries -----------------------------------------------------------------------------------


def test_canaries_look_like_the_rows_and_are_unique_to_the_recipient() -> None:
    body = s.rows(0, 30)
    body = [[*r[:3], f"{r[3][:3]}-{r[3][3:7]}-{r[3][7:]}", r[4].replace("-", "/"), r[5]] for r in body]
    styles = canaries.classify_columns(s.HEADER, body)
    assert [st.kind for st in styles] == ["name", "kana", "email", "phone", "birthdate", "address"]
    rng = random.Random(3)
    made = [
        canaries.make_canary(
            styles, key=KEY, recipient_id=7, domain="canary.example.org", rng=rng, today=dt.date(2026, 11, 22)
        )
        for _ in range(50)
    ]
    for canary in made:
        name, kana, email, phone, birth, address = canary.row
        assert "\u3000" in name and "\u3000" in kana
        assert email.endswith("@canary.example.org")
        assert phone[:3] in ("070", "080", "090") and phone[3] == "-" and len(phone) == 13
        assert len(birth) == 10 and birth[4] == "/"
        assert address[:2] in {p[0][:2] for p in canaries.PLACES}
        assert canary.values["メールアドレス"] == email
    assert len({c.email for c in made}) == len({c.phone for c in made}) == 50
    other = canaries.canary_token(KEY, 8, "serial")
    assert other != canaries.canary_token(KEY, 7, "serial")


def test_unknown_columns_get_categories_or_shapes_never_real_values() -> None:
    header = ["会員番号", "ランク", "メール", "備考"]
    body = [[f"M{i:05d}", "ゴールド" if i % 3 else "シルバー", f"u{i}@example.jp", f"自由記述{i}"] for i in range(40)]
    styles = canaries.classify_columns(header, body)
    canary = canaries.make_canary(
        styles, key=KEY, recipient_id=1, domain="c.example", rng=random.Random(1), today=dt.date(2026, 1, 1)
    )
    number, rank, _email, note = canary.row
    assert number[0] == "M" and len(number) == 6 and number not in {r[0] for r in body}
    assert rank in {"ゴールド", "シルバー"}
    assert note == ""


# --- reading samples ----------------------------------------------------------------------------


def test_csv_header_is_detected_and_rows_located() -> None:
    data = s.csv_bytes(s.HEADER, s.rows(0, 5))
    sample = files.read_sample(data, filename="leak.csv", hasher=HASHER, max_bytes=MAX)
    assert (sample.mode, sample.rows_total, sample.header) == ("csv", 5, s.HEADER)
    located = sample.locate([0, 4])
    assert located[0] == ("2", s.person(0)) and located[4][0] == "6"


@pytest.mark.parametrize("newline", [b"\n", b"\r"])
def test_line_ends_of_every_kind_read_alike(newline: bytes) -> None:
    crlf = s.csv_bytes(s.HEADER, s.rows(0, 20))
    other = crlf.replace(b"\r\n", newline)
    a, b = (files.read_sample(d, filename="x.csv", hasher=HASHER, max_bytes=MAX) for d in (crlf, other))
    assert a.rows_total == b.rows_total == 20
    assert np.array_equal(np.sort(a.fingerprints.values), np.sort(b.fingerprints.values))
    assert a.locate([3]) == b.locate([3])


def test_csv_without_header() -> None:
    sample = files.read_sample(s.csv_bytes(None, s.rows(0, 5)), filename="x.csv", hasher=HASHER, max_bytes=MAX)
    assert sample.header == [] and sample.rows_total == 5


def test_text_dump_is_read_by_its_emails_and_phones() -> None:
    text = (
        "--- dump 2026 ---\n"
        "user: taro.yamada0@example.jp pass=hunter2\n"
        "電話 ０９０－００００－０００１ 佐藤\n"
        "nothing here\n"
        "contact: +81 90 0000 0002, HANAKO.SUZUKI@EXAMPLE.JP\n"
    )
    sample = files.read_sample(text.encode(), filename="dump.txt", hasher=HASHER, max_bytes=MAX)
    assert sample.mode == "text" and sample.rows_total == 6
    fps = sample.fingerprints
    assert sorted(set(fps.rows.tolist())) == [1, 2, 4]
    assert sorted(fps.kinds.tolist()) == [fingerprinting.EMAIL, fingerprinting.EMAIL, fingerprinting.PHONE, fingerprinting.PHONE]
    assert sample.locate([4])[4] == ("5", ["contact: +81 90 0000 0002, HANAKO.SUZUKI@EXAMPLE.JP"])


def test_quoted_newlines_and_parallel_parts_give_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    body = [[*r[:5], f"{r[5]}\n（建物名）\"本館\""] for r in s.rows(0, 400)]
    data = s.csv_bytes(s.HEADER, body)
    one = files.read_sample(data, filename="a.csv", hasher=HASHER, max_bytes=MAX, workers=1)
    monkeypatch.setattr(files, "PARALLEL_FROM_CHARS", 100)
    monkeypatch.setattr(csv_parts, "CHUNK_ROWS", 37)
    two = files.read_sample(data, filename="a.csv", hasher=HASHER, max_bytes=MAX, workers=3)
    assert two.rows_total == one.rows_total == 400
    assert np.array_equal(np.sort(one.fingerprints.values), np.sort(two.fingerprints.values))
    assert two.locate([0, 199, 399]) == one.locate([0, 199, 399])
    assert one.locate([1])[1][1] == body[1]


def test_quoted_and_unquoted_csv_and_ragged_lines_read_alike() -> None:
    import csv
    import io

    body = s.rows(0, 60)
    body[7] = [*body[7], "余分な列"]  # one line with an extra field
    body[9] = body[9][:3]  # and one with fewer
    plain = s.csv_bytes(s.HEADER, body)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([s.HEADER, *body])
    quoted = buffer.getvalue().encode()
    a, b = (files.read_sample(d, filename="x.csv", hasher=HASHER, max_bytes=MAX) for d in (plain, quoted))
    assert a.rows_total == b.rows_total == 60
    assert np.array_equal(np.sort(a.fingerprints.values), np.sort(b.fingerprints.values))
    assert a.locate([7, 9]) == b.locate([7, 9]) and a.locate([7])[7][1][-1] == "余分な列"


@pytest.mark.parametrize("quoted", [False, True])
def test_matching_while_reading_gives_the_same_result(quoted: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import csv
    import io

    ledger = [
        matching.LedgerEntry(1, 10, outgoing.fingerprint_outgoing(s.rows(0, 100), HASHER)),
        # Same customers, other columns: e-mails match, whole rows do not.
        matching.LedgerEntry(2, 20, outgoing.fingerprint_outgoing([r[:3] for r in s.rows(50, 100)], HASHER)),
        matching.LedgerEntry(3, 30, outgoing.fingerprint_outgoing([r[::5] for r in s.rows(0, 300)], HASHER)),
    ]
    body = s.rows(20, 200) + [[r[0], "", "", "", "", r[5]] for r in s.rows(0, 30)]  # no e-mail or phone
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_ALL if quoted else csv.QUOTE_MINIMAL).writerows([s.HEADER, *body])
    data = buffer.getvalue().encode()
    plain = files.read_sample(data, filename="x.csv", hasher=HASHER, max_bytes=MAX)
    expected = matching.match(plain.fingerprints, plain.rows_total, ledger)
    monkeypatch.setattr(files, "PARALLEL_FROM_CHARS", 100)
    monkeypatch.setattr(csv_parts, "CHUNK_ROWS", 33)
    for workers in (1, 2):
        sample = files.read_sample(data, filename="x.csv", hasher=HASHER, max_bytes=MAX, workers=workers, ledger=ledger)
        assert sample.hits is not None and sample.comparable is not None
        got = matching.aggregate(sample.hits, sample.rows_total, sample.comparable)
        assert [(r.recipient_id, r.rows.tolist(), r.bits.tolist(), r.datasets, r.exclusive) for r in got.recipients] == [
            (r.recipient_id, r.rows.tolist(), r.bits.tolist(), r.datasets, r.exclusive) for r in expected.recipients
        ]
        assert got.unmatched.tolist() == expected.unmatched.tolist() and got.datasets_compared == 3
    by_id = {r.recipient_id: r for r in expected.recipients}
    assert by_id[10].count(fingerprinting.ROW) == 80  # customers 20–99 match dataset 1 as whole rows
    assert by_id[20].row_count == 100 and by_id[20].count(fingerprinting.ROW) == 0  # other columns: e-mails only
    assert by_id[30].count(fingerprinting.ROW) == 30  # the 30 rows without e-mail or phone, as whole rows


def test_split_points_never_cut_a_quoted_field() -> None:
    text = 'a,b\n"x\ny\nz",1\n' * 50
    points = csv_parts.split_points(text, 4, 7)
    for point in points[1:-1]:
        assert text.count('"', 4, point) % 2 == 0 and text[point - 1] == "\n"


def test_workbook_sample(tmp_path: object) -> None:
    data = s.xlsx_bytes(s.HEADER, [[*r[:4], dt.date(1980, 1, 2), r[5]] for r in s.rows(0, 4)])
    sample = files.read_sample(data, filename="leak.xlsx", hasher=HASHER, max_bytes=MAX)
    assert (sample.mode, sample.rows_total) == ("xlsx", 4)
    assert sample.locate([0])[0][0] == "顧客!2"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "x.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "x.xls", ".xls"),
        (bytes(range(256)) * 10, "x.bin", "encoding"),
        (s.zip_bomb(), "bomb.xlsx", "too large when unpacked"),
        (s.entity_workbook(), "entity.xlsx", "not allowed"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "not an Excel workbook"),
    ],
)
def test_hostile_files_are_refused_with_a_message(data: bytes, filename: str, message: str) -> None:
    with translation.override("en"), pytest.raises(RenkeiError) as caught:
        files.read_sample(data, filename=filename, hasher=HASHER, max_bytes=MAX)
    assert message in str(caught.value)


def test_oversized_sample_is_refused() -> None:
    with pytest.raises(RenkeiError) as caught:
        files.read_sample(b"a,b\n" * 100, filename="x.csv", hasher=HASHER, max_bytes=100)
    assert caught.value.status == 413


def test_trace_end_to_end_without_the_database() -> None:
    sent = outgoing.fingerprint_outgoing(s.rows(0, 50), HASHER)
    lookup = canaries.canary_index([(99, canaries.contact_fingerprints("canary.x@canary.example", "080-1111-2222", HASHER))])
    leak = s.rows(0, 10) + [["カナリア", "", "Canary.X@canary.example", "", "", ""]] + s.rows(500, 5)
    result = tracing.trace(
        s.csv_bytes(s.HEADER, leak), filename="leak.csv", key=KEY, ledger=[matching.LedgerEntry(1, 2, sent)],
        canaries=lookup, canary_owners={99: tracing.CanaryOwner(1, 2)}, max_bytes=MAX,
    )  # fmt: skip
    assert result.canary_recipient_ids == [2]
    assert result.canaries[0]["row"] == "12" and result.canaries[0]["conclusive"]
    assert result.recipients[0]["rows"] == 10 and result.recipients[0]["examples"][0]["row"] == "2"
    assert result.unmatched_count == 6
    assert [r["row"] for r in result.unmatched_rows][:2] == ["12", "13"]
