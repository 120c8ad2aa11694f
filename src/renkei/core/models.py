"""Base models shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class ScopedModel(TimeStampedModel):
    """A record that belongs to one of our group companies.

    The permission mechanism (`core.permissions.visible`) filters on `group_company`, so a user
    limited to some group companies sees only their records; every app's managed records inherit
    this base so that later capabilities get the same scoping without extra code.
    """

    group_company = models.ForeignKey(
        settings.RENKEI_GROUP_COMPANY_MODEL,
        verbose_name=_("group company"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Which of our group companies this record belongs to."),
    )

    class Meta:
        abstract = True


class PeriodicJob(models.Model):
    """When a periodic job was last queued; the conditional update in core.scheduler claims a run,
    so several workers never queue the same run twice."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class RateLimitCounter(models.Model):
    """Attempts of one client in one fixed window of one rate limit (`core.ratelimit`).

    In the database so every web process counts into the same row: a per-process cache would
    give each process its own allowance.
    """

    key = models.CharField(max_length=64)  # a hash of the bucket and the client address
    window_start = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_one_row_per_window")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… {self.window_start:%Y-%m-%d %H:%M} ×{self.count}"
