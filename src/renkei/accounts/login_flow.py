"""The state between a correct password and a correct TOTP code.

The user is not logged in until the second step succeeds: the session only remembers, for a few
minutes, who typed a correct password and where to go afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from renkei.accounts import selectors
from renkei.accounts.models import User

SESSION_KEY = "accounts_pending_login"
PENDING_SECONDS = 300
MAX_CODE_ATTEMPTS = 5


@dataclass
class PendingLogin:
    user: User
    device: TOTPDevice
    backend: str
    next_url: str
    attempts: int


def start(request: HttpRequest, *, user: Any, next_url: str) -> None:
    # A new session key, so a session id planted before the password step is worth nothing.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "next": next_url,
        "started": time.time(),
        "attempts": 0,
    }


def pending(request: HttpRequest) -> PendingLogin | None:
    """The half-finished log-in, or None when there is none, it expired, or the user changed meanwhile."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - float(data.get("started", 0)) > PENDING_SECONDS:
        clear(request)
        return None
    user_id = data.get("user_id")
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    device = selectors.totp_device_confirmed(user) if user is not None else None
    if user is None or device is None:
        clear(request)
        return None
    return PendingLogin(
        user=user,
        device=device,
        backend=str(data.get("backend")),
        next_url=str(data.get("next") or ""),
        attempts=int(data.get("attempts", 0)),
    )


def count_failure(request: HttpRequest) -> int:
    """One more wrong code; returns how many remain before the password has to be typed again."""
    data = request.session.get(SESSION_KEY) or {}
    data["attempts"] = int(data.get("attempts", 0)) + 1
    request.session[SESSION_KEY] = data
    remaining = MAX_CODE_ATTEMPTS - data["attempts"]
    if remaining <= 0:
        clear(request)
    return max(remaining, 0)


def clear(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
