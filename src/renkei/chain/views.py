"""Chain map and blast radius pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from renkei.chain import selectors
from renkei.core.permissions import Action, get_visible_or_404, require
from renkei.core.views.objects import RenkeiViewMixin
from renkei.registry.models import Criticality, Organisation, OrganisationKind


class MapView(RenkeiViewMixin, TemplateView):
    """The interactive supply-chain map; its data comes from `map_data` as JSON."""

    template_name = "chain/map.html"

    def focus_id(self) -> int | None:
        """`?focus=<id>`: the party to highlight, or None (anything else is ignored, not an error)."""
        raw = self.request.GET.get("focus", "")
        return int(raw) if raw.isdigit() else None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = _("Chain map")
        ctx["kinds"] = OrganisationKind.choices
        ctx["criticalities"] = Criticality.choices
        ctx["focus"] = self.focus_id()
        # Everything map.js needs, passed through json_script (escaped, no inline script code).
        ctx["map_config"] = {
            "dataUrl": reverse("chain:map_data"),
            # The id is swapped in by the script; 0 is a placeholder that the URL pattern accepts.
            "blastRadiusUrl": reverse("chain:blast_radius", args=[0]),
            "focus": ctx["focus"],
            "kinds": [[value, str(label)] for value, label in OrganisationKind.choices],
            "criticalities": [[value, str(label)] for value, label in Criticality.choices],
        }
        ctx["map_labels"] = {
            "loading": _("Loading the map…"),
            "loadFailed": _("The map could not be loaded."),
            "empty": _("No organisations to show yet."),
            "notConnected": _("Not connected"),
            "tier": _("Tier {tier}"),
            "ownCompany": _("Own company"),
            "kind": _("kind"),
            "criticality": _("criticality"),
            "tierHeading": _("tier"),
            "status": _("status"),
            "active": _("Active"),
            "offboarded": _("Offboarded"),
            "clients": _("Upstream (clients)"),
            "providers": _("Downstream (providers)"),
            "details": _("Details"),
            "blastRadius": _("Blast radius"),
            "noMatch": _("No party found for: {query}"),
            "matches": _("{count} parties match; showing the first."),
            "shown": _("{shown} of {total} parties shown"),
            "more": _("and {count} more"),
            "redelegation": _("Re-delegates work (再委託)"),
        }
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
