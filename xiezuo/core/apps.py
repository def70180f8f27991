from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "xiezuo.core"
    verbose_name = "基础"
