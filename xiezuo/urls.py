from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("xiezuo.ops.urls")),
    path("documents/", include("xiezuo.documents.urls")),
    path("audit/", include("xiezuo.audit.urls")),
    path("jobs/", include("xiezuo.jobs.urls")),
    path("", include("xiezuo.api.urls")),
    path("", include("xiezuo.web.urls")),
]
