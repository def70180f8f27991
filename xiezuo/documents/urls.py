from django.urls import path

from xiezuo.documents import views

app_name = "documents"
urlpatterns = [
    path("<str:code>/<int:year>/", views.report, name="report"),
    path("<str:code>/<int:year>/report.docx", views.report_docx, name="report_docx"),
    path("<str:code>/<int:year>/report.pdf", views.report_pdf, name="report_pdf"),
    path("<str:code>/<int:year>/reports/", views.area_reports, name="area_reports"),
    path("<str:code>/<int:year>/cover/", views.cover_save, name="cover_save"),
    path("<str:code>/<int:year>/drafted/", views.drafted_save, name="drafted_save"),
    path("<str:code>/<int:year>/narrative/<str:section>/", views.narrative, name="narrative_save"),
    path("<str:code>/<int:year>/cases/", views.case_save, name="case_add"),
    path("<str:code>/<int:year>/cases/<int:number>/", views.case_save, name="case_save"),
    path("<str:code>/<int:year>/cases/<int:number>/remove/", views.case_remove, name="case_remove"),
]
