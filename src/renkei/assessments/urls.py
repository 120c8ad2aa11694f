"""Staff pages of the assessments app under /assessments/ (login required)."""

from renkei.assessments import views_answer, views_excel, views_staff

app_name = "assessments"

urlpatterns = [
    *views_staff.urlpatterns(),
    *views_answer.staff_urlpatterns(),
    *views_excel.staff_urlpatterns(),
]
