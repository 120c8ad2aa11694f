"""Forms of the review pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renkei.registry.models import Organisation


class AnswerReviewForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("accepted", _("Accept")), ("change_requested", _("Request a change")), ("pending", _("Not reviewed"))]
    )
    comment = forms.CharField(label=_("comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class ReturnForm(forms.Form):
    message = forms.CharField(
        label=_("message to the party"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The change requests on single answers are sent with it."),
    )


class DeclarationAcceptForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("registry record"),
        required=False,
        queryset=Organisation.objects.none(),
        empty_label=_("Match by corporate number or name, else add a new one"),
    )

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queryset  # type: ignore[attr-defined]


class DeclarationRejectForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=2000)
