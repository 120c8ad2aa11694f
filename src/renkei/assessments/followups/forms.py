"""Forms of the follow-up pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.assessments.forms import DATE, blank_choice
from renkei.assessments.models import (
    Assignment,
    FollowUp,
    FollowUpOwner,
    FollowUpSeverity,
    FollowUpStatus,
)
from renkei.core.forms import ScopedModelForm
from renkei.core.permissions import visible
from renkei.core.tenancy import allowed_company_ids


def colleagues(user: Any) -> Any:
    """Users a follow-up item can be given to: the user's colleagues (or everybody, for headquarters)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    ids = allowed_company_ids(user)
    if ids is not None:
        users = users.filter(Q(group_companies__in=ids) | Q(group_companies__isnull=True)).distinct()
    return users


class FollowUpForm(ScopedModelForm):
    class Meta:
        model = FollowUp
        fields = ["organisation", "assignment", "title", "description", "severity", "owner", "owner_user", "due_date", "status"]
        widgets = {"due_date": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignments = visible(Assignment.objects.select_related("organisation", "framework"), self.user)
        organisation_id = self.instance.organisation_id or self.initial.get("organisation") or self.data.get("organisation")
        if organisation_id and str(organisation_id).isdigit():
            assignments = assignments.filter(organisation_id=int(organisation_id))
        self.fields["assignment"].queryset = assignments.order_by("-created_at")  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = colleagues(self.user)  # type: ignore[attr-defined]


FOLLOW_UP_STATUS_FILTER = [
    ("", pgettext_lazy("filter", "Open")),
    ("overdue", _("Overdue")),
    ("closed", _("Closed")),
    ("all", _("All")),
    *FollowUpStatus.choices,
]


class FollowUpFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), required=False, choices=FOLLOW_UP_STATUS_FILTER)
    severity = forms.ChoiceField(label=_("severity"), required=False, choices=blank_choice(FollowUpSeverity.choices))
    owner = forms.ChoiceField(
        label=pgettext_lazy("follow-up", "owner"),
        required=False,
        choices=[*blank_choice(FollowUpOwner.choices), ("mine", _("Given to me"))],
    )
    party = forms.CharField(label=_("party"), required=False, max_length=100)


class FollowUpMessageForm(forms.Form):
    body = forms.CharField(
        label=pgettext_lazy("follow-up", "message"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(label=_("new status"), required=False, choices=[("", _("(unchanged)")), *FollowUpStatus.choices])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("status"):
            raise forms.ValidationError(_("Write a message."))
        return data
