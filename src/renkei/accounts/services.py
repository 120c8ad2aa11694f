"""Writes to accounts."""

from __future__ import annotations

from typing import Any

from renkei.accounts.models import User


def user_set_language(*, user: Any, language: str) -> User:
    """Store the user's UI language (ja or en)."""
    user.language = language
    user.save(update_fields=["language"])
    return user
