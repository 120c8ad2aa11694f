"""Forms of the vulnerability database pages. Choices are limited to what the user may see; writes go through services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


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
