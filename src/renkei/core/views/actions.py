"""Generic views for what is not a plain object page: a one-off action on an object (POST only),
a confirmation page that explains an action and runs it, and records created or removed under a
parent (an incident's tasks, a playbook's steps).

These views write, so each concrete view (or its app's small base) declares `change_action`
(and `permission_action` when seeing the page needs more than core's `view`).
"""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from renkei.core.errors import RenkeiError
from renkei.core.permissions import get_visible_or_404
from renkei.core.views.objects import ObjectDeleteView, ObjectEditView, RenkeiViewMixin


class ActionView(RenkeiViewMixin, View):
    """A POST-only action on one object of `model`: validate a small form, call a service, go back.

    A problem the user can fix comes back as a message on the page the form was on.
    """

    writes = True
    model: Any
    form_class: type[django_forms.Form] | None = None
    success_message: Any = ""

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def redirect_url(self, obj: Any) -> str:
        return str(obj.get_absolute_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = get_visible_or_404(self.model._default_manager.all(), request.user, pk=kwargs["pk"])
        data: dict[str, Any] = {}
        if self.form_class is not None:
            form = self.form_class(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, str(error))
                return HttpResponseRedirect(self.redirect_url(obj))
            data = form.cleaned_data
        try:
            self.act(obj, data)
        except RenkeiError as exc:
            messages.error(request, str(exc))
        else:
            if self.success_message:
                messages.success(request, str(self.success_message))
        return HttpResponseRedirect(self.redirect_url(obj))


class ConfirmView(RenkeiViewMixin, View):
    """A page that explains a one-off action (GET) and runs it (POST).

    Cancel goes back to `extra_context()["cancel_url"]`, else to the target, else to
    `cancel_url_name` (the app's list).
    """

    writes = True
    template_name = "core/confirm.html"
    cancel_url_name: str = ""
    title: Any = ""
    explanation: Any = ""
    button: Any = ""
    form_class: type[django_forms.Form] | None = None

    def target(self) -> Any:
        return None

    def run(self, target: Any, data: dict[str, Any]) -> str:
        raise NotImplementedError

    def extra_context(self, target: Any) -> dict[str, Any]:
        """More for the page: `details` (lines), `danger`, `cancel_url`, or a computed `explanation`."""
        return {}

    def cancel_url(self, target: Any) -> str:
        if target and hasattr(target, "get_absolute_url"):
            return str(target.get_absolute_url())
        return reverse(self.cancel_url_name) if self.cancel_url_name else "/"

    def render_page(self, target: Any, form: Any, status: int = 200, error: str = "") -> HttpResponse:
        context = {
            "title": self.title,
            "explanation": self.explanation,
            "button": self.button,
            "form": form,
            "object": target,
            "error": error,
            **self.extra_context(target),
        }
        if not context.get("cancel_url"):
            context["cancel_url"] = self.cancel_url(target)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.target()
        return self.render_page(target, self.form_class() if self.form_class else None)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.target()
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.render_page(target, form, status=400)
        try:
            url = self.run(target, form.cleaned_data if form is not None else {})
        except RenkeiError as exc:
            return self.render_page(target, form, status=exc.status, error=str(exc))
        return HttpResponseRedirect(url)


class ChildEditView(ObjectEditView):
    """Create (under a parent, URL `parent_pk`) or update (URL `pk`) a record of `model` whose
    `parent_field` points to a `parent_model` the user must be able to see."""

    parent_model: Any
    parent_field: str
    parent_queryset: Any = None

    def get_parent(self) -> Any:
        qs = self.parent_queryset() if self.parent_queryset else self.parent_model._default_manager.all()
        return get_visible_or_404(qs, self.request.user, pk=self.kwargs["parent_pk"])

    def make_form(self, instance: Any, data: Any = None, files: Any = None) -> Any:
        if instance is None:
            instance = self.model(**{self.parent_field: self.get_parent()})
            return self.form_class(data, files, instance=instance, user=self.request.user, initial=self.get_initial())  # type: ignore[call-arg]
        return self.form_class(data, files, instance=instance, user=self.request.user)  # type: ignore[call-arg]

    def render_form(self, form: Any, instance: Any, status: int = 200) -> HttpResponse:
        parent = getattr(form.instance, self.parent_field)
        title = self.title_update if instance is not None else self.title_create
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": instance, "title": f"{title} · {parent}", "cancel_url": self.cancel_url(form.instance)},
            status=status,
        )

    def cancel_url(self, instance: Any) -> str:
        return str(instance.get_absolute_url())


class ChildDeleteView(ObjectDeleteView):
    """Delete a record that lives under a parent; afterwards go to the record's own URL (its parent's page)."""

    def get_success_url(self, instance: Any) -> str:
        return str(instance.get_absolute_url())
