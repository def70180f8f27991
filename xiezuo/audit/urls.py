from django.urls import path

from xiezuo.audit import views

app_name = "audit"
urlpatterns = [
    path("org/<str:code>/<int:year>/", views.audit_page, name="page"),
]
