from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "xiezuo.exchange"
    label = "exchange"
    verbose_name = "数据交换"
