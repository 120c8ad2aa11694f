"""Software supply chain (M10): products, releases, delivered files, SBOMs, components,
the offline vulnerability database, findings with VEX triage, and the licence policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renkei.core.models import ScopedModel, TimeStampedModel
from renkei.core.search import SearchableModel


class Product(ScopedModel, SearchableModel):
    """A piece of software a supplier delivers to us; `group_company` is the one that receives it."""

    search_sources = ("name", "description")

    supplier = models.ForeignKey(
        "registry.Organisation", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible analyst"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Notified of new critical and high findings."),
    )

    class Meta:
        ordering = ["supplier__sort_key", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [models.UniqueConstraint(fields=["supplier", "name"], name="product_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.supplier})"

    def get_absolute_url(self) -> str:
        return reverse("software:product_detail", args=[self.pk])


class Release(ScopedModel):
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(_("version"), max_length=100)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The newest uploaded SBOM: findings, licences and the portfolio search read only this one.
    current_sbom = models.ForeignKey(
        "Sbom",
        verbose_name=_("current SBOM"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Matching state for the page: asked when an SBOM upload (or import) made the findings stale,
    # matched when the recomputation last finished; matching runs while asked > matched.
    findings_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    findings_matched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["product__name", "-delivered_on", "-pk"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [models.UniqueConstraint(fields=["product", "version"], name="release_unique_version")]

    def __str__(self) -> str:
        return f"{self.product.name} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("software:release_detail", args=[self.pk])

    @property
    def matching(self) -> bool:
        """Whether the findings of the current SBOM are being matched right now."""
        if self.current_sbom_id is None or self.findings_requested_at is None:
            return False
        return self.findings_matched_at is None or self.findings_matched_at < self.findings_requested_at


class IntegrityState(models.TextChoices):
    MATCH = "match", _("Hash matches")
    MISMATCH = "mismatch", _("Hash mismatch")
    UNDECLARED = "undeclared", _("No declared hash")


def delivered_file_path(instance: DeliveredFile, filename: str) -> str:
    return f"deliveries/{instance.release_id}/{filename}"


class DeliveredFile(ScopedModel):
    """A file of a release. Its SHA-256 is computed on upload and compared with the declared one."""

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to=delivered_file_path, blank=True)
    size = models.BigIntegerField(_("size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 (computed)"), max_length=64, blank=True)
    declared_sha256 = models.CharField(_("SHA-256 (declared)"), max_length=64, blank=True)
    declared_by = models.CharField(_("declared by"), max_length=20, blank=True, help_text=_("sbom or supplier"))
    integrity = models.CharField(
        _("integrity"), max_length=12, choices=IntegrityState.choices, default=IntegrityState.UNDECLARED
    )

    class Meta:
        ordering = ["release", "name"]
        verbose_name = _("delivered file")
        verbose_name_plural = _("delivered files")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return self.release.get_absolute_url()


class SbomFormat(models.TextChoices):
    CYCLONEDX_JSON = "cyclonedx-json", "CycloneDX JSON"
    CYCLONEDX_XML = "cyclonedx-xml", "CycloneDX XML"
    SPDX_JSON = "spdx-json", "SPDX JSON"
    SPDX_TAG_VALUE = "spdx-tv", "SPDX tag-value"
    SPDX3_JSONLD = "spdx3-jsonld", "SPDX 3.0 JSON-LD"


def sbom_path(instance: Sbom, filename: str) -> str:
    return f"sboms/{instance.release_id}/{filename}"


class Sbom(ScopedModel):
    """One uploaded SBOM document of a release; the newest one is the release's current SBOM."""

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="sboms")
    file = models.FileField(_("file"), upload_to=sbom_path)
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(_("format"), max_length=20, choices=SbomFormat.choices)
    spec_version = models.CharField(_("specification version"), max_length=10)
    sha256 = models.CharField(max_length=64)
    component_count = models.PositiveIntegerField(_("components"), default=0)
    document_name = models.CharField(_("document name"), max_length=300, blank=True)
    # Delivered file name → SHA-256 as the document declares them (compared with DeliveredFile).
    file_hashes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("SBOM")
        verbose_name_plural = _("SBOMs")

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_format_display()} {self.spec_version})"

    def get_absolute_url(self) -> str:
        return self.release.get_absolute_url()


class Component(models.Model):
    """A component listed in an SBOM. Scoped through its SBOM (no copy of the company per row)."""

    scope_lookup = "sbom__group_company"

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="components")
    ref = models.CharField(_("reference"), max_length=500, blank=True)
    purl = models.CharField(_("package URL"), max_length=1000, blank=True)
    ecosystem = models.CharField(_("ecosystem"), max_length=40, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=300, db_index=True)
    # The name as the ecosystem compares names (PEP 503 for PyPI …); what matching and search use.
    normalised_name = models.CharField(max_length=300, blank=True)
    version = models.CharField(_("version"), max_length=200, blank=True)
    licences = models.CharField(_("licences"), max_length=1000, blank=True)
    hashes = models.JSONField(_("hashes"), default=dict, blank=True)
    supplier = models.CharField(_("supplier"), max_length=300, blank=True)

    class Meta:
        ordering = ["name", "version"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        indexes = [
            models.Index(fields=["ecosystem", "name"]),
            models.Index(fields=["normalised_name", "ecosystem"], name="component_normalised_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.version}" if self.version else self.name


class ComponentDependency(models.Model):
    """`parent` depends on `child`, as the SBOM's dependency graph says."""

    scope_lookup = "sbom__group_company"

    sbom = models.ForeignKey(Sbom, on_delete=models.CASCADE, related_name="dependencies")
    parent = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.child_id}"


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")
    UNKNOWN = "unknown", _("Unknown")


class Vulnerability(TimeStampedModel):
    """One vulnerability of the offline database; its aliases (CVE, GHSA, PYSEC …) collapse into it."""

    osv_id = models.CharField(_("ID"), max_length=100, unique=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    details = models.TextField(_("details"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    cvss_score = models.FloatField(_("CVSS base score"), null=True, blank=True)
    cvss_vector = models.CharField(_("CVSS vector"), max_length=200, blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    modified = models.DateTimeField(_("modified"))
    withdrawn = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    # The `affected` entries of the OSV record, as imported (ecosystem, name, ranges, versions).
    affected = models.JSONField(default=list)
    references = models.JSONField(default=list, blank=True)
    # OSV record ID → its `modified` (ISO 8601) for every record collapsed into this one, so a
    # re-import skips exactly the records it already has (incremental by `modified`).
    sources = models.JSONField(default=dict, blank=True)
    # OSV record ID → the rating that record gives (`osv.Rating.as_json`); `severity` is the best of
    # them (`osv.best_rating`) and `severity_source` names the record it came from.
    ratings = models.JSONField(default=dict, blank=True)
    severity_source = models.CharField(_("severity source"), max_length=150, blank=True)
    # Hooks for the enrichment imports (CISA KEV, FIRST EPSS), which set them; the findings
    # priority (`findings.selectors.priority_order`) already sorts by them. Empty = not known.
    known_exploited_since = models.DateField(_("known exploited since (KEV)"), null=True, blank=True)
    epss_score = models.FloatField(_("EPSS score"), null=True, blank=True)
    epss_percentile = models.FloatField(_("EPSS percentile"), null=True, blank=True)

    class Meta:
        ordering = ["-modified"]
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")

    def __str__(self) -> str:
        return self.osv_id

    def get_absolute_url(self) -> str:
        return reverse("software:vulnerability_detail", args=[self.pk])

    @property
    def headline(self) -> str:
        """The summary, or else the first sentence of the details (many PyPA records have no summary)."""
        from renkei.software.vulndb.osv import headline

        return self.summary or headline(self.details)

    @property
    def all_ids(self) -> list[str]:
        return [self.osv_id, *self.aliases]

    @property
    def severity_method(self) -> str:
        """How the source record rates it: "CVSS_V4", "CVSS_V3", "CVSS_V2", "database" or ""."""
        rating = (self.ratings or {}).get(self.severity_source) or {}
        return str(rating.get("method") or "")

    @property
    def severity_method_label(self) -> str:
        """The method for people: "CVSS v3.1", "CVSS v2", or the advisory database's own rating."""
        method = self.severity_method
        if method.startswith("CVSS"):
            prefix = self.cvss_vector.split("/", 1)[0]
            return f"CVSS v{prefix.split(':', 1)[1]}" if prefix.startswith("CVSS:") else f"CVSS v{method[-1]}"
        return str(_("rating of the advisory database")) if method == "database" else ""


class VulnerabilityAlias(models.Model):
    """Every identifier (the ID and its aliases) pointing to the one vulnerability it names."""

    alias = models.CharField(max_length=100, unique=True)
    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.CASCADE, related_name="alias_rows")

    def __str__(self) -> str:
        return self.alias


class AffectedPackage(models.Model):
    """Lookup rows: which (ecosystem, normalised name) a vulnerability affects, for fast candidate search."""

    vulnerability = models.ForeignKey(Vulnerability, on_delete=models.CASCADE, related_name="packages")
    ecosystem = models.CharField(max_length=40)
    name = models.CharField(max_length=300)

    class Meta:
        indexes = [models.Index(fields=["ecosystem", "name"])]

    def __str__(self) -> str:
        return f"{self.ecosystem}/{self.name}"


class VexState(models.TextChoices):
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    AFFECTED = "affected", _("Affected")
    NOT_AFFECTED = "not_affected", _("Not affected")
    FIXED = "fixed", _("Fixed")


class VexJustification(models.TextChoices):
    COMPONENT_NOT_PRESENT = "component_not_present", _("Component not present")
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present", _("Vulnerable code not present")
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = "vulnerable_code_not_in_execute_path", _("Vulnerable code not in execute path")
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = (
        "vulnerable_code_cannot_be_controlled_by_adversary",
        _("Vulnerable code cannot be controlled by an adversary"),
    )
    INLINE_MITIGATIONS_ALREADY_EXIST = "inline_mitigations_already_exist", _("Inline mitigations already exist")


class Finding(ScopedModel):
    """A vulnerability matched to a component of a release's current SBOM, with its VEX triage."""

    release = models.ForeignKey(Release, verbose_name=_("release"), on_delete=models.CASCADE, related_name="findings")
    component = models.ForeignKey(Component, verbose_name=_("component"), on_delete=models.CASCADE, related_name="findings")
    vulnerability = models.ForeignKey(
        Vulnerability, verbose_name=_("vulnerability"), on_delete=models.CASCADE, related_name="findings"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    state = models.CharField(
        _("state"), max_length=24, choices=VexState.choices, default=VexState.UNDER_INVESTIGATION
    )
    justification = models.CharField(
        _("justification"), max_length=60, choices=VexJustification.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    resolved = models.BooleanField(
        _("no longer matched"), default=False, help_text=_("The current SBOM or database no longer matches it.")
    )
    response_requested_at = models.DateTimeField(_("supplier asked to respond"), null=True, blank=True)
    # Set by the recomputation: the versions of the component's package that fix the vulnerability,
    # and the component's best upgrade ("upgrade to X fixes N of M findings"; `remediation.py`).
    fixed_versions = models.JSONField(_("fixed in"), default=list, blank=True)
    fix_available = models.BooleanField(_("fix available"), default=False)
    upgrade_version = models.CharField(_("upgrade to"), max_length=200, blank=True)
    upgrade_fixes = models.PositiveIntegerField(default=0)
    upgrade_total = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["release", "vulnerability__osv_id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["component", "vulnerability"], name="finding_unique_component_vuln")
        ]

    def __str__(self) -> str:
        return f"{self.vulnerability} in {self.component}"

    def get_absolute_url(self) -> str:
        return reverse("software:finding_detail", args=[self.pk])


class LicencePolicy(ScopedModel):
    """Allowed and denied licence identifiers (SPDX) for one of our group companies."""

    allowed = models.TextField(_("allowed licences"), blank=True, help_text=_("SPDX identifiers, one per line."))
    denied = models.TextField(_("denied licences"), blank=True, help_text=_("SPDX identifiers, one per line."))

    class Meta:
        verbose_name = _("licence policy")
        verbose_name_plural = _("licence policies")
        constraints = [models.UniqueConstraint(fields=["group_company"], name="licence_policy_one_per_company")]

    def __str__(self) -> str:
        return str(_("Licence policy"))

    def get_absolute_url(self) -> str:
        return reverse("software:licence_policy")


class OsvImport(TimeStampedModel):
    """A run of the vulnerability database import, with its progress for the page."""

    source = models.CharField(_("source"), max_length=500)
    status = models.CharField(_("status"), max_length=12, default="queued")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # What to import: paths on the server, or an uploaded archive kept under osv-imports/.
    paths = models.JSONField(default=list, blank=True)
    file = models.FileField(upload_to="osv-imports/", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]


# The KEV and EPSS enrichment (issue 12 §1) keeps its models in its own sub-package.
from renkei.software.enrichment.models_kev_epss import EnrichmentImport, EpssScore, KevEntry  # noqa: E402, F401
from renkei.software.enrichment.models_nvd_jvn import JvnCve, JvnEntry, NvdCve, NvdJvnImport  # noqa: E402, F401
