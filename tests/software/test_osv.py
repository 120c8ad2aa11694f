"""Reading OSV records: sources (directories, zips, single files), validation and severity."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from renkei.software.vulndb import osv
from renkei.software.vulndb.osv import (
    OsvError,
    iter_osv_files,
    load_advisories,
    parse_advisory,
    rating_for_score,
)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osv" / "PyPI"

V3_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"  # 7.5
V3_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
V4_MEDIUM = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"  # 6.9
V2_MEDIUM = "AV:N/AC:L/Au:N/C:P/I:N/A:N"  # 5.0


def record(**fields) -> dict:
    base = {
        "id": "GHSA-xxxx-yyyy-zzzz",
        "modified": "2024-01-02T03:04:05Z",
        "aliases": ["CVE-2024-0001"],
        "summary": "Something bad",
        "details": "Long text",
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "Django_REST.framework"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}],
                "versions": ["1.0", "1.1"],
            }
        ],
        "references": [{"type": "WEB", "url": "https://example.org/a"}, {"type": "WEB"}],
    }
    base.update(fields)
    return base


def parse(doc: dict, source: str = "x.json"):
    return parse_advisory(json.dumps(doc).encode(), source=source)


# --- Records -------------------------------------------------------------------------------------


def test_parse_json_record():
    adv = parse(record(published="2023-12-31T00:00:00.123456789Z", withdrawn="2024-02-01T00:00:00Z"))
    assert adv.id == "GHSA-xxxx-yyyy-zzzz"
    assert adv.aliases == ["CVE-2024-0001"]
    assert adv.modified == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert adv.published.tzinfo is not None
    assert adv.withdrawn == datetime(2024, 2, 1, tzinfo=UTC)
    assert adv.summary == "Something bad"
    assert adv.references == ["https://example.org/a"]
    (affected,) = adv.affected
    assert (affected.ecosystem, affected.name) == ("PyPI", "django-rest-framework")
    assert affected.ranges == [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.2"}]}]
    assert affected.versions == ["1.0", "1.1"]
    assert adv.severity == "unknown" and adv.cvss_score is None and adv.cvss_vector == ""


def test_parse_yaml_record_with_release_suffix_and_unquoted_numbers():
    text = b"""
id: DSA-1
modified: 2024-01-02T03:04:05Z
affected:
- package: {ecosystem: "Debian:12", name: OpenSSL}
  ranges:
  - type: ECOSYSTEM
    repo: https://example.org/repo
    events:
    - introduced: 0
    - fixed: 3.0.11-1~deb12u2
  versions: [2]
"""
    adv = parse_advisory(text, source="DSA-1.yaml")
    (affected,) = adv.affected
    assert (affected.ecosystem, affected.name) == ("Debian", "openssl")
    assert affected.ranges[0]["events"] == [{"introduced": "0"}, {"fixed": "3.0.11-1~deb12u2"}]
    assert affected.ranges[0]["repo"] == "https://example.org/repo"
    assert affected.versions == ["2"]
    assert adv.modified == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_affected_without_package_is_skipped():
    adv = parse(
        record(affected=[{"ranges": [{"type": "GIT", "repo": "r", "events": [{"introduced": "0"}]}]}])
    )
    assert adv.affected == []


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        (record(modified=None), "modified"),
        (record(modified="yesterday"), "modified"),
        (record(id=""), "id"),
        (record(aliases="CVE-1"), "aliases"),
        (record(affected=[{"package": {"name": "x"}}]), "affected[0].package.ecosystem"),
        (
            record(affected=[{"package": {"ecosystem": "PyPI", "name": "x"}, "ranges": [{"events": []}]}]),
            "affected[0].ranges[0].type",
        ),
        (
            record(
                affected=[
                    {
                        "package": {"ecosystem": "PyPI", "name": "x"},
                        "ranges": [{"type": "ECOSYSTEM", "events": []}],
                    }
                ]
            ),
            "affected[0].ranges[0].events",
        ),
        (
            record(
                affected=[
                    {
                        "package": {"ecosystem": "PyPI", "name": "x"},
                        "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1", "fixed": "2"}]}],
                    }
                ]
            ),
            "affected[0].ranges[0].events[0]",
        ),
        (
            record(affected=[{"package": {"ecosystem": "PyPI", "name": "x"}, "versions": [1.10]}]),
            "affected[0].versions[0]",
        ),
    ],
)
def test_invalid_records_name_source_and_field(doc, field):
    with pytest.raises(OsvError) as exc:
        parse(doc, source="dir/GHSA-1.json")
    assert exc.value.source == "dir/GHSA-1.json"
    assert exc.value.field == field
    assert "dir/GHSA-1.json" in str(exc.value) and field in str(exc.value)


def test_malformed_json_and_yaml():
    with pytest.raises(OsvError, match=r"bad\.json: Invalid JSON"):
        parse_advisory(b"{nope", source="bad.json")
    with pytest.raises(OsvError, match=r"bad\.yaml: Invalid YAML"):
        parse_advisory(b"id: [unclosed", source="bad.yaml")
    with pytest.raises(OsvError, match="must be an object"):
        parse_advisory(b"[1, 2]", source="list.json")


# --- Severity ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (10.0, "critical"),
        (9.0, "critical"),
        (8.9, "high"),
        (7.0, "high"),
        (6.9, "medium"),
        (4.0, "medium"),
        (3.9, "low"),
        (0.1, "low"),
    ],
)
def test_rating_for_score(score, rating):
    assert rating_for_score(score) == rating


def test_severity_from_cvss_prefers_newest_version():
    adv = parse(
        record(severity=[{"type": "CVSS_V3", "score": V3_CRITICAL}, {"type": "CVSS_V4", "score": V4_MEDIUM}])
    )
    assert (adv.severity, adv.cvss_score, adv.cvss_vector) == ("medium", 6.9, V4_MEDIUM)
    adv = parse(
        record(severity=[{"type": "CVSS_V2", "score": V2_MEDIUM}, {"type": "CVSS_V3", "score": V3_HIGH}])
    )
    assert (adv.severity, adv.cvss_score) == ("high", 7.5)
    adv = parse(record(severity=[{"type": "CVSS_V2", "score": V2_MEDIUM}]))
    assert (adv.severity, adv.cvss_score) == ("medium", 5.0)


def test_severity_per_package_and_database_rating():
    affected = record()["affected"]
    affected[0]["severity"] = [{"type": "CVSS_V3", "score": V3_CRITICAL}]
    assert parse(record(affected=affected)).severity == "critical"
    adv = parse(record(database_specific={"severity": "MODERATE"}))
    assert (adv.severity, adv.cvss_score) == ("medium", None)
    # A malformed vector is ignored in favour of the database's own rating.
    adv = parse(
        record(
            severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N"}], database_specific={"severity": "HIGH"}
        )
    )
    assert (adv.severity, adv.cvss_score) == ("high", None)
    adv = parse(record(severity=[{"type": "Ubuntu", "score": "low"}]))
    assert adv.severity == "low"


# --- Sources -------------------------------------------------------------------------------------


def write_record(path: Path, advisory_id: str, suffix: str = ".json") -> Path:
    path.mkdir(parents=True, exist_ok=True)
    target = path / f"{advisory_id}{suffix}"
    target.write_text(json.dumps(record(id=advisory_id)))
    return target


def test_directory_tree_in_stable_order(tmp_path):
    write_record(tmp_path / "b", "B-1")
    write_record(tmp_path / "a", "A-2")
    write_record(tmp_path / "a", "A-1")
    (tmp_path / "a" / "LICENSE").write_text("not a record")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "C-1.yaml").write_text("id: C-1\nmodified: 2024-01-01T00:00:00Z\n")
    ids = [a.id for a in load_advisories([tmp_path])]
    assert ids == ["A-1", "A-2", "B-1", "C-1"]


def test_single_files_and_errors(tmp_path, monkeypatch):
    one = write_record(tmp_path, "ONE-1")
    assert [a.id for a in load_advisories([one])] == ["ONE-1"]
    with pytest.raises(OsvError, match="No such file"):
        list(iter_osv_files([tmp_path / "missing"]))
    monkeypatch.setattr(osv, "MAX_RECORD_BYTES", 10)
    with pytest.raises(OsvError, match="larger than 20 MB"):
        list(iter_osv_files([tmp_path]))
    monkeypatch.undo()
    other = tmp_path / "notes.txt"
    other.write_text("x")
    with pytest.raises(OsvError, match="Not a directory"):
        list(iter_osv_files([other]))


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_like_osv_all_zip(tmp_path):
    archive = make_zip(
        tmp_path / "all.zip",
        {
            "GHSA-1.json": json.dumps(record(id="GHSA-1")).encode(),
            "PYSEC-1.json": json.dumps(record(id="PYSEC-1")).encode(),
            "README": b"x",
        },
    )
    sources = [source for source, _ in iter_osv_files([archive])]
    assert sources == [f"{archive}:GHSA-1.json", f"{archive}:PYSEC-1.json"]
    assert [a.id for a in load_advisories([archive])] == ["GHSA-1", "PYSEC-1"]
    # A zip inside a directory is read too.
    assert [a.id for a in load_advisories([tmp_path])] == ["GHSA-1", "PYSEC-1"]


def test_zip_is_read_lazily(tmp_path):
    archive = tmp_path / "all.zip"
    make_zip(archive, {"A.json": json.dumps(record(id="A")).encode(), "B.json": b"{broken"})
    records = load_advisories([archive])
    assert next(records).id == "A"
    with pytest.raises(OsvError, match=r"all\.zip:B\.json: Invalid JSON"):
        next(records)


def test_zip_bomb_guards(tmp_path, monkeypatch):
    # A member that unpacks to far more than its compressed size.
    bomb = make_zip(tmp_path / "bomb.zip", {"A.json": b" " * (2 * 1024 * 1024)})
    with pytest.raises(OsvError, match="compressed suspiciously well"):
        list(iter_osv_files([bomb]))
    ok = make_zip(tmp_path / "ok.zip", {f"R{i}.json": b"{}" for i in range(5)}, method=zipfile.ZIP_STORED)
    monkeypatch.setattr(osv, "MAX_ZIP_MEMBERS", 4)
    with pytest.raises(OsvError, match="more than 1,000,000 files"):
        list(iter_osv_files([ok]))
    monkeypatch.setattr(osv, "MAX_ZIP_MEMBERS", 1_000_000)
    monkeypatch.setattr(osv, "MAX_ZIP_TOTAL_BYTES", 9)
    with pytest.raises(OsvError, match="more than 2 GB"):
        list(iter_osv_files([ok]))
    monkeypatch.setattr(osv, "MAX_ZIP_TOTAL_BYTES", 2 * 1024**3)
    monkeypatch.setattr(osv, "MAX_RECORD_BYTES", 1)
    with pytest.raises(OsvError, match="larger than 20 MB"):
        list(iter_osv_files([ok]))


def test_corrupt_zip(tmp_path):
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(OsvError, match="Not a readable zip"):
        list(iter_osv_files([broken]))
    # A member whose data does not match its checksum.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("A.json", b'{"id": "A"}')
    data = buffer.getvalue().replace(b'{"id": "A"}', b'{"id": "B"}')
    tampered = tmp_path / "tampered.zip"
    tampered.write_bytes(data)
    with pytest.raises(OsvError, match="Cannot read the archive member"):
        list(iter_osv_files([tampered]))


# --- Real data -----------------------------------------------------------------------------------


@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared OSV data not found at {DATA}")
def test_all_shared_pypi_advisories_parse():
    advisories = list(load_advisories([DATA]))
    assert len(advisories) == 2661
    assert len({a.id for a in advisories}) == 2661
    assert sum(1 for a in advisories if a.withdrawn) == 10
    assert all(a.modified.tzinfo is not None for a in advisories)
    assert all(x.ecosystem == "PyPI" for a in advisories for x in a.affected)
    # 202 records carry a CVSS v3 vector; every one yields a score and a rating.
    scored = [a for a in advisories if a.cvss_score is not None]
    assert len(scored) == 202
    assert {a.severity for a in scored} <= {"critical", "high", "medium", "low"}
