"""The software REST API, mounted at /api/v1/software/: each sub-capability's router in one place.

- portfolio: products and releases (generic CRUD), a release's overview, the portfolio search;
- sbom: a release's SBOMs, components and delivered files;
- findings: a release's VEX document, the findings with their triage;
- licences: a release's licence violations;
- vulndb: the shared vulnerability database and its OSV import runs;
- enrichment: what NVD and JVN iPedia data is loaded, and their import runs.

Answers carry ids, the stored code of every choice with its display label and the names of
referenced objects, as the registry's do. The operation ids are the ones the endpoints had when
they lived in this one module (`renkei_software_api_…`): API clients are generated from them.
"""

# No `from __future__ import annotations`: Ninja reads the endpoint annotations at run time.

from ninja import Router

from renkei.software.enrichment import api_nvd_jvn
from renkei.software.findings import api as findings_api
from renkei.software.licences import api as licences_api
from renkei.software.portfolio import api as portfolio_api
from renkei.software.sbom import api as sbom_api
from renkei.software.vulndb import api as vulndb_api

# In the order the schema has always listed them.
router = Router()
router.add_router("", portfolio_api.portfolio_router)
router.add_router("/products", portfolio_api.products)
router.add_router("/releases", portfolio_api.releases_crud)
router.add_router("/releases", portfolio_api.releases)
router.add_router("/releases", sbom_api.releases)
router.add_router("/releases", findings_api.releases)
router.add_router("/releases", licences_api.releases)
router.add_router("/findings", findings_api.findings)
router.add_router("", vulndb_api.database)
router.add_router("/enrichment", api_nvd_jvn.enrichment)
