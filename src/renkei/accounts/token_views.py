"""The personal API tokens page: list, create (the raw token is shown once), revoke."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from renkei.accounts import selectors, services
from renkei.accounts.forms import ApiTokenCreateForm
from renkei.core.errors import RenkeiError, errors_to_form


def _render_list(request: HttpRequest, form: ApiTokenCreateForm, status: int = 200) -> HttpResponse:
    context = {"title": _("API tokens"), "tokens": selectors.user_tokens(request.user), "form": form}
    return render(request, "accounts/token_list.html", context, status=status)


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """GET lists my tokens; POST creates one and answers with the only page that shows it."""
    if request.method != "POST":
        return _render_list(request, ApiTokenCreateForm())
    form = ApiTokenCreateForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.api_token_create(
                user=request.user,  # type: ignore[arg-type]
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
            )
        except RenkeiError as exc:
            errors_to_form(form, exc)
        else:
            response = render(
                request, "accounts/token_created.html", {"title": _("API token created"), "token": token, "raw": raw}
            )
            # Never cached anywhere: this response is the only copy of the raw token.
            response.headers["Cache-Control"] = "no-store"
            return response
    return _render_list(request, form, status=400)


@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirmation on GET, revocation on POST; another user's token is 'not found'."""
    token = selectors.get_user_token_or_404(request.user, pk)
    if request.method == "POST":
        services.api_token_revoke(user=request.user, token=token)  # type: ignore[arg-type]
        messages.success(request, _("The token was revoked."))
        return redirect("accounts:tokens")
    context: dict[str, Any] = {
        "title": _("Revoke API token"),
        "message": _("Programs using {token} will be refused from now on. Revoke it?").format(token=token),
        "button": _("Revoke"),
        "danger": True,
        "cancel_url": reverse("accounts:tokens"),
    }
    return render(request, "accounts/confirm.html", context)
