"""Models of follow-up items (M8) and their message thread with the party."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.assessments.campaigns.models import Assignment
from renkei.assessments.frameworks.models import Question
from renkei.core.models import ScopedModel

# ---------------------------------------------------------------------------------------------
# Follow-up items (M8)


class FollowUpSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class FollowUpOwner(models.TextChoices):
    PARTY = "party", _("The party")
    US = "us", _("Us")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("follow-up status", "In progress")
    PARTY_DONE = "party_done", _("Reported done, to verify")
    RESOLVED = "resolved", _("Resolved")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted")


CLOSED_FOLLOW_UP_STATUSES = (FollowUpStatus.RESOLVED, FollowUpStatus.RISK_ACCEPTED)


class FollowUp(ScopedModel):
    """A gap to close: from a negative answer, a vulnerability finding, or added by hand."""

    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("party"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assessment"), on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=pgettext_lazy("questionnaire", "question"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    software_finding = models.ForeignKey(
        "software.Finding",
        verbose_name=_("vulnerability finding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=FollowUpSeverity.choices, default=FollowUpSeverity.MEDIUM)
    owner = models.CharField(
        pgettext_lazy("follow-up", "owner"), max_length=8, choices=FollowUpOwner.choices, default=FollowUpOwner.PARTY
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible on our side"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    resolved_at = models.DateTimeField(_("closed"), null=True, blank=True)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        indexes = [models.Index(fields=["status", "due_date"]), models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:followup_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_FOLLOW_UP_STATUSES

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_date < (today or timezone.localdate())


class FollowUpMessage(models.Model):
    scope_lookup = "follow_up__group_company"

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="messages")
    from_party = models.BooleanField(_("from the party"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author_name = models.CharField(_("author"), max_length=100, blank=True)
    body = models.TextField(pgettext_lazy("follow-up", "message"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["follow_up", "created_at", "pk"]
        verbose_name = _("follow-up message")
        verbose_name_plural = _("follow-up messages")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"

    def get_absolute_url(self) -> str:
        return self.follow_up.get_absolute_url()
