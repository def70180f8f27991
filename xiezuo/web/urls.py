from django.urls import path

from xiezuo.web.views import auth, dashboards, ledgers, pages, review, submissions, tables

app_name = "web"
urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("org/<str:code>/<int:year>/", tables.table, name="table"),
    path("org/<str:code>/<int:year>/cell/<str:row_code>/", tables.cell_save, name="cell_save"),
    path("org/<str:code>/<int:year>/row/<str:row_code>/history/", tables.history, name="history"),
    path("org/<str:code>/<int:year>/history/", tables.unit_history, name="unit_history"),
    path("org/<str:code>/<int:year>/submission/", submissions.submission, name="submission"),
    path("org/<str:code>/<int:year>/submission/<str:action>/", submissions.submission_action,
         name="submission_action"),
    path("org/<str:code>/<int:year>/review/", review.review, name="review"),
    path("org/<str:code>/<int:year>/dashboard/", dashboards.dashboard, name="dashboard"),
    path("org/<str:code>/<int:year>/ledgers/", ledgers.ledgers_index, name="ledgers"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/", ledgers.ledger_list, name="ledger_list"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/new/", ledgers.ledger_new, name="ledger_new"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/template/", ledgers.ledger_template_download,
         name="ledger_template"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/download/", ledgers.ledger_download, name="ledger_download"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/import/", ledgers.ledger_import_page, name="ledger_import"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/<int:pk>/", ledgers.ledger_edit, name="ledger_edit"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/<int:pk>/delete/", ledgers.ledger_delete,
         name="ledger_delete"),
    path("org/<str:code>/<int:year>/ledgers/<str:kind>/<int:pk>/history/", ledgers.ledger_record_history,
         name="ledger_history"),
    path("org/<str:code>/<int:year>/reconciliation/", ledgers.reconciliation, name="reconciliation"),
    path("org/<str:code>/<int:year>/reconciliation/<str:row_code>/", ledgers.reconciliation_decide,
         name="reconciliation_decide"),
]
