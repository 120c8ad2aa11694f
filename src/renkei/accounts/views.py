"""Log-in (with the optional TOTP second step), logout, language, profile, password and TOTP pages."""

from __future__ import annotations

from base64 import b32encode
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import user_login_failed
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from renkei.accounts import login_flow, selectors, services
from renkei.accounts.forms import PasswordConfirmForm, TotpCodeForm
from renkei.accounts.qr import svg_data_uri
from renkei.core.errors import RenkeiError, errors_to_form


class LoginView(auth_views.LoginView):
    """Step one: username and password (django-axes counts failures through `authenticate`)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if selectors.totp_enabled(user):
            login_flow.start(self.request, user=user, next_url=self.get_success_url())
            return HttpResponseRedirect(reverse("accounts:login_code"))
        return super().form_valid(form)


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@method_decorator([sensitive_post_parameters(), csrf_protect, never_cache], name="dispatch")
class LoginCodeView(View):
    """Step two for users with an authenticator app: the 6-digit code, then the real log-in."""

    template_name = "accounts/login_code.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        if login_flow.pending(request) is None:
            messages.error(request, _("Please log in again."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": TotpCodeForm(), "title": _("Log in")})

    def post(self, request: HttpRequest) -> HttpResponse:
        state = login_flow.pending(request)
        assert state is not None  # checked in dispatch
        form = TotpCodeForm(request.POST)
        if form.is_valid():
            if state.device.verify_token(form.cleaned_data["token"]):
                login_flow.clear(request)
                auth_login(request, state.user, backend=state.backend)
                otp_login(request, state.device)
                return HttpResponseRedirect(_safe_next(request, state.next_url))
            # A wrong code counts as a failed log-in for django-axes, like a wrong password.
            user_login_failed.send(
                sender=__name__, credentials={"username": state.user.get_username()}, request=request
            )
            remaining = login_flow.count_failure(request)
            if getattr(request, "axes_locked_out", False) or remaining == 0:
                login_flow.clear(request)
                messages.error(request, _("Too many wrong codes. Please log in again."))
                return redirect("accounts:login")
            form.add_error("token", _("The code is not valid. Check the time on your device and try again."))
        return render(request, self.template_name, {"form": form, "title": _("Log in")}, status=400)


class LogoutView(auth_views.LogoutView):
    pass


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the UI language; stored on the user, or in the session before login."""
    language = request.POST.get("language", "ja")
    if language not in {"ja", "en"}:
        language = "ja"
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    else:
        request.session["language"] = language
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return HttpResponseRedirect(target)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "title": user.display_name,  # type: ignore[union-attr]
        "totp_enabled": selectors.totp_enabled(user),
        "companies": list(user.group_companies.order_by("name")),  # type: ignore[union-attr]
        "active_tokens": selectors.active_token_count(user),
    }
    return render(request, "accounts/profile.html", context)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (old password, new twice, the validators from settings) with our page."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user)  # type: ignore[arg-type]
        messages.success(self.request, _("Your password was changed."))
        return response


def _secret_groups(device: Any) -> str:
    secret = b32encode(device.bin_key).decode("ascii")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _render_totp(request: HttpRequest, *, form: Any = None, disable_form: Any = None, status: int = 200) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"title": _("Two-factor authentication"), "enabled": selectors.totp_enabled(user)}
    if context["enabled"]:
        context["disable_form"] = disable_form or PasswordConfirmForm()
    else:
        device = selectors.totp_device_unconfirmed(user)
        if device is not None:
            context.update(
                {
                    "device": device,
                    "qr_uri": svg_data_uri(device.config_url),
                    "secret": _secret_groups(device),
                    "form": form or TotpCodeForm(),
                }
            )
    response = render(request, "accounts/totp.html", context, status=status)
    response.headers["Cache-Control"] = "no-store"  # the page may show the secret
    return response


@login_required
@sensitive_post_parameters()
def totp_setup(request: HttpRequest) -> HttpResponse:
    """Show the state; POST `start` makes a new secret, POST `token` confirms it."""
    user: Any = request.user
    if request.method != "POST":
        return _render_totp(request)
    if "start" in request.POST:
        try:
            services.totp_device_start(user=user)
        except RenkeiError as exc:
            messages.error(request, str(exc))
        return redirect("accounts:totp")
    device = selectors.totp_device_unconfirmed(user)
    if device is None:
        return redirect("accounts:totp")
    form = TotpCodeForm(request.POST)
    if form.is_valid():
        try:
            services.totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
        except RenkeiError as exc:
            errors_to_form(form, exc)
        else:
            otp_login(request, device)  # this session has just proved the second factor
            messages.success(request, _("Two-factor authentication is on."))
            return redirect("accounts:profile")
    return _render_totp(request, form=form, status=400)


@login_required
@require_POST
@sensitive_post_parameters()
def totp_disable(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.totp_device_remove(actor=request.user, user=request.user, password=form.cleaned_data["password"])  # type: ignore[arg-type]
        except RenkeiError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:profile")
    return _render_totp(request, disable_form=form, status=400)
