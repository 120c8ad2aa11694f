"""`renkei sbom scan`: the offline pipeline check, its output and its exit codes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from renkei.software.sbom.scan import main, run_scan

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osv" / "PyPI"
CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"


def write_sbom(path: Path, components: list[tuple[str, str, str | None]]) -> Path:
    """A CycloneDX 1.5 JSON document; each component is (name, version, purl or None)."""
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [
            {
                "type": "library",
                "bom-ref": f"c{i}",
                "name": name,
                "version": version,
                **({"purl": purl} if purl else {}),
            }
            for i, (name, version, purl) in enumerate(components)
        ],
    }
    path.write_text(json.dumps(doc))
    return path


def write_advisory(
    directory: Path,
    advisory_id: str,
    package: str,
    fixed: str,
    *,
    vector: str | None = None,
    aliases=(),
    ecosystem="PyPI",
) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    doc = {
        "id": advisory_id,
        "modified": "2024-01-01T00:00:00Z",
        "aliases": list(aliases),
        "summary": f"Problem in {package}",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": package},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            }
        ],
    }
    if vector:
        doc["severity"] = [{"type": "CVSS_V3", "score": vector}]
    (directory / f"{advisory_id}.json").write_text(json.dumps(doc))


@pytest.fixture
def osv_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "osv"
    write_advisory(directory, "PYSEC-1", "requests", "2.31.0", vector=HIGH, aliases=["CVE-2023-1", "GHSA-1"])
    # The same vulnerability under its GHSA ID: reported once, with both IDs.
    write_advisory(directory, "GHSA-1", "requests", "2.31.0", vector=HIGH, aliases=["CVE-2023-1"])
    write_advisory(directory, "PYSEC-2", "pyyaml", "5.4", vector=CRITICAL)
    write_advisory(directory, "PYSEC-3", "jinja2", "3.1.3")  # no rating: severity unknown
    return directory


def scan(sbom: Path, osv: list[Path], **kwargs) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_scan(sbom, osv, out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_clean_sbom_exits_0(tmp_path, osv_dir):
    sbom = write_sbom(tmp_path / "bom.json", [("requests", "2.31.0", "pkg:pypi/requests@2.31.0")])
    code, out, err = scan(sbom, [osv_dir], fail_on="low")
    assert (code, err) == (0, "")
    assert "No known vulnerabilities found." in out
    assert "1 components, 0 affected, 0 findings, 0 not checked; 4 advisories." in out


def test_findings_table_and_fail_on_threshold(tmp_path, osv_dir):
    sbom = write_sbom(
        tmp_path / "bom.json",
        [
            ("requests", "2.25.0", "pkg:pypi/requests@2.25.0"),
            ("PyYAML", "5.3.1", "pkg:pypi/PyYAML@5.3.1"),
            ("left-pad", "1.3.0", None),
        ],
    )
    code, out, _ = scan(sbom, [osv_dir])
    assert code == 0  # findings, but no threshold
    lines = out.splitlines()
    assert lines[0].split() == ["COMPONENT", "VERSION", "ADVISORY", "ALIASES", "SEVERITY", "FIXED", "IN"]
    assert lines[1].split()[:3] == ["pyyaml", "5.3.1", "PYSEC-2"] and "critical (9.8)" in lines[1]
    assert lines[1].split()[-1] == "5.4"
    table = out.split("\n\n")[0]
    assert "GHSA-1" in out and "CVE-2023-1" in out and table.count("requests") == 1
    assert "requests 2.25.0: upgrade to 2.31.0 fixes 1 of 1" in out
    assert "left-pad 1.3.0: No package URL" in out
    assert "3 components, 2 affected, 2 findings (1 critical, 1 high), 1 not checked" in out
    assert scan(sbom, [osv_dir], fail_on="critical")[0] == 1
    assert scan(sbom, [osv_dir], fail_on="high")[0] == 1


def test_fail_on_below_the_findings_passes(tmp_path, osv_dir):
    sbom = write_sbom(tmp_path / "bom.json", [("requests", "2.25.0", "pkg:pypi/requests@2.25.0")])
    assert scan(sbom, [osv_dir], fail_on="critical")[0] == 0
    assert scan(sbom, [osv_dir], fail_on="high")[0] == 1


def test_unknown_severity_fails_any_gate_unless_ranked(tmp_path, osv_dir):
    # Issue 12 changed this: unknown used to rank as low, so --fail-on medium and above failed open.
    sbom = write_sbom(tmp_path / "bom.json", [("Jinja2", "3.1.2", "pkg:pypi/jinja2@3.1.2")])
    assert scan(sbom, [osv_dir], fail_on="critical")[0] == 1
    assert scan(sbom, [osv_dir], fail_on="medium")[0] == 1
    assert scan(sbom, [osv_dir], fail_on="medium", unknown_as="low")[0] == 0
    assert scan(sbom, [osv_dir], fail_on="low", unknown_as="low")[0] == 1
    assert scan(sbom, [osv_dir], fail_on="low", unknown_as="none")[0] == 0


def test_json_report(tmp_path, osv_dir):
    sbom = write_sbom(
        tmp_path / "bom.json",
        [
            ("requests", "2.25.0", "pkg:pypi/requests@2.25.0"),
            ("phoenix", "1.0.0", "pkg:hex/phoenix@1.0.0"),
            ("urllib3", "2.0.0", "pkg:pypi/urllib3@2.0.0"),
        ],
    )
    code, out, _ = scan(sbom, [osv_dir], fmt="json", fail_on="high")
    assert code == 1
    report = json.loads(out)
    assert report["components"] == [
        {
            "name": "requests",
            "version": "2.25.0",
            "purl": "pkg:pypi/requests@2.25.0",
            "ecosystem": "PyPI",
            "advisories": [
                {
                    "id": "GHSA-1",
                    "aliases": ["CVE-2023-1", "PYSEC-1"],
                    "severity": "high",
                    "score": 7.5,
                    "vector": HIGH,
                    "severity_source": "GHSA-1 (CVSS_V3)",
                    "summary": "Problem in requests",
                    "fixed_versions": ["2.31.0"],
                }
            ],
            "upgrade": {"version": "2.31.0", "fixes": 1, "findings": 1},
        }
    ]
    assert report["not_checked"] == [
        {
            "name": "phoenix",
            "version": "1.0.0",
            "purl": "pkg:hex/phoenix@1.0.0",
            "reason": "Package type not supported",
        }
    ]
    summary = report["summary"]
    assert summary["components"] == 3 and summary["affected_components"] == 1 and summary["findings"] == 1
    assert summary["by_severity"] == {"critical": 0, "high": 1, "medium": 0, "low": 0, "unknown": 0}
    assert summary["not_checked"] == 1 and summary["advisories"] == 4
    assert summary["fail_on"] == "high" and summary["failed"] is True


@pytest.mark.parametrize(
    "problem",
    ["missing sbom", "invalid sbom", "wrong spec", "missing osv", "invalid osv", "empty osv", "no osv"],
)
def test_bad_input_exits_2(tmp_path, osv_dir, problem):
    sbom = write_sbom(tmp_path / "bom.json", [("requests", "2.25.0", "pkg:pypi/requests@2.25.0")])
    osv = [osv_dir]
    if problem == "missing sbom":
        sbom = tmp_path / "nope.json"
    elif problem == "invalid sbom":
        sbom.write_text('{"bomFormat": "CycloneDX", "components": [')
    elif problem == "wrong spec":
        sbom.write_text(json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.1", "components": []}))
    elif problem == "missing osv":
        osv = [tmp_path / "no-such-dir"]
    elif problem == "invalid osv":
        (osv_dir / "BROKEN.json").write_text('{"id": "BROKEN"}')  # no `modified`
    elif problem == "empty osv":
        (tmp_path / "empty").mkdir()
        osv = [tmp_path / "empty"]
    else:
        osv = []
    code, out, err = scan(sbom, osv)
    assert code == 2
    assert out == ""
    assert err.startswith("renkei sbom scan: ")
    if problem == "invalid osv":
        assert "BROKEN.json" in err and "modified" in err


def test_main_parses_arguments(tmp_path, osv_dir, capsys):
    sbom = write_sbom(tmp_path / "bom.json", [("PyYAML", "5.3", "pkg:pypi/pyyaml@5.3")])
    assert (
        main(
            [
                str(sbom),
                "--osv",
                str(osv_dir),
                "--osv",
                str(tmp_path / "osv" / "PYSEC-1.json"),
                "--fail-on",
                "critical",
            ]
        )
        == 1
    )
    assert "PYSEC-2" in capsys.readouterr().out
    assert main([str(sbom), "--osv", str(osv_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["findings"] == 1
    assert main([str(sbom)]) == 2  # --osv is required
    assert main([str(sbom), "--osv", str(osv_dir), "--fail-on", "severe"]) == 2
    assert main(["--help"]) == 0


def test_scan_runs_without_django(tmp_path, osv_dir):
    sbom = write_sbom(tmp_path / "bom.json", [("PyYAML", "5.3", "pkg:pypi/pyyaml@5.3")])
    code = (
        "import sys\n"
        "from renkei.cli import main\n"
        f"status = main(['sbom', 'scan', {str(sbom)!r}, '--osv', {str(osv_dir)!r}, '--fail-on', 'high'])\n"
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'Django was imported'\n"
        "sys.exit(status)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr
    assert "PYSEC-2" in done.stdout


@pytest.mark.skipif(not DATA.is_dir(), reason=f"shared OSV data not found at {DATA}")
def test_scan_against_the_shared_data(tmp_path):
    sbom = write_sbom(
        tmp_path / "bom.json",
        [("aiohttp", "3.7.3", "pkg:pypi/aiohttp@3.7.3"), ("aiohttp", "3.9.4", "pkg:pypi/aiohttp@3.9.4")],
    )
    code, out, _ = scan(sbom, [DATA], fmt="json")
    report = json.loads(out)
    assert code == 0
    (component,) = report["components"]
    assert component["version"] == "3.7.3"
    found = {a["id"] for a in component["advisories"]}
    assert "PYSEC-2021-76" in found  # open redirect, fixed in 3.7.4
    assert report["summary"]["advisories"] == 2651  # 2,661 records less the 10 withdrawn
