"""Writes to accounts: users, passwords, the TOTP second factor and API tokens.

Changes are audited by django-auditlog (models registered in apps.py); the actor comes from the
request or from `audit_context` in commands. `actor=None` means a trusted command context.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkei.accounts import selectors
from renkei.accounts.models import ApiToken, PortalLink, User
from renkei.accounts.permissions import MANAGE_PORTAL_LINKS
from renkei.core.concurrency import expect_version
from renkei.core.errors import ErrorItem, NotFound, RenkeiError
from renkei.core.permissions import Action, Role, require
from renkei.core.services import validate
from renkei.core.tenancy import allowed_company_ids, is_group_company
from renkei.core.text import normalise_reading
from renkei.core.tokens import hash_token
from renkei.registry.models import Organisation

LANGUAGES = {"ja", "en"}
TOKEN_PREFIX_LENGTH = 8
USER_EDITABLE_FIELDS = frozenset(
    {"first_name", "last_name", "family_name_reading", "given_name_reading", "email", "role", "is_active", "language"}
)
READING_FIELDS = ("family_name_reading", "given_name_reading")


def user_set_language(*, user: Any, language: str) -> User:
    """Store the user's UI language (ja or en)."""
    user.language = language
    user.save(update_fields=["language"])
    return user


# --- users (administration) ----------------------------------------------------------------------


def _require_admin(actor: Any) -> None:
    if actor is not None:
        require(actor, Action.ADMINISTER)


def _require_manageable(actor: Any, user: User) -> None:
    if actor is not None and not selectors.users_manageable(actor).filter(pk=user.pk).exists():
        raise NotFound(_("Not found."))


def _check_companies(actor: Any, companies: list[Organisation]) -> None:
    """Only our own group companies; a limited administrator may not grant more than they have."""
    if any(not is_group_company(c) for c in companies):
        raise RenkeiError(_("Choose one of our own group companies."), field_name="group_companies")
    ids = allowed_company_ids(actor) if actor is not None else None
    if ids is None:
        return
    if not companies:
        raise RenkeiError(
            _("You may only create users limited to your own group companies."), field_name="group_companies"
        )
    if any(c.pk not in ids for c in companies):
        raise RenkeiError(
            _("You may only assign your own group companies."), field_name="group_companies", status=403
        )


def _check_password(password: str, user: User, field_name: str = "password") -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        items = [ErrorItem(message=m, field=field_name) for m in exc.messages]
        raise RenkeiError(message=exc.messages[0], field_name=field_name, items=items) from exc


def _ensure_an_administrator_remains(user: User, *, role: str, is_active: bool) -> None:
    """Refuse a change that would leave nobody able to administer the installation."""
    if role == Role.ADMIN and is_active:
        return
    # Lock the administrators' rows so two concurrent demotions cannot both pass the check.
    admins = list(
        User.objects.select_for_update().filter(role=Role.ADMIN, is_active=True).values_list("pk", flat=True)
    )
    if user.pk in admins and len(admins) == 1:
        field = "role" if role != Role.ADMIN else "is_active"
        raise RenkeiError(
            _("This is the last active administrator. Make another user an administrator first."),
            field_name=field,
            status=409,
        )


def _note(instance: Any, field: str, text: str) -> None:
    """An audit entry for an event whose field is not logged itself (a password is never stored there)."""
    LogEntry.objects.log_create(
        instance, action=LogEntry.Action.UPDATE, changes={field: ["", text]}, force_log=True
    )


def user_create(
    *,
    actor: Any,
    username: str,
    role: str,
    password: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    family_name_reading: str = "",
    given_name_reading: str = "",
    language: str = "ja",
    companies: Iterable[Organisation] = (),
) -> User:
    """Create a user with an initial password that passes the configured validators.

    `last_name` is the family name (姓), `first_name` the given name (名); readings are stored in
    katakana whatever kana they were typed in."""
    _require_admin(actor)
    company_list = list(companies)
    _check_companies(actor, company_list)
    user = User(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        family_name_reading=normalise_reading(family_name_reading),
        given_name_reading=normalise_reading(given_name_reading),
        role=role,
        language=language,
        is_active=True,
    )
    validate(user, exclude=["password"])
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            user.group_companies.set(company_list)
    except IntegrityError as exc:
        raise RenkeiError(_("A user with that username already exists."), field_name="username") from exc
    return user


def user_update(
    *,
    actor: Any,
    user: User,
    companies: Iterable[Organisation] | None = None,
    expected_version: int | None = None,
    **changes: Any,
) -> User:
    """Change a user's name, e-mail, role, active flag, language and group-company limit.
    With `expected_version` (the version the editor loaded) a user saved since is not overwritten:
    `StaleEdit` (409) and nothing changes."""
    unknown = set(changes) - USER_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"user_update() got unexpected fields: {sorted(unknown)}")
    _require_admin(actor)
    _require_manageable(actor, user)
    company_list = list(companies) if companies is not None else None
    if company_list is not None:
        _check_companies(actor, company_list)
    if changes.get("language", user.language) not in LANGUAGES:
        raise RenkeiError(_("Choose Japanese or English."), field_name="language")
    with transaction.atomic():
        stored = User.objects.select_for_update().get(pk=user.pk)
        expect_version(stored, expected_version)
        for name, value in changes.items():
            setattr(stored, name, normalise_reading(value) if name in READING_FIELDS else value)
        validate(stored, exclude=["password"])
        _ensure_an_administrator_remains(stored, role=stored.role, is_active=stored.is_active)
        stored.save()
        if company_list is not None:
            stored.group_companies.set(company_list)
    for name in changes:
        setattr(user, name, getattr(stored, name))
    return stored


def user_deactivate(*, actor: Any, user: User) -> User:
    """Deactivate instead of deleting: the audit trail keeps pointing at the person."""
    return user_update(actor=actor, user=user, is_active=False)


def user_set_password(*, actor: Any, user: User, password: str) -> User:
    """An administrator sets a new password (e.g. the user forgot theirs)."""
    _require_admin(actor)
    _require_manageable(actor, user)
    _check_password(password, user, field_name="new_password1")
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        _note(user, "password", _("reset by an administrator"))
    return user


def user_password_changed(*, user: User) -> None:
    """Record in the audit trail that users changed their own password (the form already saved it)."""
    _note(user, "password", _("changed by the user"))


# --- the TOTP second factor ----------------------------------------------------------------------


def totp_device_start(*, user: User) -> TOTPDevice:
    """The authenticator waiting for confirmation: reuse the pending one so a reload keeps the secret."""
    if selectors.totp_enabled(user):
        raise RenkeiError(_("Two-factor authentication is already on."), status=409)
    device = selectors.totp_device_unconfirmed(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> TOTPDevice:
    """Switch two-factor log-in on once the user proves the app shows the right codes."""
    if device.user_id != user.pk:
        raise NotFound(_("Not found."))
    if device.confirmed:
        raise RenkeiError(_("Two-factor authentication is already on."), status=409)
    if not device.verify_token(token.strip()):
        raise RenkeiError(_("The code is not valid. Check the time on your device and try again."), field_name="token")
    with transaction.atomic():
        device.confirmed = True
        device.save()
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


def totp_device_remove(*, actor: Any, user: User, password: str | None = None) -> int:
    """Switch two-factor log-in off.

    Users doing it themselves confirm with their password (a walked-away-from session must not be
    enough); an administrator may do it for a user who lost their phone.
    """
    if actor is not None and actor.pk == user.pk:
        if not password or not user.check_password(password):
            raise RenkeiError(_("The password is not correct."), field_name="password")
    else:
        _require_admin(actor)
        _require_manageable(actor, user)
    with transaction.atomic():
        devices = list(TOTPDevice.objects.filter(user=user))
        for device in devices:
            device.delete()  # one by one, so each removal is in the audit trail
    return len(devices)


# --- API tokens ----------------------------------------------------------------------------------


def api_token_create(
    *, user: User, name: str, days: int, not_after: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a personal API token; returns the record and the raw token, which is never stored.

    `not_after` caps the expiry: a token minted with another token must not outlive it.
    """
    name = (name or "").strip()
    if not name:
        raise RenkeiError(_("Give the token a name."), field_name="name")
    if len(name) > 100:
        raise RenkeiError(_("The name is too long (100 characters at most)."), field_name="name")
    max_days = settings.RENKEI_API_TOKEN_MAX_DAYS
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= max_days:
        raise RenkeiError(
            _("Choose between 1 and {max} days.").format(max=max_days), field_name="days"
        )
    if not user.is_active:
        raise RenkeiError(_("This account is not active."), status=403)
    expires_at = timezone.now() + timedelta(days=days)
    if not_after is not None:
        expires_at = min(expires_at, not_after)
    raw = "rk_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[:TOKEN_PREFIX_LENGTH],
        token_hash=hash_token(raw),
        expires_at=expires_at,
    )
    return token, raw


def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens at once; revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise NotFound(_("Not found."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# --- partner portal links ------------------------------------------------------------------------

PORTAL_TOKEN_PREFIX = "rp_"  # noqa: S105 - a prefix that names the kind of token, not a secret
PORTAL_LINK_MAX_DAYS = 400


def portal_link_issue(
    *, user: Any, organisation: Organisation, expires_at: datetime, purpose: str = "", sent_to: str = ""
) -> tuple[PortalLink, str]:
    """A new portal link for one party; returns the record and the raw token, which is never stored.

    `user=None` is a trusted system context (the worker launching a campaign). The link belongs to
    the party's group company, so only users of that company can see or revoke it.
    """
    from renkei.core.services import check_write

    check_write(user=user, action=MANAGE_PORTAL_LINKS, company_id=organisation.group_company_id)
    now = timezone.now()
    if expires_at <= now:
        raise RenkeiError(_("The expiry must be in the future."), field_name="expires_at")
    if expires_at > now + timedelta(days=PORTAL_LINK_MAX_DAYS):
        raise RenkeiError(
            _("A portal link can be valid for {days} days at most.").format(days=PORTAL_LINK_MAX_DAYS),
            field_name="expires_at",
        )
    raw = PORTAL_TOKEN_PREFIX + secrets.token_urlsafe(32)
    link = PortalLink.objects.create(
        group_company_id=organisation.group_company_id,  # type: ignore[misc]
        organisation=organisation,
        prefix=raw[:TOKEN_PREFIX_LENGTH + len(PORTAL_TOKEN_PREFIX)],
        token_hash=hash_token(raw),
        purpose=purpose[:200],
        sent_to=sent_to[:500],
        created_by=user if getattr(user, "pk", None) else None,
        expires_at=expires_at,
    )
    return link, raw


def portal_link_find(raw: str) -> PortalLink | None:
    """The link a raw token names, whatever its state (the caller shows expired and revoked links a
    clear page); None for a token that never existed."""
    raw = (raw or "").strip()
    if not raw.startswith(PORTAL_TOKEN_PREFIX) or len(raw) > 100:
        return None
    return PortalLink.objects.select_related("organisation").filter(token_hash=hash_token(raw)).first()


def portal_link_touch(link: PortalLink) -> None:
    """Record the use (at most once a minute, so browsing the portal does not write on every page)."""
    now = timezone.now()
    if link.last_used_at is None or (now - link.last_used_at).total_seconds() > 60:
        PortalLink.objects.filter(pk=link.pk).update(last_used_at=now)
        link.last_used_at = now


def portal_link_revoke(*, user: Any, link: PortalLink) -> PortalLink:
    """Revoke a link at once; revoking twice changes nothing."""
    from renkei.core.services import check_write

    check_write(user=user, action=MANAGE_PORTAL_LINKS, company_id=link.group_company_id)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at", "updated_at"])
    return link


def password_reset_link(user: User) -> str:
    """The one-time link to choose a new password, on RENKEI_BASE_URL (never on a request's Host)."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.RENKEI_BASE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


def password_reset_email_send(*, user_id: int) -> bool:
    """E-mail an active account with an address its password-reset link, in its own language;
    False when there is nobody to send to (the account changed since the request)."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.utils import translation

    user = User.objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not user.has_usable_password():
        return False
    with translation.override(user.language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "link": password_reset_link(user),
            "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            "base_url": settings.RENKEI_BASE_URL,
        }
        subject = "".join(render_to_string("accounts/password_reset_subject.txt", context).splitlines())
        body = render_to_string("accounts/password_reset_email.txt", context)
    EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]).send()
    return True
