"""Issue 12 §1: findings a user can act on — severity from any aliased record, summary, fixes,
upgrade advice, and a `--fail-on` gate that does not fail open on unknown severity."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from renkei.software.sbom.scan import build_parser, run_scan
from renkei.software.vulndb.gate import gate_fails
from renkei.software.vulndb.osv import Rating, best_rating

from .test_scan import CRITICAL, HIGH, write_advisory, write_sbom


def _shared_osv() -> Path:
    here = Path(__file__).resolve()
    for root in (here.parents[2] / "..", here.parents[3] / "..", Path("/work")):
        candidate = root / "shared" / "data" / "osv" / "PyPI"
        if candidate.is_dir():
            return candidate
    return Path("/nonexistent")


REAL_OSV = _shared_osv()
MEDIUM = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N"


def scan(sbom: Path, osv: list[Path], **kwargs) -> tuple[int, dict]:
    out, err = io.StringIO(), io.StringIO()
    code = run_scan(sbom, osv, out=out, err=err, fmt="json", **kwargs)
    assert err.getvalue() == ""
    return code, json.loads(out.getvalue())


@pytest.mark.skipif(not REAL_OSV.is_dir(), reason="shared OSV data not found")
def test_old_django_with_the_real_pypi_data(tmp_path):
    """The new user's report: 27 findings, all severity unknown; the gate used to exit 0."""
    sbom = write_sbom(tmp_path / "bom.json", [("Django", "2.2.2", "pkg:pypi/django@2.2.2")])
    code, report = scan(sbom, [REAL_OSV / "django"], fail_on="high")
    advisories = report["components"][0]["advisories"]
    assert len(advisories) == 27
    # The PyPA records carry no rating at all: unknown stays unknown, but now the gate fails closed.
    assert report["summary"]["by_severity"]["unknown"] == 27
    assert code == 1 and report["summary"]["failed"] is True
    assert scan(sbom, [REAL_OSV / "django"], fail_on="high", unknown_as="medium")[0] == 0
    # Every finding has a summary (from the details) and the versions that fix it.
    assert all(a["summary"] for a in advisories)
    assert all(a["fixed_versions"] for a in advisories)
    assert all(any(i.startswith("CVE-") for i in a["aliases"]) for a in advisories)
    assert report["components"][0]["upgrade"] == {"version": "2.2.28", "fixes": 27, "findings": 27}


def test_severity_comes_from_any_aliased_record_with_its_source(tmp_path):
    osv = tmp_path / "osv"
    write_advisory(osv, "PYSEC-9", "django", "3.2.1", aliases=["CVE-2024-9"])  # no rating
    write_advisory(osv, "GHSA-aaaa", "django", "3.2.1", vector=HIGH, aliases=["CVE-2024-9", "PYSEC-9"])
    sbom = write_sbom(tmp_path / "bom.json", [("Django", "3.2.0", "pkg:pypi/django@3.2.0")])
    code, report = scan(sbom, [osv], fail_on="high")
    (finding,) = report["components"][0]["advisories"]
    assert finding["id"] == "GHSA-aaaa" and finding["aliases"] == ["CVE-2024-9", "PYSEC-9"]
    assert finding["severity"] == "high" and finding["score"] == 7.5
    assert finding["severity_source"] == "GHSA-aaaa (CVSS_V3)"
    assert code == 1


def test_database_label_rates_when_no_vector(tmp_path):
    osv = tmp_path / "osv"
    write_advisory(osv, "PYSEC-7", "flask", "2.0")
    doc = json.loads((osv / "PYSEC-7.json").read_text())
    doc["database_specific"] = {"severity": "MODERATE"}
    (osv / "PYSEC-7.json").write_text(json.dumps(doc))
    sbom = write_sbom(tmp_path / "bom.json", [("flask", "1.0", "pkg:pypi/flask@1.0")])
    _code, report = scan(sbom, [osv])
    (finding,) = report["components"][0]["advisories"]
    assert (finding["severity"], finding["severity_source"]) == ("medium", "PYSEC-7 (database)")


def test_best_rating_prefers_worst_then_cvss():
    low_label = Rating("A", "low", method="database")
    high_label = Rating("B", "high", method="database")
    high_cvss = Rating("C", "high", 7.5, HIGH, "CVSS_V3")
    assert best_rating([low_label, high_label, high_cvss]) == high_cvss
    assert best_rating([None, low_label]) == low_label
    assert best_rating([None]) is None
    assert best_rating([Rating("D", "critical", 9.8, CRITICAL, "CVSS_V3"), high_cvss]).record == "D"


def test_upgrade_advice_picks_the_smallest_version_fixing_most(tmp_path):
    osv = tmp_path / "osv"
    write_advisory(osv, "PYSEC-1", "requests", "2.20.0", vector=MEDIUM)
    write_advisory(osv, "PYSEC-2", "requests", "2.31.0", vector=MEDIUM)
    write_advisory(osv, "PYSEC-3", "requests", "2.31.0")
    sbom = write_sbom(tmp_path / "bom.json", [("requests", "2.19.0", "pkg:pypi/requests@2.19.0")])
    _code, report = scan(sbom, [osv])
    assert report["components"][0]["upgrade"] == {"version": "2.31.0", "fixes": 3, "findings": 3}
    out = io.StringIO()
    run_scan(sbom, [osv], out=out, err=io.StringIO())
    assert "requests 2.19.0: upgrade to 2.31.0 fixes 3 of 3" in out.getvalue()


@pytest.mark.parametrize(
    ("severity", "fail_on", "unknown_as", "fails"),
    [
        ("unknown", "critical", None, True),
        ("unknown", "low", "none", False),
        ("unknown", "high", "medium", False),
        ("unknown", "high", "critical", True),
        ("medium", "high", None, False),
        ("high", "high", None, True),
        ("unknown", None, None, False),
    ],
)
def test_gate_rule(severity, fail_on, unknown_as, fails):
    assert gate_fails(severity, fail_on, unknown_as) is fails


def test_help_says_how_unknown_is_gated():
    text = " ".join(build_parser().format_help().split())
    assert "--unknown-as" in text
    assert "unknown severity fail the gate at any level by default" in text
