"""Generic object views: a concrete page is a queryset, columns and a form.

Every object reaches the page through `permissions.visible`, so an object outside the user's
scope answers 404, and every write goes through a service. A view declares the actions it needs:
`permission_action` to see the page (core's `view` unless set), `change_action` to write. Core
knows no app's actions, so each app's views (or the app's small base) set `change_action`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from renkei.core.concurrency import StaleEdit, current_version, expect_version
from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.files.uploads import request_too_large, request_too_large_message
from renkei.core.masking import party_ordering, scope_party_lookups
from renkei.core.permissions import Action, can, get_visible_or_404, require, visible
from renkei.core.search import search_condition
from renkei.core.views.conflicts import add_version_field, conflict_rows, prepare_save, render_conflict


@dataclass(frozen=True)
class Column:
    """One column of a list page: a dotted attribute path, its heading, and whether it links."""

    attr: str
    label: Any
    link: bool = False
    sort: str | None = None
    # The field to order by when it differs from the `?sort=` word (e.g. a stored sort key).
    order_by: str | None = None


class RenkeiViewMixin(LoginRequiredMixin):
    """Login required, then the role must grant `permission_action`, and `change_action` too
    for a view that writes (`writes = True`)."""

    permission_action: str = Action.VIEW
    change_action: str = ""
    writes: bool = False
    request: HttpRequest

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        require(request.user, self.permission_action)
        if self.writes:
            require(request.user, self.required_change_action())
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def required_change_action(self) -> str:
        if not self.change_action:
            raise ImproperlyConfigured(f"{type(self).__name__} writes but declares no change_action.")
        return self.change_action

    def can_change(self) -> bool:
        """Whether to offer the page's write buttons (false when the view declares no change_action)."""
        return bool(self.change_action) and can(self.request.user, self.change_action)


class ScopedQuerysetMixin(RenkeiViewMixin):
    model: Any
    queryset: models.QuerySet[Any] | None = None

    def base_queryset(self) -> models.QuerySet[Any]:
        return self.queryset.all() if self.queryset is not None else self.model._default_manager.all()

    def get_queryset(self) -> models.QuerySet[Any]:
        return visible(self.base_queryset(), self.request.user)


class ObjectListView(ScopedQuerysetMixin, ListView):
    """Search (`?q=`), filters (a form whose fields map to lookups), sort (`?sort=`) and pagination."""

    template_name = "core/object_list.html"
    paginate_by = 25
    columns: list[Column] = []
    search_fields: tuple[str, ...] = ()
    filter_form_class: type[forms.Form] | None = None
    filter_lookups: dict[str, str] = {}
    default_sort: str = "pk"
    title: Any = ""
    create_url_name: str | None = None
    extra_actions: list[tuple[str, Any]] = []

    def get_paginate_by(self, queryset: Any) -> int:
        try:
            size = int(self.request.GET.get("per_page", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return max(10, min(size, 200))

    def get_filter_form(self) -> forms.Form | None:
        if self.filter_form_class is None:
            return None
        if not hasattr(self, "_filter_form"):
            self._filter_form = self.filter_form_class(self.request.GET or None)
        return self._filter_form

    def apply_filters(self, qs: models.QuerySet[Any], data: dict[str, Any]) -> models.QuerySet[Any]:
        for name, value in data.items():
            if value in (None, "", [], ()):
                continue
            method: Callable[[models.QuerySet[Any], Any], models.QuerySet[Any]] | None = getattr(
                self, f"filter_{name}", None
            )
            if method is not None:
                qs = method(qs, value)
            elif name in self.filter_lookups:
                qs = qs.filter(**{self.filter_lookups[name]: value})
        return qs

    def sort_options(self) -> dict[str, str]:
        return {c.sort: c.order_by or c.sort for c in self.columns if c.sort}

    def get_queryset(self) -> models.QuerySet[Any]:
        qs = super().get_queryset()
        user = self.request.user
        query = self.request.GET.get("q", "").strip()
        if query and self.search_fields:
            # The name of a party outside the user's scope is neither found nor sorted by (core.masking).
            qs = qs.filter(scope_party_lookups(user, qs.model, search_condition(self.search_fields, query)))
        form = self.get_filter_form()
        if form is not None and form.is_valid():
            qs = self.apply_filters(qs, form.cleaned_data)
        sort = self.request.GET.get("sort", "")
        key = sort.lstrip("-")
        options = self.sort_options()
        if key in options:
            order = [("-" if sort.startswith("-") else "") + options[key], "pk"]
        else:
            order = [self.default_sort, "pk"] if self.default_sort != "pk" else ["pk"]
        qs = qs.order_by(*party_ordering(user, qs.model, *order))
        return qs.distinct() if self.request.GET.get("tag") or self.request.GET.get("tags") else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        ctx.update(
            {
                "title": self.title,
                "columns": self.columns,
                "filter_form": self.get_filter_form(),
                "query": self.request.GET.get("q", ""),
                "current_sort": self.request.GET.get("sort", ""),
                "querystring": params.urlencode(),
                "sort_querystring": sort_params.urlencode(),
                "can_change": self.can_change(),
                "create_url": reverse(self.create_url_name) if self.create_url_name else None,
                "extra_actions": self.extra_actions,
            }
        )
        return ctx


class ObjectDetailView(ScopedQuerysetMixin, DetailView):
    def get_object(self, queryset: Any = None) -> Any:
        return get_visible_or_404(self.base_queryset(), self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_change"] = self.can_change()
        return ctx


SaveService = Callable[..., models.Model]


class ObjectEditView(ScopedQuerysetMixin, View):
    """Create (no pk) or update (pk) through a form and a service; errors land on the form.

    Editing a versioned record carries its version in a hidden field; a submit based on an older
    version gets the conflict page (core.views.conflicts) and saves nothing."""

    form_class: type[forms.ModelForm[Any]]
    template_name = "core/object_edit.html"
    writes = True
    title_create: Any = ""
    title_update: Any = ""

    def save(self, *, form: forms.ModelForm[Any], instance: models.Model) -> models.Model:
        raise NotImplementedError

    def success_url(self, saved: models.Model) -> str:
        """Where to go after saving: the object's page unless a view says otherwise."""
        return saved.get_absolute_url()  # type: ignore[attr-defined,no-any-return]

    def get_instance(self) -> models.Model | None:
        if "pk" in self.kwargs:
            return get_visible_or_404(self.base_queryset(), self.request.user, pk=self.kwargs["pk"])
        return None

    def get_initial(self) -> dict[str, Any]:
        return {k: v for k, v in self.request.GET.items() if k in self.form_class.base_fields}

    def make_form(self, instance: models.Model | None, data: Any = None, files: Any = None) -> forms.ModelForm[Any]:
        kwargs: dict[str, Any] = {"instance": instance, "user": self.request.user}
        if instance is None:
            kwargs["initial"] = self.get_initial()
        return self.form_class(data, files, **kwargs)  # type: ignore[call-arg]

    def render_form(self, form: forms.ModelForm[Any], instance: models.Model | None, status: int = 200) -> HttpResponse:
        title = self.title_update if instance is not None else self.title_create
        cancel_url = instance.get_absolute_url() if instance is not None else safe_next(self.request)  # type: ignore[attr-defined]
        return render(
            self.request,
            self.template_name,
            {"form": form, "object": instance, "title": title, "cancel_url": cancel_url or "/"},
            status=status,
        )

    def versioned_form(self, instance: models.Model | None, data: Any = None, files: Any = None) -> forms.ModelForm[Any]:
        form = self.make_form(instance, data, files)
        add_version_field(form, instance)
        return form

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        return self.render_form(self.versioned_form(instance), instance)

    def save_checked(self, form: forms.ModelForm[Any]) -> models.Model:
        """Save through the service, refusing a stale version; when what was submitted is already
        what is saved on every field, the newer version is taken (nothing of anyone's is lost)."""
        try:
            prepare_save(form, form.instance)
            return self.save(form=form, instance=form.instance)
        except StaleEdit as exc:
            if conflict_rows(form, exc.current):
                raise
            expect_version(form.instance, current_version(exc.current))
            return self.save(form=form, instance=form.instance)

    def render_conflict(self, form: forms.ModelForm[Any], instance: models.Model | None, exc: StaleEdit) -> HttpResponse:
        cancel_url = instance.get_absolute_url() if instance is not None else "/"  # type: ignore[attr-defined]
        return render_conflict(self.request, form=form, error=exc, title=self.title_update, cancel_url=cancel_url)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        if request_too_large(request):
            error = request_too_large_message()
            return render(request, "core/error.html", {"error": error}, status=413)
        form = self.versioned_form(instance, request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = self.save_checked(form)
            except StaleEdit as exc:
                return self.render_conflict(form, instance, exc)
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(self.success_url(saved))
        return self.render_form(form, instance, status=400)


class ObjectDeleteView(ScopedQuerysetMixin, View):
    """Confirmation page on GET, deletion through a service on POST."""

    writes = True
    template_name = "core/object_delete.html"
    success_url_name: str = "core:dashboard"

    def delete(self, *, instance: models.Model) -> None:
        raise NotImplementedError

    def get_success_url(self, instance: models.Model) -> str:
        return reverse(self.success_url_name)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = get_visible_or_404(self.base_queryset(), request.user, pk=kwargs["pk"])
        return render(request, self.template_name, {"object": instance, "cascade": deletion_summary(instance)})

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = get_visible_or_404(self.base_queryset(), request.user, pk=kwargs["pk"])
        try:
            success_url = self.get_success_url(instance)
            self.delete(instance=instance)
        except RenkeiError as exc:
            return render(request, self.template_name, {"object": instance, "error": exc}, status=exc.status)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(success_url)


class BackToListMixin:
    """After saving, go back to the list (records whose own URL is their edit page)."""

    list_url_name: str

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)  # type: ignore[misc]
        if isinstance(response, HttpResponseRedirect):
            return HttpResponseRedirect(reverse(self.list_url_name))
        return response  # type: ignore[no-any-return]


def deletion_summary(instance: models.Model) -> list[tuple[str, int]]:
    """What else a deletion removes (cascades), as (label, count) rows for the confirmation page."""
    collector = Collector(using=router.db_for_write(type(instance)))
    try:
        collector.collect([instance])
    except (ProtectedError, RestrictedError):
        return []
    rows = []
    for model, objects in collector.data.items():
        count = len(objects) - (1 if model is type(instance) else 0)
        if count > 0 and model._meta.app_label not in {"auditlog", "contenttypes"}:
            rows.append((_deleted_label(model), count))
    for qs in collector.fast_deletes:
        count = qs.count()
        if count and qs.model._meta.app_label not in {"auditlog", "contenttypes"}:
            rows.append((_deleted_label(qs.model), count))
    return rows


def _deleted_label(model: type[models.Model]) -> str:
    """A translated name for what is deleted; a many-to-many link table is named after its field
    ("Links to tags"), not by Django's generated "organisation-tag relationships"."""
    owner = model._meta.auto_created
    if isinstance(owner, type):
        for field in owner._meta.many_to_many:
            if getattr(field.remote_field, "through", None) is model:
                return _("Links to {name}").format(name=field.verbose_name)
    return str(model._meta.verbose_name_plural)


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """The `next` parameter when it points into this site, else the default (no open redirect, no javascript:)."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
