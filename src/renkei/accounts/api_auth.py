"""Bearer-token authentication of the REST API.

It lives in accounts, beside `ApiToken`, so that core (the error handlers, the session
authentication) imports no app; `renkei/api.py` puts both authentications on the NinjaAPI.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from renkei.accounts.models import ApiToken
from renkei.core.audit import set_current_actor
from renkei.core.tokens import hash_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`; tokens are looked up by their SHA-256 digest."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        try:
            record = ApiToken.objects.select_related("user").get(token_hash=hash_token(token))
        except ApiToken.DoesNotExist:
            return None
        if not record.is_active or not record.user.is_active:
            return None
        now = timezone.now()
        if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        set_current_actor(record.user, via=f"api token {record.prefix}")
        return record.user
