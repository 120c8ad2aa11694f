"""URL wiring of the whole product."""

from django.urls import include, path

from renkei.api import api
from renkei.core import urls as core_urls
from renkei.core.views.errors import healthz
from renkei.incidents.intake.urls import public_urlpatterns as intake_public_urls
from renkei.reports import urls as reports_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("renkei.accounts.urls")),
    path("registry/", include("renkei.registry.urls")),
    path("chain/", include("renkei.chain.urls")),
    path("incidents/", include("renkei.incidents.urls")),
    path("software/", include("renkei.software.urls")),
    path("assessments/", include("renkei.assessments.urls")),
    # The partner portal (no login): a portal link opens exactly one party's assessments.
    path("portal/", include("renkei.assessments.portal.urls")),
    # The public intake form (no login): a stable address to give to partners and on the website.
    path("report/", include((intake_public_urls, "intake"))),
    # The dashboard (reports) and the audit pages (core) share the historical namespace `core`.
    path("", include(([*reports_urls.urlpatterns, *core_urls.urlpatterns], "core"))),
]

handler403 = "renkei.core.views.errors.permission_denied"
handler404 = "renkei.core.views.errors.not_found"
handler500 = "renkei.core.views.errors.server_error"
