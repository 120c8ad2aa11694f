"""Forms of the framework library pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from renkei.assessments.forms import blank_choice, our_companies
from renkei.assessments.models import (
    FrameworkOrigin,
)
from renkei.core.tenancy import is_unrestricted
from renkei.registry.models import Organisation

# --- frameworks --------------------------------------------------------------------------------


class FrameworkFilterForm(forms.Form):
    active = forms.ChoiceField(
        label=_("available"),
        required=False,
        choices=[("", "—"), ("yes", pgettext_lazy("framework", "Active")), ("no", _("Retired"))],
    )
    origin = forms.ChoiceField(label=_("origin"), required=False, choices=blank_choice(FrameworkOrigin.choices))


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(label=_("framework file (YAML)"))
    group_company = forms.ModelChoiceField(
        label=_("available to"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("The whole group"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group_company"]
        field.queryset = our_companies(user)  # type: ignore[attr-defined]
        if not is_unrestricted(user):
            # Only a user with access to the whole group can add a framework for the whole group.
            field.required = True
            field.empty_label = None  # type: ignore[attr-defined]
