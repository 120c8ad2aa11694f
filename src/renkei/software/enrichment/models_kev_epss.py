"""Enrichment data of the offline vulnerability database: the CISA KEV catalogue and FIRST EPSS
scores, each replaced as a whole by its import (`services_kev_epss`), and the import runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from renkei.core.models import TimeStampedModel


class EnrichmentKind(models.TextChoices):
    KEV = "kev", _("CISA KEV catalogue")
    EPSS = "epss", _("FIRST EPSS scores")


class KevEntry(models.Model):
    """One vulnerability of the CISA Known Exploited Vulnerabilities catalogue."""

    cve_id = models.CharField(_("CVE"), max_length=40, unique=True)
    vendor_project = models.CharField(_("vendor"), max_length=300, blank=True)
    product = models.CharField(_("product"), max_length=300, blank=True)
    name = models.CharField(_("name"), max_length=500, blank=True)
    date_added = models.DateField(_("added to KEV"))
    short_description = models.TextField(_("description"), blank=True)
    required_action = models.TextField(_("required action"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    ransomware_use = models.CharField(_("known ransomware campaign use"), max_length=20, blank=True)

    class Meta:
        ordering = ["-date_added", "cve_id"]
        verbose_name = _("KEV entry")
        verbose_name_plural = _("KEV entries")

    def __str__(self) -> str:
        return self.cve_id


class EpssScore(models.Model):
    """The FIRST EPSS probability (0–1) and percentile of one CVE."""

    cve_id = models.CharField(_("CVE"), max_length=40, unique=True)
    score = models.FloatField(_("EPSS score"))
    percentile = models.FloatField(_("EPSS percentile"))

    class Meta:
        verbose_name = _("EPSS score")
        verbose_name_plural = _("EPSS scores")

    def __str__(self) -> str:
        return self.cve_id


class EnrichmentImport(TimeStampedModel):
    """A run of the KEV or EPSS import, with its progress for the page and, once done, what the
    sources page shows: the file's own date and version, and the number of records."""

    kind = models.CharField(_("data source"), max_length=10, choices=EnrichmentKind.choices)
    source = models.CharField(_("file name"), max_length=500)
    status = models.CharField(_("status"), max_length=12, default="queued")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(_("records"), default=0)
    matched = models.PositiveIntegerField(_("vulnerabilities updated"), default=0)
    # The file's own date (KEV dateReleased, EPSS score_date) and version (catalogVersion, model_version).
    file_date = models.DateTimeField(_("file date"), null=True, blank=True)
    file_version = models.CharField(_("file version"), max_length=100, blank=True)
    finished_at = models.DateTimeField(_("loaded at"), null=True, blank=True)
    error = models.TextField(blank=True)
    path = models.CharField(max_length=1000, blank=True)
    file = models.FileField(upload_to="enrichment-imports/", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enrichment import")
        verbose_name_plural = _("enrichment imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.source}"
