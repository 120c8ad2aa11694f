"""Incident pages under /incidents/, one `incidents` namespace for the four sub-capabilities.

A URL has at most one id: `pk` names the object itself, `parent_pk` the incident, playbook or step a
new record is created under. The order is the matching order (response first, then the report
drafts, the CSIRT's intake pages and leak attribution). The public intake form is not here: the
project's urls.py mounts `intake.urls.public_urlpatterns` under /report/.
"""

from renkei.incidents.documents import urls as documents_urls
from renkei.incidents.intake import urls as intake_urls
from renkei.incidents.leaks import urls as leaks_urls
from renkei.incidents.response import urls as response_urls

app_name = "incidents"

urlpatterns = [
    *response_urls.urlpatterns,
    # report drafts (.docx / PDF) and the CSIRT's intake pages
    *documents_urls.urlpatterns,
    *intake_urls.urlpatterns,
    # leak attribution: ledger of shared datasets, canaries, tracing
    *leaks_urls.urlpatterns,
]
