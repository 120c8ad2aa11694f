"""Forms of the findings pages. Choices are limited to what the user may see; writes go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from renkei.core.permissions import visible
from renkei.registry.models import Organisation
from renkei.software.models import Product, Severity, VexJustification, VexState
from renkei.software.selectors import product_suppliers


class TriageForm(forms.Form):
    state = forms.ChoiceField(label=_("state"), choices=VexState.choices)
    justification = forms.ChoiceField(
        label=_("justification"), choices=[("", "—"), *VexJustification.choices], required=False
    )
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("state") == VexState.NOT_AFFECTED and not data.get("justification"):
            self.add_error("justification", _("Say why it is not affected (a justification is required)."))
        return data


class FindingFilterForm(forms.Form):
    severity = forms.ChoiceField(label=_("severity"), choices=[("", "—"), *Severity.choices], required=False)
    state = forms.ChoiceField(label=_("state"), choices=[("", "—"), *VexState.choices], required=False)
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Organisation.objects.none(), required=False)
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.none(), required=False)
    show_resolved = forms.BooleanField(label=_("include no longer matched"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = product_suppliers(user)  # type: ignore[attr-defined]
        self.fields["product"].queryset = visible(  # type: ignore[attr-defined]
            Product.objects.select_related("supplier"), user
        ).order_by("name")
