from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import path

from renkei.core import audit_views
from renkei.core.help.views import HelpView

# `renkei/urls.py` mounts these in the `core` namespace together with the dashboard of `reports`
# (`core:dashboard`), so that core imports no app.


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: a hashed (manifest) static storage knows the name only after collectstatic.
    return HttpResponsePermanentRedirect(static("renkei/favicon.svg"))


urlpatterns = [
    path("audit/", audit_views.AuditListView.as_view(), name="audit_list"),
    path("audit/<str:model_name>/<int:pk>/", audit_views.object_history, name="audit_object"),
    path("help/", HelpView.as_view(), name="help"),
    # Browsers ask for /favicon.ico whatever the page links; answer instead of logging a 404.
    path("favicon.ico", favicon, name="favicon"),
]
