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


class BulkTriageForm(TriageForm):
    """Many findings at once: the selected `ids`, or every open finding of `vulnerability` (an ID or
    alias) the user may see, optionally within one release. `undo` instead puts back a change."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    vulnerability = forms.CharField(label=_("all findings of the vulnerability"), required=False, max_length=100)
    release = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any integer is accepted here; the service keeps only findings the user may change.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("ids") and not (data.get("vulnerability") or "").strip():
            raise forms.ValidationError(_("Choose findings, or name a vulnerability to change all of its findings."))
        return data


GATE_LEVELS = [("low", _("Low")), ("medium", _("Medium")), ("high", _("High")), ("critical", _("Critical"))]
UNKNOWN_AS = [("", _("fails the gate (default)")), ("none", _("never fails")), *GATE_LEVELS]


class GateForm(forms.Form):
    """`--fail-on` and `--unknown-as` of `renkei sbom scan`, for the release page."""

    fail_on = forms.ChoiceField(label=_("fail on"), choices=[("", "—"), *GATE_LEVELS], required=False)
    unknown_as = forms.ChoiceField(label=_("unknown severity"), choices=UNKNOWN_AS, required=False)


class FindingFilterForm(forms.Form):
    severity = forms.ChoiceField(label=_("severity"), choices=[("", "—"), *Severity.choices], required=False)
    fix_available = forms.NullBooleanField(
        label=_("fix available"),
        required=False,
        widget=forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))]),
    )
    known_exploited = forms.BooleanField(label=_("known exploited (KEV) only"), required=False)
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
