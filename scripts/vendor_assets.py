"""Copy the built front-end files from node_modules into src/renkei/static/vendor/.

No third-party code is committed: `npm ci` installs the pinned packages from package-lock.json,
then this script copies the few built files the pages load. The vendor folder is git-ignored.

Usage (from the repository root):  npm ci && python scripts/vendor_assets.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR_DIR = ROOT / "src" / "renkei" / "static" / "vendor"

# (npm package, file inside the package, name in the vendor folder)
ASSETS: tuple[tuple[str, str, str], ...] = (
    ("htmx.org", "dist/htmx.min.js", "htmx.min.js"),
    ("cytoscape", "dist/cytoscape.min.js", "cytoscape.min.js"),
    # The API documentation page (/api/v1/docs) serves Swagger UI from here, never from a CDN.
    ("swagger-ui-dist", "swagger-ui-bundle.js", "swagger-ui-bundle.js"),
    ("swagger-ui-dist", "swagger-ui.css", "swagger-ui.css"),
)
# Licence texts travel with the copied code (all packages are permissively licensed).
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "license")


class VendorError(Exception):
    """A missing package or file, reported to the user as one clear line."""


def _package_version(package_dir: Path) -> str:
    manifest = package_dir / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version", "?"))


def vendor(*, node_modules: Path = NODE_MODULES, target: Path = VENDOR_DIR) -> list[str]:
    """Copy every asset into `target`; return one line per copied file. Raise VendorError when missing."""
    if not node_modules.is_dir():
        raise VendorError(
            f"{node_modules} does not exist: run `npm ci` in {ROOT} first "
            "(it installs the front-end packages pinned in package-lock.json)."
        )
    missing = [
        f"{package}/{inside}" for package, inside, _ in ASSETS if not (node_modules / package / inside).is_file()
    ]
    if missing:
        raise VendorError(
            "Missing in node_modules: " + ", ".join(missing) + ". Run `npm ci` again (package-lock.json may have changed)."
        )
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for package, inside, name in ASSETS:
        package_dir = node_modules / package
        shutil.copyfile(package_dir / inside, target / name)
        for licence in LICENSE_NAMES:
            if (package_dir / licence).is_file():
                shutil.copyfile(package_dir / licence, target / f"{name}.LICENSE.txt")
                break
        copied.append(f"{package}@{_package_version(package_dir)} {inside} -> {target / name}")
    return copied


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, default=NODE_MODULES)
    parser.add_argument("--target", type=Path, default=VENDOR_DIR)
    args = parser.parse_args(argv)
    try:
        lines = vendor(node_modules=args.node_modules, target=args.target)
    except VendorError as exc:
        print(f"vendor_assets: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
