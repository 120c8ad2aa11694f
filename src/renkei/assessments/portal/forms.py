"""Forms of the partner portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from renkei.assessments.answering import services as answer_services


class NameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=answer_services.MAX_NAME_CHARS,
        help_text=gettext_lazy("Shown beside the answers you change, so your colleagues and our reviewers know who answered."),
    )


class DeclarationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Subcontractor's name"), max_length=200)
    corporate_number = forms.CharField(
        label=gettext_lazy("Corporate number (法人番号)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("13 digits, if the company is registered in Japan."),
    )
    country = forms.CharField(
        label=gettext_lazy("Country"), max_length=2, initial="JP", help_text=gettext_lazy("ISO 3166 code, e.g. JP.")
    )
    service = forms.CharField(label=gettext_lazy("Work delegated to it"), max_length=200, required=False)
    assets = forms.MultipleChoiceField(
        label=gettext_lazy("Which of our information it handles"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, asset_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assets"].choices = asset_choices  # type: ignore[attr-defined]
