from django.urls import path

from xiezuo.web.views import auth, dashboards, pages, review, submissions, tables

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("org/<str:code>/<int:year>/", tables.table, name="table"),
    path("org/<str:code>/<int:year>/cell/<str:row_code>/", tables.cell_save, name="cell_save"),
    path("org/<str:code>/<int:year>/row/<str:row_code>/history/", tables.history, name="history"),
    path("org/<str:code>/<int:year>/submission/", submissions.submission, name="submission"),
    path("org/<str:code>/<int:year>/submission/<str:action>/", submissions.submission_action,
         name="submission_action"),
    path("org/<str:code>/<int:year>/review/", review.review, name="review"),
    path("org/<str:code>/<int:year>/dashboard/", dashboards.dashboard, name="dashboard"),
]
