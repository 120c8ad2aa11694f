"""URL wiring of the whole product."""

from django.urls import include, path

from renkei.api import api
from renkei.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("renkei.accounts.urls")),
    path("registry/", include("renkei.registry.urls")),
    path("chain/", include("renkei.chain.urls")),
    path("", include("renkei.core.urls")),
]

handler403 = "renkei.core.views.permission_denied"
handler404 = "renkei.core.views.not_found"
handler500 = "renkei.core.views.server_error"
