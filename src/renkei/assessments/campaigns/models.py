"""Models of required assurance and cadence (M3) and of campaigns and their assignments (M4, M6)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.assessments.frameworks.models import Framework
from renkei.core.models import ScopedModel

# ---------------------------------------------------------------------------------------------
# Required assurance and cadence (M3)


class AssuranceLevel(models.TextChoices):
    SCS3 = "scs3", _("SCS ★3")
    SCS4 = "scs4", _("SCS ★4")


class AssuranceOverride(ScopedModel):
    """The analyst's decision on the level a party owes, replacing the proposal, with the reason."""

    organisation = models.OneToOneField(
        "registry.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assurance_override"
    )
    level = models.CharField(_("required level"), max_length=8, choices=AssuranceLevel.choices)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("assurance level override")
        verbose_name_plural = _("assurance level overrides")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_level_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:party_assurance", args=[self.organisation_id])


class AssessmentPolicy(ScopedModel):
    """How often a group company reassesses its parties, by criticality, and when it reminds them."""

    months_critical = models.PositiveSmallIntegerField(_("critical parties (months)"), default=12)
    months_high = models.PositiveSmallIntegerField(_("high (months)"), default=12)
    months_medium = models.PositiveSmallIntegerField(_("medium (months)"), default=24)
    months_low = models.PositiveSmallIntegerField(_("low (months)"), default=36)
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind days before the due date"), default=7, help_text=_("0: no reminder before the due date.")
    )
    overdue_reminder_days = models.PositiveSmallIntegerField(
        _("repeat overdue reminders every (days)"), default=7, help_text=_("0: no reminders once overdue.")
    )

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")
        constraints = [models.UniqueConstraint(fields=["group_company"], name="policy_one_per_company")]

    def __str__(self) -> str:
        return str(self.group_company)

    def get_absolute_url(self) -> str:
        return reverse("assessments:policy")

    def interval_months(self, criticality: str) -> int:
        return int(getattr(self, f"months_{criticality}", self.months_medium))


# ---------------------------------------------------------------------------------------------
# Campaigns and assignments (M4, M6)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LAUNCHING = "launching", _("Launching")
    RUNNING = "running", pgettext_lazy("campaign status", "Running")
    CLOSED = "closed", pgettext_lazy("campaign status", "Closed")


class Campaign(ScopedModel):
    """One questionnaire sent to a chosen set of parties with a due date."""

    name = models.CharField(_("name"), max_length=200)
    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="campaigns")
    due_date = models.DateField(_("due date"))
    message = models.TextField(_("message to the parties"), blank=True)
    parties = models.ManyToManyField(
        "registry.Organisation", verbose_name=_("parties"), blank=True, related_name="assessment_campaigns"
    )
    # The filter the parties were chosen by, kept to show how the list came about.
    party_filter = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("launched by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    launch_total = models.PositiveIntegerField(default=0)
    launch_done = models.PositiveIntegerField(default=0)
    launch_error = models.TextField(blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessments:campaign_detail", args=[self.pk])

    @property
    def launch_percent(self) -> int:
        return int(100 * self.launch_done / self.launch_total) if self.launch_total else 0


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")


EDITABLE_STATUSES = (AssignmentStatus.NOT_STARTED, AssignmentStatus.IN_PROGRESS, AssignmentStatus.CHANGES_REQUESTED)
OPEN_STATUSES = EDITABLE_STATUSES


class Assignment(ScopedModel):
    """One party's (or our own company's) questionnaire of one cycle."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, null=True, blank=True, related_name="assignments"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="assignments"
    )
    framework = models.ForeignKey(Framework, verbose_name=_("framework"), on_delete=models.PROTECT, related_name="assignments")
    cycle = models.PositiveIntegerField(_("cycle"), default=1)
    previous = models.ForeignKey(
        "self", verbose_name=_("previous cycle"), on_delete=models.SET_NULL, null=True, blank=True, related_name="next_cycles"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.NOT_STARTED
    )
    due_date = models.DateField(_("due date"))
    language = models.CharField(_("language"), max_length=2, choices=[("ja", "日本語"), ("en", "English")], default="ja")
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by_name = models.CharField(_("submitted by"), max_length=100, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The scores when it was last submitted or accepted (scoring.Summary.as_dict()).
    score = models.JSONField(default=dict, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "organisation__name"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], condition=Q(campaign__isnull=False), name="assignment_once_per_campaign"
            )
        ]
        indexes = [models.Index(fields=["organisation", "framework", "status"]), models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.framework.name}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assignment_detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status in OPEN_STATUSES and self.due_date < (today or timezone.localdate())

    def display_status(self, today: dt.date | None = None) -> str:
        """The status a person tracks: an open assignment past its due date shows as overdue."""
        return "overdue" if self.is_overdue(today) else self.status

    def get_display_status_display(self) -> str:
        status = self.display_status()
        return str(_("Overdue")) if status == "overdue" else self.get_status_display()
