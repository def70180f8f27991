from django.apps import AppConfig


class RollupConfig(AppConfig):
    name = "xiezuo.rollup"
    verbose_name = "汇总与同比"
