"""Leak attribution (M13): the ledger of datasets shared with partners, and their canary rows."""

from __future__ import annotations

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
