"""scripts/vendor_assets.py: copies the built front-end files, and says clearly when npm ci is missing."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "vendor_assets.py"


@pytest.fixture(scope="module")
def vendor_assets() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vendor_assets", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fake_package(root: Path, name: str, inside: str, version: str) -> None:
    package = root / name
    (package / inside).parent.mkdir(parents=True, exist_ok=True)
    (package / inside).write_text(f"/* {name} */")
    (package / "package.json").write_text(json.dumps({"name": name, "version": version}))
    (package / "LICENSE").write_text("MIT")


def test_copies_the_pinned_files(vendor_assets, tmp_path):
    node_modules = tmp_path / "node_modules"
    for package, inside, _name in vendor_assets.ASSETS:
        _fake_package(node_modules, package, inside, "1.2.3")
    target = tmp_path / "vendor"

    assert vendor_assets.main(["--node-modules", str(node_modules), "--target", str(target)]) == 0

    assert (target / "htmx.min.js").read_text() == "/* htmx.org */"
    assert (target / "cytoscape.min.js").read_text() == "/* cytoscape */"
    assert (target / "cytoscape.min.js.LICENSE.txt").is_file()
    assert (target / "swagger-ui-bundle.js").read_text() == "/* swagger-ui-dist */"
    assert (target / "swagger-ui.css").is_file()


def test_missing_node_modules_fails_with_a_clear_message(vendor_assets, tmp_path, capsys):
    code = vendor_assets.main(["--node-modules", str(tmp_path / "nope"), "--target", str(tmp_path / "vendor")])
    assert code == 1
    assert "npm ci" in capsys.readouterr().err
    assert not (tmp_path / "vendor").exists()


def test_missing_file_in_a_package_is_named(vendor_assets, tmp_path, capsys):
    node_modules = tmp_path / "node_modules"
    _fake_package(node_modules, "htmx.org", "dist/htmx.min.js", "2.0.0")
    code = vendor_assets.main(["--node-modules", str(node_modules), "--target", str(tmp_path / "vendor")])
    assert code == 1
    assert "cytoscape/dist/cytoscape.min.js" in capsys.readouterr().err


def test_package_json_pins_the_versions_the_pages_need():
    manifest = json.loads((SCRIPT.parent.parent / "package.json").read_text())
    deps = manifest["dependencies"]
    assert deps["htmx.org"].startswith("2.")
    assert deps["cytoscape"].startswith("3.")
    lock = json.loads((SCRIPT.parent.parent / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/htmx.org"]["version"] == deps["htmx.org"]
    assert lock["packages"]["node_modules/cytoscape"]["version"] == deps["cytoscape"]
    assert lock["packages"]["node_modules/swagger-ui-dist"]["version"] == deps["swagger-ui-dist"]
