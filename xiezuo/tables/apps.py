from django.apps import AppConfig


class TablesConfig(AppConfig):
    name = "xiezuo.tables"
    verbose_name = "统计表数据"
