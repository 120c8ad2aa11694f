"""Reads for accounts: which users an administrator may manage, a user's tokens and second factor."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkei.accounts.models import ApiToken, User
from renkei.core.permissions import Action, can
from renkei.core.tenancy import allowed_company_ids, group_companies
from renkei.registry.models import Organisation


def users_manageable(actor: Any) -> QuerySet[User]:
    """The users an administrator may see and change.

    A headquarters administrator manages everyone. An administrator limited to some group companies
    manages only users limited to a subset of those companies: never an unlimited user, and never
    one who also belongs elsewhere, so a subsidiary administrator cannot widen anyone's reach.
    """
    if actor is not None and not can(actor, Action.ADMINISTER):
        return User.objects.none()
    ids = allowed_company_ids(actor) if actor is not None else None
    users = User.objects.all()
    if ids is None:
        return users
    links = User.group_companies.through.objects.filter(user_id=OuterRef("pk"))
    return users.filter(Exists(links)).exclude(Exists(links.exclude(organisation_id__in=ids)))


def get_manageable_user_or_404(actor: Any, pk: Any) -> User:
    try:
        return users_manageable(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def assignable_companies(actor: Any) -> QuerySet[Organisation]:
    """The group companies an administrator may limit a user to (all of ours, or the actor's own)."""
    qs = group_companies().order_by("name")
    ids = allowed_company_ids(actor) if actor is not None else None
    return qs if ids is None else qs.filter(pk__in=ids)


def user_tokens(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def active_token_count(user: Any) -> int:
    return user_tokens(user).filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).count()


def get_user_token_or_404(user: Any, pk: Any) -> ApiToken:
    """One of the user's own tokens; anybody else's token is 'not found'."""
    try:
        return user_tokens(user).get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Not found.")) from exc


def totp_device_confirmed(user: Any) -> TOTPDevice | None:
    """The user's active authenticator app, if two-factor log-in is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_unconfirmed(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def totp_enabled(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
