"""Staff pages of the assessments app under /assessments/ (login required)."""

from renkei.assessments import views as views_staff
from renkei.assessments.answering import views as views_answer
from renkei.assessments.excel import views as views_excel

app_name = "assessments"

urlpatterns = [
    *views_staff.urlpatterns(),
    *views_answer.staff_urlpatterns(),
    *views_excel.staff_urlpatterns(),
]
