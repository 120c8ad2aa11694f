"""Staff pages of the assessments app under /assessments/ (login required): each sub-package's URLs.

Reads need `Action.VIEW` (every role, scoped to the user's group companies); writes need
`CHANGE_ASSESSMENTS`. The partner portal has its own URL conf (`portal/urls.py`, /portal/).
"""

from django.urls import include, path

app_name = "assessments"

urlpatterns = [
    path("", include("renkei.assessments.campaigns.urls")),
    path("", include("renkei.assessments.frameworks.urls")),
    path("", include("renkei.assessments.review.urls")),
    path("", include("renkei.assessments.followups.urls")),
    path("", include("renkei.assessments.answering.urls")),
    path("", include("renkei.assessments.excel.urls")),
]
