"""Forms of the release page's uploads (SBOMs and delivered files). Choices are limited to what the user may see; writes go through services."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

_SHA256 = re.compile(r"[0-9a-f]{64}")


class SbomUploadForm(forms.Form):
    file = forms.FileField(
        label=_("SBOM file"),
        help_text=_("CycloneDX 1.2–1.7 (JSON or XML), SPDX 2.2/2.3 (JSON or tag-value) or SPDX 3.0 (JSON-LD)."),
    )
    lenient = forms.BooleanField(
        label=_("Read without the schema check"),
        required=False,
        help_text=_(
            "For a supplier's file that breaks the CycloneDX schema in a detail: the components are still "
            "read and checked for what Renkei needs."
        ),
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
