"""Base models shared by every app."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models, router, transaction
from django.utils.translation import gettext_lazy as _

from renkei.core.concurrency import VERSION_FIELD, claim_version, field_of


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """A record people edit: `version` moves on with every save, so an edit based on an older version
    is refused (`core.concurrency`) instead of silently overwriting somebody else's.

    Every save of an existing row moves it on, except a save limited by `update_fields` that does
    not name the version: those are bookkeeping writes of named columns (a login time, a computed tier)
    and must not make open forms look stale.
    """

    edit_version = models.PositiveIntegerField(_("edit version"), default=1, editable=False)
    version_field: ClassVar[str] = VERSION_FIELD

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self._state.adding or self.pk is None or (update_fields is not None and field_of(self) not in update_fields):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            claim_version(self, using=using)
            super().save(*args, **kwargs)


class ScopedModel(Versioned, TimeStampedModel):
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
