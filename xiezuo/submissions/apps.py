from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "xiezuo.submissions"
    verbose_name = "填报与审核"
