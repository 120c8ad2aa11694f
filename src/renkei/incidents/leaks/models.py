"""Leak attribution (M13): the ledger of datasets shared with partners, and their canary rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renkei.core.models import ScopedModel

# ---------------------------------------------------------------------------------------------
# Leak attribution (M13)


class SharedDataset(ScopedModel):
    """A dataset we sent to a party. Only keyed fingerprints of its rows are kept (see fingerprinting.py)."""

    recipient = models.ForeignKey(
        "registry.Organisation", verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="shared_datasets"
    )
    asset = models.ForeignKey(
        "registry.InformationAsset",
        verbose_name=_("information asset"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    shared_on = models.DateField(_("shared on"))
    method = models.CharField(_("method"), max_length=100, blank=True, help_text=_("E-mail, file transfer, …"))
    canary_count = models.PositiveIntegerField(_("canary rows"), default=0)
    # Packed 8-byte truncated HMACs, sorted, for fast set membership (format documented in fingerprinting.py).
    fingerprints = models.BinaryField(_("fingerprints"), default=bytes, editable=False)
    key_version = models.PositiveIntegerField(_("key version"), default=1, editable=False)

    class Meta:
        ordering = ["-shared_on", "-pk"]
        verbose_name = _("shared dataset")
        verbose_name_plural = _("shared datasets")

    def __str__(self) -> str:
        return f"{self.name} → {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("incidents:dataset_detail", args=[self.pk])


class CanaryRecord(models.Model):
    scope_lookup = "dataset__group_company"  # permissions.visible() scopes through the parent

    """An invented person mixed into one sending; its e-mail, phone and keys are unique to it."""

    dataset = models.ForeignKey(
        SharedDataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="canaries"
    )
    values = models.JSONField(_("values"), default=dict)
    email = models.CharField(_("e-mail"), max_length=254, unique=True)
    phone = models.CharField(_("phone"), max_length=30, unique=True)
    # Every fingerprint the canary is found by (e-mail, phone, name + address, …), packed as the
    # dataset's are. Empty for canaries made before keys: their e-mail and phone are used.
    fingerprints = models.BinaryField(_("fingerprints"), default=bytes, editable=False)

    class Meta:
        ordering = ["dataset", "pk"]
        verbose_name = _("canary record")
        verbose_name_plural = _("canary records")

    def __str__(self) -> str:
        return self.email


class TraceEvidence(models.Model):
    """A trace of a leaked sample kept on an incident as evidence: which file (name, size, SHA-256),
    who traced it and when, and the whole result with its conclusion, as it was at that moment."""

    scope_lookup = "incident__group_company"  # permissions.visible() scopes through the incident

    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("incident"), on_delete=models.CASCADE, related_name="trace_evidence"
    )
    attachment = models.ForeignKey(
        "incidents.Attachment",
        verbose_name=_("attachment"),
        on_delete=models.RESTRICT,  # the sample of a kept trace is evidence: removed only with its incident
        null=True,
        blank=True,
        related_name="traces",
    )
    sample_name = models.CharField(_("file name"), max_length=255)
    sample_size = models.BigIntegerField(_("size"), default=0)
    sample_sha256 = models.CharField(_("SHA-256"), max_length=64)
    result = models.JSONField(_("result"), default=dict)
    traced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("traced by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    traced_at = models.DateTimeField(_("traced at"))

    class Meta:
        ordering = ["incident", "-traced_at", "-pk"]
        verbose_name = _("trace evidence")
        verbose_name_plural = _("trace evidence")

    def __str__(self) -> str:
        return self.sample_name

    def get_absolute_url(self) -> str:
        return reverse("incidents:trace_evidence", args=[self.pk])
