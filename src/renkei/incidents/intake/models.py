"""The public intake: reports from outside, the messages exchanged with the reporter, attachments.

`intake_attachment_path` is referenced by the migrations as `renkei.incidents.models.…`, which
re-exports it."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from renkei.core.models import ScopedModel
from renkei.incidents.response.models import Incident

# ---------------------------------------------------------------------------------------------
# Intake from outside (public form)


class IntakeKind(models.TextChoices):
    TIP = "tip", _("Tip")
    PARTNER_REPORT = "partner_report", _("Partner report")


class IntakeStatus(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    LINKED = "linked", _("Linked to an incident")
    CLOSED = "closed", _("Closed")


class IntakeReport(ScopedModel):
    """A report sent through the public form; the reporter keeps a receipt code, we keep its hash."""

    kind = models.CharField(_("kind"), max_length=16, choices=IntakeKind.choices, default=IntakeKind.TIP)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    reporter_name = models.CharField(_("reporter name"), max_length=200, blank=True)
    reporter_email = models.EmailField(_("reporter e-mail"), blank=True)
    reporter_organisation = models.CharField(_("reporter organisation"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    receipt_prefix = models.CharField(_("receipt prefix"), max_length=8, db_index=True)
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.NEW)
    incident = models.ForeignKey(
        Incident,
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intake_reports",
    )
    public_status_note = models.TextField(
        _("status note for the reporter"), blank=True, help_text=_("Shown to the reporter with the receipt code.")
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("intake report")
        verbose_name_plural = _("intake reports")

    def __str__(self) -> str:
        return f"{self.receipt_prefix} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("incidents:intake_detail", args=[self.pk])


class IntakeMessage(models.Model):
    scope_lookup = "report__group_company"  # permissions.visible() scopes through the parent

    report = models.ForeignKey(IntakeReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(_("at"))
    from_reporter = models.BooleanField(_("from the reporter"), default=True)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["report", "at", "pk"]
        verbose_name = _("intake message")
        verbose_name_plural = _("intake messages")

    def __str__(self) -> str:
        return self.text[:80]


def intake_attachment_path(instance: IntakeAttachment, filename: str) -> str:
    return f"intake/{instance.report_id}/{filename}"


class IntakeAttachment(models.Model):
    scope_lookup = "report__group_company"  # permissions.visible() scopes through the parent

    report = models.ForeignKey(
        IntakeReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=intake_attachment_path)
    name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("intake attachment")
        verbose_name_plural = _("intake attachments")

    def __str__(self) -> str:
        return self.name
