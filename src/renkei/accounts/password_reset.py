"""Password reset by e-mail, on Django's PasswordResetView family.

- The answer never tells whether an address belongs to an account: the same page (and status)
  for a known address, an unknown one, an inactive user or a user without an e-mail address.
- The link is built on `settings.RENKEI_BASE_URL` (not on the request's Host header, which a
  client chooses), expires after `PASSWORD_RESET_TIMEOUT` (one hour by default) and works once:
  Django's token covers the password hash and the last log-in, both of which change.
- The e-mail is in the account's language (`User.language`), sent by the worker
  (`services.password_reset_email_send`).
- Requests are limited per address and per client address (`core.ratelimit`, counted in the
  database and so shared by every web process; the client address from `core.network`, which
  trusts a forwarded header only from configured proxies). The count does not depend on whether
  the address exists, so the limit gives nothing away either.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy

from renkei.accounts import tasks
from renkei.core.network import client_address
from renkei.core.ratelimit import rate_limit_hit

# Requests allowed per window: per address asked for, and per client address.
LIMIT_PER_ADDRESS = 3
LIMIT_PER_CLIENT = 10
LIMIT_WINDOW_SECONDS = 3600


def over_limit(request: HttpRequest, email: str) -> bool:
    """Whether this request exceeds the per-address or per-client limit (both are counted)."""
    window = LIMIT_WINDOW_SECONDS
    by_address = rate_limit_hit(
        bucket="password-reset-address", client=email.strip().lower(), limit=LIMIT_PER_ADDRESS, window_seconds=window
    )
    by_client = rate_limit_hit(
        bucket="password-reset-client", client=client_address(request), limit=LIMIT_PER_CLIENT, window_seconds=window
    )
    return by_address or by_client


class ResetRequestForm(PasswordResetForm):
    def save(self, **kwargs: Any) -> None:  # type: ignore[override]
        """Queue one e-mail per matching active account (Django leaves out inactive users and those
        without a usable password). The worker sends it: an SMTP round trip inside the request
        would make a known address answer slower than an unknown one."""
        for user in self.get_users(self.cleaned_data["email"]):
            tasks.send_password_reset.enqueue(user.pk)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"title": gettext_lazy("Forgot your password?")}

    def form_valid(self, form: Any) -> HttpResponse:
        if over_limit(self.request, form.cleaned_data["email"]):
            context = self.get_context_data(form=form, limited=True)
            return render(self.request, self.template_name, context, status=429)
        form.save()
        return super(auth_views.PasswordResetView, self).form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """The same page whatever the address was."""

    template_name = "accounts/password_reset_done.html"
    extra_context = {"title": gettext_lazy("Check your e-mail")}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "password_reset_minutes": settings.PASSWORD_RESET_TIMEOUT // 60}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False  # log in afterwards, with the second factor when the account has one
    extra_context = {"title": gettext_lazy("Choose a new password")}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"title": gettext_lazy("Password changed")}

