"""Form pieces shared by the staff pages of the sub-packages. Choices are limited to what the user may
see; writes still go through the services, which check the scope again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from renkei.assessments.models import (
    Framework,
)
from renkei.core.permissions import visible
from renkei.core.tenancy import allowed_company_ids, group_companies

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LANGUAGES = [("ja", "日本語"), ("en", "English")]


def blank_choice(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *list(choices)]


def our_companies(user: Any) -> Any:
    """The group companies the user may put records under."""
    qs = visible(group_companies(), user).order_by("kind", "name")
    ids = allowed_company_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def usable_frameworks(user: Any, company_id: int | None = None) -> Any:
    """Active frameworks the user may see (and, given a company, that this company may use)."""
    qs = visible(Framework.objects.filter(is_active=True), user)
    if company_id is not None:
        qs = qs.filter(Q(group_company__isnull=True) | Q(group_company_id=company_id))
    return qs.order_by("name_ja", "-version")


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)
