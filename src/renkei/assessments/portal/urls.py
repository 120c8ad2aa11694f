"""The partner portal under /portal/: no account, a portal link opens one party's assessments."""

from renkei.assessments.excel import views as views_excel
from renkei.assessments.portal import views as views_portal

app_name = "portal"

urlpatterns = [
    *views_portal.urlpatterns(),
    *views_excel.portal_urlpatterns(),
]
