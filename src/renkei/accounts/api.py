"""Accounts API: who am I, and my personal API tokens (the raw token is answered once, at creation)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from renkei.accounts import selectors, services
from renkei.accounts.models import ApiToken
from renkei.core.tokens import hash_token

router = Router(tags=["accounts"])


class CompanyOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: str
    language: str
    group_companies: list[CompanyOut] = Field(description="Empty: the whole group (headquarters view).")
    totp_enabled: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: str


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    days: int = Field(description="Validity in days, 1 to RENKEI_API_TOKEN_MAX_DAYS.")


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The raw token. It is shown only in this answer: store it now.")


def _token_out(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
        "state": token.state,
    }


def _calling_token(request: HttpRequest) -> ApiToken | None:
    """The token this request authenticated with, if any (None for a browser session)."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return selectors.user_tokens(request.user).filter(token_hash=hash_token(raw.strip())).first()


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, object]:
    """The authenticated user: role, language and the group companies they are limited to."""
    user = request.user
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name(),  # type: ignore[union-attr]
        "email": user.email,  # type: ignore[union-attr]
        "role": user.role,  # type: ignore[union-attr]
        "language": user.language,  # type: ignore[union-attr]
        "group_companies": [
            {"id": c.pk, "name": c.name} for c in user.group_companies.order_by("name")  # type: ignore[union-attr]
        ],
        "totp_enabled": selectors.totp_enabled(user),
    }


@router.get("/tokens", response=list[TokenOut])
def token_list(request: HttpRequest) -> list[dict[str, object]]:
    """My tokens, newest first (never the raw token)."""
    return [_token_out(t) for t in selectors.user_tokens(request.user)]


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    """Create a token. A token created with another token expires no later than that one."""
    calling = _calling_token(request)
    token, raw = services.api_token_create(
        user=request.user,  # type: ignore[arg-type]
        name=payload.name,
        days=payload.days,
        not_after=calling.expires_at if calling is not None else None,
    )
    return Status(201, {**_token_out(token), "token": raw})


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of my tokens; anybody else's token answers 404."""
    token = selectors.get_user_token_or_404(request.user, token_id)
    services.api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
    return Status(204, None)
