"""Offline enrichment data from NVD (CVSS ratings, CWE ids) and JVN iPedia (Japanese titles and
summaries), keyed by CVE, and the runs of their imports. All optional: the product works without."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkei.core.models import TimeStampedModel


class NvdCve(models.Model):
    """One CVE as the NVD feed rates it (the best CVSS metric: newest version, NVD's own first)."""

    cve_id = models.CharField(_("CVE"), max_length=40, unique=True)
    severity = models.CharField(_("severity"), max_length=10, default="unknown")
    cvss_score = models.FloatField(_("CVSS base score"), null=True, blank=True)
    cvss_vector = models.CharField(_("CVSS vector"), max_length=200, blank=True)
    # "CVSS_V4", "CVSS_V3", "CVSS_V2" or "" (no metric).
    method = models.CharField(max_length=10, blank=True)
    cwes = models.JSONField(_("CWE"), default=list, blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    last_modified = models.DateTimeField(_("modified"))
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("NVD CVE record")
        verbose_name_plural = _("NVD CVE records")

    def __str__(self) -> str:
        return self.cve_id

    @property
    def severity_label(self) -> str:
        from renkei.software.models import Severity

        return str(Severity(self.severity).label) if self.severity in Severity.values else self.severity


class JvnEntry(models.Model):
    """One JVN iPedia record (JVNDB-…): its Japanese title and summary and the CVEs it names."""

    jvndb_id = models.CharField(_("JVNDB ID"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    url = models.CharField(_("URL"), max_length=300, blank=True)
    cve_ids = models.JSONField(default=list, blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    modified = models.DateTimeField(_("modified"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("JVN iPedia record")
        verbose_name_plural = _("JVN iPedia records")

    def __str__(self) -> str:
        return self.jvndb_id


class JvnCve(models.Model):
    """Lookup rows: which JVN records name a CVE."""

    cve_id = models.CharField(max_length=40, db_index=True)
    entry = models.ForeignKey(JvnEntry, on_delete=models.CASCADE, related_name="cve_rows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cve_id", "entry"], name="jvn_cve_unique")]

    def __str__(self) -> str:
        return f"{self.cve_id} → {self.entry_id}"


class NvdJvnKind(models.TextChoices):
    NVD = "nvd", "NVD"
    JVN = "jvn", "JVN iPedia"


class NvdJvnImport(TimeStampedModel):
    """A run of the NVD or JVN import, with its progress for the page (the shape of `OsvImport`)."""

    kind = models.CharField(_("source"), max_length=8, choices=NvdJvnKind.choices)
    source = models.CharField(_("file"), max_length=500)
    status = models.CharField(_("status"), max_length=12, default="queued")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    paths = models.JSONField(default=list, blank=True)
    file = models.FileField(upload_to="nvd-jvn-imports/", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.source}"
