"""Navigation and permissions for the base template (each app adds its own links' permissions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from renkei.core.permissions import Action, can

# Which main-menu group a page belongs to, by URL namespace; a few pages by their full URL name.
# Core names the apps' namespaces as strings only (it imports no app).
NAV_GROUPS = {
    "registry": "registry",
    "chain": "registry",
    "assessments": "assessments",
    "software": "software",
    "incidents": "incidents",
}
NAV_GROUP_PAGES = {
    "registry:import": "settings",
    "assessments:policy": "settings",
    "software:enrichment_sources": "settings",
    "incidents:role_list": "settings",
    "incidents:reply_template_list": "settings",
    "core:audit_list": "settings",
    "core:audit_object": "settings",
}
NAV_GROUP_PREFIXES = {"accounts:user_": "settings"}

# The user guide's section for a page (core/help/: the guide's `## N.` headings get the anchors sN).
HELP_SECTIONS = {
    "registry": "s3",
    "registry:asset": "s4",
    "registry:holding": "s4",
    "registry:access": "s4",
    "registry:import": "s5",
    "chain": "s6",
    "core:audit": "s7",
    "software": "s8",
    "incidents": "s9",
    "assessments": "s10",
    "accounts": "s1",
    "accounts:user_": "s2",
}


def _page_name(request: HttpRequest) -> tuple[str, str]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    return match.namespace or "", match.view_name or ""


def nav_group(namespace: str, view_name: str) -> str:
    """The main-menu group to highlight for a page ("" when none: the dashboard, the guide)."""
    if view_name in NAV_GROUP_PAGES:
        return NAV_GROUP_PAGES[view_name]
    for prefix, group in NAV_GROUP_PREFIXES.items():
        if view_name.startswith(prefix):
            return group
    return NAV_GROUPS.get(namespace.split(":")[0], "")


def help_anchor(namespace: str, view_name: str) -> str:
    """The guide section for a page: the longest matching view-name prefix, else the namespace's."""
    best = ""
    for key in HELP_SECTIONS:
        if ":" in key and view_name.startswith(key) and len(key) > len(best):
            best = key
    return HELP_SECTIONS.get(best) or HELP_SECTIONS.get(namespace.split(":")[0], "")


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    namespace, view_name = _page_name(request)
    anchor = help_anchor(namespace, view_name)
    return {
        "can_view_audit": can(user, Action.VIEW_AUDIT),
        "is_administrator": can(user, Action.ADMINISTER),
        "nav_group": nav_group(namespace, view_name),
        "help_url": reverse("core:help") + (f"#{anchor}" if anchor else ""),
    }
