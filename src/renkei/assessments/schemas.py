"""API schemas shared by the sub-packages' `schemas.py` (`...In` bodies, `...Out` answers, filters).

Answers carry ids, the stored code of every choice with its display label (`status`,
`status_label`) and the names of referenced objects, as the registry's do. Texts of frameworks come
in both languages (`text_ja`, `text_en`); labels follow the request's language.

A field that only reads an attribute path of the record (`framework.name`, `get_status_display`)
names it as its alias, which Ninja resolves on the record; the JSON keeps the field's own name.
"""

# No `from __future__ import annotations`: Pydantic and Ninja read these annotations at run time.

from typing import Any

from django.urls import NoReverseMatch
from ninja import Schema


def _url(obj: Any) -> str:
    # "" while the page the record links to is not mounted (the API does not depend on the pages).
    try:
        return str(obj.get_absolute_url())
    except NoReverseMatch:
        return ""


def user_name(user: Any) -> str | None:
    return None if user is None else str(user.get_full_name() or user.get_username())


class RecordOut(Schema):
    """Base of the record output schemas: `url` is the record's page."""

    url: str

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return _url(obj)
