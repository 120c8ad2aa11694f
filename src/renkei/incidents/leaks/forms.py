"""Forms of leak attribution: sharing a dataset (with canary rows) and tracing a leaked file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from renkei.core.files.tabular import ENCODING_CHOICES
from renkei.core.forms import ScopedModelForm
from renkei.incidents.leaks import services
from renkei.incidents.leaks.models import SharedDataset


class ShareForm(ScopedModelForm):
    visible_choice_fields = ("asset",)

    file = forms.FileField(
        label=gettext_lazy("Dataset to send"),
        help_text=gettext_lazy("CSV (UTF-8 or Shift_JIS) or Excel (.xlsx); the first row names the columns."),
    )
    canary_count = forms.IntegerField(
        label=gettext_lazy("Canary rows"),
        required=False,
        min_value=0,
        max_value=services.MAX_CANARIES,
        help_text=gettext_lazy("Leave empty for about one per 2,000 rows (at least 3, at most 50)."),
    )
    encoding = forms.ChoiceField(label=gettext_lazy("Text encoding (CSV only)"), choices=ENCODING_CHOICES, initial="auto")

    class Meta:
        model = SharedDataset
        fields = ["recipient", "asset", "name", "shared_on", "method", "group_company"]
        widgets = {"shared_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Leave empty to use the file name.")
        self.fields["group_company"].required = False
        self.fields["shared_on"].initial = timezone.localdate()


class TraceForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Leaked file"),
        help_text=gettext_lazy("CSV, Excel (.xlsx) or any text (a dump with unknown columns)."),
    )
    encoding = forms.ChoiceField(label=gettext_lazy("Text encoding"), choices=ENCODING_CHOICES, initial="auto")
