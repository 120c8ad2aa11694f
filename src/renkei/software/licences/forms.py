"""Forms of the licence policy page. Choices are limited to what the user may see; writes go through services."""

from __future__ import annotations

from django import forms

from renkei.software.models import LicencePolicy


class LicencePolicyForm(forms.ModelForm):
    class Meta:
        model = LicencePolicy
        fields = ["allowed", "denied"]
        widgets = {
            "allowed": forms.Textarea(attrs={"rows": 8, "placeholder": "MIT\nApache-2.0\nBSD-3-Clause"}),
            "denied": forms.Textarea(attrs={"rows": 8, "placeholder": "GPL-3.0-only\nAGPL-3.0-only"}),
        }
