"""Chain map and blast radius pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.generic import TemplateView

from renkei.chain import selectors
from renkei.core.permissions import Action, get_visible_or_404, require
from renkei.core.views import RenkeiViewMixin
from renkei.registry.models import Criticality, Organisation, OrganisationKind


class MapView(RenkeiViewMixin, TemplateView):
    template_name = "chain/map.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = OrganisationKind.choices
        ctx["criticalities"] = Criticality.choices
        ctx["focus"] = self.request.GET.get("focus", "")
        return ctx


def map_data(request: HttpRequest) -> JsonResponse:
    """Nodes and edges of the chain the user may see, for the interactive map."""
    if not request.user.is_authenticated:
        return JsonResponse({"message": "Authentication required."}, status=401)
    require(request.user, Action.VIEW)
    return JsonResponse(selectors.map_payload(user=request.user))


class BlastRadiusView(RenkeiViewMixin, TemplateView):
    template_name = "chain/blast_radius.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        party = get_visible_or_404(Organisation.objects.all(), self.request.user, pk=self.kwargs["pk"])
        ctx["party"] = party
        ctx["radius"] = selectors.blast_radius_report(user=self.request.user, party=party)
        return ctx
