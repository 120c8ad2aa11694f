"""Forms of the software pages. Choices are limited to what the user may see; writes go through services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from renkei.core.forms import DATE, ScopedModelForm
from renkei.core.permissions import Role, visible
from renkei.registry.models import Organisation
from renkei.software.models import (
    LicencePolicy,
    Product,
    Release,
    Severity,
    VexJustification,
    VexState,
)

_SHA256 = re.compile(r"[0-9a-f]{64}")
# OSV ecosystem names offered in the portfolio search; free text is not needed there.
ECOSYSTEM_CHOICES = [
    ("", _("Any ecosystem")),
    *[(name, name) for name in ("PyPI", "npm", "Maven", "Go", "crates.io", "RubyGems", "NuGet", "Packagist",
                                "Debian", "Alpine")],
]


class ResponsibleField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name() or obj.username} ({obj.username})"


class ProductForm(ScopedModelForm):
    class Meta:
        model = Product
        fields = ["supplier", "name", "description", "responsible", "group_company"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"responsible": ResponsibleField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group_company"].required = False
        self.fields["group_company"].help_text = _("The group company that receives the software.")
        # Only people who may act on a finding are worth notifying.
        self.fields["responsible"].queryset = get_user_model().objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.ADMIN, Role.ANALYST]
        ).order_by("username")


class ReleaseForm(ScopedModelForm):
    class Meta:
        model = Release
        fields = ["product", "version", "delivered_on", "notes"]
        widgets = {"delivered_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        products = visible(Product.objects.select_related("supplier"), self.user).order_by("supplier__name", "name")
        self.fields["product"].queryset = products  # type: ignore[attr-defined]
        if self.instance.pk:
            # Moving a release to another product would orphan its findings' history: keep it fixed.
            self.fields["product"].disabled = True


class SbomUploadForm(forms.Form):
    file = forms.FileField(
        label=_("SBOM file"),
        help_text=_("CycloneDX 1.4–1.6 (JSON or XML) or SPDX 2.2/2.3 (JSON or tag-value)."),
    )


class DeliveredFileForm(forms.Form):
    file = forms.FileField(label=_("Delivered file"))
    declared_sha256 = forms.CharField(
        label=_("SHA-256 declared by the supplier"),
        required=False,
        max_length=80,
        help_text=_("Optional. Leave empty to compare with the hash declared in the SBOM."),
    )

    def clean_declared_sha256(self) -> str:
        value = (self.cleaned_data.get("declared_sha256") or "").strip().lower()
        if value.startswith("sha256:"):
            value = value[len("sha256:"):]
        if value and not _SHA256.fullmatch(value):
            raise forms.ValidationError(_("A SHA-256 hash is 64 hexadecimal characters."))
        return value


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


class ProductFilterForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = _suppliers(user)  # type: ignore[attr-defined]


def _suppliers(user: Any) -> Any:
    """Organisations that delivered at least one product the user may see."""
    products = visible(Product.objects.all(), user)
    return visible(Organisation.objects.filter(pk__in=products.values("supplier_id")), user).order_by("name")


class FindingFilterForm(forms.Form):
    severity = forms.ChoiceField(label=_("severity"), choices=[("", "—"), *Severity.choices], required=False)
    state = forms.ChoiceField(label=_("state"), choices=[("", "—"), *VexState.choices], required=False)
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Organisation.objects.none(), required=False)
    product = forms.ModelChoiceField(label=_("product"), queryset=Product.objects.none(), required=False)
    show_resolved = forms.BooleanField(label=_("include no longer matched"), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = _suppliers(user)  # type: ignore[attr-defined]
        self.fields["product"].queryset = visible(  # type: ignore[attr-defined]
            Product.objects.select_related("supplier"), user
        ).order_by("name")


class PortfolioSearchForm(forms.Form):
    name = forms.CharField(label=_("package name"), max_length=300)
    ecosystem = forms.ChoiceField(label=_("ecosystem"), choices=ECOSYSTEM_CHOICES, required=False)
    version_range = forms.CharField(
        label=_("version range"),
        required=False,
        max_length=200,
        help_text=_("Optional, e.g. >=1.0,<2.0"),
    )


class LicencePolicyForm(forms.ModelForm):
    class Meta:
        model = LicencePolicy
        fields = ["allowed", "denied"]
        widgets = {
            "allowed": forms.Textarea(attrs={"rows": 8, "placeholder": "MIT\nApache-2.0\nBSD-3-Clause"}),
            "denied": forms.Textarea(attrs={"rows": 8, "placeholder": "GPL-3.0-only\nAGPL-3.0-only"}),
        }


class OsvImportForm(forms.Form):
    file = forms.FileField(
        label=_("OSV archive or file"),
        required=False,
        help_text=_("An all.zip downloaded from osv.dev, or a single OSV JSON/YAML file."),
    )
    path = forms.CharField(
        label=_("Path on the server"),
        required=False,
        max_length=1000,
        help_text=_("Administrators only: a directory or .zip on the server, e.g. /srv/osv/PyPI"),
    )

    def __init__(self, *args: Any, allow_path: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not allow_path:
            del self.fields["path"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("path"):
            raise forms.ValidationError(_("Choose a file to upload or give a path on the server."))
        return data
