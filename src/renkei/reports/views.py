"""The home page: the registry at a glance, with the cards of the capabilities."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry import selectors as registry_selectors


class HomeView(RenkeiViewMixin, TemplateView):
    """Home page: the state of the registry at a glance, then the incidents and assessments cards
    (template tags of `reports_tags`)."""

    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["figures"] = registry_selectors.dashboard_figures(user=self.request.user)
        ctx["title"] = _("Dashboard")
        return ctx
