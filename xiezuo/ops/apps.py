from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "xiezuo.ops"
    verbose_name = "运维"
