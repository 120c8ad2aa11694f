"""User administration for administrators: list, detail, create, edit, deactivate, new password, 2FA reset.

Users are not scoped by a `group_company` field like registry records; `selectors.users_manageable`
decides which users an administrator reaches, and anybody else answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters

from renkei.accounts import selectors, services
from renkei.accounts.forms import UserCreateForm, UserEditForm, UserFilterForm
from renkei.accounts.models import User
from renkei.core.concurrency import StaleEdit
from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.permissions import Action
from renkei.core.views.conflicts import add_version_field, posted_version, render_conflict
from renkei.core.views.objects import Column, ObjectListView, RenkeiViewMixin, ScopedQuerysetMixin


class _ManageableUsers(ScopedQuerysetMixin):
    permission_action = Action.ADMINISTER

    def get_queryset(self) -> QuerySet[Any]:
        return selectors.users_manageable(self.request.user).prefetch_related("group_companies")


# Listed after ObjectListView, so ObjectListView's search/filter/sort run on _ManageableUsers' queryset
# instead of the registry's group_company scope.
class UserListView(ObjectListView, _ManageableUsers):
    change_action = Action.ADMINISTER
    title = gettext_lazy("Users")
    columns = [
        Column("display_name", gettext_lazy("name"), link=True, sort="last_name", order_by="family_name_reading"),
        Column("get_name_reading", gettext_lazy("reading")),
        Column("username", gettext_lazy("username"), sort="username"),
        Column("email", gettext_lazy("e-mail")),
        Column("get_role_display_text", gettext_lazy("role"), sort="role"),
        Column("is_active", gettext_lazy("active"), sort="is_active"),
        Column("scope", gettext_lazy("limited to group companies")),
        Column("last_login", gettext_lazy("last log-in"), sort="last_login"),
    ]
    search_fields = ("username", "first_name", "last_name", "family_name_reading", "given_name_reading", "email")
    filter_form_class = UserFilterForm
    filter_lookups = {"role": "role"}
    default_sort = "username"
    create_url_name = "accounts:user_create"

    def filter_active(self, qs: QuerySet[User], value: str) -> QuerySet[User]:
        return qs.filter(is_active=(value == "yes"))


class _UserAdminView(RenkeiViewMixin, View):
    permission_action = Action.ADMINISTER

    def target(self) -> User:
        return selectors.get_manageable_user_or_404(self.request.user, self.kwargs["pk"])

    def render_form(self, form: Any, *, title: Any, cancel_url: str, obj: Any = None, status: int = 200) -> HttpResponse:
        context = {"form": form, "object": obj, "title": title, "cancel_url": cancel_url}
        return render(self.request, "core/object_edit.html", context, status=status)

    def render_confirm(self, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(self.request, "accounts/confirm.html", context, status=status)


class UserDetailView(_UserAdminView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        context = {
            "object": user,
            "title": user.display_name,
            "companies": list(user.group_companies.order_by("name")),
            "totp_enabled": selectors.totp_enabled(user),
            "active_tokens": selectors.active_token_count(user),
            "is_self": user.pk == request.user.pk,
        }
        return render(request, "accounts/user_detail.html", context)


@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class UserCreateView(_UserAdminView):
    title = gettext_lazy("Add user")

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_form(UserCreateForm(actor=request.user), title=self.title, cancel_url=reverse("accounts:user_list"))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UserCreateForm(request.POST, actor=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.user_create(
                    actor=request.user,
                    username=data["username"],
                    role=data["role"],
                    password=data["password1"],
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    family_name_reading=data["family_name_reading"],
                    given_name_reading=data["given_name_reading"],
                    language=data["language"],
                    companies=data["group_companies"],
                )
            except RenkeiError as exc:
                errors_to_form(form, exc, mapping={"password": "password1"})
            else:
                messages.success(request, _("The user was created."))
                return HttpResponseRedirect(user.get_absolute_url())
        return self.render_form(form, title=self.title, cancel_url=reverse("accounts:user_list"), status=400)


class UserEditView(_UserAdminView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        form = UserEditForm(instance=user, actor=request.user)
        add_version_field(form, user)
        return self.render_form(form, title=_("Edit user"), cancel_url=user.get_absolute_url(), obj=user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        form = UserEditForm(request.POST, instance=user, actor=request.user)
        add_version_field(form, user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.user_update(
                    actor=request.user,
                    user=user,
                    companies=data["group_companies"],
                    expected_version=posted_version(form),
                    **{name: data[name] for name in services.USER_EDITABLE_FIELDS},
                )
            except StaleEdit as exc:
                return render_conflict(request, form=form, error=exc, title=_("Edit user"), cancel_url=user.get_absolute_url())
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(user.get_absolute_url())
        return self.render_form(form, title=_("Edit user"), cancel_url=user.get_absolute_url(), obj=user, status=400)


@method_decorator(sensitive_post_parameters("new_password1", "new_password2"), name="dispatch")
class UserPasswordView(_UserAdminView):
    """An administrator sets a new password, checked by the same validators as everywhere."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        return self._render(SetPasswordForm(user), user)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        form = SetPasswordForm(user, request.POST)
        if form.is_valid():
            try:
                services.user_set_password(actor=request.user, user=user, password=form.cleaned_data["new_password1"])
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("The new password was set."))
                return HttpResponseRedirect(user.get_absolute_url())
        return self._render(form, user, status=400)

    def _render(self, form: Any, user: User, status: int = 200) -> HttpResponse:
        title = _("New password for {user}").format(user=user.display_name)
        return self.render_form(form, title=title, cancel_url=user.get_absolute_url(), obj=user, status=status)


class UserDeactivateView(_UserAdminView):
    """Deactivate instead of delete: the person's history stays attributable."""

    def context(self, user: User) -> dict[str, Any]:
        return {
            "title": _("Deactivate {user}").format(user=user.display_name),
            "message": _("The user can no longer log in and their API tokens stop working. Deactivate?"),
            "button": _("Deactivate"),
            "danger": True,
            "cancel_url": user.get_absolute_url(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_confirm(self.context(self.target()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        try:
            services.user_deactivate(actor=request.user, user=user)
        except RenkeiError as exc:
            return self.render_confirm({**self.context(user), "error": exc}, status=exc.status)
        messages.success(request, _("The user was deactivated."))
        return HttpResponseRedirect(user.get_absolute_url())


class UserTotpResetView(_UserAdminView):
    """For a user who lost the phone with the authenticator app."""

    def context(self, user: User) -> dict[str, Any]:
        return {
            "title": _("Turn off two-factor authentication for {user}").format(user=user.display_name),
            "message": _("The user will log in with the password alone until they set up a new app. Continue?"),
            "button": _("Turn off"),
            "danger": True,
            "cancel_url": user.get_absolute_url(),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_confirm(self.context(self.target()))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = self.target()
        try:
            services.totp_device_remove(actor=request.user, user=user)
        except RenkeiError as exc:
            return self.render_confirm({**self.context(user), "error": exc}, status=exc.status)
        messages.success(request, _("Two-factor authentication is off."))
        return HttpResponseRedirect(user.get_absolute_url())
