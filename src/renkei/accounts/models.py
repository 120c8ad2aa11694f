"""Users, roles, language and API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from renkei.core.models import ScopedModel, Versioned
from renkei.core.permissions import Role
from renkei.core.text import person_name


class User(AbstractUser, Versioned):
    """A person who logs in. The role grants actions; group companies limit the scope.

    Names: `last_name` is the family name (姓), `first_name` the given name (名), each with its
    reading in katakana (セイ, メイ). `display_name` writes them the way `core.text.person_name`
    decides (「佐藤 花子」; "Hanako Sato" for a Latin name) and is what every page shows.
    """

    family_name_reading = models.CharField(_("family name (reading)"), max_length=150, blank=True)
    given_name_reading = models.CharField(_("given name (reading)"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    language = models.CharField(
        _("language"), max_length=8, choices=[("ja", "日本語"), ("en", "English")], default="ja"
    )
    group_companies = models.ManyToManyField(
        "registry.Organisation",
        verbose_name=_("limited to group companies"),
        blank=True,
        related_name="limited_users",
        help_text=_("Leave empty for access to the whole group (headquarters view)."),
    )

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """「姓 名」 for a Japanese name, "Given Family" for a Latin one, else the username."""
        return self.get_full_name() or self.get_username()

    def get_full_name(self) -> str:
        return person_name(self.last_name, self.first_name)

    def get_name_reading(self) -> str:
        return person_name(self.family_name_reading, self.given_name_reading)

    def get_role_display_text(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))

    def get_scope_display(self) -> str:
        """The group companies the user is limited to, or "Whole group" (uses a prefetch when there is one)."""
        names = sorted(c.name for c in self.group_companies.all())
        return ", ".join(names) if names else str(_("Whole group"))

    def get_last_login_display(self) -> str:
        """For list columns: in Japan time, like every other time the user sees."""
        return date_format(timezone.localtime(self.last_login), "Y-m-d H:i") if self.last_login else ""

    def get_absolute_url(self) -> str:
        # The user administration page; only administrators can open it.
        return reverse("accounts:user_detail", args=[self.pk])


ROLE_LABELS: dict[str, Any] = {
    Role.ADMIN: _("Administrator"),
    Role.ANALYST: _("Analyst"),
    Role.CSIRT: _("CSIRT"),
    Role.VIEWER: _("Viewer"),
}


class ExpiringGrant:
    """What API tokens and portal links share: an expiry and a revocation, and the state they give."""

    expires_at: Any
    revoked_at: Any

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def state(self) -> str:
        """"revoked", "expired" or "active" (revocation wins: it was a deliberate act)."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    def get_state_display(self) -> str:
        return str(TOKEN_STATE_LABELS[self.state])


class ApiToken(ExpiringGrant, models.Model):
    """A personal API token: shown once at creation, stored hashed, expiring, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"



TOKEN_STATE_LABELS = {"active": _("active"), "expired": _("expired"), "revoked": _("revoked")}


class PortalLink(ExpiringGrant, ScopedModel):
    """A partner's way into the portal without an account: a random token sent by e-mail, stored
    hashed like API tokens, expiring and revocable. It opens exactly one party's assessments and
    follow-up items, and nothing else."""

    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("party"), on_delete=models.CASCADE, related_name="portal_links"
    )
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.prefix}…)"

    def get_absolute_url(self) -> str:
        return reverse("assessments:party_links", args=[self.organisation_id])

