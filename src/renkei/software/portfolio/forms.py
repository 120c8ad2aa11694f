"""Forms of the product, release and portfolio search pages. Choices are limited to what the user may see; writes go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from renkei.core.forms import DATE, ScopedModelForm
from renkei.core.permissions import Role, visible
from renkei.registry.models import Organisation
from renkei.software.models import Product, Release
from renkei.software.selectors import product_suppliers

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


class ProductFilterForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("supplier"), queryset=Organisation.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = product_suppliers(user)  # type: ignore[attr-defined]


class PortfolioSearchForm(forms.Form):
    name = forms.CharField(label=_("package name"), max_length=300)
    ecosystem = forms.ChoiceField(label=_("ecosystem"), choices=ECOSYSTEM_CHOICES, required=False)
    version_range = forms.CharField(
        label=_("version range"),
        required=False,
        max_length=200,
        help_text=_("Optional, e.g. >=1.0,<2.0"),
    )
