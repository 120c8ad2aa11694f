"""The base of every form that edits a scoped record: choices are limited to what the user may see."""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

from django import forms
from django.db.models import Q

from renkei.core.masking import party_name
from renkei.core.permissions import visible
from renkei.core.tenancy import allowed_company_ids, group_company_model

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopedModelForm(forms.ModelForm):
    """Limits organisation choices to the user's scope and `group_company` to our group companies
    the user may act for; the fields named in `visible_choice_fields` (e.g. an information asset)
    offer only the records the user may see."""

    visible_choice_fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        company_model = group_company_model()
        for name, field in self.fields.items():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if isinstance(field, forms.ModelChoiceField) and model is company_model:
                qs = visible(company_model._default_manager.all(), user).order_by("name")
                if name == "group_company":
                    qs = qs.filter(kind__in=company_model.OWN_KINDS)
                    ids = allowed_company_ids(user)
                    if ids is not None:
                        qs = qs.filter(pk__in=ids)
                field.queryset = self._keep_current(name, qs)
                # A kept current value outside the user's scope is shown as 「範囲外の取引先」.
                if user is not None:
                    field.label_from_instance = partial(party_name, user)  # type: ignore[attr-defined, method-assign]
            elif isinstance(field, forms.ModelChoiceField) and name in self.visible_choice_fields and model is not None:
                field.queryset = self._keep_current(name, visible(model._default_manager.all(), user).order_by("name"))
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"

    def _keep_current(self, name: str, qs: Any) -> Any:
        # Editing a record that points outside the user's scope (e.g. a subsidiary's contract with a
        # party the headquarters manages) must not force a change of that link: keep its current value.
        current = getattr(self.instance, f"{name}_id", None) if self.instance.pk else None
        if current is None or qs.filter(pk=current).exists():
            return qs
        return qs.model.objects.filter(Q(pk__in=qs.values("pk")) | Q(pk=current)).order_by("name")
