from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "xiezuo.catalogue"
    verbose_name = "统计表模板"
