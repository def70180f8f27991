from django.apps import AppConfig


class OrgUnitsConfig(AppConfig):
    name = "xiezuo.orgunits"
    verbose_name = "行政区划与结对"
