from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "xiezuo.web"
    verbose_name = "网页"
