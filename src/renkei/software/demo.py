"""Demo content for the software supply chain: products, releases and SBOMs of four demo vendors.

The SBOMs are generated here (CycloneDX 1.5/1.6 JSON, CycloneDX XML, SPDX 2.3 JSON) and list
real PyPI packages at versions that have advisories in the shared OSV data (`../shared/data/osv`),
plus npm and Maven packages and one component without a package URL (shown as "not checked").
One delivered file does not match the hash its SBOM declares, so the integrity banner shows.

Advisories come from `RENKEI_OSV_PATH`, else from `<repo>/../shared/data/osv` when it exists; they
are imported in-process with the import service, then findings are computed. Without OSV data the
demo still loads and says how to import the data later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import orjson
from django.core.files.uploadedfile import SimpleUploadedFile

from renkei.registry.models import Organisation
from renkei.software.findings.services import findings_recompute
from renkei.software.licences.services import licence_policy_save
from renkei.software.models import (
    Finding,
    LicencePolicy,
    OsvImport,
    Product,
    Release,
    VexJustification,
    VexState,
)
from renkei.software.portfolio.services import product_save, release_save
from renkei.software.sbom.services import delivered_file_add, sbom_upload
from renkei.software.vulndb.services import osv_import_run

OSV_PATH_ENV = "RENKEI_OSV_PATH"
REPO_ROOT = Path(__file__).resolve().parents[3]

# --- Names the browser tests use.
POS_PRODUCT_NAME = "しらさぎPOS"
POS_OLD_VERSION = "5.2.0"
POS_NEW_VERSION = "5.3.0"
MISMATCH_FILE_NAME = "shirasagi-pos-5.2.0-setup.zip"
SDK_PRODUCT_NAME = "かがりびPay SDK"
REMOTE_PRODUCT_NAME = "ゆきしろリモートサポート"
PAYROLL_PRODUCT_NAME = "ともしび給与クラウド連携モジュール"
DEMO_ANALYST = "demo-analyst"


@dataclass(frozen=True)
class Package:
    """One SBOM component: `purl` type pypi/npm/maven, or "" for a component without a package URL."""

    name: str
    version: str
    purl: str
    licence: str = ""


def pypi(name: str, version: str, licence: str = "") -> Package:
    return Package(name, version, f"pkg:pypi/{name.lower()}@{version}", licence)


def npm(name: str, version: str, licence: str = "MIT") -> Package:
    encoded = name.replace("@", "%40", 1) if name.startswith("@") else name
    return Package(name, version, f"pkg:npm/{encoded}@{version}", licence)


def maven(group: str, artifact: str, version: str, licence: str = "Apache-2.0") -> Package:
    return Package(artifact, version, f"pkg:maven/{group}/{artifact}@{version}", licence)


# Versions chosen because the shared OSV data has advisories for them (checked when this was written).
POS_OLD = (
    pypi("django", "3.2", "BSD-3-Clause"),
    pypi("jinja2", "2.10", "BSD-3-Clause"),
    pypi("requests", "2.19.0", "Apache-2.0"),
    pypi("urllib3", "1.24.1", "MIT"),
    pypi("pyyaml", "5.3", "MIT"),
    pypi("pillow", "8.0.0", "HPND"),
    pypi("reportlab", "3.6.12", "BSD-3-Clause"),
    npm("lodash", "4.17.15"),
    npm("express", "4.17.1"),
    npm("@babel/core", "7.12.3"),
    maven("mysql", "mysql-connector-java", "8.0.28", "GPL-2.0-only WITH Universal-FOSS-exception-1.0"),
    maven("org.apache.logging.log4j", "log4j-core", "2.14.1"),
    Package("receipt-printer-driver", "3.1", "", "LicenseRef-Proprietary"),
)
POS_NEW = (
    pypi("django", "4.2.16", "BSD-3-Clause"),
    pypi("jinja2", "3.1.4", "BSD-3-Clause"),
    pypi("requests", "2.32.3", "Apache-2.0"),
    pypi("urllib3", "2.2.3", "MIT"),
    pypi("pyyaml", "6.0.2", "MIT"),
    pypi("pillow", "10.4.0", "HPND"),
    pypi("reportlab", "4.2.2", "BSD-3-Clause"),
    npm("lodash", "4.17.21"),
    npm("express", "4.21.1"),
    maven("org.apache.logging.log4j", "log4j-core", "2.24.1"),
    Package("receipt-printer-driver", "3.2", "", "LicenseRef-Proprietary"),
)
SDK = (
    pypi("aiohttp", "3.8.1", "Apache-2.0"),
    pypi("cryptography", "3.2", "Apache-2.0 OR BSD-3-Clause"),
    pypi("werkzeug", "2.2.2", "BSD-3-Clause"),
    pypi("flask", "0.12", "BSD-3-Clause"),
    pypi("requests", "2.19.0", "Apache-2.0"),
    maven("com.fasterxml.jackson.core", "jackson-databind", "2.9.8"),
    maven("org.bouncycastle", "bcprov-jdk15on", "1.60", "MIT"),
)
REMOTE = (
    pypi("gitpython", "3.1.30", "BSD-3-Clause"),
    pypi("lxml", "4.6.2", "BSD-3-Clause"),
    pypi("numpy", "1.16.0", "BSD-3-Clause"),
    pypi("paramiko", "2.4.1", "LGPL-2.1-or-later"),
    npm("minimist", "1.2.5"),
    npm("node-fetch", "2.6.1"),
    npm("electron", "13.1.7"),
)
PAYROLL = (
    pypi("langchain", "0.0.150", "MIT"),
    pypi("mlflow", "2.8.0", "Apache-2.0"),
    pypi("sqlalchemy", "1.2.0", "MIT"),
    pypi("pyyaml", "5.3", "MIT"),
    pypi("openpyxl", "3.1.2", "MIT"),
    npm("xlsx", "0.18.5", "Apache-2.0"),
    Package("pdfgen-native", "1.0.4", "", "AGPL-3.0-only"),
)

# Licence policies: the headquarters denies strong copyleft in delivered software; logistics too.
POLICIES = {
    "own": ("MIT\nApache-2.0\nBSD-2-Clause\nBSD-3-Clause\nISC\nHPND\nPSF-2.0\nLGPL-2.1-or-later",
            "GPL-2.0-only\nGPL-3.0-only\nAGPL-3.0-only"),
    "logi": ("MIT\nApache-2.0\nBSD-3-Clause", "AGPL-3.0-only\nGPL-3.0-only"),
}


# ------------------------------------------------------------------------------- SBOM builders


def _licence_entries(licence: str) -> list[dict[str, Any]]:
    if not licence:
        return []
    if " " in licence or licence.startswith("LicenseRef-"):
        # CycloneDX's license.id takes only SPDX list identifiers (its schema's enum).
        return [{"expression": licence}]
    return [{"license": {"id": licence}}]


def cyclonedx_json(product: str, version: str, packages: tuple[Package, ...], *, spec: str = "1.5",
                   files: dict[str, str] | None = None) -> bytes:
    """A CycloneDX JSON SBOM; `files` (name → SHA-256) are listed as file components with hashes."""
    components: list[dict[str, Any]] = []
    for p in packages:
        component: dict[str, Any] = {"type": "library", "bom-ref": p.purl or f"{p.name}@{p.version}",
                                     "name": p.name, "version": p.version}
        if p.purl:
            component["purl"] = p.purl
        if p.licence:
            component["licenses"] = _licence_entries(p.licence)
        components.append(component)
    for name, sha256 in (files or {}).items():
        components.append({"type": "file", "bom-ref": f"file:{name}", "name": name,
                           "hashes": [{"alg": "SHA-256", "content": sha256}]})
    root = f"{product}@{version}"
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "metadata": {"component": {"type": "application", "bom-ref": root, "name": product, "version": version}},
        "components": components,
        "dependencies": [{"ref": root, "dependsOn": [c["bom-ref"] for c in components if c["type"] == "library"]}],
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


def cyclonedx_xml(product: str, version: str, packages: tuple[Package, ...], *, spec: str = "1.6") -> bytes:
    """The same content as `cyclonedx_json`, as CycloneDX XML."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<bom xmlns="http://cyclonedx.org/schema/bom/{spec}" version="1">',
        f'  <metadata><component type="application" bom-ref={quoteattr(product)}>'
        f"<name>{escape(product)}</name><version>{escape(version)}</version></component></metadata>",
        "  <components>",
    ]
    for p in packages:
        ref = p.purl or f"{p.name}@{p.version}"
        licences = ""
        if p.licence:
            inner = (f"<expression>{escape(p.licence)}</expression>"
                     if " " in p.licence or p.licence.startswith("LicenseRef-")
                     else f"<license><id>{escape(p.licence)}</id></license>")
            licences = f"<licenses>{inner}</licenses>"
        purl = f"<purl>{escape(p.purl)}</purl>" if p.purl else ""
        lines.append(f'    <component type="library" bom-ref={quoteattr(ref)}><name>{escape(p.name)}</name>'
                     f"<version>{escape(p.version)}</version>{licences}{purl}</component>")
    lines += ["  </components>", "</bom>", ""]
    return "\n".join(lines).encode()


def spdx_json(product: str, version: str, packages: tuple[Package, ...]) -> bytes:
    """An SPDX 2.3 JSON SBOM: the product package describes and depends on every listed package."""
    root = "SPDXRef-Product"
    spdx_packages: list[dict[str, Any]] = [
        {"SPDXID": root, "name": product, "versionInfo": version, "downloadLocation": "NOASSERTION"}
    ]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": root}]
    for i, p in enumerate(packages, start=1):
        spdx_id = f"SPDXRef-Package-{i}"
        package: dict[str, Any] = {
            "SPDXID": spdx_id,
            "name": p.name,
            "versionInfo": p.version,
            "downloadLocation": "NOASSERTION",
            "licenseConcluded": p.licence or "NOASSERTION",
            "licenseDeclared": p.licence or "NOASSERTION",
        }
        if p.purl:
            package["externalRefs"] = [
                {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p.purl}
            ]
        spdx_packages.append(package)
        relationships.append({"spdxElementId": root, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": spdx_id})
    document = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"{product} {version}",
        "documentNamespace": f"https://example.invalid/spdx/{hashlib.sha256(product.encode()).hexdigest()[:12]}/{version}",
        "creationInfo": {"created": "2026-01-15T00:00:00Z", "creators": ["Tool: renkei-demo"]},
        "packages": spdx_packages,
        "relationships": relationships,
    }
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


# ------------------------------------------------------------------------------------- loading


def osv_source() -> Path | None:
    """Where the demo reads advisories: `RENKEI_OSV_PATH`, else `<repo>/../shared/data/osv` if present."""
    configured = os.environ.get(OSV_PATH_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        return path if path.exists() else None
    candidate = (REPO_ROOT.parent / "shared" / "data" / "osv").resolve()
    return candidate if candidate.exists() else None


NO_OSV_NOTE = (
    "脆弱性データ（OSV）が見つからないため、ソフトウェアの所見は未計算です。後で `renkei osv import PATH` "
    "または画面の「脆弱性データの取り込み」で取り込んでください（環境変数 RENKEI_OSV_PATH でも指定できます）。\n"
    "No vulnerability data (OSV) was found, so no software findings were computed. Import it later with "
    "`renkei osv import PATH` or on the OSV import page (or set RENKEI_OSV_PATH before loading the demo)."
)


def _upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def _product(supplier: Organisation, name: str, description: str) -> Product:
    return product_save(
        user=None,
        product=Product(supplier=supplier, name=name, description=description, group_company=supplier.group_company),
    )


def _release(product: Product, version: str, delivered_on: dt.date, notes: str = "") -> Release:
    return release_save(user=None, release=Release(product=product, version=version, delivered_on=delivered_on,
                                                   notes=notes))


def load_software_demo(*, orgs: dict[str, Organisation], today: dt.date) -> dict[str, int]:
    """Create the demo products, releases, SBOMs, files and policies; import OSV data; compute findings.

    Runs inside `demo.loader.load_demo_data`'s transaction and audit context. Idempotent: when any
    product exists, nothing is written. Returns counts for the summary.
    """
    if Product.objects.exists():
        return {}
    counts: dict[str, int] = {}
    days = dt.timedelta

    pos = _product(orgs["shirasagi"], POS_PRODUCT_NAME, "店舗POSシステム（サーバ・店舗端末・管理画面）。")
    old = _release(pos, POS_OLD_VERSION, today - days(400), "現在も10店舗で稼働中。")
    new = _release(pos, POS_NEW_VERSION, today - days(30), "依存ライブラリを更新したリリース。")
    # The delivered installer differs from the file the SBOM declares: the integrity banner shows.
    declared_installer = b"shirasagi-pos 5.2.0 installer as built by the supplier"
    delivered_installer = b"shirasagi-pos 5.2.0 installer as received (modified in transit?)"
    sbom_upload(user=None, release=old, uploaded_file=_upload(
        "shirasagi-pos-5.2.0.cdx.json",
        cyclonedx_json(POS_PRODUCT_NAME, POS_OLD_VERSION, POS_OLD,
                       files={MISMATCH_FILE_NAME: hashlib.sha256(declared_installer).hexdigest()})))
    delivered_file_add(user=None, release=old, uploaded_file=_upload(MISMATCH_FILE_NAME, delivered_installer))
    new_installer = b"shirasagi-pos 5.3.0 installer"
    sbom_upload(user=None, release=new, uploaded_file=_upload(
        "shirasagi-pos-5.3.0.cdx.json",
        cyclonedx_json(POS_PRODUCT_NAME, POS_NEW_VERSION, POS_NEW, spec="1.6",
                       files={"shirasagi-pos-5.3.0-setup.zip": hashlib.sha256(new_installer).hexdigest()})))
    delivered_file_add(user=None, release=new, uploaded_file=_upload("shirasagi-pos-5.3.0-setup.zip", new_installer))

    sdk = _product(orgs["kagaribi"], SDK_PRODUCT_NAME, "POSに組み込む決済連携ライブラリ。")
    sdk_release = _release(sdk, "2.4.1", today - days(200))
    sbom_upload(user=None, release=sdk_release, uploaded_file=_upload(
        "kagaribi-pay-sdk-2.4.1.spdx.json", spdx_json(SDK_PRODUCT_NAME, "2.4.1", SDK)))

    remote = _product(orgs["yukishiro"], REMOTE_PRODUCT_NAME, "かもめマネージドサービスが使うリモート保守ツール。")
    remote_release = _release(remote, "7.1.0", today - days(90))
    sbom_upload(user=None, release=remote_release, uploaded_file=_upload(
        "yukishiro-remote-7.1.0.cdx.xml", cyclonedx_xml(REMOTE_PRODUCT_NAME, "7.1.0", REMOTE)))

    payroll = _product(orgs["tomoshibi"], PAYROLL_PRODUCT_NAME, "給与計算クラウドと人事給与システムの連携モジュール。")
    payroll_release = _release(payroll, "3.0.0", today - days(60))
    sbom_upload(user=None, release=payroll_release, uploaded_file=_upload(
        "tomoshibi-payroll-3.0.0.spdx.json", spdx_json(PAYROLL_PRODUCT_NAME, "3.0.0", PAYROLL)))
    counts.update(products=4, releases=5, sboms=5, delivered_files=2)

    for key, (allowed, denied) in POLICIES.items():
        licence_policy_save(
            user=None, policy=LicencePolicy(group_company=orgs[key], allowed=allowed, denied=denied)
        )
    counts["licence_policies"] = len(POLICIES)

    source = osv_source()
    if source is None:
        print(NO_OSV_NOTE, file=sys.stderr)
        counts["vulnerabilities"] = 0
    else:
        run = OsvImport.objects.create(source=str(source)[:500], paths=[str(source)])
        run = osv_import_run(import_id=run.pk)
        counts["vulnerabilities"] = run.created_count + run.updated_count
        findings_recompute(release_ids=None)
        _triage_examples()
        counts["findings"] = Finding.objects.count()

    # Set after the first computation: the demo's findings are history, not news to e-mail about.
    from renkei.accounts.models import User

    analyst = User.objects.filter(username=DEMO_ANALYST).first()
    if analyst is not None:
        Product.objects.filter(pk__in=[pos.pk, sdk.pk, remote.pk, payroll.pk]).update(responsible=analyst)
    return counts


def _triage_examples() -> None:
    """A few findings already triaged, as an analyst would have left them."""
    from renkei.software.findings.services import finding_triage

    examples = (
        ("pillow", VexState.NOT_AFFECTED, VexJustification.VULNERABLE_CODE_NOT_IN_EXECUTE_PATH,
         "レシート画像の生成にのみ使用。外部からの画像は読み込まない（しらさぎソフトウェアに確認済み）。"),
        ("urllib3", VexState.AFFECTED, "", "5.3.0で修正済み。旧版を使う10店舗の更新を2026年上期に予定。"),
        ("langchain", VexState.UNDER_INVESTIGATION, "", "ともしびシステムに利用箇所を照会中。"),
    )
    for name, state, justification, comment in examples:
        finding = (
            Finding.objects.filter(component__name__iexact=name, resolved=False)
            .order_by("release__pk", "vulnerability__osv_id")
            .first()
        )
        if finding is not None:
            finding_triage(user=None, finding=finding, state=state, justification=justification, comment=comment)
