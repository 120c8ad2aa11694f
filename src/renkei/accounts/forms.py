"""Forms for log-in, the second factor, API tokens and user administration.

Forms check the shape of the input; the rules (password strength, scope, the last administrator)
live in services.py so the API and the command obey them too.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from renkei.accounts import selectors
from renkei.accounts.models import ROLE_LABELS, User
from renkei.core.permissions import Role

CODE_RE = re.compile(r"^\d{6}$")


class TotpCodeForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 8}
        ),
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", self.cleaned_data["token"])
        if not CODE_RE.match(token):
            raise forms.ValidationError(_("Enter the 6-digit code shown in your authenticator app."))
        return token


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, help_text=_("What the token is for, e.g. SIEM export."))
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1, initial=90)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read at run time, so the operator's limit applies without a restart of the form class.
        max_days = settings.RENKEI_API_TOKEN_MAX_DAYS
        field = self.fields["days"]
        field.max_value = max_days  # type: ignore[attr-defined]
        field.validators.append(MaxValueValidator(max_days))
        field.widget.attrs.update({"min": 1, "max": max_days})
        field.initial = min(90, max_days)
        field.help_text = _("1 to {max} days.").format(max=max_days)


class UserFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("role"), required=False)
    active = forms.ChoiceField(
        label=_("state"), required=False, choices=[("", "—"), ("yes", _("active")), ("no", _("deactivated"))]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "—"), *_role_choices()]  # type: ignore[attr-defined]


def _role_choices() -> list[tuple[str, Any]]:
    # The model's choices carry untranslated labels; the translated ones live in ROLE_LABELS.
    return [(r.value, ROLE_LABELS[r]) for r in Role]


# Japanese order: 姓, 名, then their readings セイ, メイ.
NAME_FIELDS = ["last_name", "first_name", "family_name_reading", "given_name_reading"]
NAME_LABELS = {
    "last_name": _("family name"),
    "first_name": _("given name"),
    "family_name_reading": _("family name (reading)"),
    "given_name_reading": _("given name (reading)"),
}
NAME_HELP = {
    "last_name": _("e.g. 佐藤"),
    "first_name": _("e.g. 花子"),
    "family_name_reading": _("In katakana, e.g. サトウ"),
    "given_name_reading": _("In katakana, e.g. ハナコ"),
}


class _UserAdminForm(forms.ModelForm):
    """Group-company choices are limited to what the administrator may assign."""

    def __init__(self, *args: Any, actor: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        for name in NAME_FIELDS:
            self.fields[name].label = NAME_LABELS[name]
            self.fields[name].help_text = NAME_HELP[name]
        self.fields["role"].choices = _role_choices()  # type: ignore[attr-defined]
        self.fields["group_companies"].queryset = selectors.assignable_companies(actor)  # type: ignore[attr-defined]


class UserCreateForm(_UserAdminForm):
    password1 = forms.CharField(
        label=_("initial password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("initial password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", *NAME_FIELDS, "email", "role", "language", "group_companies"]
        widgets = {"group_companies": forms.CheckboxSelectMultiple}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


class UserEditForm(_UserAdminForm):
    class Meta:
        model = User
        fields = [*NAME_FIELDS, "email", "role", "is_active", "language", "group_companies"]
        widgets = {"group_companies": forms.CheckboxSelectMultiple}
