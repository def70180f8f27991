from django.urls import path

from xiezuo.audit import views

app_name = "audit"
urlpatterns = [
    path("org/<str:code>/<int:year>/", views.audit_page, name="page"),
    path("org/<str:code>/<int:year>/report/", views.unit_report_audit, name="unit_report"),
]
