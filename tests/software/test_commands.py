"""`renkei osv import PATH...` and `renkei sbom search NAME`."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from renkei.software.models import Finding, OsvImport, Vulnerability, VulnerabilityAlias
from tests.software.factories import (
    ComponentFactory,
    ProductFactory,
    ReleaseFactory,
    SbomFactory,
    osv_bytes,
    osv_record,
)

pytestmark = pytest.mark.django_db

OSV_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "osv"
SAMPLE_PACKAGES = ("django", "apache-skywalking", "jinja2", "pillow")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A few real PyPI advisories, copied (the shared data stays read-only)."""
    if not (OSV_DATA / "PyPI").is_dir():
        pytest.skip(f"shared OSV data not found at {OSV_DATA}")
    folder = tmp_path / "PyPI"
    for name in SAMPLE_PACKAGES:
        if (OSV_DATA / "PyPI" / name).is_dir():
            shutil.copytree(OSV_DATA / "PyPI" / name, folder / name)
    return folder


def test_osv_import_command_is_incremental(sample: Path, own: Any) -> None:
    records = len(list(sample.rglob("*.yaml")))
    output = run("osv_import", str(sample))
    assert f"Imported {records} records" in output and f"{records} new" in output
    assert f"{records}/{records} records" in output  # the progress line
    assert Vulnerability.objects.count() == records
    again = run("osv_import", str(sample))
    assert f"0 new, 0 updated, {records} unchanged" in again
    assert OsvImport.objects.filter(status="done").count() == 2


def test_osv_import_command_recomputes_findings(sample: Path, own: Any) -> None:
    ComponentFactory(name="django", normalised_name="django", version="4.2.1")
    output = run("osv_import", str(sample))
    assert "Findings recomputed for 1 releases" in output
    assert Finding.objects.filter(vulnerability__osv_id="PYSEC-2023-100").exists()


def test_osv_import_command_bad_input(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as exc:
        run("osv_import", str(tmp_path / "missing"))
    assert exc.value.returncode == 2
    (tmp_path / "good.json").write_bytes(osv_bytes(osv_record("PYSEC-2099-1")))
    (tmp_path / "bad.json").write_bytes(b"{not json")
    with pytest.raises(CommandError) as exc:
        run("osv_import", str(tmp_path))
    assert exc.value.returncode == 2
    assert not Vulnerability.objects.exists()


def test_whole_pypi_directory_imports_in_batches() -> None:
    """The 2,661 shared PyPI advisories, read where they are (read only), written in bulk, a batch at
    a time: no query per record. Its time (the old bound was 20 s) is in `python -m bench.software`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source = OSV_DATA / "PyPI"
    if not source.is_dir():
        pytest.skip(f"shared OSV data not found at {OSV_DATA}")
    with CaptureQueriesContext(connection) as queries:
        output = run("osv_import", str(source), "--no-recompute")
    assert "Imported 2661 records" in output, output[-500:]
    # Records naming the same CVE collapse into one vulnerability; every record ID still finds it.
    assert Vulnerability.objects.count() < 2661
    assert VulnerabilityAlias.objects.filter(alias__startswith="PYSEC-").count() == 2661
    # 108 on SQLite (it splits bulk inserts at 999 parameters), fewer on PostgreSQL; a query per
    # record would be thousands.
    assert len(queries.captured_queries) < 2661 // 10, len(queries.captured_queries)


@pytest.fixture
def delivered(own: Any) -> None:
    product = ProductFactory(name="会計クラウド")
    for version, package_version in (("1.0", "2.0.0"), ("2.0", "2.31.0")):
        sbom = SbomFactory(release=ReleaseFactory(product=product, version=version))
        ComponentFactory(sbom=sbom, name="requests", version=package_version)


def test_sbom_search_table_and_json(delivered: None) -> None:
    table = run("sbom_search", "requests")
    assert "会計クラウド" in table and "requests 2.0.0" in table and "requests 2.31.0" in table
    assert "2 components in 2 releases of 1 products from 1 suppliers." in table
    data = orjson.loads(run("sbom_search", "requests", "--range", ">=2.1", "--json"))
    assert (data["components"], data["items"][0]["version"], data["items"][0]["release_version"]) == (1, "2.31.0", "2.0")
    assert "No current SBOM contains" in run("sbom_search", "flask")


def test_sbom_search_bad_range(delivered: None) -> None:
    with pytest.raises(CommandError) as exc:
        run("sbom_search", "requests", "--range", "between 1 and 2")
    assert exc.value.returncode == 2
