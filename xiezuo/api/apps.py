from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "xiezuo.api"
    label = "api"
    verbose_name = "接口"
