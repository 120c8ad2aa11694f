"""The licence policy page: one allow/deny list per group company."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from renkei.core.concurrency import StaleEdit
from renkei.core.errors import RenkeiError, errors_to_form
from renkei.core.permissions import can, require, visible
from renkei.core.tenancy import allowed_company_ids, default_group_company_id, group_companies
from renkei.core.views.conflicts import add_version_field, prepare_save, render_conflict
from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry.models import Organisation
from renkei.software.licences import forms, services
from renkei.software.models import LicencePolicy
from renkei.software.permissions import CHANGE_SOFTWARE


def manageable_companies(user: Any) -> QuerySet[Organisation]:
    """Our own group companies within the user's scope."""
    qs = visible(group_companies(), user).order_by("name")
    ids = allowed_company_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


class LicencePolicyView(RenkeiViewMixin, View):
    """One allow/deny list per group company: `?company=` picks which one the page shows."""

    template_name = "software/licence_policy.html"

    def company(self, request: HttpRequest) -> Organisation:
        companies = manageable_companies(request.user)
        raw = request.POST.get("company") or request.GET.get("company") or ""
        if raw:
            company = companies.filter(pk=raw).first() if raw.isdigit() else None
            if company is None:
                raise Http404(_("Not found."))
            return company
        default_id = default_group_company_id(request.user)
        default = (companies.filter(pk=default_id).first() if default_id else None) or companies.first()
        if default is None:
            raise Http404(_("Not found."))
        return default

    def policy(self, company: Organisation) -> LicencePolicy:
        return LicencePolicy.objects.filter(group_company=company).first() or LicencePolicy(group_company=company)

    def render_page(self, request: HttpRequest, company: Organisation, form: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            self.template_name,
            {
                "title": _("Licence policy"),
                "company": company,
                "companies": manageable_companies(request.user),
                "form": form,
                "policy": form.instance,
                "can_change": can(request.user, CHANGE_SOFTWARE),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        company = self.company(request)
        form = forms.LicencePolicyForm(instance=self.policy(company))
        add_version_field(form, form.instance)
        return self.render_page(request, company, form)

    def post(self, request: HttpRequest) -> HttpResponse:
        require(request.user, CHANGE_SOFTWARE)
        try:
            company = self.company(request)
        except Http404:
            # A company the user may not manage: refused like an invalid choice, nothing saved.
            form = forms.LicencePolicyForm(request.POST)
            form.add_error(None, _("Choose one of your group companies."))
            fallback = manageable_companies(request.user).first()
            if fallback is None:
                raise
            return self.render_page(request, fallback, form, status=400)
        form = forms.LicencePolicyForm(request.POST, instance=self.policy(company))
        add_version_field(form, form.instance)
        if form.is_valid():
            try:
                prepare_save(form, form.instance)
                services.licence_policy_save(user=request.user, policy=form.instance)
            except StaleEdit as exc:
                return render_conflict(request, form=form, error=exc, title=_("Licence policy"), cancel_url=request.get_full_path())
            except RenkeiError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(f"{reverse('software:licence_policy')}?company={company.pk}")
        return self.render_page(request, company, form, status=400)
